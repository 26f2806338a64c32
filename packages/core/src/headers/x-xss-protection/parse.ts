/**
 * The X-XSS-Protection parser, shared by the builder's check of raw values
 * and by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import type { FieldProblem } from '../../field-types.ts';

/** What {@link parseXXssProtection} found. */
export interface XXssProtectionParseResult {
  /** True when a browser with the filter would understand the whole value. */
  readonly valid: boolean;
  /** True for `1…`: the filter is on. */
  readonly enabled: boolean;
  /** True for `mode=block`. */
  readonly block: boolean;
  readonly reportUri: string | undefined;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses X-XSS-Protection as Chromium's former XSS auditor did: `0`, or `1`
 * followed by optional `; mode=block` and `; report=<url>`. Never throws.
 *
 * @example
 * ```ts
 * parseXXssProtection('1; mode=block') // { valid: true, enabled: true, block: true, … }
 * ```
 */
export function parseXXssProtection(value: string): XXssProtectionParseResult {
  const problems: FieldProblem[] = [];
  const fail = (code: string, message: string, offset: number): XXssProtectionParseResult => {
    problems.push({ code: `x_xss_protection.${code}`, severity: 'error', message, offset });
    return { valid: false, enabled: false, block: false, reportUri: undefined, problems };
  };
  if (typeof value !== 'string') return fail('type', 'not a string', 0);
  const lead = value.length - value.trimStart().length;
  const v = value.trim();
  if (v === '') return fail('empty', 'the value is empty', 0);
  const first = v[0];
  if (first !== '0' && first !== '1') return fail('syntax', 'must start with 0 or 1', lead);
  if (first === '0') {
    // The auditor stopped at a leading 0 and ignored the rest; a scanner should still say so.
    if (v.length > 1) {
      problems.push({
        code: 'x_xss_protection.trailing',
        severity: 'warning',
        message: 'anything after 0 is ignored',
        offset: lead + 1,
      });
    }
    return { valid: true, enabled: false, block: false, reportUri: undefined, problems };
  }
  let block = false;
  let reportUri: string | undefined;
  let i = 1;
  const seen = new Set<string>();
  while (i < v.length) {
    while (v[i] === ' ' || v[i] === '\t') i++;
    if (i >= v.length) break;
    if (v[i] !== ';') return fail('syntax', 'expected ";" after 1', lead + i);
    i++;
    while (v[i] === ' ' || v[i] === '\t') i++;
    const start = i;
    const semi = v.indexOf(';', i);
    const end = semi === -1 ? v.length : semi;
    const directive = v.slice(start, end).trim();
    i = end;
    if (directive === '') continue;
    const eq = directive.indexOf('=');
    const name = (eq === -1 ? directive : directive.slice(0, eq)).trim().toLowerCase();
    const arg = eq === -1 ? '' : directive.slice(eq + 1).trim();
    if (seen.has(name)) return fail('repeated', `${name} appears more than once`, lead + start);
    seen.add(name);
    if (name === 'mode') {
      if (arg.toLowerCase() !== 'block') return fail('mode', 'mode must be block', lead + start);
      block = true;
    } else if (name === 'report') {
      if (arg === '') return fail('report', 'report needs a URL', lead + start);
      reportUri = arg;
    } else {
      return fail('directive', `unknown directive ${JSON.stringify(name)}`, lead + start);
    }
  }
  return { valid: true, enabled: true, block, reportUri, problems };
}
