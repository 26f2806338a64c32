/**
 * The Cross-Origin-Resource-Policy parser, shared by the builder's check of
 * raw values and by the scanner. Never throws: problems come back as data
 * with offsets.
 *
 * @module
 */
import { skipOws, trimOws } from '../../field.ts';
import type { FieldProblem } from '../../field-types.ts';

/** The CORP values Fetch defines. */
export const CORP_VALUES = ['same-origin', 'same-site', 'cross-origin'] as const;

export type CorpValue = (typeof CORP_VALUES)[number];

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
