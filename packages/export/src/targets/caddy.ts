/**
 * Caddy v2 (Caddyfile): deferred `header` blocks (applied when the response
 * is written, so they replace the upstream's values and cover 4xx/5xx),
 * `-Server` and the other fingerprints removed, HSTS behind a
 * `protocol https` matcher, site addresses for `allowedHosts` with
 * catch-all sites that refuse other hosts, and our own redirect (Caddy's
 * automatic one is 308 for every method and has no exemptions).
 *
 * Traps handled (export.md §5):
 * - the `>` (defer) prefix needs 2.7: Caddy 2.6 turns `>X-Frame-Options` into
 *   a header literally named so, and `caddy validate` still says valid; the
 *   `header { … defer }` block works on every version;
 * - `{…}` in a value is a placeholder (`{host}` is replaced): braces are
 *   written `\{` and `\}`; `{$NAME}` is replaced by an environment variable
 *   while the Caddyfile is read, with no escape, so such a value is refused;
 * - inside double quotes only `\"` is an escape, so values go in backticks
 *   (no escapes at all) unless they contain one;
 * - the global `servers { trusted_proxies }` needs 2.7 (2.6: inside
 *   `reverse_proxy`);
 * - Caddy writes `Server: Caddy` before `reverse_proxy` copies the app's
 *   headers, so a kept Server goes out twice: `header_down -Server` keeps one.
 *
 * @see https://caddyserver.com/docs/caddyfile/directives/header
 * @module
 */
import { findTlsProtocol } from '@barbican/core';
import { fileMaker } from '../banner.ts';
import { unsafeFor } from '../errors.ts';
import { commonLosses, hostLosses, localHostsReachable, LOSS } from '../losses.ts';
import type { ExportModel, ModelHeader } from '../model.ts';
import type { ExportFile, Loss, RenderContext, Rendered, TargetSpec } from '../target.ts';
import { goSuites, tlsPlan, type GroupGate } from '../tls.ts';
import { atLeast } from '../version.ts';
import {
  certificateOf,
  checksHosts,
  errorPageFiles,
  errorPageOf,
  isHsts,
  listenHost,
  portSuffix,
} from './common.ts';

/**
 * A token with no placeholder in it: braces escaped for the replacer, then
 * backticks (no escapes at all) or, when the text has a backtick, double
 * quotes with `\"`.
 */
function token(text: string, path: string): string {
  if (text.includes('{$'))
    throw unsafeFor(
      'caddy',
      path,
      'the value contains "{$", which Caddy replaces with an environment variable',
      text,
    );
  const braced = text.replace(/[{}]/g, '\\$&');
  if (!braced.includes('`')) return `\`${braced}\``;
  if (braced.includes('\\"'))
    throw unsafeFor(
      'caddy',
      path,
      'the value contains both a backtick and \\", which no Caddyfile quoting can carry',
      text,
    );
  return `"${braced.replace(/"/g, '\\"')}"`;
}

