/**
 * Cross-Origin-Resource-Policy: which sites may load this response as a
 * subresource (image, script, fetch in no-cors mode). It stops other sites
 * from pulling your responses into their process, where Spectre-style
 * attacks could read them.
 *
 * Unlike COOP and COEP this header is not a structured field: Fetch compares
 * the whole value with exactly `same-origin`, `same-site` or `cross-origin`
 * (case-sensitive, no parameters), and ignores anything else.
 *
 * @see https://fetch.spec.whatwg.org/#cross-origin-resource-policy-header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Resource-Policy
 * @example
 * ```ts
 * createPolicy({ headers: { crossOriginResourcePolicy: { policy: 'same-site' } } })
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { enumeration, object, type InferShape } from '../../schema/index.ts';
import { defineHeader } from '../types.ts';
import { CORP_VALUES, parseCorp } from './parse.ts';

export { CORP_VALUES, parseCorp } from './parse.ts';
export type { CorpValue, CorpParseResult } from './parse.ts';

const shape = {
  policy: enumeration(CORP_VALUES, {
    description:
      'same-origin: only your origin may embed it. same-site: your site (any subdomain). cross-origin: anyone (for public CDNs and APIs).',
  }),
};

export type CrossOriginResourcePolicyOptions = InferShape<typeof shape>;

export const crossOriginResourcePolicy = defineHeader<CrossOriginResourcePolicyOptions>({
  key: 'crossOriginResourcePolicy',
  headerNames: ['Cross-Origin-Resource-Policy'],
  description: 'Cross-Origin-Resource-Policy: which sites may load this response as a subresource.',
  spec: 'https://fetch.spec.whatwg.org/#cross-origin-resource-policy-header',
  schema: object(shape),
  // same-origin: the default of helmet, Hono, secure.py and OWASP. Public
  // assets meant for other sites should say cross-origin explicitly.
  defaults: { policy: 'same-origin' },
  compile(options) {
    return [{ name: 'Cross-Origin-Resource-Policy', value: options.policy ?? 'same-origin' }];
  },
  compileRaw(value, _ctx, path) {
    const parsed = parseCorp(value);
    if (parsed.policy === undefined) {
      throw new BarbicanError('BARBICAN_E_ENUM', parsed.problems[0]?.message ?? 'invalid', {
        path,
        value,
        allowed: CORP_VALUES.map((v) => JSON.stringify(v)).join(', '),
      });
    }
    return [{ name: 'Cross-Origin-Resource-Policy', value: parsed.policy }];
  },
});
