/**
 * KrakenD: the `security/http` namespace of the service `extra_config`
 * (KrakenD's httpsecure, built on unrolled/secure) and the service `tls`
 * block. Not packaged for Debian: the tests validate the output against
 * krakend-schema's published JSON Schema (v2.12).
 *
 * The namespace has a field for a few headers only (HSTS, CSP, X-Frame-Options,
 * X-Content-Type-Options, X-XSS-Protection as `1; mode=block`,
 * Referrer-Policy, Public-Key-Pins); every other header is a loss, listed
 * one by one. Facts from unrolled/secure's source: hosts are compared with
 * the port (`Host` as sent), a bad host gets 500, the redirect is 301 for
 * every method, and `ssl_proxy_headers` are believed from any client.
 *
 * @see https://www.krakend.io/docs/service-settings/security/
 * @module
 */
import { findTlsProtocol } from '@barbican/core';
import { parseHsts } from '@barbican/core/parsers';
import { bannerLines } from '../banner.ts';
import { unsafeFor } from '../errors.ts';
import { commonLosses, LOSS, localHostsReachable } from '../losses.ts';
import type { ExportModel, ModelHeader } from '../model.ts';
import type { ExportFile, Loss, RenderContext, Rendered, TargetSpec } from '../target.ts';
import { goSuites, tlsPlan } from '../tls.ts';
import { certificateOf, checksHosts, portSuffix, upstreamOf } from './common.ts';

/** The `security/http` object being built. */
type SecurityHttp = Record<string, unknown>;

/** Why a header cannot be written as the policy says: on both schemes, or only on plain HTTP. */
type Lost = string | { readonly why: string; readonly on: 'http' };

/** Writes one header into the namespace; returns why it cannot, or undefined. */
type FieldWriter = (h: ModelHeader, out: SecurityHttp) => Lost | undefined;

/** Header (lower case) → the namespace field(s) that produce it. */
const FIELDS: Readonly<Record<string, FieldWriter>> = {
  'strict-transport-security': (h, out) => {
    const parsed = parseHsts(h.value);
    if (parsed.preload) return 'KrakenD has no preload field';
    out.sts_seconds = parsed.maxAge ?? 0;
    out.sts_include_subdomains = parsed.includeSubDomains;
    if (h.scheme === 'both') out.force_sts_header = true;
    return undefined;
  },
  'content-security-policy': (h, out) => {
    out.content_security_policy = h.value;
    return undefined;
  },
  'x-frame-options': (h, out) => {
    out.frame_deny = true;
    if (h.value.toUpperCase() !== 'DENY') out.custom_frame_options_value = h.value;
    return undefined;
  },
  'x-content-type-options': (h, out) => {
    if (h.value.toLowerCase() !== 'nosniff') return 'KrakenD only writes "nosniff"';
    out.content_type_nosniff = true;
    return undefined;
  },
  'x-xss-protection': (h, out) => {
    if (h.value !== '1; mode=block')
      return 'KrakenD only writes "1; mode=block" (browser_xss_filter)';
    out.browser_xss_filter = true;
    return undefined;
  },
  'referrer-policy': (h, out) => {
    out.referrer_policy = h.value;
    return undefined;
  },
  'public-key-pins': (h, out) => {
    out.hpkp_public_key = h.value;
    return h.scheme === 'both'
      ? { why: 'KrakenD sends it over HTTPS only', on: 'http' }
      : undefined;
  },
};

function headerFields(model: ExportModel, out: SecurityHttp, losses: Loss[]): void {
  const https = model.headers.filter((h) => h.scheme !== 'http');
  for (const h of https) {
    const writer = FIELDS[h.name.toLowerCase()];
    const lost =
      writer === undefined ? 'the security/http namespace has no field for it' : writer(h, out);
    if (typeof lost === 'string') losses.push(LOSS.header(h, lost));
    else if (lost !== undefined) losses.push(LOSS.header({ ...h, scheme: lost.on }, lost.why));
    const plainValue = model.headers.find(
      (p) => p.scheme === 'http' && p.name.toLowerCase() === h.name.toLowerCase(),
    );
    if (writer !== undefined && h.scheme === 'https' && plainValue !== undefined)
      losses.push(LOSS.headerScheme(plainValue, h));
  }
  for (const h of model.headers.filter((p) => p.scheme === 'http'))
    if (!https.some((o) => o.name.toLowerCase() === h.name.toLowerCase()))
      losses.push(LOSS.header(h, 'the security/http namespace has no field for it'));
}

/** A Go regexp for an allowed host, anchored, with the port KrakenD compares too. */
function hostPatterns(model: ExportModel, losses: Loss[]): string[] {
  const quote = (n: string) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const port = (p: number | undefined) => (p === undefined ? '(?::[0-9]{1,5})?' : `(?::${p})?`);
  return (model.hosts?.rules ?? []).flatMap((r, i) => {
    if (r.kind === 'any') return [];
    if (r.kind === 'regex') return [`^(?:${r.source})${port(undefined)}$`];
    if (r.port !== undefined) losses.push(LOSS.hostPort(r.entry, i));
    const name = quote(r.name);
    return [`^${r.kind === 'domain' ? `(?:.+\\.)?${name}` : name}${port(r.port)}$`];
  });
}

function redirectFields(model: ExportModel, out: SecurityHttp, losses: Loss[]): void {
  const r = model.redirect;
  if (r === undefined) return;
  out.ssl_redirect = true;
  if (r.host !== undefined) out.ssl_host = `${r.host}${portSuffix(r.port, 443)}`;
  else if (r.port !== undefined) losses.push(LOSS.redirectPort(r.port));
  if (r.safeStatus !== 301 || r.unsafeStatus !== 301)
    losses.push(
      LOSS.redirectStatus(
        r.unsafeStatus,
        '301 to every method (a POST may be replayed as a GET)',
        301,
      ),
    );
  if (r.exempt.length > 0) losses.push(LOSS.redirectExempt());
}

