/**
 * Strict-Transport-Security parser following RFC 6797 §6.1 exactly.
 *
 * Shared by the policy validator (raw strings) and the scanner. It never
 * throws: every problem is returned as data with the byte offset.
 *
 * @module
 */

import { parseDirectiveList } from '../../directive-list.ts';
import type { FieldProblem, ParsedDirective } from '../../field-types.ts';

export interface HstsParseResult {
  /**
   * True when a user agent would honour the field. RFC 6797 §8.1: a field
   * that does not conform (repeated directive, bad max-age, syntax error) is
   * ignored as a whole.
   */
  readonly valid: boolean;
  readonly maxAge: number | undefined;
  readonly includeSubDomains: boolean;
  /** hstspreload.org's convention; not part of the RFC. */
  readonly preload: boolean;
  readonly directives: readonly ParsedDirective[];
  readonly problems: readonly FieldProblem[];
}

/** Parses a Strict-Transport-Security field value. Never throws. */
export function parseHsts(value: string): HstsParseResult {
  const { directives, problems } = parseDirectiveList(value, 'hsts');
  let maxAge: number | undefined;
  let includeSubDomains = false;
  let preload = false;
  const seen = new Set<string>();
  for (const d of directives) {
    if (seen.has(d.name)) {
      // §6.1 "All directives MUST appear only once"; §8.1: ignore the field.
      problems.push({
        code: 'hsts.directive.repeated',
        severity: 'error',
        message: `directive ${d.name} appears more than once, so browsers ignore the whole header`,
        offset: d.offset,
      });
      continue;
    }
    seen.add(d.name);
    switch (d.name) {
      case 'max-age':
        if (d.value === undefined || !/^\d+$/.test(d.value)) {
          problems.push({
            code: 'hsts.max_age.invalid',
            severity: 'error',
            message: 'max-age must be a whole number of seconds (delta-seconds)',
            offset: d.offset,
          });
        } else {
          // delta-seconds beyond 2^53 are clamped, as RFC 9111 §1.2.2 allows.
          maxAge = Math.min(Number(d.value), Number.MAX_SAFE_INTEGER);
        }
        break;
      case 'includesubdomains':
        if (d.value !== undefined) {
          problems.push({
            code: 'hsts.include_sub_domains.value',
            severity: 'error',
            message: 'includeSubDomains takes no value',
            offset: d.offset,
          });
        }
        includeSubDomains = true;
        break;
      case 'preload':
        if (d.value !== undefined) {
          problems.push({
            code: 'hsts.preload.value',
            severity: 'error',
            message: 'preload takes no value',
            offset: d.offset,
          });
        }
        preload = true;
        break;
      default:
        // §6.1: unknown directives are ignored — but a scanner should say so.
        problems.push({
          code: 'hsts.directive.unknown',
          severity: 'warning',
          message: `unknown directive ${d.name} is ignored by browsers`,
          offset: d.offset,
        });
    }
  }
  if (maxAge === undefined && !problems.some((p) => p.code === 'hsts.max_age.invalid')) {
    problems.push({
      code: 'hsts.max_age.missing',
      severity: 'error',
      message: 'max-age is required',
      offset: 0,
    });
  }
  const valid = !problems.some((p) => p.severity === 'error');
  return {
    valid,
    maxAge: valid ? maxAge : undefined,
    includeSubDomains: valid && includeSubDomains,
    preload: valid && preload,
    directives,
    problems,
  };
}
