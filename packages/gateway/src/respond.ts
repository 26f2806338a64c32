/**
 * The response side: what the client gets, from the upstream or from the
 * gateway itself. Everything that can be is computed once per policy plan
 * (core's `ResponsePlan`), so a response costs one walk over the upstream's
 * headers and one array copy.
 *
 * - Hop-by-hop headers and the policy's fingerprinting list are stripped;
 *   with `errors.serverTokens: false` also `Server`, `Via`, `X-Powered-By`,
 *   `X-Runtime`, `X-Generator`, `X-AspNet(Mvc)-Version` (reference §3).
 * - The policy's headers replace the upstream's, except those named in
 *   `gateway.keepUpstreamHeaders`, which the upstream may set itself.
 * - The gateway's own answers (refusals, 502/504, intercepted upstream
 *   errors) carry the same policy headers and a generic body: never a stack
 *   trace, a version or an upstream address.
 *
 * @module
 */
import { DEFAULT_ERROR_PAGE, type NonceHeader, type ResponsePlan } from '@barbican/core';

const DROP = 1;
const KEEP_IF_SENT = 2;

/** Hop-by-hop response fields (RFC 9110 §7.6.1, plus `Proxy-Authenticate`). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'trailer',
  'te',
  'proxy-authenticate',
];

/** Headers that name software or an intermediary; stripped when `serverTokens` is false. */
export const FINGERPRINT_HEADERS = [
  'server',
  'via',
  'x-powered-by',
  'x-runtime',
  'x-generator',
  'x-aspnet-version',
  'x-aspnetmvc-version',
];

/** A core response plan, precomputed for proxying. */
export interface HeaderPlan {
  /** Flat `[name, value, …]` of policy headers always set (lower-case names). */
  readonly set: readonly string[];
  /** Policy headers the upstream may set itself: `[name, value]`, used when it does not. */
  readonly keep: readonly (readonly [string, string])[];
  /** Nonce-carrying policy headers (CSP with a nonce). */
  readonly nonced: readonly NonceHeader[];
  /** Lower-case upstream header name → DROP or KEEP_IF_SENT; absent = pass through. */
  readonly kinds: Readonly<Record<string, number>>;
}

/**
 * Precomputes a {@link HeaderPlan} from a core `ResponsePlan`.
 *
 * @example
 * ```ts
 * const plan = headerPlan(policy.https, [], false);
 * res.writeHead(200, responseHeaders(plan, upstreamHeaders, undefined));
 * ```
 */
export function headerPlan(
  rp: ResponsePlan,
  keepUpstream: readonly string[],
  serverTokens: boolean,
): HeaderPlan {
  const kinds: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const n of HOP_BY_HOP) kinds[n] = DROP;
  for (const n of rp.removeList) kinds[n] = DROP;
  if (!serverTokens) for (const n of FINGERPRINT_HEADERS) kinds[n] = DROP;
  const keepSet = new Set(keepUpstream.map((n) => n.toLowerCase()));
  const set: string[] = [];
  const keep: (readonly [string, string])[] = [];
  for (const [name, value] of rp.set) {
    const lower = name.toLowerCase();
    if (keepSet.has(lower)) {
      kinds[lower] = KEEP_IF_SENT;
      keep.push([lower, value]);
    } else {
      kinds[lower] = DROP;
      set.push(lower, value);
    }
  }
  const nonced: NonceHeader[] = [];
  for (const h of rp.nonced) {
    const lower = h.name.toLowerCase();
    kinds[lower] = keepSet.has(lower) ? KEEP_IF_SENT : DROP;
    nonced.push({ name: lower, value: h.value, parts: h.parts });
  }
  return Object.freeze({
    // Not frozen: each response copies it, and V8 copies a frozen array
    // element by element through its runtime (1.5 µs of a ~75 µs request
    // in the gateway bench's profile). `readonly` keeps our code off it.
    set,
    keep: Object.freeze(keep),
    nonced: Object.freeze(nonced),
    kinds: Object.freeze(kinds),
  });
}

