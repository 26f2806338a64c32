/**
 * Field readers for attacker-controlled report JSON: each takes `unknown`
 * and returns a bounded, well-formed value or `null`. No reader throws and
 * none walks into nested values, so a hostile body costs at most one pass.
 *
 * @module
 */
import { formatIp, isV4, parseIp } from '@barbican/core/parsers';

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

const SCHEME_ONLY = /^[a-z][a-z0-9+.-]*:?$/i;

/**
 * A URL as stored: credentials always removed, query string and fragment
 * removed unless `keepQuery`, bounded. Keywords browsers put in URL fields
 * (`inline`, `eval`, a bare scheme such as `data`) are kept, lower case and
 * without a colon. `data:` and `blob:` URLs are cut to their scheme: their
 * payload is the page's content, not an address.
 */
export function cleanUrl(value: unknown, opts: UrlOptions = {}): string | null {
  const raw = text(value, MAX.url * 2);
  if (raw === null) return null;
  if (SCHEME_ONLY.test(raw)) return raw.toLowerCase().replace(/:$/, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL (a relative path, garbage): keep it bounded, still without query.
    return text(opts.keepQuery === true ? raw : (raw.split(/[?#]/, 1)[0] ?? ''), MAX.url);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'data' || scheme === 'blob' || scheme === 'javascript') return scheme;
  url.username = '';
  url.password = '';
  if (opts.keepQuery !== true) {
    url.search = '';
    url.hash = '';
  }
  return text(url.href, MAX.url);
}

/** The host (and non-default port) of an absolute URL, lower case; null for keywords and garbage. */
export function hostOf(url: string | null): string | null {
  if (url === null || !url.includes(':')) return null;
  try {
    const host = new URL(url).host.toLowerCase();
    return host === '' ? null : host;
  } catch {
    return null;
  }
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

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
