/**
 * The Report-To (legacy) parser, shared by the builder's check of raw values
 * and by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import { quote } from '../../errors.ts';
import { isPlainObject } from '../../schema/index.ts';
import type { FieldProblem } from '../../field-types.ts';
import { reportingUrlProblem } from '../reporting-endpoints/parse.ts';

/** What {@link parseReportTo} returns. */
export interface ReportToParseResult {
  /** False when the value is not a comma-separated list of JSON objects. */
  readonly valid: boolean;
  readonly groups: readonly {
    group: string;
    max_age: number;
    endpoints: string[];
    include_subdomains: boolean;
  }[];
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a Report-To value (JSON objects joined by commas). Never throws;
 * groups browsers would skip (no max_age, no usable endpoint) are reported.
 *
 * @see https://www.w3.org/TR/2018/WD-reporting-1-20180925/#process-header
 * @example
 * ```ts
 * parseReportTo('{"max_age":60,"endpoints":[{"url":"https://r.example/"}]}').groups[0]?.group; // 'default'
 * ```
 */
export function parseReportTo(value: string): ReportToParseResult {
  const problems: FieldProblem[] = [];
  const groups: {
    group: string;
    max_age: number;
    endpoints: string[];
    include_subdomains: boolean;
  }[] = [];
  let list: unknown;
  try {
    // The header is a #list of JSON objects; wrapping it in [] parses them all at once.
    list = JSON.parse(`[${value}]`);
  } catch (e) {
    problems.push({
      code: 'report_to.json',
      severity: 'error',
      message: `not JSON objects separated by commas: ${e instanceof Error ? e.message : 'parse error'}`,
      offset: 0,
    });
    return { valid: false, groups, problems };
  }
  const items = Array.isArray(list) ? (list as unknown[]) : [];
  items.forEach((g, i) => {
    const bad = (message: string): void => {
      problems.push({
        code: 'report_to.group.invalid',
        severity: 'warning',
        message: `group ${i}: ${message}`,
        offset: 0,
      });
    };
    if (!isPlainObject(g)) return bad('not an object');
    const maxAge = g.max_age;
    if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0)
      return bad('max_age must be a non-negative integer');
    const name = g.group ?? 'default';
    if (typeof name !== 'string') return bad('group must be a string');
    if (!Array.isArray(g.endpoints)) return bad('endpoints must be a list');
    const urls: string[] = [];
    for (const e of g.endpoints as unknown[]) {
      const url = isPlainObject(e) ? e.url : undefined;
      const problem = typeof url === 'string' ? reportingUrlProblem(url) : 'url missing';
      if (typeof url === 'string' && problem === undefined) urls.push(url);
      else bad(`endpoint ${quote(url)} skipped: ${problem ?? ''}`);
    }
    groups.push({
      group: name,
      max_age: maxAge,
      endpoints: urls,
      include_subdomains: g.include_subdomains === true,
    });
  });
  return { valid: true, groups, problems };
}