/** A header name, bare: tchars that neither open a block, quote nor comment. */
function name(n: string, path: string): string {
  if (/^[\w!$%&'*+.^|~-]+$/.test(n)) return n;
  throw unsafeFor(
    'caddy',
    path,
    'the header name has characters a Caddyfile field name cannot carry',
    n,
  );
}

const LOCAL = '`^(?:localhost|.+\\.localhost|[0-9.]+|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`';

/** A `header` block for the headers of one scheme. */
function headerBlock(matcher: string, lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  return [`header${matcher} {`, ...lines.map((l) => `\t${l}`), '\tdefer', '}'];
}

function set(h: ModelHeader): string {
  return `${name(h.name, h.path)} ${token(h.value, h.path)}`;
}

/** The directives for inside a site block: what stdout prints. */
function siteLines(model: ExportModel): string[] {
  const guard = localHostsReachable(model);
  const pick = (test: (h: ModelHeader) => boolean) => model.headers.filter(test).map(set);
  const removed = [...model.remove, ...(model.server === 'remove' ? ['Server'] : [])].map(
    (n) => `-${name(n, 'removeHeaders')}`,
  );
  const both = pick((h) => h.scheme === 'both');
  const https = pick((h) => h.scheme === 'https' && !(guard && isHsts(h)));
  const hsts = pick((h) => h.scheme === 'https' && guard && isHsts(h));
  const http = pick((h) => h.scheme === 'http');
  const matched = (matcher: string[], id: string, lines: string[]) =>
    lines.length === 0 ? [] : [...matcher, ...headerBlock(` @${id}`, lines)];
  return [
    ...headerBlock('', [...removed, ...both]),
    ...matched(['@barbican_https protocol https'], 'barbican_https', https),
    ...matched(
      [
        '@barbican_hsts {',
        '\tprotocol https',
        `\tnot header_regexp barbican_local Host ${LOCAL}`,
        '}',
      ],
      'barbican_hsts',
      hsts,
    ),
    ...matched(['@barbican_http protocol http'], 'barbican_http', http),
  ];
}

function hostPort(host: string, port: number, dflt: number): string {
  return `${host}${portSuffix(port, dflt)}`;
}

/** Site addresses for the allow-list, for one scheme. */
function addresses(model: ExportModel, scheme: 'http' | 'https', port: number): string {
  const dflt = scheme === 'https' ? 443 : 80;
  if (!checksHosts(model)) return `${scheme}://${hostPort('', port, dflt) || `:${port}`}`;
  const names: string[] = [];
  for (const r of model.hosts?.rules ?? []) {
    if (r.kind === 'exact') names.push(r.name);
    else if (r.kind === 'domain') names.push(r.name, `*.${r.name}`);
  }
  return names.map((n) => `${scheme}://${hostPort(n, port, dflt)}`).join(', ');
}

function indent(lines: readonly string[]): string[] {
  return lines.map((l) => `\t${l}`);
}

/** Upstream errors replaced by the page, keeping the status (inside `reverse_proxy`). */
function interception(model: ExportModel, ctx: RenderContext): string[] {
  const page = errorPageOf(model, ctx.deploy);
  if (page === undefined) return [];
  return [
    `@barbican_error status ${model.errors.intercept.join(' ')}`,
    'handle_response @barbican_error {',
    `\troot * ${token(page.dir, 'errors.page')}`,
    `\trewrite * ${token(page.uri, 'errors.page')}`,
    '\tfile_server {',
    '\t\tstatus {rp.status_code}',
    '\t}',
    '}',
  ];
}

function proxy(model: ExportModel, ctx: RenderContext): string[] {
  const ranges = model.proxies?.ranges ?? [];
  const up = new URL(ctx.deploy.upstream);
  const inside = [
    ...(!atLeast(ctx.version, '2.7') && ranges.length > 0
      ? [`trusted_proxies ${ranges.join(' ')}`]
      : []),
    // Caddy writes its own Server first and would add the app's as a second
    // line; keep one (a loss, see losses()).
    ...(model.server === 'keep' ? ['header_down -Server'] : []),
    ...interception(model, ctx),
  ];
  return inside.length > 0
    ? [`reverse_proxy ${up.host} {`, ...indent(inside), '}']
    : [`reverse_proxy ${up.host}`];
}

function redirect(model: ExportModel, ctx: RenderContext): string[] {
  const r = model.redirect;
  if (r === undefined) return proxy(model, ctx);
  const target = `https://${r.host ?? '{host}'}${portSuffix(r.port, 443)}{uri}`;
  const exempt = r.exempt.map((p, i) => token(`${p}*`, `sslRedirect.exempt[${i}]`));
  return [
    ...(exempt.length > 0
      ? [
          `@barbican_exempt path ${exempt.join(' ')}`,
          'handle @barbican_exempt {',
          ...indent(proxy(model, ctx)),
          '}',
        ]
      : []),
    '@barbican_safe method GET HEAD',
    'handle @barbican_safe {',
    `\tredir ${target} ${r.safeStatus}`,
    '}',
    'handle {',
    `\tredir ${target} ${r.unsafeStatus}`,
    '}',
  ];
}

/** Groups Caddy can use: a Caddy name, and the Caddy release that added it (x25519mlkem768: 2.10). */
function caddyGate(ctx: RenderContext): GroupGate {
  return (g) =>
    g.caddy === undefined
      ? 'Caddy has no name for it'
      : g.minCaddy !== undefined && !atLeast(ctx.version, g.minCaddy)
        ? `needs Caddy ${g.minCaddy} (the target is ${ctx.version.text})`
        : undefined;
}

/** The `tls` directive and what Caddy (Go's crypto/tls) cannot follow. */
function tlsSettings(model: ExportModel, ctx: RenderContext): { lines: string[]; losses: Loss[] } {
  const plan = tlsPlan(model, 'caddy', caddyGate(ctx));
  const go = goSuites(plan, (c) => c.caddy !== undefined, 'Caddy');
  const losses = [...plan.losses, ...go.losses];
  const ciphers = go.ciphers;
  if (plan.ciphers.length > 0 && ciphers.length === 0)
    throw unsafeFor(
      'caddy',
      'tls.ciphers',
      "none of the TLS 1.2 suites exists in Go's TLS",
      model.tls.ciphers.join(':'),
    );
  if (!model.tls.sessionTickets)
    losses.push({
      feature: 'tls-tickets',
      path: 'tls.sessionTickets',
      message: 'Caddy keeps TLS session tickets on (with keys it rotates)',
    });
  const protocols = plan.protocols.map((p) => findTlsProtocol(p)?.caddy ?? p);
  const { cert, key } = certificateOf(model, ctx.deploy);
  const inner = [
    `protocols ${protocols[0] ?? 'tls1.2'} ${protocols[protocols.length - 1] ?? 'tls1.3'}`,
    ...(ciphers.length > 0 ? [`ciphers ${ciphers.map((c) => c.caddy ?? '').join(' ')}`] : []),
    ...(plan.groups.length > 0
      ? [`curves ${plan.groups.map((g) => g.caddy ?? '').join(' ')}`]
      : []),
  ];
  return {
    lines: [
      `tls ${token(cert, 'tls.certificates')} ${token(key, 'tls.certificates')} {`,
      ...indent(inner),
      '}',
    ],
    losses,
  };
}

function tls(model: ExportModel, ctx: RenderContext): string[] {
  return tlsSettings(model, ctx).lines;
}

function refusalSites(model: ExportModel, ctx: RenderContext): string[] {
  const refusal = model.hosts?.refusal;
  if (refusal === undefined || !checksHosts(model)) return [];
  const body = [
    ...headerBlockless(refusal.headers),
    `respond ${token(refusal.body, 'allowedHosts')} ${refusal.status}`,
  ];
  return [
    `https://:${ctx.deploy.listen.https} {`,
    ...indent([...tls(model, ctx), ...body]),
    '}',
    `http://:${ctx.deploy.listen.http} {`,
    ...indent(body),
    '}',
  ];
}

function headerBlockless(headers: readonly (readonly [string, string])[]): string[] {
  return headers.map(([n, v]) => `header ${name(n, 'allowedHosts')} ${token(v, 'allowedHosts')}`);
}

function globalOptions(model: ExportModel, ctx: RenderContext): string[] {
  const ranges = model.proxies?.ranges ?? [];
  const rt = ctx.deploy.runtimeDir;
  return [
    '{',
    '\tadmin off',
    ...(model.tls.ocspStapling ? [] : ['\tocsp_stapling off']),
    '\t# Barbican writes the redirect itself (301/308 by method, with exemptions).',
    '\tauto_https disable_redirects',
    `\thttp_port ${ctx.deploy.listen.http}`,
    `\thttps_port ${ctx.deploy.listen.https}`,
    ...(listenHost(ctx.deploy) === '' ? [] : [`\tdefault_bind ${ctx.deploy.listen.address ?? ''}`]),
    ...(rt === undefined ? [] : [`\tstorage file_system ${token(rt, 'deploy')}`]),
    '\tservers {',
    '\t\t# HTTP/3 off: its Alt-Svc header would be the one difference from the middleware.',
    '\t\tprotocols h1 h2',
    ...(atLeast(ctx.version, '2.7') && ranges.length > 0
      ? [`\t\ttrusted_proxies static ${ranges.join(' ')}`]
      : []),
    '\t}',
    '}',
  ];
}

function exampleConfig(model: ExportModel, ctx: RenderContext): string[] {
  const { http, https } = ctx.deploy.listen;
  return [
    ...globalOptions(model, ctx),
    '',
    `import ${token(`${ctx.deploy.dir}/barbican.caddy`, 'deploy')}`,
    '',
    `${addresses(model, 'https', https)} {`,
    ...indent([...tls(model, ctx), 'import barbican', ...proxy(model, ctx)]),
    '}',
    '',
    `${addresses(model, 'http', http)} {`,
    ...indent(['import barbican', ...redirect(model, ctx)]),
    '}',
    '',
    ...refusalSites(model, ctx),
  ];
}

function losses(model: ExportModel, ctx: RenderContext): Loss[] {
  const out = [...commonLosses(model), ...tlsSettings(model, ctx).losses];
  if (model.server === 'keep')
    out.push(
      LOSS.ownServer(
        model,
        'Caddy',
        'Caddy replaces the app\'s Server with its own "Server: Caddy"',
      ),
    );
  out.push(...hostLosses(model, { port: false, regex: false }));
  model.hosts?.rules.forEach((r, i) => {
    if (r.kind === 'domain') out.push(LOSS.hostDepth(r.entry, i));
  });
  if (model.proxies !== undefined) out.push(LOSS.proxyScheme());
  return out;
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const lost = losses(model, ctx);
  const { text, file } = fileMaker({ spec: caddy, ctx, model, losses: lost }, '#');
  const lines = siteLines(model);
  const purpose = ['The policy for inside each site block that serves the app.'];
  const files: ExportFile[] = [
    file(
      'barbican.caddy',
      [
        'A snippet: import this file at the top of the Caddyfile, then `import barbican` in each site.',
      ],
      ['(barbican) {', ...indent(lines), '}'],
      true,
    ),
    file(
      'Caddyfile',
      ['A complete example Caddyfile that uses barbican.caddy.'],
      exampleConfig(model, ctx),
    ),
  ];
  files.push(...errorPageFiles(model));
  return { snippet: text(purpose, lines, true), files, losses: lost };
}

/** The Caddy target. */
export const caddy: TargetSpec = {
  name: 'caddy',
  title: 'Caddy',
  defaultVersion: '2.6.2',
  minVersion: '2.6',
  usesOpenssl: false,
  snippetPlace: 'inside a site block of the Caddyfile',
  defaultDir: '/etc/caddy/barbican',
  render,
};