/** The `security/http` namespace and what it cannot say. */
function securityHttp(model: ExportModel): { ns: SecurityHttp; losses: Loss[] } {
  const losses: Loss[] = [...commonLosses(model)];
  if (model.proxies !== undefined && model.redirect !== undefined) {
    // unrolled/secure believes ssl_proxy_headers from any client: writing
    // them would let anyone skip the redirect. Without them KrakenD behind a
    // TLS-terminating proxy redirects forever. Neither is safe.
    throw unsafeFor(
      'krakend',
      'trustedProxies',
      'KrakenD believes a forwarded scheme (ssl_proxy_headers) from any client, not only from trusted proxies',
      model.proxies.ranges[0] ?? '',
    );
  }
  const ns: SecurityHttp = {};
  headerFields(model, ns, losses);
  if (checksHosts(model)) {
    ns.allowed_hosts = hostPatterns(model, losses);
    ns.allowed_hosts_are_regex = true;
    losses.push(LOSS.hostStatus(model.hosts?.refusal.status ?? 400, '500'));
  }
  redirectFields(model, ns, losses);
  if (model.remove.length > 0 || model.server !== 'keep')
    losses.push(
      LOSS.noRemove('KrakenD passes on only some backend headers and adds its own X-KrakenD ones'),
    );
  if (localHostsReachable(model)) losses.push(LOSS.hstsLocal());
  if (model.errors.intercept.length > 0)
    losses.push(LOSS.noIntercept('KrakenD answers backend errors itself; no page can be set'));
  return { ns, losses };
}

/** The `curve_preferences` values krakend-schema v2.12 allows (P-256, P-384, P-521). */
const KRAKEND_CURVES: ReadonlySet<number> = new Set([23, 24, 25]);

/** The service `tls` block (Go: ids, not names) and what it cannot say. */
function tlsBlock(model: ExportModel, ctx: RenderContext, losses: Loss[]): Record<string, unknown> {
  const { cert, key } = certificateOf(model, ctx.deploy);
  const plan = tlsPlan(model, 'krakend', () => undefined);
  const go = goSuites(plan, (c) => c.go !== undefined);
  losses.push(...go.losses);
  const ciphers = go.ciphers;
  const groups = plan.groups.map((g) => g.id);
  const listable = groups.length > 0 && groups.every((id) => KRAKEND_CURVES.has(id));
  if (groups.length > 0 && !listable)
    losses.push({
      feature: 'tls-group',
      path: 'tls.curves',
      message: `curve_preferences accepts only 23, 24 and 25 (P-256, P-384, P-521): left to Go's defaults instead of ${model.tls.curves.join(', ')}`,
    });
  if (!model.tls.sessionTickets)
    losses.push({
      feature: 'tls-tickets',
      path: 'tls.sessionTickets',
      message: 'KrakenD has no setting for session tickets: they stay on',
    });
  const version = (p: string | undefined) =>
    p === undefined ? undefined : findTlsProtocol(p)?.krakend;
  return {
    keys: [{ public_key: cert, private_key: key }],
    min_version: version(plan.protocols[0]),
    max_version: version(plan.protocols[plan.protocols.length - 1]),
    ...(ciphers.length > 0 ? { cipher_suites: [...ciphers, ...plan.suites].map((c) => c.id) } : {}),
    ...(listable ? { curve_preferences: groups } : {}),
  };
}

function exampleConfig(
  model: ExportModel,
  ctx: RenderContext,
  ns: SecurityHttp,
  comment: string,
): string {
  const up = upstreamOf(ctx.deploy);
  const config = {
    $schema: `https://www.krakend.io/schema/v${ctx.version.parts[0]}.${ctx.version.parts[1]}/krakend.json`,
    '@comment': comment,
    version: 3,
    port: ctx.deploy.listen.https,
    tls: tlsBlock(model, ctx, []),
    extra_config: {
      'security/http': ns,
      router: { hide_version_header: true },
    },
    endpoints: [
      {
        endpoint: '/',
        backend: [{ host: [`http://${up.host}:${up.port}`], url_pattern: '/' }],
      },
    ],
  };
  return JSON.stringify(config, null, 2) + '\n';
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const { ns, losses } = securityHttp(model);
  tlsBlock(model, ctx, losses);
  // JSON has no comments: the banner goes in "@comment" keys, which the
  // schema allows (`^[@$_#]` pattern properties) and KrakenD ignores.
  const comment = (purpose: string[]) =>
    bannerLines({ spec: krakend, ctx, model, purpose, losses })
      .filter((l) => l !== '')
      .join(' ');
  const purpose = ['The "security/http" entry for the service-level extra_config of krakend.json.'];
  const fragment =
    JSON.stringify({ 'security/http': { '@comment': comment(purpose), ...ns } }, null, 2) + '\n';
  const files: ExportFile[] = [
    { path: 'security-http.json', purpose: purpose[0] ?? '', content: fragment },
    {
      path: 'krakend.json',
      purpose: 'A complete example krakend.json.',
      content: exampleConfig(model, ctx, ns, comment(['A complete example krakend.json.'])),
    },
  ];
  return { snippet: fragment, files, losses };
}

/** The KrakenD target. */
export const krakend: TargetSpec = {
  name: 'krakend',
  title: 'KrakenD',
  defaultVersion: '2.12',
  minVersion: '2.0',
  usesOpenssl: false,
  snippetPlace: 'in the service-level extra_config of krakend.json',
  defaultDir: '/etc/krakend',
  render,
};
