/**
 * Cache-Control parser (RFC 9111 §5.2), on the shared comma-separated
 * directive-list reader. It never throws: problems come back as data with
 * offsets.
 *
 * @module
 */
import { parseCommaDirectives } from '../../directive-list.ts';
import { didYouMean } from '../../errors.ts';
import type { FieldProblem, ParsedDirective } from '../../field-types.ts';

/** Response directives of RFC 9111 §5.2.2 and RFC 8246 / RFC 5861 / RFC 9111 extensions. */
export const CACHE_CONTROL_DIRECTIVES = {
  'max-age': 'seconds',
  's-maxage': 'seconds',
  'stale-while-revalidate': 'seconds',
  'stale-if-error': 'seconds',
  'no-cache': 'optional-fields',
  private: 'optional-fields',
  'no-store': 'none',
  'no-transform': 'none',
  'must-revalidate': 'none',
  'proxy-revalidate': 'none',
  'must-understand': 'none',
  public: 'none',
  immutable: 'none',
} as const;

/** What {@link parseCacheControl} found. */
export interface CacheControlParseResult {
  /** True when no problem is an error. */
  readonly valid: boolean;
  readonly directives: readonly ParsedDirective[];
  /** Convenience flags a scanner asks about. */
  readonly noStore: boolean;
  readonly maxAge: number | undefined;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a Cache-Control response value (RFC 9111 §5.2). Unknown directives
 * are warnings (caches ignore them, §5.2.3); repeated directives, bad
 * delta-seconds, arguments on argument-less directives and `public` with
 * `private` are errors. Never throws.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9111#section-5.2
 * @example
 * ```ts
 * parseCacheControl('no-store, max-age=0') // { valid: true, noStore: true, maxAge: 0, … }
 * ```
 */
export function parseCacheControl(value: string): CacheControlParseResult {
  const { directives, problems } = parseCommaDirectives(value, 'cache_control');
  const seen = new Set<string>();
  let maxAge: number | undefined;
  for (const d of directives) {
    const kind = (CACHE_CONTROL_DIRECTIVES as Record<string, string | undefined>)[d.name];
    if (seen.has(d.name)) {
      // §4.2.1: with repeated directives a cache may use the first or treat
      // the response as stale; either way the author's intent is lost.
      problems.push({
        code: 'cache_control.repeated',
        severity: 'error',
        message: `${d.name} appears more than once`,
        offset: d.offset,
      });
      continue;
    }
    seen.add(d.name);
    if (kind === undefined) {
      const s = didYouMean(d.name, Object.keys(CACHE_CONTROL_DIRECTIVES));
      problems.push({
        code: 'cache_control.unknown',
        severity: 'warning',
        message: `unknown directive ${d.name} is ignored by caches${
          s === undefined ? '' : ` (did you mean ${s}?)`
        }`,
        offset: d.offset,
      });
    } else if (kind === 'seconds') {
      if (d.value === undefined || !/^\d+$/.test(d.value)) {
        problems.push({
          code: 'cache_control.delta_seconds',
          severity: 'error',
          message: `${d.name} needs a whole number of seconds`,
          offset: d.offset,
        });
      } else if (d.quoted) {
        // §1.2.2 delta-seconds is a token; senders must not quote it (§5.2).
        problems.push({
          code: 'cache_control.quoted_seconds',
          severity: 'warning',
          message: `${d.name} must not be quoted`,
          offset: d.offset,
        });
      }
      if (d.name === 'max-age' && d.value !== undefined && /^\d+$/.test(d.value)) {
        maxAge = Math.min(Number(d.value), 2 ** 31);
      }
    } else if (kind === 'none' && d.value !== undefined) {
      problems.push({
        code: 'cache_control.argument',
        severity: 'error',
        message: `${d.name} takes no argument`,
        offset: d.offset,
      });
    }
  }
  if (seen.has('public') && seen.has('private')) {
    problems.push({
      code: 'cache_control.conflict',
      severity: 'error',
      message: 'public and private contradict each other',
      offset: 0,
    });
  }
  if (directives.length === 0 && problems.length === 0) {
    problems.push({
      code: 'cache_control.empty',
      severity: 'error',
      message: 'no directive given',
      offset: 0,
    });
  }
  return {
    valid: problems.every((p) => p.severity !== 'error'),
    directives,
    noStore: seen.has('no-store'),
    maxAge,
    problems,
  };
}
