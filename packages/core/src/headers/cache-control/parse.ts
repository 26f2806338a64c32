/**
 * Parsers for comma-separated directive lists (RFC 9110 §5.6.1 `#` lists of
 * `token [ "=" ( token / quoted-string ) ]`), shared by Cache-Control and
 * Expect-CT. They never throw: problems come back as data with offsets.
 *
 * @module
 */
import { didYouMean } from '../../errors.ts';
import { readQuotedString } from '../../field.ts';
import type { FieldProblem, ParsedDirective } from '../hsts/parse.ts';

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/** A directive plus whether its value was a quoted-string (some grammars require one form). */
export interface CommaDirective extends ParsedDirective {
  readonly quoted: boolean;
}

/**
 * Splits a comma-separated directive list. Empty elements (`a,,b`) are legal
 * and skipped (RFC 9110 §5.6.1). Names are lower-cased.
 */
export function parseCommaDirectives(
  value: string,
  codePrefix: string,
): { directives: CommaDirective[]; problems: FieldProblem[] } {
  const directives: CommaDirective[] = [];
  const problems: FieldProblem[] = [];
  if (typeof value !== 'string') {
    problems.push({
      code: `${codePrefix}.type`,
      severity: 'error',
      message: 'not a string',
      offset: 0,
    });
    return { directives, problems };
  }
  const n = value.length;
  let i = 0;
  const ows = (): void => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const syntax = (message: string, at: number): void => {
    problems.push({ code: `${codePrefix}.syntax`, severity: 'error', message, offset: at });
    while (i < n && value[i] !== ',') i++;
  };
  while (i < n) {
    ows();
    if (i >= n) break;
    if (value[i] === ',') {
      i++;
      continue;
    }
    const start = i;
    while (i < n && TOKEN_CHAR.test(value.charAt(i))) i++;
    const name = value.slice(start, i).toLowerCase();
    if (name === '') {
      syntax(`unexpected ${JSON.stringify(value[i])} where a directive name should start`, i);
      continue;
    }
    ows();
    let v: string | undefined;
    let quoted = false;
    if (value[i] === '=') {
      i++;
      ows();
      if (value[i] === '"') {
        quoted = true;
        const open = i;
        const q = readQuotedString(value, open);
        i = q.end;
        if (!q.closed) {
          problems.push({
            code: `${codePrefix}.syntax`,
            severity: 'error',
            message: 'quoted string is not closed',
            offset: open,
          });
        }
        v = q.text;
      } else {
        const vs = i;
        while (i < n && TOKEN_CHAR.test(value.charAt(i))) i++;
        v = value.slice(vs, i);
        if (v === '') {
          syntax(`directive ${name} has "=" but no value`, vs);
          continue;
        }
      }
      ows();
    }
    if (i < n && value[i] !== ',') {
      syntax(`unexpected ${JSON.stringify(value[i])} after directive ${name}`, i);
      continue;
    }
    directives.push({ name, value: v, offset: start, quoted });
  }
  return { directives, problems };
}

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
  readonly directives: readonly CommaDirective[];
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
