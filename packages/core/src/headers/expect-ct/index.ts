/**
 * Expect-CT: asked browsers to require Certificate Transparency for this
 * host. Deprecated: Chrome made CT mandatory for every certificate and
 * removed the header in version 107; other browsers never supported it. It is
 * still accepted because hardening guides (OpenKAT) list it, but it always
 * warns `BARBICAN_W_DEPRECATED_HEADER`. Sent only over HTTPS (RFC 9163 §2.2:
 * a browser ignores it on insecure responses).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9163
 * @example
 * ```ts
 * createPolicy({ headers: { expectCt: { maxAge: 86400, enforce: true } } })
 * // Expect-CT: max-age=86400, enforce   (HTTPS only)
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import { boolean, integer, object, string, type InferShape } from '../../schema/index.ts';
import { defineHeader, type CompileContext, type HeaderEmission } from '../types.ts';
import { parseExpectCt } from './parse.ts';

export { parseExpectCt } from './parse.ts';
export type { ExpectCtParseResult } from './parse.ts';

/** An absolute https URL; `"` and `\` would break the quoted-string. */
const REPORT_URI = /^https:\/\/[!#$%&'()*+,\-./\w:;=?@[\]~]+$/;

const shape = {
  maxAge: integer({
    min: 0,
    max: 1_000_000_000,
    unit: 'seconds',
    description: 'How long the browser remembers the expectation.',
  }),
  enforce: boolean({ description: 'Refuse connections without CT (otherwise report only).' }),
  reportUri: string({
    pattern: REPORT_URI,
    patternDescription: 'an absolute https URL without spaces, quotes or backslashes',
    maxLength: 2048,
    description: 'Where failures are reported (RFC 9163 requires https).',
  }),
};

/** The object form: `{ maxAge?, enforce?, reportUri? }`. */
export type ExpectCtOptions = InferShape<typeof shape>;

function warnDeprecated(ctx: CompileContext, path: string): void {
  ctx.warn(
    'BARBICAN_W_DEPRECATED_HEADER',
    path,
    'Expect-CT is obsolete: Certificate Transparency is enforced for all certificates and Chrome removed the header (v107); it has no effect',
  );
}

function compile(options: ExpectCtOptions, ctx: CompileContext, path: string): HeaderEmission[] {
  warnDeprecated(ctx, path);
  let value = `max-age=${options.maxAge ?? 86_400}`;
  if (options.enforce === true) value += ', enforce';
  if (options.reportUri !== undefined) value += `, report-uri="${options.reportUri}"`;
  return [{ name: 'Expect-CT', value, when: 'https' }];
}

export const expectCt = defineHeader<ExpectCtOptions>({
  key: 'expectCt',
  headerNames: ['Expect-CT'],
  description: 'Expect-CT (deprecated): require Certificate Transparency. HTTPS only.',
  spec: 'https://www.rfc-editor.org/rfc/rfc9163',
  schema: object(shape),
  defaults: { maxAge: 86_400, enforce: false },
  compile,
  compileRaw(value, ctx, path) {
    assertFieldSafe(value, path);
    const parsed = parseExpectCt(value);
    const p = parsed.problems.find((x) => x.severity === 'error');
    if (p !== undefined) {
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', p.message, {
        path,
        value,
        offset: p.offset,
        allowed: 'max-age=<seconds>[, enforce][, report-uri="<https URL>"]',
      });
    }
    warnDeprecated(ctx, path);
    return [{ name: 'Expect-CT', value, when: 'https' }];
  },
});
