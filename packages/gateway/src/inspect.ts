/**
 * The request side, before anything reaches the upstream: one pass over the
 * raw header list that both refuses what must not pass (framing that two
 * parsers could read differently, too many fields) and builds the header
 * list sent upstream (hop-by-hop and client-supplied forwarding headers
 * dropped, then ours added).
 *
 * Why each refusal (reference notes §2, raw-socket probes against Node and
 * nginx):
 * - `Transfer-Encoding` other than exactly `chunked`, or repeated: a proxy and
 *   an upstream that disagree on where the body ends let one request hide
 *   inside another (request smuggling). Node accepts `identity, chunked` and
 *   `Chunked` spellings; nginx answers 501. We answer 400.
 * - `Transfer-Encoding` in an HTTP/1.0 request: RFC 9112 §6.1 says the framing
 *   is faulty.
 * - `Content-Length` more than once (even equal): the same ambiguity.
 * - More header fields than the limit: 431 (Node's own limit silently drops
 *   the extra fields instead).
 * - Targets with dot segments, encoded dots or slashes, backslashes, NUL or
 *   non-ASCII: the upstream may normalise them into a path the policy never
 *   saw (`/public/..%2fadmin`). Refused, never forwarded.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-6.1
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1 (hop-by-hop fields)
 * @module
 */

/** What a header name means to the gateway (absent from the table = forward as is). */
const DROP = 1;
const HOST = 2;
const TRANSFER_ENCODING = 3;
const CONTENT_LENGTH = 4;
const CONNECTION = 5;
/** Forwarding headers: dropped from the copy, read when the peer is a trusted proxy. */
const XFF = 6;
const XFP = 7;
const XFH = 8;
const FORWARDED = 9;

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1) and fields only the gateway may set.
 * `Expect` is answered by the gateway, never forwarded (reference §2).
 */
const BASE_KINDS: Readonly<Record<string, number>> = {
  connection: CONNECTION,
  'keep-alive': DROP,
  'proxy-connection': DROP,
  te: DROP,
  trailer: DROP,
  upgrade: DROP,
  expect: DROP,
  'proxy-authorization': DROP,
  'http2-settings': DROP,
  'x-real-ip': DROP,
  'x-forwarded-port': DROP,
  'x-forwarded-server': DROP,
  host: HOST,
  'transfer-encoding': TRANSFER_ENCODING,
  'content-length': CONTENT_LENGTH,
  'x-forwarded-for': XFF,
  'x-forwarded-proto': XFP,
  'x-forwarded-host': XFH,
  forwarded: FORWARDED,
};

/** A refusal: status and a reason for the log (never sent to the client). */
export interface Refusal {
  readonly status: number;
  readonly reason: string;
}

/** The request as the upstream will see it, plus what the gateway learned on the way. */
export interface Inspection {
  /** Flat `[name, value, …]` list to forward (forwarding headers not yet added). */
  readonly headers: string[];
  /** The Host (or `:authority`) value, when exactly one was sent. */
  readonly host: string | undefined;
  /** True when a body follows (`Content-Length` > 0 or chunked, or an HTTP/2 stream not ended). */
  readonly hasBody: boolean;
  /** The declared length, or -1 for chunked / unknown. */
  readonly contentLength: number;
  /** Incoming forwarding values (only kept for trusted peers). */
  readonly xff: string | undefined;
  readonly xfp: string | undefined;
  readonly xfh: string | undefined;
  readonly forwarded: string | undefined;
}

/** Per-configuration table of header kinds (the nonce and request-id headers are ours too). */
export type HeaderKinds = Readonly<Record<string, number>>;

/** Builds the kind table: the base one plus the gateway's own request headers. */
export function headerKinds(own: readonly string[]): HeaderKinds {
  const t: Record<string, number> = Object.assign(Object.create(null) as object, BASE_KINDS);
  for (const n of own) t[n.toLowerCase()] = DROP;
  return Object.freeze(t);
}

/** Mutable result holder reused by {@link inspectHeaders} (one per call). */
class Result implements Inspection {
  headers: string[] = [];
  host: string | undefined = undefined;
  hasBody = false;
  contentLength = 0;
  xff: string | undefined = undefined;
  xfp: string | undefined = undefined;
  xfh: string | undefined = undefined;
  forwarded: string | undefined = undefined;
}

function join(prev: string | undefined, value: string): string {
  return prev === undefined ? value : `${prev}, ${value}`;
}

/**
 * Inspects a raw header list (`req.rawHeaders`). Returns a {@link Refusal}
 * or the {@link Inspection}. `h2` marks an HTTP/2 request (pseudo-headers
 * skipped, `:authority` used as Host); `http10` an HTTP/1.0 one.
 */
