/**
 * What a target cannot express, as data: each renderer lists its losses
 * with these builders, the output repeats them in a comment, and `export`
 * turns each into one `BARBICAN_W_EXPORT_LOSSY` warning. Nothing is dropped
 * silently.
 *
 * @module
 */
import type { LossSign } from '@barbican/core';
import type { ExportModel, ModelHeader } from './model.ts';
import type { Loss } from './target.ts';

/** Responses carry `name: value` (`null`: no such header), on one scheme or both. */
function headerSign(name: string, value: string | null, scheme?: 'https' | 'http'): LossSign {
  return {
    kind: 'header',
    name: name.toLowerCase(),
    value,
    ...(scheme === undefined ? {} : { scheme }),
  };
}

/** Loss builders shared by the targets (the wording lives here once). */
export const LOSS = {
  nonce: (h: ModelHeader): Loss => ({
    feature: 'nonce',
    path: h.path,
    message: `${h.name} goes out without its per-request nonce (the value the middleware sends when no nonce is minted), so elements that rely on the nonce are blocked; keep the middleware where nonces are needed`,
  }),
  csrf: (): Loss => ({
    feature: 'csrf',
    path: 'csrf',
    message:
      'CSRF origin checks are not applied: cross-site POST, PUT, PATCH and DELETE requests reach the app; keep the middleware (or the gateway) for them',
  }),
  hostPort: (entry: string, i: number): Loss => ({
    feature: 'host-port',
    path: `allowedHosts[${i}]`,
    message: `the port of "${entry}" is not checked: the name is allowed on every port the server listens on`,
  }),
  hostRegex: (entry: string, i: number): Loss => ({
    feature: 'host-regex',
    path: `allowedHosts[${i}]`,
    message: `the regular expression "${entry}" cannot be expressed: hosts that match only it are refused`,
  }),
  hostDepth: (entry: string, i: number): Loss => ({
    feature: 'host-depth',
    path: `allowedHosts[${i}]`,
    message: `"${entry}" becomes a wildcard for one label: deeper subdomains (a.b.example.com) are refused`,
  }),
  hostStatus: (status: number, got: string): Loss => ({
    feature: 'host-status',
    path: 'badHostStatus',
    message: `a host not on allowedHosts gets ${got} instead of ${status}`,
  }),
  /** `getStatus`: what a GET gets instead, when that differs from the policy. */
  redirectStatus: (want: number, got: string, getStatus?: number): Loss => ({
    feature: 'redirect-status',
    path: 'sslRedirect.status',
    message: `the redirect answers ${got} where the middleware answers ${want}`,
    ...(getStatus === undefined ? {} : { served: [{ kind: 'redirect', status: getStatus }] }),
  }),
  redirectExempt: (): Loss => ({
    feature: 'redirect-exempt',
    path: 'sslRedirect.exempt',
    message: 'the exempt paths cannot be written: they are redirected too',
  }),
  noHostCheck: (): Loss => ({
    feature: 'hosts',
    path: 'allowedHosts',
    message: 'the Host header is not checked: the platform serves every host routed to the site',
    served: [{ kind: 'hosts' }],
  }),
  /** `status`: the platform's own redirect, when it always makes one; null: none. */
  noRedirect: (how: string, status: number | null): Loss => ({
    feature: 'redirect',
    path: 'sslRedirect',
    message: `the HTTP to HTTPS redirect cannot be written here: ${how}`,
    served: [{ kind: 'redirect', status }],
  }),
  proxyScheme: (): Loss => ({
    feature: 'proxy-scheme',
    path: 'trustedProxies',
    message:
      "a trusted proxy's forwarded scheme and host are not used: HTTPS means this server's own TLS (the client address is still taken from the trusted proxies)",
  }),
  proxyHost: (): Loss => ({
    feature: 'proxy-host',
    path: 'proxyHeaders.host',
    message:
      "a trusted proxy's forwarded host is not used: the host checks and the redirect read the Host header",
  }),
  noProxies: (): Loss => ({
    feature: 'proxies',
    path: 'trustedProxies',
    message: 'trusted proxies cannot be configured here: the platform decides the client address',
  }),
  /**
   * The server writes `Server: <product>` itself: `what` says on which
   * responses and instead of what. Its value is exact only without
   * `errors.serverTokens` (then the version follows the product).
   */
  ownServer: (model: ExportModel, product: string, what: string): Loss => ({
    feature: 'server-header',
    path: 'headers.server',
    message: what,
    ...(model.errors.serverTokens ? {} : { served: [headerSign('server', product)] }),
  }),
  /** `server`: the platform's own Server value, sent whatever the policy says. */
  noRemove: (why: string, server?: string): Loss => ({
    feature: 'remove',
    path: 'removeHeaders',
    message: `response headers cannot be stripped here (${why})`,
    ...(server === undefined ? {} : { served: [headerSign('server', server)] }),
  }),
  /** `h` is the plain-HTTP variant; `https` the variant that goes on both schemes, if any. */
  headerScheme: (h: ModelHeader, https: ModelHeader | undefined): Loss => ({
    feature: 'header-scheme',
    path: h.path,
    message: `${h.name} cannot differ by scheme here: the HTTPS value also goes on plain HTTP`,
    served: [headerSign(h.name, https?.value ?? null, 'http')],
  }),
  redirectPort: (port: number): Loss => ({
    feature: 'redirect-port',
    path: 'sslRedirect.port',
    message: `the redirect keeps the request's host and port, so port ${port} is lost (set sslRedirect.host to fix both)`,
  }),
  hstsLocal: (): Loss => ({
    feature: 'hsts-local',
    path: 'headers.hsts',
    message:
      'HSTS is also sent to localhost and IP-literal hosts (the middleware withholds it there)',
  }),
  hstsPlainHttp: (hsts: ModelHeader): Loss => ({
    feature: 'hsts-scheme',
    path: 'headers.hsts',
    message:
      'HSTS goes on plain-HTTP responses too (browsers ignore it there; the middleware sends it over HTTPS only)',
    served: [headerSign(hsts.name, hsts.value, 'http')],
  }),
  platformTls: (platform: string): Loss => ({
    feature: 'tls',
    path: 'tls',
    message: `${platform} manages TLS itself: the tls section (protocols, suites, groups) does not apply`,
    served: [{ kind: 'tls' }],
  }),
  noIntercept: (why: string): Loss => ({
    feature: 'errors',
    path: 'errors.intercept',
    message: `upstream error bodies are not replaced by the error page: ${why}`,
  }),
  header: (h: ModelHeader, why: string): Loss => ({
    feature: 'header',
    path: h.path,
    message: `${h.name} cannot be sent: ${why}`,
    served: [headerSign(h.name, null, h.scheme === 'both' ? undefined : h.scheme)],
  }),
} as const;

