/**
 * nginx: `add_header … always` inside a `server {}` block, `proxy_hide_header`
 * for fingerprints, `server_tokens off`, scheme-specific headers through a
 * variable that is empty on the other scheme (nginx sends no header whose
 * value is empty), a default server that refuses unknown hosts and a port-80
 * server with the redirect and its ACME exemption.
 *
 * Traps handled (export.md §3):
 * - `add_header` is inherited only by blocks that set none of their own
 *   (before 1.29.3): `barbican-location-headers.conf` is the per-location
 *   include, and from 1.29.3 `add_header_inherit merge` is set instead;
 * - without `always`, headers skip 4xx/5xx responses;
 * - a literal `$` cannot be escaped in a value: it is written as
 *   `${barbican_dollar}`, a `geo` variable whose value is `$`
 *   (`barbican-http.conf`, for the `http {}` block);
 * - inside quotes only `\"`, `\'` and `\\` are unescaped;
 * - stock nginx always sends `Server: nginx` (`server_tokens off` drops the version).
 *
 * @see https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header
 * @module
 */
import { fileMaker } from '../banner.ts';
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
  isServer,
  listenHost,
  portSuffix,
} from './common.ts';

const DOLLAR = 'barbican_dollar';

/** A quoted plain parameter (no variables): only `\` and `"` need escaping. */
function str(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A quoted value that nginx compiles as a script (`add_header`, `set`):
 * `$` starts a variable and has no escape, so a literal one becomes the
 * `geo` variable `${barbican_dollar}`.
 */
function val(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&').replace(/\$/g, `\${${DOLLAR}}`)}"`;
}

/** A header name: bare when it is letters, digits and dashes, else quoted. */
function name(n: string): string {
  return /^[A-Z0-9-]+$/i.test(n) ? n : str(n);
}

/** A variable name for a scheme-specific header. */
function varName(h: ModelHeader, i: number): string {
  return `barbican_${h.name.toLowerCase().replace(/[^a-z0-9]/g, '_')}${h.scheme === 'http' ? '_http' : ''}_${i}`;
}

/** Hosts the middleware never sends HSTS to: localhost, *.localhost and IP literals. */
const LOCAL_HOST = '"^(?:localhost|.+\\.localhost|[0-9.]+|\\[[0-9a-fA-F:.]+\\])$"';

interface HeaderBlock {
  /** Server-level `set`/`if` lines preparing scheme-specific values. */
  readonly setup: string[];
  /** `add_header` and `proxy_hide_header` lines: valid in server and location blocks. */
  readonly location: string[];
}

function headerBlock(model: ExportModel): HeaderBlock {
  const setup: string[] = [];
  // The app's own copy of a header the policy sets is hidden too, or
  // add_header would send both.
  const hidden = [
    ...model.remove,
    ...new Set(model.headers.filter((h) => !isServer(h)).map((h) => h.name)),
  ];
  const location = hidden.map((n) => `proxy_hide_header ${name(n)};`);
  const guardLocal = localHostsReachable(model);
  model.headers.forEach((h, i) => {
    if (isServer(h)) return; // stock nginx cannot set Server: a loss, see render()
    if (h.scheme === 'both') {
      location.push(`add_header ${name(h.name)} ${val(h.value)} always;`);
      return;
    }
    const v = varName(h, i);
    setup.push(
      `set $${v} "";`,
      `if ($https ${h.scheme === 'https' ? '=' : '!='} "on") { set $${v} ${val(h.value)}; }`,
    );
    if (guardLocal && isHsts(h) && h.scheme === 'https')
      setup.push(`if ($host ~* ${LOCAL_HOST}) { set $${v} ""; }`);
    location.push(`add_header ${name(h.name)} $${v} always;`);
  });
  return { setup, location };
}

/** True when some value needs the `$` variable (and so the http-level file). */
function needsDollar(model: ExportModel): boolean {
  return model.headers.some((h) => h.value.includes('$'));
}

/** `server_name` entries for the allow-list (`_` when every host is served). */
function serverNames(model: ExportModel): string[] {
  if (!checksHosts(model)) return ['_'];
  const names: string[] = [];
  for (const r of model.hosts?.rules ?? []) {
    if (r.kind === 'exact') names.push(r.name);
    else if (r.kind === 'domain') names.push(`.${r.name}`);
    else if (r.kind === 'regex') names.push(str(`~^(?:${r.source})$`));
  }
  return names;
}

function realIpLines(model: ExportModel): string[] {
  const p = model.proxies;
  if (p === undefined || p.forHeader === undefined) return [];
  return [
    ...p.ranges.map((r) => `set_real_ip_from ${r};`),
    `real_ip_header ${name(p.forHeader)};`,
    'real_ip_recursive on;',
  ];
}

/** The lines for inside a `server {}` block: what stdout prints. */
function serverSnippet(model: ExportModel, ctx: RenderContext, block: HeaderBlock): string[] {
  const errors = errorLines(model, ctx);
  const inherit = atLeast(ctx.version, '1.29.3')
    ? [
        '# nginx >= 1.29.3: blocks with their own add_header keep these too.',
        'add_header_inherit merge;',
      ]
    : [
        '# A location {} with its own add_header (or proxy_hide_header) loses every line below',
        '# (nginx < 1.29.3): include barbican-location-headers.conf in that location too.',
      ];
  return [
    ...(model.errors.serverTokens ? [] : ['server_tokens off;']),
    ...realIpLines(model),
    ...block.setup,
    ...inherit,
    ...block.location,
    ...errors,
  ];
}

function refusalServer(model: ExportModel, ctx: RenderContext, dir: string): string[] {
  const refusal = model.hosts?.refusal;
  if (refusal === undefined) return [];
  const host = listenHost(ctx.deploy);
  const at = (p: number) => (host === '' ? String(p) : `${host}:${p}`);
  const type = refusal.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  return [
    'server {',
    `    listen ${at(ctx.deploy.listen.http)} default_server;`,
    `    listen ${at(ctx.deploy.listen.https)} ssl default_server;`,
    `    include ${dir}/barbican-tls.conf;`,
    ...(model.errors.serverTokens ? [] : ['    server_tokens off;']),
    ...(type === undefined ? [] : [`    default_type ${str(type)};`]),
    ...refusal.headers
      .filter(([n]) => n.toLowerCase() !== 'content-type')
      .map(([n, v]) => `    add_header ${name(n)} ${val(v)} always;`),
    `    return ${refusal.status} ${val(refusal.body)};`,
    '}',
  ];
}

function proxyLocation(upstream: string, indent: string): string[] {
  return [
    `${indent}proxy_pass ${upstream};`,
    `${indent}proxy_http_version 1.1;`,
    `${indent}proxy_set_header Connection "";`,
    `${indent}proxy_set_header Host $host;`,
    `${indent}proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`,
    `${indent}proxy_set_header X-Forwarded-Proto $scheme;`,
  ];
}

/** The port-80 server: the redirect with its exemptions, or the app over plain HTTP. */
function plainServer(model: ExportModel, ctx: RenderContext, dir: string): string[] {
  const host = listenHost(ctx.deploy);
  const listen = `${host === '' ? '' : `${host}:`}${ctx.deploy.listen.http}`;
  const dflt = checksHosts(model) ? '' : ' default_server';
  const head = [
    'server {',
    `    listen ${listen}${dflt};`,
    `    server_name ${serverNames(model).join(' ')};`,
    `    include ${dir}/barbican-headers.conf;`,
  ];
  const r = model.redirect;
  if (r === undefined)
    return [
      ...head,
      '    location / {',
      ...proxyLocation(ctx.deploy.upstream, '        '),
      '    }',
      '}',
    ];
  const target = `https://${r.host ?? '$host'}${portSuffix(r.port, 443)}$request_uri`;
  return [
    ...head,
    ...r.exempt.flatMap((p) => [
      `    location ^~ ${str(p)} {`,
      ...proxyLocation(ctx.deploy.upstream, '        '),
      '    }',
    ]),
    '    location / {',
    `        if ($request_method ~ "^(?:GET|HEAD)$") { return ${r.safeStatus} ${target}; }`,
    `        return ${r.unsafeStatus} ${target};`,
    '    }',
    '}',
  ];
}

function tlsLines(model: ExportModel, ctx: RenderContext, plan: TlsPlan): string[] {
  const { cert, key } = certificateOf(model, ctx.deploy);
  const tls = model.tls;
  const list = (rows: readonly { openssl: string }[]) => rows.map((r) => r.openssl).join(':');
  return [
    `ssl_certificate ${str(cert)};`,
    `ssl_certificate_key ${str(key)};`,
    `ssl_protocols ${plan.protocols.join(' ')};`,
    ...(plan.ciphers.length > 0 ? [`ssl_ciphers ${str(list(plan.ciphers))};`] : []),
    // TLS 1.3 suites are not ssl_ciphers: OpenSSL takes them apart (nginx >= 1.19.4).
    ...(plan.suites.length > 0 ? [`ssl_conf_command Ciphersuites ${str(list(plan.suites))};`] : []),
    ...(plan.groups.length > 0 ? [`ssl_ecdh_curve ${str(list(plan.groups))};`] : []),
    `ssl_prefer_server_ciphers ${tls.preferServerCiphers ? 'on' : 'off'};`,
    `ssl_session_timeout ${tls.sessionTimeout}s;`,
    'ssl_session_cache shared:barbican:10m;',
    `ssl_session_tickets ${tls.sessionTickets ? 'on' : 'off'};`,
    ...(tls.ocspStapling
      ? [
          '# OCSP stapling needs a resolver {} for the responder and a cert with an OCSP URL.',
          'ssl_stapling on;',
          'ssl_stapling_verify on;',
        ]
      : []),
  ];
}

/** Upstream errors replaced by the page (the location is internal: clients cannot ask for it). */
function errorLines(model: ExportModel, ctx: RenderContext): string[] {
  const page = errorPageOf(model, ctx.deploy);
  if (page === undefined) return [];
  return [
    'proxy_intercept_errors on;',
    `error_page ${model.errors.intercept.join(' ')} ${str(page.uri)};`,
    `location = ${str(page.uri)} {`,
    '    internal;',
    `    root ${str(page.dir)};`,
    '    types { }',
    '    default_type "text/html; charset=utf-8";',
    '}',
  ];
}

function runtimeLines(ctx: RenderContext): string[] {
  const rt = ctx.deploy.runtimeDir;
  if (rt === undefined)
    return [
      'user www-data;',
      'worker_processes auto;',
      'pid /run/nginx.pid;',
      'error_log /var/log/nginx/error.log;',
    ];
  return [
    'worker_processes 1;',
    `pid ${str(`${rt}/nginx.pid`)};`,
    `error_log ${str(`${rt}/error.log`)};`,
  ];
}

function tempPaths(ctx: RenderContext): string[] {
  const rt = ctx.deploy.runtimeDir;
  if (rt === undefined) return ['    access_log /var/log/nginx/access.log;'];
  return [
    '    access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (t) => `    ${t}_temp_path ${str(`${rt}/${t}_temp`)};`,
    ),
  ];
}