export function inspectHeaders(
  raw: readonly string[],
  kinds: HeaderKinds,
  maxCount: number,
  http10: boolean,
  h2: boolean,
): Inspection | Refusal {
  if (raw.length > maxCount * 2) return { status: 431, reason: 'too many header fields' };
  const r = new Result();
  const out = r.headers;
  let hosts = 0;
  let te: string | undefined;
  let tes = 0;
  let cls = 0;
  let connection: string | undefined;
  let authority: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (h2 && name.charCodeAt(0) === 0x3a /* : */) {
      if (name === ':authority') authority = value;
      continue;
    }
    const kind = kinds[name.toLowerCase()];
    if (kind === undefined) {
      out.push(name, value);
      continue;
    }
    switch (kind) {
      case HOST:
        hosts++;
        r.host = value;
        break;
      case TRANSFER_ENCODING:
        tes++;
        te = value;
        break;
      case CONTENT_LENGTH:
        cls++;
        r.contentLength = Number(value);
        out.push(name, value);
        break;
      case CONNECTION:
        connection = join(connection, value);
        break;
      case XFF:
        r.xff = join(r.xff, value);
        break;
      case XFP:
        r.xfp = join(r.xfp, value);
        break;
      case XFH:
        r.xfh = join(r.xfh, value);
        break;
      case FORWARDED:
        r.forwarded = join(r.forwarded, value);
        break;
      default:
        break; // DROP
    }
  }
  if (tes > 0) {
    if (tes > 1 || te === undefined || te.trim().toLowerCase() !== 'chunked')
      return { status: 400, reason: 'transfer-encoding other than chunked' };
    if (http10) return { status: 400, reason: 'transfer-encoding in an HTTP/1.0 request' };
    if (cls > 0) return { status: 400, reason: 'both content-length and transfer-encoding' };
    r.hasBody = true;
    r.contentLength = -1;
  } else if (cls > 1) {
    return { status: 400, reason: 'several content-length fields' };
  } else if (cls === 1) {
    if (!(r.contentLength >= 0)) return { status: 400, reason: 'malformed content-length' };
    r.hasBody = r.contentLength > 0;
  }
  if (hosts > 1) return { status: 400, reason: 'several Host headers' };
  if (hosts === 0) {
    if (h2) r.host = authority;
    // RFC 9112 §3.2: a 1.1 request without Host gets 400 (1.0 predates Host).
    else if (!http10) return { status: 400, reason: 'missing Host' };
  }
  if (connection !== undefined) dropListed(out, connection);
  return r;
}

/** Removes the fields a `Connection` header names (RFC 9110 §7.6.1), in place. */
function dropListed(out: string[], connection: string): void {
  const listed = new Set<string>();
  for (const token of connection.split(',')) {
    const t = token.trim().toLowerCase();
    if (t !== '' && t !== 'close' && t !== 'keep-alive') listed.add(t);
  }
  if (listed.size === 0) return;
  let w = 0;
  for (let i = 0; i < out.length; i += 2) {
    const name = out[i] as string;
    if (listed.has(name.toLowerCase())) continue;
    out[w++] = name;
    out[w++] = out[i + 1] as string;
  }
  out.length = w;
}

/**
 * Path characters that an upstream may normalise into a different path:
 * dot segments, encoded dot/slash/backslash/NUL, raw backslash, and
 * anything outside visible ASCII. Linear-time (no nested quantifiers).
 */
const UNSAFE_PATH = /[^\x21-\x7e]|%(?:2e|2f|5c|00)|\\|(?:^|\/)\.\.?(?:\/|$)/i;

/**
 * Checks a request-target and returns the origin-form path to forward, or a
 * {@link Refusal}: 414 over `maxLength`, 400 for an unsafe path or a form
 * other than origin-form (`/…`) and absolute-form (`http://host/…`).
 */
export function checkTarget(target: string, maxLength: number): string | Refusal {
  if (target.length > maxLength) return { status: 414, reason: 'request-target too long' };
  let path = target;
  if (target.charCodeAt(0) !== 0x2f /* / */) {
    const m = /^https?:\/\/[^/?#]*/i.exec(target);
    if (m === null) return { status: 400, reason: 'request-target not in origin or absolute form' };
    path = target.slice(m[0].length);
    if (path === '' || path.charCodeAt(0) === 0x3f /* ? */) path = `/${path}`;
  }
  const q = path.indexOf('?');
  const pathOnly = q === -1 ? path : path.slice(0, q);
  if (UNSAFE_PATH.test(pathOnly)) return { status: 400, reason: 'unsafe path' };
  if (q !== -1 && (/[^\x21-\x7e]/.test(path.slice(q)) || path.includes('%00')))
    return { status: 400, reason: 'unsafe query' };
  return path;
}

/** True when `x` is a {@link Refusal}. */
export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && 'status' in x;
}
