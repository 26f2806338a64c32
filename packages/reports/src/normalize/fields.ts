/**
 * Field readers for attacker-controlled report JSON: each takes `unknown`
 * and returns a bounded, well-formed value or `null`. No reader throws and
 * none walks into nested values, so a hostile body costs at most one pass.
 *
 * @module
 */
import { formatIp, isV4, parseIp, URI_SCHEME } from '@barbican/core/parsers';

/** Length caps (UTF-16 code units) for stored strings. */
export const MAX = {
  url: 2048,
  directive: 64,
  policy: 4096,
  sample: 256,
  userAgent: 512,
  text: 1024,
  short: 128,
} as const;

// C0 and C1 controls and DEL: they would corrupt a terminal or a log line, and
// PostgreSQL refuses NUL in text. Bidi overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) can make a terminal or page show text in another order.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The same characters plus any surrogate: a string without one needs no repair. */
const NEEDS_REPAIR = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

/** `String.prototype.toWellFormed` (Node ≥ 20; newer than the ES2023 lib the project targets). */
const wellFormed = (s: string): string =>
  (s as unknown as { toWellFormed(): string }).toWellFormed();

/**
 * A string bounded to `max` code units with unsafe characters replaced by
 * U+FFFD and lone surrogates (valid JSON, invalid UTF-16) repaired; `null`
 * for anything that is not a string. A cut string ends with `…`.
 *
 * @example
 * ```ts
 * boundedString('a\u0000b', 10); // 'a\uFFFDb'
 * boundedString(42, 10);         // null
 * ```
 */
export function boundedString(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  // Nearly every string a browser sends is short, printable and without
  // surrogates: one test, no copy.
  if (value.length <= max && !NEEDS_REPAIR.test(value)) return value;
  const s = value.length > max ? `${value.slice(0, max - 1)}…` : value;
  return wellFormed(s).replace(UNSAFE_CHARS, '\uFFFD');
}

/** A bounded string, or null when empty. */
export function text(value: unknown, max: number = MAX.text): string | null {
  const s = boundedString(value, max);
  return s === null || s === '' ? null : s;
}

const DIGITS = /^\d{1,10}$/;

/**
 * A whole number in `[min, max]`, given as a number or (legacy CSP reports
 * from some browsers) a decimal string; `null` for anything else, including
 * huge, negative, fractional and non-finite values.
 */
export function integer(value: unknown, min: number, max: number): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DIGITS.test(value)) n = Number(value);
  else return null;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

/** A finite number in `[min, max]` (NEL fractions, elapsed times); `null` otherwise. */
export function decimal(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
    ? value
    : null;
}

/** A boolean, or null. */
export function flag(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A line or column number: 0 to 2³¹−1. */
export function position(value: unknown): number | null {
  return integer(value, 0, 2 ** 31 - 1);
}

/** An HTTP status code as reports carry it (0 when there was no response). */
export function statusCode(value: unknown): number | null {
  return integer(value, 0, 999);
}

/** How URLs are cleaned before they are stored. */
export interface UrlOptions {
  /** Keep query strings and fragments (default false: they carry tokens and defeat de-duplication). */
  readonly keepQuery?: boolean;
}

/** A bare scheme, with or without its colon (`https`, `data:`). */
const SCHEME_ONLY = new RegExp(`^${URI_SCHEME}:?$`, 'i');

/** A cleaned URL and its host. */
export interface CleanUrl {
  readonly url: string | null;
  /** Host with a non-default port, lower case; null for keywords, hostless URLs and garbage. */
  readonly host: string | null;
}

const NONE: CleanUrl = Object.freeze({ url: null, host: null });

/**
 * The same few URLs (the document, its scripts, the policy's endpoints)
 * come back in report after report: clean each once. Bounded: the cache is
 * emptied when full, so a flood of unique URLs costs only the misses.
 */
const cache = new Map<string, CleanUrl>();
const CACHE_SIZE = 4096;

function parseClean(raw: string, keepQuery: boolean): CleanUrl {
  if (SCHEME_ONLY.test(raw)) return { url: raw.toLowerCase().replace(/:$/, ''), host: null };
  const url = URL.parse(raw);
  if (url === null) {
    // Not a URL (a relative path, garbage): keep it bounded, still without query.
    return { url: text(keepQuery ? raw : (raw.split(/[?#]/, 1)[0] ?? ''), MAX.url), host: null };
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'data' || scheme === 'blob' || scheme === 'javascript') {
    return { url: scheme, host: null };
  }
  if (url.username !== '' || url.password !== '') {
    url.username = '';
    url.password = '';
  }
  let href = url.href;
  if (!keepQuery) {
    // href ends with search then hash: cutting them off is exact and needs no re-serialising.
    href = href.slice(0, href.length - url.hash.length - url.search.length);
    if (url.search === '' && href.endsWith('?')) href = href.slice(0, -1);
  }
  return { url: text(href, MAX.url), host: url.host === '' ? null : url.host.toLowerCase() };
}

/**
 * A URL as stored, and its host: credentials always removed, query string
 * and fragment removed unless `keepQuery`, bounded. Keywords browsers put
 * in URL fields (`inline`, `eval`, a bare scheme such as `data`) are kept,
 * lower case and without a colon. `data:` and `blob:` URLs are cut to
 * their scheme: their payload is the page's content, not an address.
 */
export function cleanUrlWithHost(value: unknown, opts: UrlOptions = {}): CleanUrl {
  const raw = text(value, MAX.url * 2);
  if (raw === null) return NONE;
  const keepQuery = opts.keepQuery === true;
  const key = keepQuery ? `?${raw}` : raw;
  let hit = cache.get(key);
  if (hit === undefined) {
    if (cache.size >= CACHE_SIZE) cache.clear();
    hit = parseClean(raw, keepQuery);
    cache.set(key, hit);
  }
  return hit;
}

/** {@link cleanUrlWithHost}'s URL alone. */
export function cleanUrl(value: unknown, opts: UrlOptions = {}): string | null {
  return cleanUrlWithHost(value, opts).url;
}

/**
 * The client address truncated for storage: the last octet of IPv4 and the
 * last 64 bits of IPv6 are zeroed, as go-csp-collector and report-uri do, so
 * the database holds no personal address. IPv4-mapped IPv6 counts as IPv4.
 */
export function truncateIp(address: string | undefined): string | null {
  if (address === undefined) return null;
  const ip = parseIp(address);
  if (ip === undefined) return null;
  const groups = [...ip];
  if (isV4(ip)) groups[7] = (groups[7] ?? 0) & 0xff00;
  else groups.fill(0, 4);
  return formatIp(groups);
}
