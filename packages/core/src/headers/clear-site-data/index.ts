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
import { BarbicanError } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import { array, enumeration, object, refine, type Schema } from '../../schema/index.ts';
import {
  defineHeader,
  type CompileContext,
  type HeaderEmission,
  rejectRawValue,
} from '../types.ts';
import { CLEAR_SITE_DATA_TYPES, parseClearSiteData, type ClearSiteDataType } from './parse.ts';

export { CLEAR_SITE_DATA_TYPES, parseClearSiteData } from './parse.ts';
export type { ClearSiteDataType, ClearSiteDataParseResult } from './parse.ts';

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
