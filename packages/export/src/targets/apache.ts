/**
 * Apache httpd 2.4: `Header always set` for every response (errors and
 * redirects too), `ServerTokens Prod` and `ServerSignature Off`, HSTS only
 * when the connection is TLS, a default virtual host that refuses hosts not
 * on `allowedHosts`, and a port-80 virtual host with the redirect and its
 * ACME exemption.
 *
 * Traps handled (export.md §4):
 * - two header tables: a proxied (or CGI) response keeps its own copy in the
 *   `onsuccess` table, so `Header always set X` alone can send X twice; each
 *   header is first `Header onsuccess unset`, then `Header always set`;
 * - `%` starts a format specifier in a value: written `%%`;
 * - the tokenizer unescapes only `\\` and `\"`; `${` is expanded as a
 *   Define at start-up and has no escape, so such a value is refused;
 * - `ServerTokens` is server-config only (an error inside a VirtualHost);
 * - a proxied response keeps the app's own `Server` (mod_proxy puts it in the
 *   `onsuccess` table, and httpd writes its banner only when there is none):
 *   `Header onsuccess unset Server` removes it, after which httpd writes
 *   `Server: Apache`, which no directive removes; a Server the policy sets
 *   goes on proxied responses, while httpd's own answers (redirects, error
 *   pages, refusals) always carry `Server: Apache`;
 * - `apache2ctl -t` accepts curves OpenSSL then refuses at start: the tests
 *   also start the server.
 *
 * @see https://httpd.apache.org/docs/2.4/mod/mod_headers.html#header
 * @module
 */
import { fileMaker } from '../banner.ts';
import { unsafeFor } from '../errors.ts';
import { commonLosses, hostLosses, localHostsReachable, LOSS } from '../losses.ts';
import type { ExportModel, ModelHeader } from '../model.ts';
import type { ExportFile, Loss, RenderContext, Rendered, TargetSpec } from '../target.ts';
import { opensslGate, tlsPlan, type TlsPlan } from '../tls.ts';
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

