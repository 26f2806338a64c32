/**
 * Cache-Control (with the legacy Pragma and Expires): keeps responses with
 * personal data out of shared caches, the browser's disk cache and the
 * back/forward cache. `no-store, max-age=0` is what OWASP recommends for
 * authenticated responses.
 *
 * One module writes all three headers because secure.py and older scanners
 * treat them as one setting: `pragma: true` adds `Pragma: no-cache` (HTTP/1.0
 * caches) and `expires: true` adds `Expires: 0`, an invalid date that caches
 * must treat as already expired (RFC 9111 §5.3).
 *
 * A raw string sets only the Cache-Control value, after validation.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2
 * @see https://owasp.org/www-project-secure-headers/#cache-control
 * @example
 * ```ts
 * createPolicy({ headers: { cacheControl: { cacheControl: 'no-store', pragma: true, expires: true } } })
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { boolean, literal, object, string, union, type Schema } from '../../schema/index.ts';
import { defineHeader, type HeaderEmission } from '../types.ts';
import { parseCacheControl } from './parse.ts';

export { parseCacheControl, CACHE_CONTROL_DIRECTIVES } from './parse.ts';
export type { CacheControlParseResult } from './parse.ts';

/** The object form. */
export interface CacheControlOptions {
  /** The Cache-Control directive list, e.g. `no-store, max-age=0` (validated). */
  cacheControl?: string;
  /** Also send `Pragma: no-cache` for HTTP/1.0 caches. */
  pragma?: boolean;
  /** Also send `Expires: 0` (`true` and `'0'` mean the same). */
  expires?: boolean | '0';
}

const DEFAULT_VALUE = 'no-store, max-age=0';

const schema = object({
  cacheControl: string({
    maxLength: 1024,
    description: 'The Cache-Control directives, e.g. "no-store, max-age=0".',
  }),
  pragma: boolean({ description: 'Also send Pragma: no-cache (HTTP/1.0 caches).' }),
  expires: union([boolean(), literal('0')], {
    description: 'Also send Expires: 0 (already expired).',
  }),
}) as unknown as Schema<CacheControlOptions>;

/** Validates a Cache-Control value, throwing at the first error or unknown directive. */
function checkCacheControl(value: string, path: string): void {
  const parsed = parseCacheControl(value);
  // Unknown directives are only ignored by caches, but in a config they are
  // almost always typos (`no-stroe`) that leave the response cacheable.
  const p = parsed.problems.find(
    (x) => x.severity === 'error' || x.code === 'cache_control.unknown',
  );
  if (p === undefined) return;
  throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', p.message, {
    path,
    value,
    offset: p.offset,
    allowed:
      'comma-separated directives: no-store, no-cache, private, public, max-age=N, s-maxage=N, must-revalidate, proxy-revalidate, no-transform, immutable, stale-while-revalidate=N, stale-if-error=N, must-understand',
  });
}

export const cacheControl = defineHeader<CacheControlOptions>({
  key: 'cacheControl',
  headerNames: ['Cache-Control', 'Pragma', 'Expires'],
  description: 'Cache-Control (and optionally Pragma, Expires): keep responses out of caches.',
  spec: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2',
  schema,
  defaults: { cacheControl: DEFAULT_VALUE, pragma: false, expires: false },
  compile(options, _ctx, path) {
    const value = options.cacheControl ?? DEFAULT_VALUE;
    checkCacheControl(value, `${path}.cacheControl`);
    const out: HeaderEmission[] = [{ name: 'Cache-Control', value }];
    if (options.pragma === true) out.push({ name: 'Pragma', value: 'no-cache' });
    if (options.expires === true || options.expires === '0')
      out.push({ name: 'Expires', value: '0' });
    return out;
  },
  compileRaw(value, _ctx, path) {
    checkCacheControl(value, path);
    return [{ name: 'Cache-Control', value }];
  },
});