/** Upstream headers as undici parses them: lower-case names, repeated fields as arrays. */
export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/**
 * The headers to send for a proxied response: the plan's, then the
 * upstream's that survive the filter, as a flat list for `writeHead`.
 */
export function responseHeaders(
  plan: HeaderPlan,
  upstream: UpstreamHeaders,
  nonce: string | undefined,
): (string | string[])[] {
  const out: (string | string[])[] = plan.set.slice();
  const kinds = plan.kinds;
  let sent: Set<string> | undefined;
  for (const name in upstream) {
    const kind = kinds[name];
    if (kind === DROP) continue;
    const value = upstream[name];
    if (value === undefined) continue;
    if (kind === KEEP_IF_SENT) (sent ??= new Set()).add(name);
    out.push(name, value);
  }
  if (plan.keep.length > 0) {
    for (const [name, value] of plan.keep) if (sent?.has(name) !== true) out.push(name, value);
  }
  for (const h of plan.nonced) {
    if (sent?.has(h.name) === true) continue;
    out.push(h.name, nonce === undefined ? h.value : h.parts.join(nonce));
  }
  return out;
}

/** Content headers of the gateway's own answers. */
const OWN_KINDS = {
  text: [
    ['content-type', 'text/plain; charset=utf-8'],
    ['x-content-type-options', 'nosniff'],
    // A refusal depends on request details a cache may not key on.
    ['cache-control', 'no-store'],
  ],
  html: [
    ['content-type', 'text/html; charset=utf-8'],
    ['x-content-type-options', 'nosniff'],
    ['cache-control', 'no-store'],
  ],
  empty: [['cache-control', 'no-store']],
} as const;

/** Which body an own answer has. */
export type OwnKind = keyof typeof OWN_KINDS;

/**
 * The base header list of the gateway's own answers under `plan`: the
 * policy's headers (a nonce-carrying CSP in its nonce-free form: these pages
 * have no script) plus the content headers, without duplicates.
 */
export function ownHeaders(rp: ResponsePlan, kind: OwnKind): readonly string[] {
  const extra = OWN_KINDS[kind];
  const names = new Set<string>(extra.map(([n]) => n));
  const out: string[] = [];
  for (const [n, v] of rp.set) if (!names.has(n.toLowerCase())) out.push(n.toLowerCase(), v);
  for (const h of rp.nonced) out.push(h.name.toLowerCase(), h.value);
  for (const [n, v] of extra) out.push(n, v);
  // Not frozen, for the same reason as a HeaderPlan's `set`: every own answer copies it.
  return out;
}

/** Reason phrases for the statuses the gateway answers itself. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The built-in error page: core's `DEFAULT_ERROR_PAGE` (the same bytes every
 * export serves: no script, style, software name or detail) with one line
 * added, the request id to quote to support, which is also in the access log.
 */
export const ERROR_PAGE = DEFAULT_ERROR_PAGE.replace(
  '</body>',
  '<p>Request id: <code>{{requestId}}</code></p>\n</body>',
);

/** Renders an error page for a status and request id. */
export type PageRenderer = (status: number, requestId: string) => string;

const PLACEHOLDER = /\{\{(status|statusText|requestId)\}\}/;

/**
 * Compiles an error page template once. Placeholders: `{{status}}`,
 * `{{statusText}}`, `{{requestId}}`; the values are digits, letters and
 * `-` only, so nothing needs escaping.
 *
 * @example
 * ```ts
 * compilePage(ERROR_PAGE)(502, 'a1b2-3'); // '<!doctype html>…Request id: <code>a1b2-3</code>…'
 * ```
 */
export function compilePage(template: string): PageRenderer {
  const parts = template.split(PLACEHOLDER);
  // split() with a capture group alternates literal, name, literal, name…
  return (status, requestId) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (i % 2 === 0) out += p;
      else if (p === 'status') out += String(status);
      else if (p === 'statusText') out += STATUS_TEXT[status] ?? 'Error';
      else out += requestId;
    }
    return out;
  };
}
