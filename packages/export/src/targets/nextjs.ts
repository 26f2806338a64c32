/**
 * Next.js `headers()` for `next.config`: one rule for every path, plus
 * `poweredByHeader: false` when the policy strips X-Powered-By. The array
 * is also available from code ({@link nextHeaders}) to build the config at
 * build time.
 *
 * `headers()` cannot see the scheme, so HTTPS values go on every response
 * (Next.js usually runs behind a proxy that terminates TLS). It is ignored
 * with `output: 'export'`; nonces need the `@barbican/core/next` middleware.
 *
 * @see https://nextjs.org/docs/app/api-reference/config/next-config-js/headers
 * @module
 */
import { fileMaker } from '../banner.ts';
import { commonLosses, LOSS } from '../losses.ts';
import type { ExportModel, ModelHeader } from '../model.ts';
import type { Loss, RenderContext, Rendered, TargetSpec } from '../target.ts';
import { isHsts, isServer } from './common.ts';

/** One `headers()` rule, as Next.js reads it. */
export interface NextHeaderRule {
  readonly source: string;
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

/**
 * The `headers()` rules for a model: every path gets the HTTPS plan.
 *
 * @example
 * ```ts
 * // next.config.mjs
 * import { createPolicy } from '@barbican/core';
 * import { buildExportModel, nextHeaders } from '@barbican/export';
 * const rules = nextHeaders(buildExportModel(createPolicy({ preset: 'strict' })));
 * export default { poweredByHeader: false, async headers() { return rules; } };
 * ```
 */
export function nextHeaders(model: ExportModel): NextHeaderRule[] {
  const headers = model.headers
    .filter((h) => h.scheme !== 'http' && !isServer(h))
    .map((h) => ({ key: h.name, value: h.value }));
  return [{ source: '/:path*', headers }];
}

function losses(model: ExportModel): Loss[] {
  const out = commonLosses(model);
  const others = model.remove.filter((n) => n.toLowerCase() !== 'x-powered-by');
  if (model.server !== 'keep' || others.length > 0)
    out.push(LOSS.noRemove('Next.js can only turn off its X-Powered-By (poweredByHeader: false)'));
  if (model.hosts !== undefined && !model.hosts.any) out.push(LOSS.noHostCheck());
  if (model.redirect !== undefined)
    out.push(
      LOSS.noRedirect(
        'headers() cannot see the scheme; redirect at the proxy or the platform',
        null,
      ),
    );
  if (model.proxies !== undefined) out.push(LOSS.noProxies());
  out.push(LOSS.platformTls('The server or platform in front of Next.js'));
  const hsts = model.headers.find((h) => isHsts(h) && h.scheme === 'https');
  if (hsts !== undefined) out.push(LOSS.hstsPlainHttp(hsts));
  // headers() has no scheme: the HTTPS variant of a header goes on both.
  const https = (h: ModelHeader) =>
    model.headers.find(
      (x) => x.scheme === 'https' && x.name.toLowerCase() === h.name.toLowerCase(),
    );
  for (const h of model.headers.filter((x) => x.scheme === 'http' && !isHsts(x)))
    out.push(LOSS.headerScheme(h, https(h)));
  return out;
}

/** A JS string literal: JSON's (the values are ASCII, so no U+2028 trap). */
const js = (text: string): string => JSON.stringify(text);

function moduleLines(model: ExportModel): string[] {
  const [rule] = nextHeaders(model);
  return [
    '/** @type {{ source: string, headers: { key: string, value: string }[] }[]} */',
    'export const barbicanHeaders = [',
    '  {',
    `    source: ${js(rule?.source ?? '/:path*')},`,
    '    headers: [',
    ...(rule?.headers ?? []).map((h) => `      { key: ${js(h.key)}, value: ${js(h.value)} },`),
    '    ],',
    '  },',
    '];',
    '',
    `export const poweredByHeader = ${model.remove.some((n) => n.toLowerCase() === 'x-powered-by') ? 'false' : 'true'};`,
  ];
}

function exampleConfig(): string[] {
  return [
    "import { barbicanHeaders, poweredByHeader } from './barbican-headers.mjs';",
    '',
    "/** @type {import('next').NextConfig} */",
    'const nextConfig = {',
    '  poweredByHeader,',
    '  async headers() {',
    '    return barbicanHeaders;',
    '  },',
    '};',
    '',
    'export default nextConfig;',
  ];
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const lost = losses(model);
  const { text, file } = fileMaker({ spec: nextjs, ctx, model, losses: lost }, '//');
  const purpose = [
    'barbican-headers.mjs: import it in next.config.mjs and return barbicanHeaders from headers().',
    "Ignored with output: 'export' (static export): use the platform's headers file there.",
  ];
  const body = moduleLines(model);
  return {
    snippet: text(purpose, body, true),
    files: [
      file('barbican-headers.mjs', purpose, body, true),
      file(
        'next.config.mjs',
        ['A complete example next.config.mjs that uses barbican-headers.mjs.'],
        exampleConfig(),
      ),
    ],
    losses: lost,
  };
}

/** The Next.js target. */
export const nextjs: TargetSpec = {
  name: 'nextjs',
  title: 'Next.js',
  defaultVersion: '15',
  minVersion: '10',
  usesOpenssl: false,
  snippetPlace: 'in barbican-headers.mjs, imported by next.config.mjs',
  defaultDir: '.',
  render,
};
