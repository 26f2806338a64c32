/**
 * Maps a {@link Retrieval} onto what Observatory 1.4.x analyses, so the
 * tests below can follow its rules exactly:
 *
 * - `auto` is the final HTTPS response when the HTTPS chain reached a server,
 *   else the final HTTP response; the "session URL" is that chain's first URL.
 * - Header values are seen as Node's `http` module exposes them: repeated
 *   lines joined with `, ` (Set-Cookie kept as a list, a few singletons
 *   keeping only the first line). This is why Observatory reads repeated CSP
 *   lines as one policy and repeated HSTS lines as invalid.
 * - Cookies are those a cookie jar keeps from every response of the `auto`
 *   chain (tough-cookie's acceptance rules, see {@link cookieJar}).
 * - A chain is "verified" unless one of its HTTPS responses failed verification.
 *
 * @module
 */
import { finalResponse, type CapturedResponse, type Chain, type Retrieval } from '../model.ts';
import { httpEquiv, type HttpEquiv } from './html.ts';

/** Headers Node keeps only the first line of (`IncomingMessage.headers`). */
const SINGLETON_HEADERS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/**
 * Header values as Observatory sees them: zero or one joined value per name,
 * except Set-Cookie, which stays one value per line.
 */
export function joinedHeader(response: CapturedResponse | undefined, name: string): string[] {
  if (response === undefined) return [];
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (const [n, v] of response.headers) if (n.toLowerCase() === lower) values.push(v);
  if (values.length === 0 || lower === 'set-cookie') return values;
  if (SINGLETON_HEADERS.has(lower)) return values.slice(0, 1);
  return [values.join(lower === 'cookie' ? '; ' : ', ')];
}

/** The first joined value of a header, or null. */
export function firstHeader(response: CapturedResponse | undefined, name: string): string | null {
  return joinedHeader(response, name)[0] ?? null;
}

