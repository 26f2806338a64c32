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
import { skipOws, trimOws } from '../../field.ts';
import { enumeration, object, type InferShape } from '../../schema/index.ts';
import type { FieldProblem } from '../../field-types.ts';
import { defineHeader } from '../types.ts';

/** The CORP values Fetch defines. */
export const CORP_VALUES = ['same-origin', 'same-site', 'cross-origin'] as const;
export type CorpValue = (typeof CORP_VALUES)[number];

const shape = {
  policy: enumeration(CORP_VALUES, {
    description:
      'same-origin: only your origin may embed it. same-site: your site (any subdomain). cross-origin: anyone (for public CDNs and APIs).',
  }),
};

export type CrossOriginResourcePolicyOptions = InferShape<typeof shape>;

/** What {@link parseCorp} returns. */
export interface CorpParseResult {
  /** False when browsers ignore the header (so the response is loadable by anyone). */
  readonly valid: boolean;
  readonly policy: CorpValue | undefined;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a Cross-Origin-Resource-Policy value as Fetch does: surrounding
 * whitespace is dropped, then the value must equal one token exactly
 * (case-sensitive). Never throws.
 *
 * @see https://fetch.spec.whatwg.org/#cross-origin-resource-policy-internal-check
 * @example
 * ```ts
 * parseCorp('same-site').policy; // 'same-site'
 * parseCorp('Same-Origin').valid; // false — browsers ignore it
 * ```
 */
export function parseCorp(value: string): CorpParseResult {
  if (typeof value !== 'string') {
    return {
      valid: false,
      policy: undefined,
      problems: [{ code: 'corp.type', severity: 'error', message: 'not a string', offset: 0 }],
    };
  }
  const lead = skipOws(value, 0);
  const v = trimOws(value);
  const hit = CORP_VALUES.find((c) => c === v);
  if (hit !== undefined) return { valid: true, policy: hit, problems: [] };
  const ci = CORP_VALUES.find((c) => c === v.toLowerCase());
  return {
    valid: false,
    policy: undefined,
    problems: [
      {
        code: 'corp.value.unknown',
        severity: 'error',
        message:
          ci !== undefined
            ? `browsers compare case-sensitively: write ${ci}`
            : `not one of ${CORP_VALUES.join(', ')}; browsers ignore the header`,
        offset: lead,
      },
    ],
  };
}

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
