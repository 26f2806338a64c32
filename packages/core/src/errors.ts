/**
 * Core's errors and warnings: the codes a policy can raise, defined in one
 * place, and `BarbicanError` narrowed to them for core's own modules.
 *
 * Codes are stable: scripts and dashboards may match on them. Every package
 * owns a table like this one (the scanner's and the CLI's live in their own
 * `src/errors.ts`); `docs/errors.md` documents each code, and
 * `packages/cli/test/errors.test.ts` fails when the tables and the page drift
 * apart.
 *
 * @module
 */
import {
  BarbicanError as AnyBarbicanError,
  defineCodes,
  type BarbicanErrorConstructor,
} from './barbican-error.ts';

export { quote, type BarbicanErrorDetails } from './barbican-error.ts';

/** Errors: the policy cannot be built (or the input cannot be used) until this is fixed. */
export const ERROR_CODES = defineCodes('BARBICAN_E_', {
  BARBICAN_E_UNKNOWN_OPTION: 'An option name is not one Barbican knows (often a typo).',
  BARBICAN_E_TYPE: 'An option has the wrong type.',
  BARBICAN_E_RANGE: 'A number or list length is outside the allowed range.',
  BARBICAN_E_ENUM: 'A value is not one of the allowed words.',
  BARBICAN_E_UNSAFE_VALUE:
    'A value contains CR, LF, NUL, another control character or a non-ASCII byte, which could inject or corrupt a header.',
  BARBICAN_E_HEADER_SYNTAX: 'A raw header value does not follow the header grammar.',
  BARBICAN_E_CONFLICT: 'Two options contradict each other.',
  BARBICAN_E_UNKNOWN_PRESET: 'The preset name is not one Barbican ships.',
  BARBICAN_E_CSP_DIRECTIVE: 'A Content-Security-Policy directive name is unknown or malformed.',
  BARBICAN_E_CSP_SOURCE: 'A Content-Security-Policy source expression is malformed.',
  BARBICAN_E_CSP_UNQUOTED_KEYWORD:
    "A CSP keyword such as self or none is missing its single quotes ('self').",
  BARBICAN_E_PERMISSIONS_FEATURE: 'A Permissions-Policy feature name is unknown or malformed.',
  BARBICAN_E_PERMISSIONS_ALLOWLIST: 'A Permissions-Policy allowlist entry is malformed.',
  BARBICAN_E_HSTS_PRELOAD:
    'HSTS preload was asked for without the conditions the preload list requires.',
  BARBICAN_E_FRAME_ALLOW_FROM:
    'X-Frame-Options ALLOW-FROM is not supported by any current browser; use CSP frame-ancestors.',
  BARBICAN_E_HPKP_PINS:
    'Public-Key-Pins needs at least two distinct pins (a live pin and a backup pin).',
  BARBICAN_E_NONCE_LATE:
    'The CSP nonce was read for the first time after the response headers were sent, so it cannot be in the header.',
  BARBICAN_E_NO_NONCE:
    'The CSP nonce was read, but the policy puts no nonce in its CSP (or Barbican is off for this response), so a tag carrying it would be blocked; set headers.csp.nonce.',
  // Not a policy code, but shared by every package's entry points (the CLI's
  // arguments, the URL given to the scanner's scan()), so it lives at the root.
  BARBICAN_E_USAGE: 'A command-line invocation is malformed.',
  BARBICAN_E_HOST_PATTERN:
    'An allowedHosts entry (or redirect host) is not a host name, IP literal, domain wildcard or anchored regex.',
  BARBICAN_E_UNSAFE_REGEX:
    'A regular expression for untrusted input is ReDoS-prone (nested quantifiers, quantified alternation, backreferences or lookarounds).',
  BARBICAN_E_CIDR: 'A trustedProxies entry is not an IP address, CIDR range or named address set.',
  BARBICAN_E_ORIGIN:
    'A csrf.trustedOrigins entry is not an origin with a scheme (https://example.com).',
  BARBICAN_E_OPEN_REDIRECT:
    'sslRedirect would take its target host from an unvalidated Host header; set allowedHosts or sslRedirect.host.',
  BARBICAN_E_TLS_NAME:
    'A TLS protocol, cipher suite or group (curve) name is not a real OpenSSL/IANA name, or is in the wrong list or spelling (OpenSSL would silently drop it).',
  BARBICAN_E_TLS_INSECURE:
    'A TLS setting is broken or cannot work on a web server: SSLv3, TLS 1.0/1.1, RC4, DES/3DES, export, NULL, anonymous or PSK suites, a weak curve, or TLS 1.2 with only CBC suites.',
  BARBICAN_E_TLS_UNSUPPORTED:
    'The TLS library cannot do what the tls section asks: a suite OpenSSL 3 no longer has, or no configured group the running OpenSSL supports.',
});