/** A cookie as the jar stores it; only what the cookies test reads. */
export interface JarCookie {
  readonly name: string;
  readonly domain: string;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** `strict`, `lax` or `none`; undefined when absent or unrecognised. */
  readonly sameSite: 'strict' | 'lax' | 'none' | undefined;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** Single-label names tough-cookie accepts as a Domain attribute (RFC 6761 special use). */
const SPECIAL_USE = new Set(['localhost', 'invalid', 'local', 'example', 'test', 'onion']);

/** RFC 6265 §5.1.4 default-path. */
function defaultPath(pathname: string): string {
  if (!pathname.startsWith('/')) return '/';
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

/**
 * Parses one Set-Cookie line as tough-cookie 5 does in strict mode, and
 * decides whether the jar would store it for `url`. Returns undefined when
 * the cookie is dropped. Not a full public-suffix check: a Domain attribute
 * that is a single label (other than special-use names) is refused, which
 * covers the cases that matter for grading.
 */
export function acceptCookie(line: string, url: URL): JarCookie | undefined {
  // Not core's parseSetCookie: tough-cookie departs from RFC 6265bis (it
  // rejects nameless cookies, cuts the pair at CR/LF/NUL instead of dropping
  // the line, drops attributes holding control characters, keeps
  // SameSite=None without Secure, matches prefixes case-sensitively and trims
  // Unicode whitespace), and the grade must match Observatory's, not the RFC.
  let str = line.trim();
  const semi = str.indexOf(';');
  let pair = semi === -1 ? str : str.slice(0, semi);
  // CR, LF and NUL end the pair (Chromium's relaxed rule, kept by tough-cookie).
  for (const t of ['\n', '\r', '\0']) {
    const i = pair.indexOf(t);
    if (i !== -1) pair = pair.slice(0, i);
  }
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (/[\x00-\x1f]/.test(name) || /[\x00-\x1f]/.test(value)) return undefined;
  let domain: string | undefined;
  let path: string | undefined;
  let secure = false;
  let httpOnly = false;
  let sameSite: JarCookie['sameSite'];
  str = semi === -1 ? '' : str.slice(semi + 1);
  for (const raw of str.split(';')) {
    const av = raw.trim();
    if (av === '') continue;
    const sep = av.indexOf('=');
    const key = (sep === -1 ? av : av.slice(0, sep)).trim().toLowerCase();
    const val = sep === -1 ? '' : av.slice(sep + 1).trim();
    switch (key) {
      case 'domain': {
        const d = val.replace(/^\./, '').toLowerCase();
        if (d !== '') domain = d;
        break;
      }
      case 'path':
        path = val.startsWith('/') ? val : undefined;
        break;
      case 'secure':
        secure = true;
        break;
      case 'httponly':
        httpOnly = true;
        break;
      case 'samesite': {
        const s = val.toLowerCase();
        sameSite = s === 'strict' || s === 'lax' || s === 'none' ? s : undefined;
        break;
      }
      default:
        break;
    }
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  let hostOnly = true;
  if (domain !== undefined) {
    if (!domain.includes('.') && !SPECIAL_USE.has(domain)) return undefined;
    const matches =
      host === domain || (host.endsWith(`.${domain}`) && !IPV4.test(host) && !host.includes(':'));
    if (!matches) return undefined;
    hostOnly = false;
  }
  const cookiePath = path ?? defaultPath(url.pathname);
  // Cookie prefixes (RFC 6265bis §4.1.3), silently enforced by the jar.
  if (name.startsWith('__Secure-') && !secure) return undefined;
  if (name.startsWith('__Host-') && !(secure && hostOnly && cookiePath === '/')) return undefined;
  return { name, domain: domain ?? host, path: cookiePath, secure, httpOnly, sameSite };
}

/**
 * The cookie jar after following `chain`: every Set-Cookie line of every
 * response, applied in order, a later cookie with the same name, domain and
 * path replacing the earlier one. Expired cookies stay in the jar, as they do
 * in the jar Observatory serialises.
 */
export function cookieJar(chain: Chain): JarCookie[] {
  const jar = new Map<string, JarCookie>();
  for (const response of chain.responses) {
    let url: URL;
    try {
      url = new URL(response.url);
    } catch {
      continue;
    }
    for (const line of joinedHeader(response, 'set-cookie')) {
      const c = acceptCookie(line, url);
      if (c !== undefined) jar.set(`${c.domain};${c.path};${c.name}`, c);
    }
  }
  return [...jar.values()];
}

/** Whether no HTTPS response of the chain failed certificate verification. */
export function chainVerified(chain: Chain): boolean {
  return chain.responses.every((r) => r.verified !== false);
}

/** One entry of Observatory's redirect route. */
export interface RouteEntry {
  readonly url: URL;
  readonly status: number;
}

/** Everything the Observatory tests read, derived once from a {@link Retrieval}. */
export interface ObservatoryInput {
  /** The host that was asked for (no port), for the preload lookup and SRI. */
  readonly hostname: string;
  /** The response most tests grade: final HTTPS, else final HTTP. */
  readonly auto: CapturedResponse | undefined;
  /** The first URL of the chain `auto` came from. */
  readonly sessionUrl: URL | undefined;
  readonly http: { readonly response: CapturedResponse; readonly verified: boolean } | undefined;
  readonly https: { readonly response: CapturedResponse; readonly verified: boolean } | undefined;
  /** The HTTP chain, first request first (Observatory's `httpRedirects`). */
  readonly httpRoute: readonly RouteEntry[];
  readonly cors: CapturedResponse | undefined;
  /** `auto`'s body when it is HTML, else undefined. */
  readonly html: string | undefined;
  readonly httpEquiv: HttpEquiv;
  readonly cookies: readonly JarCookie[];
}

/** The MIME types Observatory treats as HTML (compared case-sensitively, as it does). */
export const HTML_TYPES: ReadonlySet<string> = new Set(['text/html', 'application/xhtml+xml']);

/** The MIME type of a response as Observatory compares it: the first header line up to `;`. */
export function mimeType(response: CapturedResponse | undefined): string {
  return (firstHeader(response, 'content-type') ?? '').split(';')[0] ?? '';
}

function toUrl(s: string | undefined): URL | undefined {
  if (s === undefined) return undefined;
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

function hostnameOf(url: string): string {
  const u = toUrl(url) ?? toUrl(`https://${url}`);
  return u === undefined ? url : u.hostname;
}

/** Derives Observatory's inputs from a retrieval. */
export function observatoryInput(r: Retrieval): ObservatoryInput {
  const httpFinal = finalResponse(r.http);
  const httpsFinal = finalResponse(r.https);
  const autoChain =
    httpsFinal !== undefined ? r.https : httpFinal !== undefined ? r.http : undefined;
  const auto = autoChain === undefined ? undefined : finalResponse(autoChain);
  const body = auto?.body;
  const html =
    body !== undefined && body !== '' && HTML_TYPES.has(mimeType(auto)) ? body : undefined;
  const httpRoute: RouteEntry[] = [];
  for (const resp of r.http.responses) {
    const url = toUrl(resp.url);
    if (url !== undefined) httpRoute.push({ url, status: resp.status });
  }
  return {
    hostname: hostnameOf(r.url),
    auto,
    sessionUrl: toUrl(autoChain?.responses[0]?.url),
    http: httpFinal && { response: httpFinal, verified: chainVerified(r.http) },
    https: httpsFinal && { response: httpsFinal, verified: chainVerified(r.https) },
    httpRoute,
    cors: r.cors,
    html,
    httpEquiv: html === undefined ? { csp: [], referrer: undefined } : httpEquiv(html),
    cookies: autoChain === undefined ? [] : cookieJar(autoChain),
  };
}
