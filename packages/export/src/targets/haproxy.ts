/**
 * HAProxy: `http-after-response` rules (they also cover HAProxy's own
 * redirects, denials and errors, which `http-response` skips), host ACLs
 * with `http-request deny`, the redirect with its exemptions, and scheme
 * decided once per request in a variable (TLS, or a trusted proxy's
 * forwarded scheme).
 *
 * Traps handled (export.md §6):
 * - `http-response` applies only to responses from a server;
 * - a value is a log-format string: `%` is written `%%`;
 * - inside double quotes `\`, `"` and `$` (environment variables) are escaped;
 *   header names and regexes go in single quotes (no escapes at all);
 * - `req.hdr` is not available to response rules: what they need is kept in
 *   `txn.` variables.
 *
 * @see https://docs.haproxy.org/2.6/configuration.html#4.2-http-after-response
 * @module
 */
import { fileMaker } from '../banner.ts';
import { unsafeFor } from '../errors.ts';
import { commonLosses, hostLosses, localHostsReachable, LOSS } from '../losses.ts';
import type { ExportModel, ModelHeader } from '../model.ts';
import type { ExportFile, Loss, RenderContext, Rendered, TargetSpec } from '../target.ts';
import { opensslGate, tlsPlan, type TlsPlan } from '../tls.ts';
import {
  certificateOf,
  checksHosts,
  errorPageFiles,
  errorPageOf,
  isHsts,
  listenHost,
  portSuffix,
  upstreamOf,
} from './common.ts';

/** A plain argument in double quotes: `\`, `"` and `$` (environment variables) escaped. */
function dq(text: string): string {
  return `"${text.replace(/[\\"$]/g, '\\$&')}"`;
}

/** A log-format value (header values): `%` starts a sample fetch, so it is doubled. */
function fmt(text: string): string {
  return dq(text.replace(/%/g, '%%'));
}

/** A word with no escapes at all (header names, regexes): single quotes. */
function strong(text: string, path: string): string {
  if (text.includes("'"))
    throw unsafeFor('haproxy', path, 'the value contains a single quote', text);
  return `'${text}'`;
}

/** A header name: bare when it is a plain token. */
function name(n: string, path: string): string {
  return /^[A-Z0-9-]+$/i.test(n) ? n : strong(n, path);
}

const HOST = 'req.hdr(host),host_only,lower';
const HTTPS = '{ var(txn.barbican_https) -m bool }';
const PLAIN = '!{ var(txn.barbican_https) -m bool }';
/** The middleware voids an exemption for dot segments and encoded dots or slashes. */
const DOTS = "'(?:^|/)\\.\\.?(?:/|$)|%2e|%2f|%5c|\\\\'";
const LOCAL = "'^(?:localhost|.+\\.localhost|[0-9.]+|\\[[0-9a-f:.]+\\])$'";

function schemeLines(model: ExportModel): string[] {
  const lines = ['http-request set-var(txn.barbican_https) bool(1) if { ssl_fc }'];
  const p = model.proxies;
  if (p !== undefined && p.ranges.length > 0) {
    lines.push(`acl barbican_trusted src ${p.ranges.join(' ')}`);
    for (const [header, value] of p.proto)
      lines.push(
        `http-request set-var(txn.barbican_https) bool(1) if barbican_trusted { req.hdr(${header}),lower -m str ${strong(value, 'proxyHeaders.proto')} }`,
      );
    if (p.forHeader !== undefined)
      lines.push(
        `http-request set-src hdr_ip(${p.forHeader},-1) if barbican_trusted { req.hdr_cnt(${p.forHeader}) gt 0 }`,
      );
  }
  if (localHostsReachable(model))
    lines.push(
      `http-request set-var(txn.barbican_local) bool(1) if { ${HOST} -m reg -i ${LOCAL} }`,
    );
  return lines;
}

