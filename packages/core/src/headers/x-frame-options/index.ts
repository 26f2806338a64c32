/**
 * X-Frame-Options: refuses to be framed by other sites (clickjacking).
 *
 * Superseded by CSP `frame-ancestors`, which browsers prefer when both are
 * present, but still worth sending for older user agents. `ALLOW-FROM` is
 * refused: no current browser honours it, so it silently allows framing.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7034
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/X-Frame-Options
 * @example
 * ```ts
 * createPolicy({ headers: { xFrameOptions: { action: 'DENY' } } })
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { enumeration, object, type InferShape } from '../../schema/index.ts';
import { defineHeader } from '../types.ts';
import { parseXFrameOptions } from './parse.ts';

export { parseXFrameOptions } from './parse.ts';

const shape = {
  action: enumeration(['DENY', 'SAMEORIGIN'], {
    caseInsensitive: true,
    description: 'DENY: never framed. SAMEORIGIN: framed only by pages of the same origin.',
  }),
};

export type XFrameOptionsOptions = InferShape<typeof shape>;

function refuseAllowFrom(path: string, value: string): never {
  throw new BarbicanError(
    'BARBICAN_E_FRAME_ALLOW_FROM',
    'ALLOW-FROM is ignored by current browsers',
    {
      path,
      value,
      allowed: '"DENY" or "SAMEORIGIN"',
      hint: "To allow one framing origin, set csp.directives['frame-ancestors'] to [\"'self'\", 'https://example.com']",
    },
  );
}

export const xFrameOptions = defineHeader<XFrameOptionsOptions>({
  key: 'xFrameOptions',
  headerNames: ['X-Frame-Options'],
  description: 'X-Frame-Options: DENY or SAMEORIGIN framing (clickjacking defence).',
  spec: 'https://www.rfc-editor.org/rfc/rfc7034',
  schema: object(shape),
  defaults: { action: 'DENY' },
  compile(options) {
    return [{ name: 'X-Frame-Options', value: options.action ?? 'DENY' }];
  },
  compileRaw(value, _ctx, path) {
    const parsed = parseXFrameOptions(value);
    if (parsed.valid) return [{ name: 'X-Frame-Options', value: parsed.action }];
    if (parsed.allowFrom) refuseAllowFrom(path, value);
    throw new BarbicanError('BARBICAN_E_ENUM', 'not an X-Frame-Options value', {
      path,
      value,
      allowed: '"DENY" or "SAMEORIGIN"',
    });
  },
});
