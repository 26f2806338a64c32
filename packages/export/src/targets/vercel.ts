/**
 * Vercel `vercel.json`: one `headers` rule for every path. JSON has no
 * comments and Vercel's schema no room for one, so what cannot be expressed
 * is in the warnings and in `barbican-export.txt` beside the file.
 *
 * Limits (vercel/vercel `packages/routing-utils/src/schemas.ts`): at most
 * 1,024 rules and 1,024 headers per rule (Barbican writes one rule with a few
 * dozen headers), keys and values at most 4,096 characters (enforced).
 *
 * @see https://vercel.com/docs/project-configuration#headers
 * @module
 */
import { bannerLines, commentBlock } from '../banner.ts';
import { overLimit } from '../errors.ts';
import { commonLosses, LOSS } from '../losses.ts';
import type { ExportModel } from '../model.ts';
import type { Loss, RenderContext, Rendered, TargetSpec } from '../target.ts';
import { isServer } from './common.ts';

/** Vercel's documented maxima. */
export const VERCEL_LIMITS = { rules: 1024, headersPerRule: 1024, stringLength: 4096 } as const;

function losses(model: ExportModel): Loss[] {
  const out = commonLosses(model);
  if (model.server !== 'keep' || model.remove.length > 0)
    out.push(LOSS.noRemove('Vercel sends its own Server: Vercel', 'Vercel'));
  if (model.hosts !== undefined && !model.hosts.any) out.push(LOSS.noHostCheck());
  if (model.redirect !== undefined)
    out.push(LOSS.noRedirect('Vercel redirects plain HTTP to HTTPS itself (308)', 308));
  if (model.proxies !== undefined) out.push(LOSS.noProxies());
  out.push(LOSS.platformTls('Vercel'));
  return out;
}

function config(model: ExportModel): Record<string, unknown> {
  const headers = model.headers
    .filter((h) => h.scheme !== 'http' && !isServer(h))
    .map((h) => {
      for (const [what, text] of [
        ['name', h.name],
        ['value', h.value],
      ] as const) {
        if (text.length > VERCEL_LIMITS.stringLength)
          throw overLimit(
            'vercel',
            h.path,
            `a header ${what} of ${text.length} characters`,
            `at most ${VERCEL_LIMITS.stringLength} characters`,
          );
      }
      return { key: h.name, value: h.value };
    });
  return {
    $schema: 'https://openapi.vercel.sh/vercel.json',
    headers: [{ source: '/(.*)', headers }],
  };
}

function render(model: ExportModel, ctx: RenderContext): Rendered {
  const lost = losses(model);
  const json = JSON.stringify(config(model), null, 2) + '\n';
  const note = commentBlock(
    '#',
    bannerLines({
      spec: vercel,
      ctx,
      model,
      purpose: [
        'vercel.json: merge its "headers" rule into the project\'s vercel.json (JSON has no comments, so the notes are here).',
        'Vercel applies it to static files, functions and rewrites alike.',
      ],
      losses: lost,
    }),
  );
  return {
    snippet: json,
    files: [
      {
        path: 'vercel.json',
        purpose: 'Project configuration with the policy headers.',
        content: json,
      },
      {
        path: 'barbican-export.txt',
        purpose: 'What vercel.json is for and what it cannot express.',
        content: note,
      },
    ],
    losses: lost,
  };
}

/** The Vercel target. */
export const vercel: TargetSpec = {
  name: 'vercel',
  title: 'Vercel',
  defaultVersion: '1',
  minVersion: '1',
  usesOpenssl: false,
  snippetPlace: 'in vercel.json at the project root',
  defaultDir: '.',
  render,
};