function hostLines(model: ExportModel): string[] {
  const hosts = model.hosts;
  if (hosts === undefined || !checksHosts(model)) return [];
  const acl = (match: string) => `acl barbican_host_ok ${HOST} ${match}`;
  const lines: string[] = [];
  hosts.rules.forEach((r, i) => {
    if (r.kind === 'exact') lines.push(acl(`-m str ${r.name}`));
    else if (r.kind === 'domain') lines.push(acl(`-m str ${r.name}`), acl(`-m end .${r.name}`));
    else if (r.kind === 'regex')
      lines.push(acl(`-m reg ${strong(`^(?:${r.source})$`, `allowedHosts[${i}]`)}`));
  });
  return [
    ...lines,
    `http-request deny deny_status ${hosts.refusal.status} unless barbican_host_ok`,
  ];
}

function redirectLines(model: ExportModel): string[] {
  const r = model.redirect;
  if (r === undefined) return [];
  const host = r.host ?? `%[${HOST}]`;
  const target = `"https://${host}${portSuffix(r.port, 443)}%[pathq]"`;
  const exempt =
    r.exempt.length === 0
      ? []
      : [
          `acl barbican_exempt path_beg ${r.exempt.map((p, i) => strong(p, `sslRedirect.exempt[${i}]`)).join(' ')}`,
          `acl barbican_exempt_void path_reg -i ${DOTS}`,
        ];
  const when =
    r.exempt.length === 0 ? PLAIN : `${PLAIN} !barbican_exempt || ${PLAIN} barbican_exempt_void`;
  // METH_GET is GET or HEAD: the safe methods get safeStatus.
  const get =
    r.exempt.length === 0
      ? `${PLAIN} METH_GET`
      : `${PLAIN} METH_GET !barbican_exempt || ${PLAIN} METH_GET barbican_exempt_void`;
  return [
    ...exempt,
    `http-request redirect location ${target} code ${r.safeStatus} if ${get}`,
    `http-request redirect location ${target} code ${r.unsafeStatus} if ${when}`,
  ];
}

function condition(h: ModelHeader, guardLocal: boolean): string {
  if (h.scheme === 'both') return '';
  const local =
    guardLocal && isHsts(h) && h.scheme === 'https' ? ' !{ var(txn.barbican_local) -m bool }' : '';
  return ` if ${h.scheme === 'https' ? HTTPS : PLAIN}${local}`;
}

function headerLines(model: ExportModel): string[] {
  const guardLocal = localHostsReachable(model);
  const names = [...model.remove, ...(model.server === 'remove' ? ['Server'] : [])];
  return [
    ...names.map((n) => `http-after-response del-header ${name(n, 'removeHeaders')}`),
    ...model.headers.map(
      (h) =>
        `http-after-response set-header ${name(h.name, h.path)} ${fmt(h.value)}${condition(h, guardLocal)}`,
    ),
  ];
}

/**
 * Upstream errors replaced by the page: `http-response return` with the
 * file (one rule per status, keeping it); `http-after-response` then adds
 * the policy headers to it like to any other response.
 */
function errorLines(model: ExportModel, ctx: RenderContext): string[] {
  const page = errorPageOf(model, ctx.deploy);
  if (page === undefined) return [];
  const file = dq(`${page.dir}/${page.name}`);
  return model.errors.intercept.map(
    (c) =>
      `http-response return status ${c} content-type "text/html; charset=utf-8" file ${file} if { status ${c} }`,
  );
}

/** The lines for inside a `frontend` (or `listen`) section: what stdout prints. */
function frontendLines(model: ExportModel, ctx: RenderContext): string[] {
  return [
    ...schemeLines(model),
    ...hostLines(model),
    ...redirectLines(model),
    ...errorLines(model, ctx),
    ...headerLines(model),
  ];
}

