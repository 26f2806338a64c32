/**
 * Traefik v3, file provider (dynamic configuration, YAML): one `headers`
 * middleware per scheme (`customResponseHeaders`, where an empty value
 * deletes a header), a redirect middleware, host rules for the routers and
 * the TLS options. Traefik has no config checker: the tests validate the
 * output against SchemaStore's published JSON Schema.
 *
 * Traps handled (export.md §7):
 * - the file provider runs every dynamic file through Go templates, so
 *   `{{` in a value would be executed: refused;
 * - `redirectScheme` with `permanent: true` is 301 for GET and HEAD and 308
 *   otherwise, like the middleware's 301 default; any other status differs;
 * - `allowedHosts` in the headers middleware matches exact names only and
 *   answers 500: hosts go in the routers' rules instead.
 *
 * @see https://doc.traefik.io/traefik/middlewares/http/headers/
 * @module
 */
import { findTlsProtocol } from '@barbican/core';
import { stringify } from 'yaml';
import { fileMaker } from '../banner.ts';
import { unsafeFor } from '../errors.ts';
import { commonLosses, hostLosses, localHostsReachable, LOSS } from '../losses.ts';
import type { ExportModel } from '../model.ts';
import type { ExportFile, Loss, RenderContext, Rendered, TargetSpec } from '../target.ts';
import { goSuites, tlsPlan, type GroupGate } from '../tls.ts';
import { atLeast } from '../version.ts';
import { certificateOf, checksHosts, portSuffix, upstreamOf } from './common.ts';

/** Refuses what the Go template pass would execute. */
function plain(text: string, path: string): string {
  if (text.includes('{{'))
    throw unsafeFor(
      'traefik',
      path,
      'the value contains "{{", which the file provider runs as a Go template',
      text,
    );
  return text;
}

/** One headers middleware: the scheme's headers, and `""` for each header to delete. */
function headersMiddleware(model: ExportModel, scheme: 'http' | 'https'): Record<string, unknown> {
  const custom: Record<string, string> = {};
  for (const n of [...model.remove, ...(model.server === 'remove' ? ['Server'] : [])])
    custom[n] = '';
  for (const h of model.headers)
    if (h.scheme === 'both' || h.scheme === scheme)
      custom[plain(h.name, h.path)] = plain(h.value, h.path);
  return { headers: { customResponseHeaders: custom } };
}

