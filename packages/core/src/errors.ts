/**
 * Every error and warning Barbican can produce, defined in one place.
 *
 * Codes are stable: scripts and dashboards may match on them. `docs/errors.md`
 * documents each one, and `errors.test.ts` fails when the two drift apart.
 *
 * @module
 */

/** Errors: the policy cannot be built (or the input cannot be used) until this is fixed. */
export const ERROR_CODES = {
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
  BARBICAN_E_CONFIG_FILE: 'A configuration file cannot be read or parsed.',
  BARBICAN_E_IMPORT:
    'A foreign configuration (KrakenD, Traefik, helmet, unrolled/secure) cannot be imported.',
  BARBICAN_E_NONCE_LATE:
    'The CSP nonce was read for the first time after the response headers were sent, so it cannot be in the header.',
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
  BARBICAN_E_PIN_INPUT:
    'A file given to barbican pin cannot be read, is empty or corrupt (truncated PEM or DER), or is not a key, certificate or CSR.',
  BARBICAN_E_PIN_PASSPHRASE:
    'An encrypted private key needs a passphrase (--passphrase-file), or the passphrase given is wrong.',
  BARBICAN_E_PIN_ALGORITHM:
    'A key uses an algorithm TLS pins cannot use (only RSA, EC P-256/P-384/P-521, Ed25519 and Ed448 are accepted).',
  BARBICAN_E_TLS_CONNECT:
    'A host did not answer TLS: the connection was refused, timed out, closed, or the peer does not speak TLS.',
  BARBICAN_E_TLS_VERIFY:
    'The certificate chain a host served does not verify against the trusted roots (or the --ca file).',
  BARBICAN_E_SCAN_REDIRECTS:
    'barbican scan stopped following redirects: more hops than the limit (10), or a Location that is not an http(s) URL.',
  BARBICAN_E_SCAN_TIMEOUT:
    'barbican scan got no response, or no complete HTML body, within the per-request timeout (--timeout).',
  BARBICAN_E_SCAN_RESPONSE:
    'barbican scan received a response it would not read: a response head over the size limit, malformed HTTP, or a connection reset.',
  BARBICAN_E_SCAN_CONNECT:
    'barbican scan could not connect: the host does not resolve, the port refuses connections, or the TLS handshake failed.',
  BARBICAN_E_SCAN_FAILED:
    'barbican scan could not grade a URL: neither the HTTPS nor the HTTP request produced a response.',
  // barbican gateway (packages/gateway)
  BARBICAN_E_GATEWAY_LISTEN:
    'A gateway listener address is malformed, or the gateway cannot listen there (port in use, or below 1024 without the right).',
  BARBICAN_E_GATEWAY_UPSTREAM:
    'A gateway upstream is missing or is not an http(s) origin without a path or credentials.',
  BARBICAN_E_GATEWAY_CERT:
    'A TLS certificate or key for the gateway cannot be read, is not PEM, or the key does not match the certificate.',
  BARBICAN_E_GATEWAY_TLS:
    'The TLS settings cannot be applied by this Node and OpenSSL (no cipher, protocol or curve left).',
  BARBICAN_E_GATEWAY_ADMIN:
    'The admin listener is not on loopback but no admin token file is set, or the token file is unreadable or too short.',
  BARBICAN_E_GATEWAY_ERROR_PAGE: 'The errors.page file cannot be read or is too large.',
  BARBICAN_E_GATEWAY_RELOAD:
    'A configuration or certificate reload was refused; the gateway keeps serving with the previous one.',
  BARBICAN_E_GATEWAY_RATE_LIMIT_STORE:
    'The shared rate-limit store (Redis) cannot be reached; requests are served (onStoreError: open) or refused with 503 (closed).',
} as const;

/** Warnings: the policy is built, but a setting is deprecated or risky. They are data: list them or silence them by code. */
export const WARNING_CODES = {
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
  BARBICAN_W_IMPORT_LOSSY: 'An imported option does not carry over exactly.',
  BARBICAN_W_DEVELOPMENT:
    'Development mode is on: host checks, the HTTPS redirect and HSTS are off. Never use it in production.',
  BARBICAN_W_REPORT_ONLY_NO_ENDPOINT:
    'A report-only header (COOP or COEP) names no report-to endpoint, so its reports go nowhere.',
  BARBICAN_W_NO_ALLOWED_HOSTS:
    'A production policy (development not on) has no allowedHosts, so no host check runs: any Host header is served. List your hosts, or ["*"] to accept any host explicitly.',
  BARBICAN_W_UNDEFINED_REPORT_ENDPOINT:
    'A report-to name (CSP, CSP-Report-Only, COOP or COEP) is not defined by Reporting-Endpoints or a Report-To group, so its reports go nowhere.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type WarningCode = keyof typeof WARNING_CODES;

/** What a {@link BarbicanError} knows about where and why. */
export interface BarbicanErrorDetails {
  /** Option path such as `headers.hsts.maxAge`, or a header name for raw values. */
  readonly path?: string;
  /** The offending value, as given. */
  readonly value?: unknown;
  /** What would have been accepted. */
  readonly allowed?: string;
  /** A suggestion: the option the user probably meant, or the fix. */
  readonly hint?: string;
  /** Byte offset into a raw header value, when the problem is inside one. */
  readonly offset?: number;
  readonly cause?: unknown;
}

/**
 * The one error type Barbican throws. Its `code` is stable; its message names
 * the option path, quotes the bad value and says what is allowed.
 *
 * @example
 * ```ts
 * try { createPolicy({ headers: { hsts: { maxage: 1 } } }) }
 * catch (e) { if (e instanceof BarbicanError) console.error(e.code, e.path) }
 * // BARBICAN_E_UNKNOWN_OPTION headers.hsts.maxage  (did you mean "maxAge"?)
 * ```
 */
export class BarbicanError extends Error {
  override readonly name = 'BarbicanError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly value: unknown;
  readonly allowed: string | undefined;
  readonly hint: string | undefined;
  readonly offset: number | undefined;

  constructor(code: ErrorCode, problem: string, details: BarbicanErrorDetails = {}) {
    super(formatMessage(code, problem, details), { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.value = details.value;
    this.allowed = details.allowed;
    this.hint = details.hint;
    this.offset = details.offset;
  }

  /** A plain object for `--json` output and logs. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.value === undefined ? {} : { value: this.value }),
      ...(this.allowed === undefined ? {} : { allowed: this.allowed }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.offset === undefined ? {} : { offset: this.offset }),
    };
  }
}

/** A warning attached to a built policy. */
export interface BarbicanWarning {
  readonly code: WarningCode;
  readonly path: string;
  readonly message: string;
}

function formatMessage(code: ErrorCode, problem: string, d: BarbicanErrorDetails): string {
  let msg = d.path === undefined ? problem : `${d.path}: ${problem}`;
  if ('value' in d) msg += `; got ${quote(d.value)}`;
  if (d.offset !== undefined) msg += ` at byte ${d.offset}`;
  if (d.allowed !== undefined) msg += `. Allowed: ${d.allowed}`;
  if (d.hint !== undefined) msg += `. ${d.hint}`;
  return `${msg} [${code}]`;
}

/**
 * Quotes a value for an error message without letting it forge log lines:
 * control characters are escaped, and long values are cut.
 */
export function quote(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'bigint') text = `${value.toString()}n`;
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'function') text = 'a function';
  else if (typeof value === 'symbol') text = value.toString();
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
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