/**
 * The losses every target shares: a per-request nonce and a CSRF origin
 * check need code that sees each request; no configuration format has one.
 *
 * @example
 * ```ts
 * commonLosses(model).map((l) => l.feature) // ['nonce', 'csrf'] for a strict policy with a nonce
 * ```
 */
export function commonLosses(model: ExportModel): Loss[] {
  // One loss per header, not per scheme variant (CSP differs by scheme when
  // it has upgrade-insecure-requests: two model headers, one nonce lost).
  const nonced = new Map(model.headers.filter((h) => h.nonce).map((h) => [h.name, h] as const));
  const out = [...nonced.values()].map(LOSS.nonce);
  if (model.csrf) out.push(LOSS.csrf());
  return out;
}

/** What a target's host matching can do beyond exact names and whole domains. */
export interface HostAbilities {
  /** Checks the port of an entry such as `example.com:8443`. */
  readonly port: boolean;
  /** Evaluates an anchored regular expression entry. */
  readonly regex: boolean;
}

/** Losses of the host allow-list on a target with `can` abilities. */
export function hostLosses(model: ExportModel, can: HostAbilities): Loss[] {
  const out: Loss[] = [];
  model.hosts?.rules.forEach((rule, i) => {
    if (rule.kind === 'regex' && !can.regex) out.push(LOSS.hostRegex(rule.entry, i));
    if ((rule.kind === 'exact' || rule.kind === 'domain') && rule.port !== undefined && !can.port)
      out.push(LOSS.hostPort(rule.entry, i));
  });
  return out;
}

/**
 * True when the localhost HSTS guard can matter: some allowed host (or any
 * host, without a list) may be `localhost` or an IP literal.
 */
export function localHostsReachable(model: ExportModel): boolean {
  if (!model.hstsLocalGuard) return false;
  const hosts = model.hosts;
  if (hosts === undefined || hosts.any) return true;
  return hosts.rules.some(
    (r) =>
      r.kind === 'regex' ||
      (r.kind !== 'any' &&
        (r.name === 'localhost' ||
          r.name.endsWith('.localhost') ||
          r.name.startsWith('[') ||
          /^[0-9.]+$/.test(r.name))),
  );
}

/**
 * The lines of a comment that lists the losses, for the top of an exported file.
 *
 * @example
 * ```ts
 * lossLines([LOSS.csrf()]) // ['Not expressible here (the middleware does these):', '- csrf: CSRF origin checks…']
 * ```
 */
export function lossLines(losses: readonly Loss[]): string[] {
  if (losses.length === 0) return [];
  return [
    'Not expressible here (BARBICAN_W_EXPORT_LOSSY):',
    ...losses.map((l) => `- ${l.path}: ${l.message}`),
  ];
}
