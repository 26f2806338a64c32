/**
 * The Expect-CT parser, shared by the builder's check of raw values and by
 * the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import { parseCommaDirectives } from '../../directive-list.ts';
import type { FieldProblem, ParsedDirective } from '../../field-types.ts';

/** What {@link parseExpectCt} found. */
export interface ExpectCtParseResult {
  /** True when a browser that knew the header would honour it. */
  readonly valid: boolean;
  readonly maxAge: number | undefined;
  readonly enforce: boolean;
  readonly reportUri: string | undefined;
  readonly directives: readonly ParsedDirective[];
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses Expect-CT (RFC 9163 §2.1): comma-separated directives, `max-age`
 * required, each directive at most once. Never throws.
 *
 * @example
 * ```ts
 * parseExpectCt('max-age=86400, enforce') // { valid: true, maxAge: 86400, enforce: true, … }
 * ```
 */
export function parseExpectCt(value: string): ExpectCtParseResult {
  const { directives, problems } = parseCommaDirectives(value, 'expect_ct');
  const seen = new Set<string>();
  let maxAge: number | undefined;
  let enforce = false;
  let reportUri: string | undefined;
  for (const d of directives) {
    if (seen.has(d.name)) {
      problems.push({
        code: 'expect_ct.repeated',
        severity: 'error',
        message: `${d.name} appears more than once`,
        offset: d.offset,
      });
      continue;
    }
    seen.add(d.name);
    if (d.name === 'max-age') {
      if (d.value === undefined || !/^\d+$/.test(d.value)) {
        problems.push({
          code: 'expect_ct.max_age.invalid',
          severity: 'error',
          message: 'max-age must be a whole number of seconds',
          offset: d.offset,
        });
      } else maxAge = Math.min(Number(d.value), Number.MAX_SAFE_INTEGER);
    } else if (d.name === 'enforce') {
      if (d.value !== undefined) {
        problems.push({
          code: 'expect_ct.enforce.value',
          severity: 'error',
          message: 'enforce takes no value',
          offset: d.offset,
        });
      }
      enforce = true;
    } else if (d.name === 'report-uri') {
      if (d.value === undefined || d.value === '') {
        problems.push({
          code: 'expect_ct.report_uri.missing',
          severity: 'error',
          message: 'report-uri needs a URL',
          offset: d.offset,
        });
      } else reportUri = d.value;
    } else {
      problems.push({
        code: 'expect_ct.directive.unknown',
        severity: 'warning',
        message: `unknown directive ${d.name} is ignored`,
        offset: d.offset,
      });
    }
  }
  if (maxAge === undefined && !problems.some((p) => p.code === 'expect_ct.max_age.invalid')) {
    problems.push({
      code: 'expect_ct.max_age.missing',
      severity: 'error',
      message: 'max-age is required',
      offset: 0,
    });
  }
  const valid = problems.every((p) => p.severity !== 'error');
  return { valid, maxAge, enforce, reportUri, directives, problems };
}
