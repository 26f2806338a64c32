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
import { enumeration, object, string, type InferShape } from '../../schema/index.ts';
import { defineHeader, type CompileContext, type HeaderEmission } from '../types.ts';
import { parseXXssProtection } from './parse.ts';

export { parseXXssProtection } from './parse.ts';
export type { XXssProtectionParseResult } from './parse.ts';

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