/** A Go regexp for a host name, anchored. */
function quoteRegex(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The router rule for the allow-list (`Host(…) || HostRegexp(…)`), or undefined for any host. */
function hostRule(model: ExportModel): string | undefined {
  if (!checksHosts(model)) return undefined;
  const parts: string[] = [];
  model.hosts?.rules.forEach((r, i) => {
    const at = `allowedHosts[${i}]`;
    if (r.kind === 'exact') parts.push(`Host(\`${r.name}\`)`);
    else if (r.kind === 'domain')
      parts.push(`Host(\`${r.name}\`)`, `HostRegexp(\`^.+\\.${quoteRegex(r.name)}$\`)`);
    else if (r.kind === 'regex') {
      if (r.source.includes('`'))
        throw unsafeFor('traefik', at, 'the regex contains a backtick', r.entry);
      parts.push(`HostRegexp(\`^(?:${plain(r.source, at)})$\`)`);
    }
  });
  return parts.join(' || ');
}

function redirectMiddleware(model: ExportModel): Record<string, unknown> | undefined {
  const r = model.redirect;
  if (r === undefined) return undefined;
  const permanent = r.safeStatus === 301 || r.safeStatus === 308;
  if (r.host !== undefined) {
    return {
      redirectRegex: {
        regex: '^https?://[^/]+(.*)$',
        replacement: `https://${r.host}${portSuffix(r.port, 443)}\${1}`,
        permanent,
      },
    };
  }
  return {
    redirectScheme: {
      scheme: 'https',
      permanent,
      ...(r.port === undefined ? {} : { port: String(r.port) }),
    },
  };
}

/** The dynamic configuration fragment: middlewares (what stdout prints). */
function middlewares(model: ExportModel): Record<string, unknown> {
  const redirect = redirectMiddleware(model);
  return {
    'barbican-headers': headersMiddleware(model, 'https'),
    'barbican-headers-http': headersMiddleware(model, 'http'),
    ...(redirect === undefined ? {} : { 'barbican-redirect': redirect }),
  };
}

function router(
  rule: string | undefined,
  entryPoint: string,
  middleware: string[],
  extra: Record<string, unknown> = {},
) {
  return {
    entryPoints: [entryPoint],
    rule: rule ?? 'PathPrefix(`/`)',
    middlewares: middleware,
    service: 'app',
    ...extra,
  };
}

function routers(model: ExportModel): Record<string, unknown> {
  const host = hostRule(model);
  const r = model.redirect;
  const out: Record<string, unknown> = {
    'barbican-https': router(host, 'websecure', ['barbican-headers'], {
      tls: { options: 'barbican' },
    }),
  };
  if (r === undefined) {
    out['barbican-http'] = router(host, 'web', ['barbican-headers-http']);
    return out;
  }
  out['barbican-http'] = router(host, 'web', ['barbican-redirect']);
  if (r.exempt.length > 0) {
    const paths = r.exempt
      .map((p, i) => `PathPrefix(\`${plain(p, `sslRedirect.exempt[${i}]`)}\`)`)
      .join(' || ');
    out['barbican-exempt'] = router(
      host === undefined ? paths : `(${host}) && (${paths})`,
      'web',
      ['barbican-headers-http'],
      {
        priority: 10_000,
      },
    );
  }
  return out;
}

/** Groups Go can use, and the Traefik release that added X25519MLKEM768 (export.md §7). */
function traefikGate(ctx: RenderContext): GroupGate {
  return (g) =>
    g.go === undefined
      ? "Go's TLS has no such group"
      : g.postQuantum && !atLeast(ctx.version, '3.5')
        ? `needs Traefik 3.5 (the target is ${ctx.version.text})`
        : undefined;
}

/** `tls.options.barbican` (Go names) and what Traefik cannot follow. */
function tlsOptions(
  model: ExportModel,
  ctx: RenderContext,
): { options: Record<string, unknown>; losses: Loss[] } {
  const plan = tlsPlan(model, 'traefik', traefikGate(ctx));
  const go = goSuites(plan, (c) => c.go !== undefined, 'Traefik');
  const losses = [...plan.losses, ...go.losses];
  const ciphers = go.ciphers;
  if (!model.tls.sessionTickets)
    losses.push({
      feature: 'tls-tickets',
      path: 'tls.sessionTickets',
      message: 'disableSessionTickets is not in the published schema: session tickets stay on',
    });
  const version = (p: string | undefined) => (p === undefined ? undefined : findTlsProtocol(p)?.go);
  return {
    options: {
      minVersion: version(plan.protocols[0]),
      maxVersion: version(plan.protocols[plan.protocols.length - 1]),
      ...(ciphers.length > 0 ? { cipherSuites: ciphers.map((c) => c.go) } : {}),
      ...(plan.groups.length > 0 ? { curvePreferences: plan.groups.map((g) => g.go) } : {}),
    },
    losses,
  };
}

function exampleDynamic(model: ExportModel, ctx: RenderContext): Record<string, unknown> {
  const { cert, key } = certificateOf(model, ctx.deploy);
  return {
    http: {
      middlewares: middlewares(model),
      routers: routers(model),
      services: { app: { loadBalancer: { servers: [{ url: ctx.deploy.upstream }] } } },
    },
    tls: {
      certificates: [{ certFile: cert, keyFile: key }],
      options: { barbican: tlsOptions(model, ctx).options },
    },
  };
}

function exampleStatic(model: ExportModel, ctx: RenderContext): Record<string, unknown> {
  const trusted = model.proxies?.ranges ?? [];
  const forwarded = trusted.length === 0 ? {} : { forwardedHeaders: { trustedIPs: trusted } };
  const addr = ctx.deploy.listen.address ?? '';
  upstreamOf(ctx.deploy); // validates the upstream URL
  return {
    entryPoints: {
      web: { address: `${addr}:${ctx.deploy.listen.http}`, ...forwarded },
      websecure: { address: `${addr}:${ctx.deploy.listen.https}`, ...forwarded },
    },
    providers: { file: { filename: `${ctx.deploy.dir}/dynamic.yml` } },
  };
}

/** YAML with every string double-quoted (nothing read as a number, boolean or anchor). */
function yaml(value: unknown): string[] {
  return stringify(value, {
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
  })
    .trimEnd()
    .split('\n');
}

function losses(model: ExportModel, ctx: RenderContext): Loss[] {
  const out = [...commonLosses(model), ...tlsOptions(model, ctx).losses];
  if (model.errors.intercept.length > 0)
    out.push(
      LOSS.noIntercept('Traefik needs an errors middleware and a service that serves the page'),
    );
  out.push(...hostLosses(model, { port: false, regex: true }));
  if (checksHosts(model))
    out.push(LOSS.hostStatus(model.hosts?.refusal.status ?? 400, '404 (no router matches)'));
  const r = model.redirect;
  if (r !== undefined && r.safeStatus !== 301 && r.safeStatus !== 302)
    out.push(
      LOSS.redirectStatus(
        r.safeStatus,
        `${r.safeStatus === 308 ? 301 : 302} to GET and HEAD`,
        r.safeStatus === 308 ? 301 : 302,
      ),
    );
  if (localHostsReachable(model)) out.push(LOSS.hstsLocal());
  if (model.proxies !== undefined) out.push(LOSS.proxyScheme());
  return out;
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const lost = losses(model, ctx);
  const { text, file } = fileMaker({ spec: traefik, ctx, model, losses: lost }, '#');
  const fragment = yaml({
    http: { middlewares: middlewares(model) },
    tls: { options: { barbican: tlsOptions(model, ctx).options } },
  });
  const purpose = [
    'Dynamic configuration (file provider): attach barbican-headers to the HTTPS routers,',
    'barbican-headers-http to the plain-HTTP ones, barbican-redirect to redirect them instead;',
    'give the HTTPS routers tls.options: barbican.',
  ];
  const files: ExportFile[] = [
    file('barbican.yml', purpose, fragment, true),
    file(
      'dynamic.yml',
      ['A complete example dynamic configuration: middlewares, routers, service, certificate.'],
      yaml(exampleDynamic(model, ctx)),
    ),
    file(
      'traefik.yml',
      ['A complete example static configuration (entry points, file provider).'],
      yaml(exampleStatic(model, ctx)),
    ),
  ];
  return { snippet: text(purpose, fragment, true), files, losses: lost };
}

/** The Traefik target. */
export const traefik: TargetSpec = {
  name: 'traefik',
  title: 'Traefik',
  defaultVersion: '3.0',
  minVersion: '3.0',
  usesOpenssl: false,
  snippetPlace: 'in a dynamic configuration file of the file provider',
  defaultDir: '/etc/traefik',
  render,
};
