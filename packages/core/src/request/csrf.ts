/**
 * Cross-site request forgery defence by origin, for unsafe methods.
 *
 * Browsers label every state-changing request with where it came from
 * (`Origin`, `Sec-Fetch-Site`, or at least `Referer` over HTTPS). A request
 * from another site is refused with 403 unless its origin is listed in
 * `trustedOrigins`. Requests carrying none of these headers are not from a
 * browser (browsers always send Origin on POST/PUT/PATCH/DELETE), so they
 * carry no ambient credentials to abuse and pass.
 *
 * @see https://fetch.spec.whatwg.org/#origin-header
 * @see https://www.w3.org/TR/fetch-metadata/
 * @see https://docs.djangoproject.com/en/stable/ref/settings/#csrf-trusted-origins
 * @module
 */
import { BarbicanError } from '../errors.ts';
import { parseHost, toAsciiHost } from './hosts.ts';

/** The user-facing `csrf` option. */
export interface CsrfOptions {
  /**
   * Other origins allowed to send unsafe requests, with scheme:
   * `https://admin.example.com`, `https://*.example.com` (the domain and its subdomains).
   */
  trustedOrigins?: string[];
}

/** A parsed origin: scheme, canonical host, effective port. */
interface Origin {
  readonly https: boolean;
  readonly host: string;
  readonly port: number;
}

/** Compiled CSRF settings. */
export interface CsrfGuard {
  /** True when `origin` is listed in `trustedOrigins`. */
  readonly trusted: (origin: Origin) => boolean;
}

/** Methods that must not change state (RFC 9110 §9.2.1), so need no origin check. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Parses `scheme://host[:port]` (an Origin value, or the origin of a Referer URL). */
export function parseOrigin(text: string): Origin | undefined {
  const m = /^(https?):\/\/([^/?#]*)/i.exec(text);
  if (m === null) return undefined;
  const https = (m[1] ?? '').toLowerCase() === 'https';
  const host = parseHost(m[2] ?? '');
  if (host.kind === 'invalid') return undefined;
  return { https, host: host.name, port: host.port ?? (https ? 443 : 80) };
}

/** Validates `csrf.trustedOrigins` once. Throws `BARBICAN_E_ORIGIN` for an entry without scheme. */
export function compileCsrf(opts: true | CsrfOptions, path: string): CsrfGuard {
  const list = opts === true ? [] : (opts.trustedOrigins ?? []);
  const rules = list.map((entry, i) => {
    const at = `${path}.trustedOrigins[${i}]`;
    const m = /^(https?):\/\/(\*\.)?([^/?#]+)\/?$/i.exec(entry);
    if (m === null) {
      // Django 4.0 made the scheme mandatory and broke deployments silently
      // (netbox#8509); here the error says what to write.
      throw new BarbicanError('BARBICAN_E_ORIGIN', 'a trusted origin needs a scheme and a host', {
        path: at,
        value: entry,
        allowed: 'https://example.com, https://*.example.com, http://localhost:3000',
        ...(/^[\w.*-]+(?::\d+)?$/.test(entry) ? { hint: `Did you mean "https://${entry}"?` } : {}),
      });
    }
    const https = (m[1] ?? '').toLowerCase() === 'https';
    const rawHost = m[3] ?? '';
    const colon = rawHost.startsWith('[')
      ? rawHost.indexOf(':', rawHost.indexOf(']'))
      : rawHost.indexOf(':');
    const name = colon === -1 ? rawHost : rawHost.slice(0, colon);
    const parsed = parseHost(toAsciiHost(name, at) + (colon === -1 ? '' : rawHost.slice(colon)));
    if (parsed.kind === 'invalid') {
      throw new BarbicanError('BARBICAN_E_ORIGIN', `not a valid origin: ${parsed.reason}`, {
        path: at,
        value: entry,
      });
    }
    const wildcard = m[2] !== undefined;
    const port = parsed.port ?? (https ? 443 : 80);
    const host = parsed.name;
    return (o: Origin) =>
      o.https === https &&
      o.port === port &&
      (o.host === host || (wildcard && o.host.endsWith(`.${host}`)));
  });
  return Object.freeze({ trusted: (o: Origin) => rules.some((r) => r(o)) });
}

/**
 * Returns why an unsafe request is cross-site, or `undefined` when it may
 * proceed. `self` is the request's own origin (effective scheme and host).
 */
export function csrfReason(
  g: CsrfGuard,
  method: string,
  headerValues: (name: string) => readonly string[],
  self: Origin | undefined,
): string | undefined {
  if (SAFE_METHODS.has(method)) return undefined;
  const same = (o: Origin) =>
    self !== undefined && o.https === self.https && o.host === self.host && o.port === self.port;
  const origin = headerValues('origin');
  if (origin.length > 0) {
    if (origin.length > 1) return 'csrf: several Origin headers';
    const o = parseOrigin(origin[0] ?? '');
    if (o === undefined) {
      // Under `Referrer-Policy: no-referrer` (the strict preset's), browsers
      // send `Origin: null` even on a same-origin form POST (Fetch,
      // "serializing a request origin"). Sec-Fetch-Site, which no page can
      // set, still says same-origin then; for a sandboxed frame, a data: URL
      // or a cross-site redirect (the other sources of null) it does not.
      if (origin[0] === 'null' && headerValues('sec-fetch-site')[0] === 'same-origin')
        return undefined;
      return 'csrf: opaque or malformed Origin';
    }
    return same(o) || g.trusted(o) ? undefined : 'csrf: cross-origin request';
  }
  const site = headerValues('sec-fetch-site')[0];
  if (site !== undefined) {
    return site === 'same-origin' || site === 'none' ? undefined : `csrf: Sec-Fetch-Site ${site}`;
  }
  const referer = headerValues('referer')[0];
  if (self?.https === true && referer !== undefined) {
    const o = parseOrigin(referer);
    if (o === undefined) return 'csrf: malformed Referer';
    return same(o) || g.trusted(o) ? undefined : 'csrf: cross-origin Referer';
  }
  return undefined;
}

export type { Origin as RequestOrigin };
