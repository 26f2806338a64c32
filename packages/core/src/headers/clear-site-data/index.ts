/**
 * Clear-Site-Data: tells the browser to wipe this origin's cache, cookies,
 * storage or running contexts. It is a logout tool: on every response it
 * would sign users out and empty their caches on every request, so setting
 * it in a global policy warns (`BARBICAN_W_CLEAR_SITE_DATA_GLOBAL`). Use it
 * in a per-route policy for the logout route and silence the warning there.
 *
 * Each type is sent as a quoted string (`"cache", "cookies"`): the spec
 * ignores unquoted types.
 *
 * @see https://w3c.github.io/webappsec-clear-site-data/#header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Clear-Site-Data
 * @example
 * ```ts
 * const logout = policy.extend({
 *   headers: { clearSiteData: { types: ['cache', 'cookies', 'storage'] } },
 *   ignoreWarnings: ['BARBICAN_W_CLEAR_SITE_DATA_GLOBAL'],
 * });
 * ```
 * @module
 */
import { BarbicanError, didYouMean } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import type { FieldProblem } from '../../field-types.ts';
import { array, enumeration, object, refine, type Schema } from '../../schema/index.ts';
import {
  defineHeader,
  type CompileContext,
  type HeaderEmission,
  rejectRawValue,
} from '../types.ts';

/** The data types Clear-Site-Data knows, including the `*` wildcard. */
export const CLEAR_SITE_DATA_TYPES = [
  'cache',
  'cookies',
  'storage',
  'executionContexts',
  'clientHints',
  'prefetchCache',
  'prerenderCache',
  '*',
] as const;

/** One Clear-Site-Data type. */
export type ClearSiteDataType = (typeof CLEAR_SITE_DATA_TYPES)[number];

/** The object form: the types to clear, in order. */
export interface ClearSiteDataOptions {
  types?: ClearSiteDataType[];
}

function noWildcardMix(types: ClearSiteDataType[], path: string): ClearSiteDataType[] {
  if (types.includes('*') && types.length > 1) {
    throw new BarbicanError('BARBICAN_E_CONFLICT', '"*" already clears every type', {
      path,
      value: types,
      hint: 'Send ["*"] alone, or list the types without "*"',
    });
  }
  return types;
}

const typesSchema = refine(
  array(enumeration(CLEAR_SITE_DATA_TYPES, { description: 'A data type to clear.' }), {
    minItems: 1,
    unique: true,
    description: 'What to clear: cache, cookies, storage, executionContexts, … or "*".',
  }),
  noWildcardMix,
);

const schema = object({ types: typesSchema }) as unknown as Schema<ClearSiteDataOptions>;

/** What {@link parseClearSiteData} found. */
export interface ClearSiteDataParseResult {
  /** Recognised types, in order, without duplicates. */
  readonly types: readonly ClearSiteDataType[];
  /** True when every entry is a quoted, known type. */
  readonly valid: boolean;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses Clear-Site-Data (spec §3.1): a comma-separated list of quoted
 * strings; unquoted or unknown entries are ignored by browsers and reported
 * here. Never throws.
 *
 * @example
 * ```ts
 * parseClearSiteData('"cache", "cookies"').types // ['cache', 'cookies']
 * ```
 */
export function parseClearSiteData(value: string): ClearSiteDataParseResult {
  if (typeof value !== 'string') {
    return {
      types: [],
      valid: false,
      problems: [
        { code: 'clear_site_data.type', severity: 'error', message: 'not a string', offset: 0 },
      ],
    };
  }
  const types: ClearSiteDataType[] = [];
  const problems: FieldProblem[] = [];
  let offset = 0;
  for (const part of value.split(',')) {
    const entry = part.trim();
    const at = offset + (part.length - part.trimStart().length);
    offset += part.length + 1;
    if (entry === '') continue;
    const quoted = entry.length >= 2 && entry.startsWith('"') && entry.endsWith('"');
    const inner = quoted ? entry.slice(1, -1) : entry;
    const known = (CLEAR_SITE_DATA_TYPES as readonly string[]).includes(inner);
    if (!quoted) {
      problems.push({
        code: 'clear_site_data.unquoted',
        severity: 'error',
        message: `${entry} must be a quoted string ("${inner}"); browsers ignore it unquoted`,
        offset: at,
      });
      continue;
    }
    if (!known) {
      const suggestion = didYouMean(inner, CLEAR_SITE_DATA_TYPES);
      problems.push({
        code: 'clear_site_data.unknown',
        severity: 'error',
        message: `${entry} is not a Clear-Site-Data type${
          suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`
        }`,
        offset: at,
      });
      continue;
    }
    const t = inner as ClearSiteDataType;
    if (types.includes(t)) {
      problems.push({
        code: 'clear_site_data.duplicate',
        severity: 'warning',
        message: `${entry} appears more than once`,
        offset: at,
      });
      continue;
    }
    types.push(t);
  }
  if (types.length === 0 && problems.length === 0) {
    problems.push({
      code: 'clear_site_data.empty',
      severity: 'error',
      message: 'no type given, so nothing is cleared',
      offset: 0,
    });
  }
  return { types, valid: problems.every((p) => p.severity !== 'error'), problems };
}

function compile(
  types: readonly ClearSiteDataType[],
  ctx: CompileContext,
  path: string,
): HeaderEmission[] {
  ctx.warn(
    'BARBICAN_W_CLEAR_SITE_DATA_GLOBAL',
    path,
    'Clear-Site-Data on every response this policy covers wipes cookies/caches on every request; use it only in a per-route policy for logout (and silence this warning there)',
  );
  return [{ name: 'Clear-Site-Data', value: types.map((t) => `"${t}"`).join(', ') }];
}

export const clearSiteData = defineHeader<ClearSiteDataOptions>({
  key: 'clearSiteData',
  headerNames: ['Clear-Site-Data'],
  description: 'Clear-Site-Data: wipe cache, cookies or storage (for logout routes).',
  spec: 'https://w3c.github.io/webappsec-clear-site-data/#header',
  schema,
  // What a logout needs: drop the session, cached pages and client storage.
  defaults: { types: ['cache', 'cookies', 'storage'] },
  compile(options, ctx, path) {
    return compile(options.types ?? ['cache', 'cookies', 'storage'], ctx, path);
  },
  compileRaw(value, ctx, path) {
    assertFieldSafe(value, path);
    const parsed = parseClearSiteData(value);
    rejectRawValue(
      parsed.problems[0],
      value,
      path,
      'a comma-separated list of quoted types, e.g. "cache", "cookies"',
    );
    noWildcardMix([...parsed.types], path);
    return compile(parsed.types, ctx, path).map((e) => ({ ...e, value }));
  },
});
