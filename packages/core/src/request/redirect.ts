/**
 * HTTP → HTTPS redirects whose target can never be chosen by the client.
 *
 * Why: a redirect built from a raw Host header is an open redirect and a
 * cache-poisoning vector (`Host: evil.tld` → `Location: https://evil.tld/`).
 * The target host here is `sslRedirect.host` or a host that already passed
 * `allowedHosts`; the path must start with `/` so that it cannot extend the
 * host (`GET evil.tld` → `https://app.exampleevil.tld`).
 *
 * @module
 */
import { BarbicanError } from '../errors.ts';
import { parseHost, toAsciiHost } from './hosts.ts';

/** The user-facing `sslRedirect` option (or `true` for the defaults). */
export interface SslRedirectOptions {
  /**
   * 301 (default) or 308 for permanent, 302 or 307 for temporary. 301/302
   * apply to GET and HEAD; other methods get 308/307, which keep the method
   * and body (a POST answered with 301 is replayed as a GET by browsers).
   */
  status?: 301 | 302 | 307 | 308;
  /** Redirect to this host instead of the request's (validated) host. */
  host?: string;
  /** HTTPS port, when not 443. */
  port?: number;
  /**
   * Path prefixes served over HTTP too. Default: `/.well-known/acme-challenge/`
   * (ACME HTTP-01 validation must work before a certificate exists).
   */
  exempt?: string[];
}

/** A compiled redirect rule. */
export interface RedirectGuard {
  readonly safeStatus: number;
  readonly unsafeStatus: number;
  /** Fixed target host (ASCII, with `:port` when not 443), or undefined to use the validated host. */
  readonly host: string | undefined;
  /** `:port` suffix for the validated host, or ''. */
  readonly portSuffix: string;
  readonly exempt: readonly string[];
}

/** The default exemption: ACME HTTP-01 challenges. */
export const ACME_CHALLENGE = '/.well-known/acme-challenge/';

/** Validates `sslRedirect` once. `hostsChecked` says whether `allowedHosts` is configured. */
export function compileRedirect(
  opts: true | SslRedirectOptions,
  hostsChecked: boolean,
  path: string,
): RedirectGuard {
  const o = opts === true ? {} : opts;
  const status = o.status ?? 301;
  const portSuffix = o.port === undefined || o.port === 443 ? '' : `:${o.port}`;
  let host: string | undefined;
  if (o.host !== undefined) {
    const parsed = parseHost(toAsciiHost(o.host, `${path}.host`));
    if (parsed.kind === 'invalid' || parsed.port !== undefined) {
      throw new BarbicanError('BARBICAN_E_HOST_PATTERN', 'not a valid redirect host', {
        path: `${path}.host`,
        value: o.host,
        allowed: 'a host name or IP literal without port (use sslRedirect.port)',
      });
    }
    host = parsed.name + portSuffix;
  } else if (!hostsChecked) {
    throw new BarbicanError(
      'BARBICAN_E_OPEN_REDIRECT',
      'sslRedirect would build its target from an unvalidated Host header',
      {
        path,
        hint: 'Set allowedHosts (the redirect then uses the validated host) or sslRedirect.host',
      },
    );
  }
  const exempt = o.exempt ?? [ACME_CHALLENGE];
  exempt.forEach((p, i) => {
    if (!p.startsWith('/')) {
      throw new BarbicanError('BARBICAN_E_TYPE', 'an exempt path must start with /', {
        path: `${path}.exempt[${i}]`,
        value: p,
      });
    }
  });
  return Object.freeze({
    safeStatus: status,
    unsafeStatus: status === 301 ? 308 : status === 302 ? 307 : status,
    host,
    portSuffix,
    exempt: Object.freeze([...exempt]),
  });
}

/**
 * True when `pathAndQuery` is exempt. Dot segments and encoded dots or
 * slashes void the exemption: `/.well-known/acme-challenge/../admin` must
 * not be a way to be served over plain HTTP.
 */
export function isExempt(g: RedirectGuard, pathAndQuery: string): boolean {
  if (g.exempt.length === 0) return false;
  const q = pathAndQuery.indexOf('?');
  const p = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  for (const prefix of g.exempt) {
    if (p.startsWith(prefix)) return !/(?:^|\/)\.\.?(?:\/|$)|%2e|%2f|%5c|\\/i.test(p);
  }
  return false;
}

/** The Location for a plain-HTTP request; `host` is the validated, canonical host name. */
export function redirectLocation(
  g: RedirectGuard,
  validatedHost: string,
  pathAndQuery: string,
): string {
  return `https://${g.host ?? validatedHost + g.portSuffix}${pathAndQuery}`;
}