/** A quoted argument: `\` and `"` escaped; `${` has no escape in httpd's config reader. */
function quoted(text: string, path: string): string {
  if (text.includes('${'))
    throw unsafeFor(
      'apache',
      path,
      'the value contains "${", which httpd expands as a Define',
      text,
    );
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A mod_headers value. It is a format string read twice: mod_headers turns
 * `%%` into `%` and `\\`, `\n`, `\t` into `\`, a newline, a tab (so a
 * literal `\n` in a value would become a header-splitting newline), then the
 * config tokenizer unescapes `\\` and `\"`. Escape for the inner reader first.
 */
function formatValue(value: string, path: string): string {
  return quoted(
    value.replace(/[%\\]/g, (c) => (c === '%' ? '%%' : '\\\\')),
    path,
  );
}

/** A header name as an argument (bare when it is a plain token). */
function name(n: string): string {
  return /^[A-Z0-9-]+$/i.test(n) ? n : quoted(n, 'removeHeaders');
}

const LOCAL_HOST =
  '%{HTTP_HOST} =~ m#^(?:localhost|.+\\.localhost|[0-9.]+|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$#i';

/** The `expr=` condition for a scheme-specific header, or '' for both schemes. */
function condition(h: ModelHeader, guardLocal: boolean): string {
  if (h.scheme === 'both') return '';
  const tls = h.scheme === 'https' ? "%{HTTPS} == 'on'" : "%{HTTPS} != 'on'";
  const local = guardLocal && isHsts(h) && h.scheme === 'https' ? ` && !(${LOCAL_HOST})` : '';
  return ` "expr=${tls}${local}"`;
}

/** The `Header` lines for inside a VirtualHost: what stdout prints. */
function headerLines(model: ExportModel): string[] {
  const guardLocal = localHostsReachable(model);
  // The app's Server is in the onsuccess table; httpd's own is written after
  // these run (a loss, see losses()).
  const removed = [...model.remove, ...(model.server === 'remove' ? ['Server'] : [])];
  const lines = removed.flatMap((n) => [
    `Header always unset ${name(n)}`,
    `Header onsuccess unset ${name(n)}`,
  ]);
  for (const h of model.headers) {
    const when = condition(h, guardLocal);
    lines.push(
      `Header onsuccess unset ${name(h.name)}${when}`,
      `Header always set ${name(h.name)} ${formatValue(h.value, h.path)}${when}`,
    );
  }
  return lines;
}

function remoteIpLines(model: ExportModel): string[] {
  const p = model.proxies;
  if (p === undefined || p.forHeader === undefined) return [];
  return [`RemoteIPHeader ${name(p.forHeader)}`, `RemoteIPInternalProxy ${p.ranges.join(' ')}`];
}

/** `ServerName` and `ServerAlias` for the allow-list. */
function nameLines(model: ExportModel): string[] {
  const names: string[] = [];
  for (const r of model.hosts?.rules ?? []) {
    if (r.kind === 'exact') names.push(r.name);
    else if (r.kind === 'domain') names.push(r.name, `*.${r.name}`);
  }
  if (!checksHosts(model)) return ['ServerName localhost', 'ServerAlias *'];
  const [first = 'localhost', ...rest] = names;
  return [`ServerName ${first}`, ...(rest.length > 0 ? [`ServerAlias ${rest.join(' ')}`] : [])];
}

/** A path prefix as an anchored PCRE for RewriteCond (bare token: no whitespace or quotes). */
function prefixPattern(prefix: string, i: number): string {
  if (/[\s"']/.test(prefix))
    throw unsafeFor(
      'apache',
      `sslRedirect.exempt[${i}]`,
      'the path contains whitespace or a quote',
      prefix,
    );
  return `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
}

function redirectLines(model: ExportModel): string[] {
  const r = model.redirect;
  if (r === undefined) return [];
  const target = `https://${r.host ?? '%{SERVER_NAME}'}${portSuffix(r.port, 443)}%{REQUEST_URI}`;
  const exempt = [
    ...r.exempt.map((p, i) => `RewriteCond %{REQUEST_URI} !${prefixPattern(p, i)}`),
    // An ErrorDocument is an internal redirect: it must not be redirected to HTTPS.
    'RewriteCond %{ENV:REDIRECT_STATUS} ^$',
  ];
  return [
    'RewriteEngine On',
    ...exempt,
    'RewriteCond %{REQUEST_METHOD} ^(?:GET|HEAD)$',
    `RewriteRule ^ ${target} [R=${r.safeStatus},L]`,
    ...exempt,
    `RewriteRule ^ ${target} [R=${r.unsafeStatus},L]`,
  ];
}

function tlsLines(model: ExportModel, ctx: RenderContext, plan: TlsPlan): string[] {
  const { cert, key } = certificateOf(model, ctx.deploy);
  const tls = model.tls;
  const list = (rows: readonly { openssl: string }[]) => rows.map((r) => r.openssl).join(':');
  return [
    'SSLEngine on',
    `SSLCertificateFile ${quoted(cert, 'tls.certificates')}`,
    `SSLCertificateKeyFile ${quoted(key, 'tls.certificates')}`,
    `SSLProtocol -all ${plan.protocols.map((p) => `+${p}`).join(' ')}`,
    ...(plan.ciphers.length > 0 ? [`SSLCipherSuite ${list(plan.ciphers)}`] : []),
    // The TLS 1.3 list is a second SSLCipherSuite with the protocol first (httpd >= 2.4.36).
    ...(plan.suites.length > 0 ? [`SSLCipherSuite TLSv1.3 ${list(plan.suites)}`] : []),
    // `apache2ctl -t` accepts any curve name; OpenSSL refuses unknown ones only at start.
    ...(plan.groups.length > 0 ? [`SSLOpenSSLConfCmd Curves ${list(plan.groups)}`] : []),
    `SSLHonorCipherOrder ${tls.preferServerCiphers ? 'on' : 'off'}`,
    `SSLSessionTickets ${tls.sessionTickets ? 'on' : 'off'}`,
    ...(tls.ocspStapling ? ['SSLUseStapling On'] : []),
  ];
}

/** Server-config lines: version tokens, the session cache timeout and the stapling cache. */
function serverLines(model: ExportModel, ctx: RenderContext): string[] {
  const run = ctx.deploy.runtimeDir ?? '/var/run/apache2';
  return [
    ...(model.errors.serverTokens ? [] : ['ServerTokens Prod', 'ServerSignature Off']),
    `SSLSessionCacheTimeout ${model.tls.sessionTimeout}`,
    ...(model.tls.ocspStapling
      ? [`SSLStaplingCache ${quoted(`shmcb:${run}/ssl_stapling(32768)`, 'deploy')}`]
      : []),
  ];
}

/**
 * Upstream errors replaced by the page: ProxyErrorOverride with the status
 * list (httpd >= 2.4.47; before, it replaces every 4xx and 5xx), one
 * ErrorDocument each, and the page served locally (never proxied).
 */
function errorLines(model: ExportModel, ctx: RenderContext): string[] {
  const page = errorPageOf(model, ctx.deploy);
  if (page === undefined) return [];
  const codes = model.errors.intercept;
  const listed = atLeast(ctx.version, '2.4.47');
  const file = `${page.dir}/${page.name}`;
  return [
    '# Before any ProxyPass: the page is served here, never proxied.',
    `ProxyPass ${quoted(page.uri, 'errors.page')} !`,
    `Alias ${quoted(page.uri, 'errors.page')} ${quoted(file, 'errors.page')}`,
    `<Location ${quoted(page.uri, 'errors.page')}>`,
    '    ForceType "text/html; charset=utf-8"',
    '    Require all granted',
    '</Location>',
    `ProxyErrorOverride On${listed ? ` ${codes.join(' ')}` : ''}`,
    ...codes.map((c) => `ErrorDocument ${c} ${quoted(page.uri, 'errors.page')}`),
  ];
}

function at(ctx: RenderContext, port: number): string {
  const host = listenHost(ctx.deploy);
  return `${host === '' ? '*' : host}:${port}`;
}

const indent = (lines: readonly string[]) => lines.map((l) => `    ${l}`);

function refusalHosts(model: ExportModel, ctx: RenderContext, dir: string): string[] {
  const refusal = model.hosts?.refusal;
  if (refusal === undefined) return [];
  const body = [
    'ServerName barbican-default.invalid',
    ...refusal.headers
      .filter(([n]) => n.toLowerCase() !== 'content-type')
      .map(([n, v]) => `Header always set ${name(n)} ${formatValue(v, 'allowedHosts')}`),
    'RewriteEngine On',
    `RewriteRule ^ - [R=${refusal.status},L]`,
  ];
  return [
    `<VirtualHost ${at(ctx, ctx.deploy.listen.http)}>`,
    ...indent(body),
    '</VirtualHost>',
    `<VirtualHost ${at(ctx, ctx.deploy.listen.https)}>`,
    ...indent([`Include ${dir}/barbican-tls.conf`, ...body]),
    '</VirtualHost>',
  ];
}

function proxyLines(ctx: RenderContext, tls: boolean): string[] {
  const up = ctx.deploy.upstream.replace(/\/?$/, '/');
  return [
    'ProxyPreserveHost On',
    `RequestHeader set X-Forwarded-Proto ${tls ? 'https' : 'http'}`,
    `ProxyPass / ${up}`,
    `ProxyPassReverse / ${up}`,
  ];
}

function appHosts(model: ExportModel, ctx: RenderContext, dir: string): string[] {
  const common = [...nameLines(model), `Include ${dir}/barbican-headers.conf`];
  return [
    `<VirtualHost ${at(ctx, ctx.deploy.listen.http)}>`,
    ...indent([...common, ...redirectLines(model), ...proxyLines(ctx, false)]),
    '</VirtualHost>',
    `<VirtualHost ${at(ctx, ctx.deploy.listen.https)}>`,
    ...indent([`Include ${dir}/barbican-tls.conf`, ...common, ...proxyLines(ctx, true)]),
    '</VirtualHost>',
  ];
}

const MODULES = [
  'mpm_event',
  'authz_core',
  'headers',
  'proxy',
  'proxy_http',
  'rewrite',
  'ssl',
  'socache_shmcb',
  'remoteip',
  'alias',
];

function exampleConfig(model: ExportModel, ctx: RenderContext, dir: string): string[] {
  const rt = ctx.deploy.runtimeDir;
  const root = rt ?? '/etc/apache2';
  const logs = rt ?? '/var/log/apache2';
  const run = rt ?? '/var/run/apache2';
  const listens = [ctx.deploy.listen.http, ctx.deploy.listen.https].map(
    (p) => `Listen ${at(ctx, p).replace(/^\*:/, '')}`,
  );
  return [
    `ServerRoot ${quoted(root, 'deploy')}`,
    `DefaultRuntimeDir ${quoted(run, 'deploy')}`,
    `PidFile ${quoted(`${run}/apache2.pid`, 'deploy')}`,
    `ErrorLog ${quoted(`${logs}/error.log`, 'deploy')}`,
    'LogLevel warn',
    'ServerName localhost',
    ...MODULES.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`),
    'User www-data',
    'Group www-data',
    ...listens,
    `SSLSessionCache ${quoted(`shmcb:${run}/ssl_scache(512000)`, 'deploy')}`,
    `Include ${dir}/barbican-server.conf`,
    '# The first VirtualHost of each address is the default: it refuses unknown hosts.',
    ...(checksHosts(model) ? [`Include ${dir}/barbican-default-vhosts.conf`] : []),
    ...appHosts(model, ctx, dir),
  ];
}

/** What happens to Server, by the policy's choice: httpd's own answers always carry its banner. */
const SERVER_LOSS: Readonly<Record<ExportModel['server'], string>> = {
  remove:
    'the app\'s Server is removed, but httpd always writes its own "Server: Apache" (ServerTokens Prod: no version)',
  set: 'proxied responses carry the policy\'s Server, but httpd\'s own answers (redirects, error pages, host refusals) carry "Server: Apache"',
  keep: 'proxied responses keep the app\'s Server, but httpd\'s own answers (redirects, error pages, host refusals) carry its banner, "Server: Apache" unless errors.serverTokens',
};

function losses(model: ExportModel, ctx: RenderContext, plan: TlsPlan): Loss[] {
  const server = LOSS.ownServer(model, 'Apache', SERVER_LOSS[model.server]);
  const out = [...commonLosses(model), server, ...plan.losses];
  if (model.errors.intercept.length > 0 && !atLeast(ctx.version, '2.4.47'))
    out.push({
      feature: 'errors',
      path: 'errors.intercept',
      message:
        'before httpd 2.4.47 ProxyErrorOverride replaces every upstream 4xx and 5xx body, not only the listed statuses',
    });
  out.push(...hostLosses(model, { port: false, regex: false }));
  if (model.proxies !== undefined) out.push(LOSS.proxyScheme());
  return out;
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const dir = ctx.deploy.dir;
  const plan = tlsPlan(model, 'apache', opensslGate(ctx.openssl));
  const lost = losses(model, ctx, plan);
  const { text, file } = fileMaker({ spec: apache, ctx, model, losses: lost }, '#');
  const headers = [...remoteIpLines(model), ...headerLines(model), ...errorLines(model, ctx)];
  const snippetPurpose = [
    'The policy for inside each <VirtualHost> that serves the app (needs mod_headers).',
    'ServerTokens and ServerSignature go in the server config: see barbican-server.conf.',
  ];
  const files: ExportFile[] = [
    file('barbican-headers.conf', snippetPurpose, headers, true),
    file(
      'barbican-server.conf',
      ['For the main server config (not inside a VirtualHost).'],
      serverLines(model, ctx),
    ),
    file(
      'barbican-tls.conf',
      ['TLS for a <VirtualHost> on the HTTPS port (needs mod_ssl).'],
      tlsLines(model, ctx, plan),
    ),
    file(
      'barbican-vhosts.conf',
      ['The app virtual hosts: port 80 (redirect to HTTPS, except the exempt paths) and HTTPS.'],
      appHosts(model, ctx, dir),
    ),
    file(
      'apache2.conf',
      ['A complete example configuration that uses the files above.'],
      exampleConfig(model, ctx, dir),
    ),
  ];
  if (checksHosts(model))
    files.push(
      file(
        'barbican-default-vhosts.conf',
        ['Default virtual hosts (include before any other): answer hosts not on allowedHosts.'],
        refusalHosts(model, ctx, dir),
      ),
    );
  files.push(...errorPageFiles(model));
  return { snippet: text(snippetPurpose, headers, true), files, losses: lost };
}

/** The Apache httpd target. */
export const apache: TargetSpec = {
  name: 'apache',
  title: 'Apache httpd',
  defaultVersion: '2.4.62',
  minVersion: '2.4.37',
  usesOpenssl: true,
  snippetPlace: 'inside a <VirtualHost> block',
  defaultDir: '/etc/apache2/barbican',
  render,
};
