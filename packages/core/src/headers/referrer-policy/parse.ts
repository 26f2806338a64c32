/**
 * The Referrer-Policy parser, shared by the builder's check of raw values and
 * by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import { didYouMean } from '../../errors.ts';
import type { FieldProblem } from '../../field-types.ts';

/** The eight referrer policy tokens (Referrer Policy §3). */
export const REFERRER_POLICY_TOKENS = [
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
] as const;

/** One referrer policy token. */
export type ReferrerPolicyToken = (typeof REFERRER_POLICY_TOKENS)[number];

/** What {@link parseReferrerPolicy} found. */
export interface ReferrerPolicyParseResult {
  /** The policy a current browser applies: the last recognised token, or undefined (browser default). */
  readonly policy: ReferrerPolicyToken | undefined;
  /** Every non-empty token, in order, as written. */
  readonly tokens: readonly string[];
  /** True when every token is recognised (a builder would accept it). */
  readonly valid: boolean;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses Referrer-Policy as browsers do (Referrer Policy §8.1): split the
 * comma-separated list, ignore tokens that are not policies, and keep the
 * last recognised one. Tokens match exactly (the spec compares strings, so
 * `No-Referrer` is not a policy). Never throws.
 *
 * @example
 * ```ts
 * parseReferrerPolicy('no-referrer, strict-origin-when-cross-origin').policy
 * // 'strict-origin-when-cross-origin'
 * parseReferrerPolicy('origin, bogus').policy // 'origin'
 * ```
 */
export function parseReferrerPolicy(value: string): ReferrerPolicyParseResult {
  if (typeof value !== 'string') {
    return {
      policy: undefined,
      tokens: [],
      valid: false,
      problems: [
        { code: 'referrer_policy.type', severity: 'error', message: 'not a string', offset: 0 },
      ],
    };
  }
  const tokens: string[] = [];
  const problems: FieldProblem[] = [];
  let policy: ReferrerPolicyToken | undefined;
  let offset = 0;
  for (const part of value.split(',')) {
    const t = part.trim();
    const at = offset + (part.length - part.trimStart().length);
    offset += part.length + 1;
    if (t === '') continue;
    tokens.push(t);
    if ((REFERRER_POLICY_TOKENS as readonly string[]).includes(t)) {
      policy = t as ReferrerPolicyToken;
      continue;
    }
    const suggestion = didYouMean(t, REFERRER_POLICY_TOKENS);
    problems.push({
      code: 'referrer_policy.unknown',
      severity: 'warning',
      message: `${JSON.stringify(t)} is not a referrer policy and is ignored${
        suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`
      }`,
      offset: at,
    });
  }
  if (tokens.length === 0) {
    problems.push({
      code: 'referrer_policy.empty',
      severity: 'warning',
      message: 'no policy given; browsers use their default (strict-origin-when-cross-origin)',
      offset: 0,
    });
  }
  if (policy === 'unsafe-url') {
    problems.push({
      code: 'referrer_policy.unsafe_url',
      severity: 'warning',
      message: 'unsafe-url sends the full URL everywhere, even over plain HTTP',
      offset: 0,
    });
  }
  return {
    policy,
    tokens,
    valid: tokens.length > 0 && problems.every((p) => p.code !== 'referrer_policy.unknown'),
    problems,
  };
}