function exampleConfig(model: ExportModel, ctx: RenderContext, dir: string): string[] {
  const host = listenHost(ctx.deploy);
  const listen = `${host === '' ? '' : `${host}:`}${ctx.deploy.listen.https}`;
  const http2 = atLeast(ctx.version, '1.25.1');
  const dflt = checksHosts(model) ? '' : ' default_server';
  return [
    ...runtimeLines(ctx),
    'events {',
    '    worker_connections 512;',
    '}',
    'http {',
    ...tempPaths(ctx),
    '    default_type application/octet-stream;',
    ...(needsDollar(model) ? [`    include ${dir}/barbican-http.conf;`] : []),
    ...(checksHosts(model) ? [`    include ${dir}/barbican-default-server.conf;`] : []),
    `    include ${dir}/barbican-plain-server.conf;`,
    '    server {',
    `        listen ${listen} ssl${http2 ? '' : ' http2'}${dflt};`,
    ...(http2 ? ['        http2 on;'] : []),
    `        server_name ${serverNames(model).join(' ')};`,
    `        include ${dir}/barbican-tls.conf;`,
    `        include ${dir}/barbican-headers.conf;`,
    '        location / {',
    ...proxyLocation(ctx.deploy.upstream, '            '),
    '        }',
    '        # A location with an add_header of its own must include the policy again:',
    '        location /static/ {',
    '            add_header Access-Control-Allow-Origin "*" always;',
    `            include ${dir}/barbican-location-headers.conf;`,
    ...proxyLocation(ctx.deploy.upstream, '            '),
    '        }',
    '    }',
    '}',
  ];
}