/** Warnings: the policy is built, but a setting is deprecated or risky. They are data: list them or silence them by code. */
export const WARNING_CODES = defineCodes('BARBICAN_W_', {
  BARBICAN_W_DEPRECATED_HEADER:
    'The header is deprecated: browsers ignore it or removed support (Expect-CT, Public-Key-Pins, Feature-Policy, Report-To).',
  BARBICAN_W_XSS_FILTER_ON:
    'X-XSS-Protection: 1 turns on a filter that was removed from browsers and could itself be abused; send 0.',
  BARBICAN_W_CSP_UNSAFE:
    "The CSP allows 'unsafe-inline', 'unsafe-eval' or a broad source in a script context.",
  BARBICAN_W_CSP_DUPLICATE_DIRECTIVE:
    'A raw CSP repeats a directive; browsers apply the first and ignore the rest.',
  BARBICAN_W_CSP_DEPRECATED_DIRECTIVE:
    'A CSP directive is deprecated or was removed from the spec; browsers ignore it.',
  BARBICAN_W_CSP_IGNORED:
    'A CSP directive has no effect where it is used (sandbox or upgrade-insecure-requests in Report-Only).',
  BARBICAN_W_HSTS_SHORT: 'HSTS max-age is under one year, which leaves a window for SSL stripping.',
  BARBICAN_W_HSTS_OFF: 'HSTS is off; first visits and typed http:// links can be downgraded.',
  BARBICAN_W_HPKP_LONG: 'Public-Key-Pins max-age is over 60 days (RFC 7469 suggests at most 60).',
  BARBICAN_W_REFERRER_UNSAFE:
    'Referrer-Policy unsafe-url leaks full URLs, including over plain HTTP.',
  BARBICAN_W_CLEAR_SITE_DATA_GLOBAL:
    'Clear-Site-Data on every response logs users out on every request; scope it to a logout route.',
  BARBICAN_W_DEVELOPMENT:
    'Development mode is on: host checks, the HTTPS redirect and HSTS are off. Never use it in production.',
  BARBICAN_W_REPORT_ONLY_NO_ENDPOINT:
    'A report-only header (COOP or COEP) names no report-to endpoint, so its reports go nowhere.',
  BARBICAN_W_NO_ALLOWED_HOSTS:
    'A production policy (development not on) has no allowedHosts, so no host check runs: any Host header is served. List your hosts, or ["*"] to accept any host explicitly.',
  BARBICAN_W_REDIRECT_UNREACHABLE:
    'sslRedirect can never fire for a host: its allowedHosts entry names a port other than 80, so plain-HTTP requests are refused as bad hosts first.',
  BARBICAN_W_TLS_WEAK:
    'A TLS suite or group works but is weak: CBC mode, no forward secrecy, finite-field DHE, DSA, CCM_8, or a deprecated curve.',
  BARBICAN_W_REPORT_UNUSED:
    'report is set, but no header the policy sends can report to it (CSP, COOP, COEP and NEL are all off or excluded).',
  BARBICAN_W_UNDEFINED_REPORT_ENDPOINT:
    'A report-to name (CSP, CSP-Report-Only, COOP or COEP) is not defined by Reporting-Endpoints or a Report-To group, so its reports go nowhere.',
});

/** A code from core's error table. */
export type ErrorCode = keyof typeof ERROR_CODES;
/** A code from core's warning table: what `policy.warnings` holds and `ignoreWarnings` accepts. */
export type WarningCode = keyof typeof WARNING_CODES;

/**
 * {@link AnyBarbicanError | BarbicanError} as core's modules throw it: a
 * mistyped or foreign code is a type error here.
 */
export const BarbicanError: BarbicanErrorConstructor<ErrorCode> = AnyBarbicanError;
export type BarbicanError = AnyBarbicanError;

/** A warning attached to a built policy. */
export interface BarbicanWarning {
  readonly code: WarningCode;
  readonly path: string;
  readonly message: string;
}

/**
 * Suggests the closest known name for a typo ("did you mean"), comparing
 * case-insensitively so that `maxage` finds `maxAge`.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const hay = candidate.toLowerCase().replace(/[-_]/g, '');
    if (hay === needle) return candidate;
    const d = editDistance(needle, hay);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Only suggest when the typo is small relative to the word.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(needle.length / 3))
    ? best
    : undefined;
}

/**
 * Levenshtein edit distance, bounded: returns `limit + 1` as soon as the
 * distance must exceed `limit`. Names compared here are short, so inputs over
 * 64 characters are not compared at all (no quadratic work on hostile input).
 *
 * @example
 * ```ts
 * editDistance('maxage', 'maxAge'.toLowerCase()); // 0
 * editDistance('script-scr', 'script-src', 2);    // 2
 * ```
 */
export function editDistance(a: string, b: string, limit = Number.MAX_SAFE_INTEGER): number {
  if (Math.abs(a.length - b.length) > limit || a.length > 64 || b.length > 64) return limit + 1;
  let prev: number[] = [];
  for (let j = 0; j <= b.length; j++) prev.push(j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] ?? limit + 1;
}
