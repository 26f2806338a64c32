/**
 * X-XSS-Protection: controls the "XSS auditor" that old Chrome, Edge, Safari
 * and IE shipped. Every engine has removed it: it missed real attacks and
 * could be abused to delete legitimate scripts from a page or to leak
 * cross-origin data. The safe value is `0` (turn any remaining filter off);
 * `1` and `1; mode=block` are allowed for compatibility with scanners that
 * still ask for them, with the warning `BARBICAN_W_XSS_FILTER_ON`.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/X-XSS-Protection
 * @see https://owasp.org/www-project-secure-headers/#x-xss-protection
 * @example
 * ```ts
 * createPolicy({ headers: { xXssProtection: { mode: '0' } } }) // X-XSS-Protection: 0
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import type { FieldProblem } from '../../field-types.ts';
import { enumeration, object, string, type InferShape } from '../../schema/index.ts';
import { defineHeader, type CompileContext, type HeaderEmission } from '../types.ts';

const MODES = ['0', '1', '1; mode=block'] as const;

/** An absolute http(s) URL without spaces, quotes, `;` or `,` (which would end the directive). */
const REPORT_URI = /^https?:\/\/[!#$%&'()*+\-./\w:=?@[\]~]+$/;

const shape = {
  mode: enumeration(MODES, {
    description: "0 (recommended): filter off. '1': filter on. '1; mode=block': block the page.",
  }),
  reportUri: string({
    pattern: REPORT_URI,
    patternDescription: 'an absolute http(s) URL without spaces, quotes, ";" or ","',
    maxLength: 2048,
    description: 'Chromium only: where to report detected attacks. Needs mode 1.',
  }),
};

/** The object form: `{ mode?: '0' | '1' | '1; mode=block', reportUri?: string }`. */
export type XXssProtectionOptions = InferShape<typeof shape>;

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

function compile(
  options: XXssProtectionOptions,
  ctx: CompileContext,
  path: string,
): HeaderEmission[] {
  const mode = options.mode ?? '0';
  if (mode === '0') {
    if (options.reportUri !== undefined) {
      throw new BarbicanError('BARBICAN_E_CONFLICT', 'reportUri needs the filter on', {
        path: `${path}.reportUri`,
        value: options.reportUri,
        hint: 'With mode "0" nothing is ever reported; remove reportUri (recommended) or set mode',
      });
    }
    return [{ name: 'X-XSS-Protection', value: '0' }];
  }
  warnOn(ctx, `${path}.mode`);
  const value = options.reportUri === undefined ? mode : `${mode}; report=${options.reportUri}`;
  return [{ name: 'X-XSS-Protection', value }];
}

function warnOn(ctx: CompileContext, path: string): void {
  ctx.warn(
    'BARBICAN_W_XSS_FILTER_ON',
    path,
    'the XSS filter was removed from browsers because it could be abused to disable scripts or leak data; send 0 and rely on Content-Security-Policy',
  );
}

export const xXssProtection = defineHeader<XXssProtectionOptions>({
  key: 'xXssProtection',
  headerNames: ['X-XSS-Protection'],
  description: 'X-XSS-Protection: 0 turns off the abusable legacy XSS filter.',
  spec: 'https://developer.mozilla.org/docs/Web/HTTP/Headers/X-XSS-Protection',
  schema: object(shape),
  defaults: { mode: '0' },
  compile,
  compileRaw(value, ctx, path) {
    assertFieldSafe(value, path);
    const parsed = parseXXssProtection(value);
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error !== undefined || parsed.problems.length > 0) {
      const p = error ?? parsed.problems[0];
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', p?.message ?? 'invalid', {
        path,
        value,
        offset: p?.offset ?? 0,
        allowed: '"0", "1", "1; mode=block", optionally followed by "; report=<url>"',
      });
    }
    if (parsed.enabled) warnOn(ctx, path);
    return [{ name: 'X-XSS-Protection', value }];
  },
});