/** What happens to Server, by the policy's choice: stock nginx writes its own on every response. */
const SERVER_LOSS: Readonly<Record<ExportModel['server'], string>> = {
  remove:
    'the app\'s Server is dropped, but stock nginx always sends its own "Server: nginx" (server_tokens off: no version)',
  set: 'Server cannot be set: stock nginx always sends its own "Server: nginx" (server_tokens off: no version)',
  keep: 'nginx replaces the app\'s Server with its own, "Server: nginx" unless errors.serverTokens',
};

function losses(model: ExportModel, plan: TlsPlan): Loss[] {
  const server = LOSS.ownServer(model, 'nginx', SERVER_LOSS[model.server]);
  const out = [...commonLosses(model), server, ...plan.losses];
  out.push(...hostLosses(model, { port: false, regex: true }));
  if (model.proxies !== undefined) out.push(LOSS.proxyScheme());
  return out;
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const dir = ctx.deploy.dir;
  const block = headerBlock(model);
  const plan = tlsPlan(model, 'nginx', opensslGate(ctx.openssl));
  const lost = losses(model, plan);
  const { text, file } = fileMaker({ spec: nginx, ctx, model, losses: lost }, '#');
  const dollarNote = needsDollar(model)
    ? [`A value contains "$": include ${dir}/barbican-http.conf in http {} first.`]
    : [];
  const snippetPurpose = [
    'The policy for inside a server {} block (include it in every server that proxies the app).',
    ...dollarNote,
  ];
  const serverLines = serverSnippet(model, ctx, block);
  const plainPurpose =
    model.redirect === undefined
      ? 'serves the app over plain HTTP.'
      : 'redirects to HTTPS, except the exempt paths.';
  const files: ExportFile[] = [
    file('barbican-headers.conf', snippetPurpose, serverLines, true),
    file(
      'barbican-location-headers.conf',
      [
        'Include inside any location {} that has an add_header or proxy_hide_header of its own:',
        'nginx (before 1.29.3) then drops every add_header inherited from the server.',
      ],
      block.location,
    ),
    file(
      'barbican-tls.conf',
      ['TLS for a server {} that listens with ssl.'],
      tlsLines(model, ctx, plan),
    ),
    file(
      'barbican-plain-server.conf',
      [`The port-80 server {} (include in http {}): ${plainPurpose}`],
      plainServer(model, ctx, dir),
    ),
    file(
      'nginx.conf',
      ['A complete example nginx.conf that uses the files above.'],
      exampleConfig(model, ctx, dir),
    ),
  ];
  if (needsDollar(model))
    files.push(
      file(
        'barbican-http.conf',
        ['For the http {} block: a "$" that header values can use (nginx cannot escape one).'],
        [`geo $${DOLLAR} {`, '    default "$";', '}'],
      ),
    );
  if (checksHosts(model))
    files.push(
      file(
        'barbican-default-server.conf',
        ['The default server {} (include in http {}): answers hosts not on allowedHosts.'],
        refusalServer(model, ctx, dir),
      ),
    );
  files.push(...errorPageFiles(model));
  return { snippet: text(snippetPurpose, serverLines, true), files, losses: lost };
}

/** The nginx target. */
export const nginx: TargetSpec = {
  name: 'nginx',
  title: 'nginx',
  defaultVersion: '1.22.1',
  minVersion: '1.19.5',
  usesOpenssl: true,
  snippetPlace: 'inside a server {} block',
  defaultDir: '/etc/nginx/barbican',
  render,
};
