/**
 * Netlify and Cloudflare Pages `_headers`: a path pattern line, then
 * indented `Name: value` lines. The format has no quoting or escaping: a
 * value runs to the end of its line, so only what fits on one line can be
 * written (core already refuses control characters in values).
 *
 * Static hosts serve HTTPS (they redirect plain HTTP themselves), so the
 * HTTPS plan is written. What they cannot do: check the Host header, strip
 * headers or set Server (the platform's own stays), and nothing applies to
 * function, edge-function or proxied responses.
 *
 * @see https://docs.netlify.com/routing/headers/
 * @see https://developers.cloudflare.com/pages/configuration/headers/
 * @module
 */
import { fileMaker } from '../banner.ts';
import { overLimit } from '../errors.ts';
import { commonLosses, LOSS } from '../losses.ts';
import type { ExportModel } from '../model.ts';
import type { Loss, RenderContext, Rendered, TargetName, TargetSpec } from '../target.ts';
import { isServer } from './common.ts';

/** What differs between the two platforms. */
interface Platform {
  readonly name: TargetName;
  readonly title: string;
  /** The platform's own Server header value. */
  readonly server: string;
  /** Documented maximum characters per line, if any. */
  readonly maxLine: number | undefined;
}

function losses(model: ExportModel, p: Platform): Loss[] {
  const out = commonLosses(model);
  if (model.server !== 'keep' || model.remove.length > 0)
    out.push(LOSS.noRemove(`the platform sends its own Server: ${p.server}`, p.server));
  if (model.hosts !== undefined && !model.hosts.any) out.push(LOSS.noHostCheck());
  if (model.redirect !== undefined)
    out.push(
      LOSS.noRedirect(
        'the platform redirects plain HTTP to HTTPS itself (turn it on in its settings)',
        null,
      ),
    );
  if (model.proxies !== undefined) out.push(LOSS.noProxies());
  out.push(LOSS.platformTls(p.title));
  return out;
}

function lines(model: ExportModel, p: Platform): string[] {
  const headers = model.headers.filter((h) => h.scheme !== 'http' && !isServer(h));
  const body = ['/*', ...headers.map((h) => `  ${h.name}: ${h.value}`)];
  headers.forEach((h, i) => {
    const line = body[i + 1] ?? '';
    if (p.maxLine !== undefined && line.length > p.maxLine)
      throw overLimit(
        p.name,
        h.path,
        `${h.name} makes a line of ${line.length} characters, which`,
        `at most ${p.maxLine} characters per line`,
      );
  });
  // One rule (`/*`) is written, far under the 100-rule limit of Cloudflare Pages.
  return body;
}

function renderFor(p: Platform, spec: () => TargetSpec) {
  return (model: ExportModel, ctx: RenderContext): Rendered => {
    const lost = losses(model, p);
    const { text, file } = fileMaker({ spec: spec(), ctx, model, losses: lost }, '#');
    const body = lines(model, p);
    const purpose = [
      `${p.title} _headers: save as _headers in the publish directory (the folder that is deployed).`,
      'It applies to static files only: not to functions, edge functions or proxied responses.',
    ];
    return {
      snippet: text(purpose, body, true),
      files: [file('_headers', purpose, body, true)],
      losses: lost,
    };
  };
}

/** Netlify `_headers` (no documented line or rule limit). */
export const netlify: TargetSpec = {
  name: 'netlify',
  title: 'Netlify',
  defaultVersion: '1',
  minVersion: '1',
  usesOpenssl: false,
  snippetPlace: 'in _headers in the publish directory',
  defaultDir: '.',
  render: renderFor(
    {
      name: 'netlify',
      title: 'Netlify',
      server: 'Netlify',
      maxLine: undefined,
    },
    () => netlify,
  ),
};

/** Cloudflare Pages `_headers`: at most 100 rules and 2,000 characters per line. */
export const cloudflarePages: TargetSpec = {
  name: 'cloudflare-pages',
  title: 'Cloudflare Pages',
  defaultVersion: '1',
  minVersion: '1',
  usesOpenssl: false,
  snippetPlace: 'in _headers in the build output directory',
  defaultDir: '.',
  render: renderFor(
    {
      name: 'cloudflare-pages',
      title: 'Cloudflare Pages',
      server: 'cloudflare',
      maxLine: 2000,
    },
    () => cloudflarePages,
  ),
};
