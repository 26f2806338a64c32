/**
 * Strict-Transport-Security parser following RFC 6797 §6.1 exactly.
 *
 * Shared by the policy validator (raw strings) and the scanner. It never
 * throws: every problem is returned as data with the byte offset.
 *
 * @module
 */

import { readQuotedString } from '../../field.ts';

/** One problem found in a field value. */
export interface FieldProblem {
  /** Stable, dotted code, e.g. `hsts.max_age.missing`. */
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Byte offset into the field value. */
  readonly offset: number;
}

/** A parsed `name[=value]` directive. */
export interface ParsedDirective {
  /** Lower-cased name. */
  readonly name: string;
  /** The value with quotes removed, or undefined when the directive has none. */
  readonly value: string | undefined;
  readonly offset: number;
}

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

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/**
 * Splits a `;`-separated list of `name[=token|quoted-string]` directives, the
 * grammar shared by Strict-Transport-Security and Public-Key-Pins. Empty
 * directives (`;;`) are legal and skipped.
 */
export function parseDirectiveList(
  value: string,
  codePrefix: string,
): { directives: ParsedDirective[]; problems: FieldProblem[] } {
  const directives: ParsedDirective[] = [];
  const problems: FieldProblem[] = [];
  let i = 0;
  const n = value.length;
  const skipOws = (): void => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  while (i <= n) {
    skipOws();
    if (i >= n) break;
    if (value[i] === ';') {
      i++;
      continue;
    }
    const start = i;
    while (i < n && TOKEN_CHAR.test(value[i] ?? '')) i++;
    const name = value.slice(start, i).toLowerCase();
    if (name === '') {
      problems.push({
        code: `${codePrefix}.syntax`,
        severity: 'error',
        message: `unexpected character ${JSON.stringify(value[i])} where a directive name should start`,
        offset: i,
      });
      // Resynchronise at the next separator.
      while (i < n && value[i] !== ';') i++;
      continue;
    }
    skipOws();
    let directiveValue: string | undefined;
    if (value[i] === '=') {
      i++;
      skipOws();
      if (value[i] === '"') {
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
        directiveValue = q.text;
      } else {
        const vStart = i;
        while (i < n && TOKEN_CHAR.test(value[i] ?? '')) i++;
        directiveValue = value.slice(vStart, i);
        if (directiveValue === '') {
          problems.push({
            code: `${codePrefix}.syntax`,
            severity: 'error',
            message: `directive ${name} has "=" but no value`,
            offset: vStart,
          });
        }
      }
      skipOws();
    }
    if (i < n && value[i] !== ';') {
      problems.push({
        code: `${codePrefix}.syntax`,
        severity: 'error',
        message: `unexpected ${JSON.stringify(value[i])} after directive ${name}; directives are separated by ";"`,
        offset: i,
      });
      while (i < n && value[i] !== ';') i++;
    }
    directives.push({ name, value: directiveValue, offset: start });
    i++;
  }
  return { directives, problems };
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