/** `global` lines: the TLS settings every `bind … ssl` uses. */
function globalLines(model: ExportModel, plan: TlsPlan): string[] {
  const tls = model.tls;
  const list = (rows: readonly { openssl: string }[]) => rows.map((r) => r.openssl).join(':');
  const options = [
    `ssl-min-ver ${plan.protocols[0] ?? 'TLSv1.2'}`,
    `ssl-max-ver ${plan.protocols[plan.protocols.length - 1] ?? 'TLSv1.3'}`,
    ...(tls.sessionTickets ? [] : ['no-tls-tickets']),
    ...(tls.preferServerCiphers ? [] : ['prefer-client-ciphers']),
  ];
  return [
    ...(plan.ciphers.length > 0 ? [`ssl-default-bind-ciphers ${list(plan.ciphers)}`] : []),
    ...(plan.suites.length > 0 ? [`ssl-default-bind-ciphersuites ${list(plan.suites)}`] : []),
    ...(plan.groups.length > 0 ? [`ssl-default-bind-curves ${list(plan.groups)}`] : []),
    `ssl-default-bind-options ${options.join(' ')}`,
    `tune.ssl.lifetime ${tls.sessionTimeout}`,
  ];
}

function exampleConfig(model: ExportModel, ctx: RenderContext, plan: TlsPlan): string[] {
  const host = listenHost(ctx.deploy);
  const up = upstreamOf(ctx.deploy);
  const { cert } = certificateOf(model, ctx.deploy);
  const rt = ctx.deploy.runtimeDir;
  return [
    'global',
    rt === undefined ? '    log /dev/log local0' : '    log stderr format short local0 notice',
    ...(rt === undefined ? ['    user haproxy', '    group haproxy', '    daemon'] : []),
    ...globalLines(model, plan).map((l) => `    ${l}`),
    'defaults',
    '    mode http',
    '    log global',
    '    option forwardfor',
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
    'frontend barbican',
    `    bind ${host}:${ctx.deploy.listen.http}`,
    '    # crt holds the certificate chain and the private key (or the key is in <crt>.key).',
    `    bind ${host}:${ctx.deploy.listen.https} ssl crt ${dq(cert)} alpn h2,http/1.1`,
    ...frontendLines(model, ctx).map((l) => `    ${l}`),
    '    http-request set-header X-Forwarded-Proto https if { ssl_fc }',
    '    default_backend app',
    'backend app',
    `    server app ${up.host.includes(':') ? `[${up.host}]` : up.host}:${up.port}`,
  ];
}

function losses(model: ExportModel, plan: TlsPlan): Loss[] {
  const out = [
    ...commonLosses(model),
    ...hostLosses(model, { port: false, regex: true }),
    ...plan.losses,
  ];
  if (model.tls.ocspStapling)
    out.push({
      feature: 'tls-ocsp',
      path: 'tls.ocspStapling',
      message:
        'HAProxy 2.6 staples only a response kept in <crt>.ocsp by an external job: not written',
    });
  if (model.proxies?.hostHeader !== undefined) out.push(LOSS.proxyHost());
  return out;
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const plan = tlsPlan(model, 'haproxy', opensslGate(ctx.openssl));
  const lost = losses(model, plan);
  const { text, file } = fileMaker({ spec: haproxy, ctx, model, losses: lost }, '#');
  const lines = frontendLines(model, ctx);
  const purpose = [
    'The policy for inside a frontend section that binds both the HTTP and the HTTPS port',
    '(http-after-response also covers the redirects, denials and errors HAProxy makes itself).',
  ];
  const files: ExportFile[] = [
    file('barbican-frontend.cfg', purpose, lines, true),
    file(
      'barbican-global.cfg',
      ['TLS settings for the global section (every bind … ssl uses them).'],
      globalLines(model, plan),
    ),
    file(
      'haproxy.cfg',
      ['A complete example haproxy.cfg that uses the lines above.'],
      exampleConfig(model, ctx, plan),
    ),
  ];
  files.push(...errorPageFiles(model));
  return { snippet: text(purpose, lines, true), files, losses: lost };
}

/** The HAProxy target. */
export const haproxy: TargetSpec = {
  name: 'haproxy',
  title: 'HAProxy',
  defaultVersion: '2.6.12',
  minVersion: '2.2',
  usesOpenssl: true,
  snippetPlace: 'inside a frontend section',
  defaultDir: '/etc/haproxy/barbican',
  render,
};
