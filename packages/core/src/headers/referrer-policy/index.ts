/**
 * Referrer-Policy: how much of the current URL the browser sends in the
 * Referer header of requests the page makes. Paths and query strings often
 * carry tokens, search terms or IDs; `strict-origin-when-cross-origin`
 * (browsers' default) or stricter keeps them on the site.
 *
 * A list is a fallback chain for old browsers: each browser applies the
 * last token it understands (Referrer Policy §8.1).
 *
 * @see https://w3c.github.io/webappsec-referrer-policy/#referrer-policy-header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Referrer-Policy
 * @example
 * ```ts
 * createPolicy({ headers: { referrerPolicy: { policy: ['no-referrer', 'strict-origin-when-cross-origin'] } } })
 * // Referrer-Policy: no-referrer, strict-origin-when-cross-origin
 * ```
 * @module
 */
import { BarbicanError, didYouMean } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import type { FieldProblem } from '../../field-types.ts';
import { array, enumeration, object, type Schema } from '../../schema/index.ts';
import { defineHeader, type CompileContext, type HeaderEmission } from '../types.ts';

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

/** The object form: one token, or a fallback list (the last one a browser knows wins). */
export interface ReferrerPolicyOptions {
  policy?: ReferrerPolicyToken | ReferrerPolicyToken[];
}

const token = enumeration(REFERRER_POLICY_TOKENS, {
  description: 'A referrer policy token.',
});

const tokenList = array(token, {
  minItems: 1,
  maxItems: 8,
  unique: true,
  description: 'A fallback list.',
});

/** One token or a list; dispatches on the input's type so each form reports its own error. */
const policySchema: Schema<ReferrerPolicyToken | ReferrerPolicyToken[]> = {
  expected: `${token.expected}, or ${tokenList.expected}`,
  parse: (input, path) =>
    Array.isArray(input) ? tokenList.parse(input, path) : token.parse(input, path),
  toJsonSchema: () => ({ anyOf: [token.toJsonSchema(), tokenList.toJsonSchema()] }),
};

const schema = object({ policy: policySchema }) as unknown as Schema<ReferrerPolicyOptions>;

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

function compile(
  tokens: readonly ReferrerPolicyToken[],
  ctx: CompileContext,
  path: string,
): HeaderEmission[] {
  // The policy a browser ends up with is the last token; warn when that leaks.
  if (tokens.at(-1) === 'unsafe-url') {
    ctx.warn(
      'BARBICAN_W_REFERRER_UNSAFE',
      path,
      'unsafe-url sends full URLs (paths, query strings) to every site, even over plain HTTP; use strict-origin-when-cross-origin',
    );
  }
  return [{ name: 'Referrer-Policy', value: tokens.join(', ') }];
}

export const referrerPolicy = defineHeader<ReferrerPolicyOptions>({
  key: 'referrerPolicy',
  headerNames: ['Referrer-Policy'],
  description: 'Referrer-Policy: how much of the URL is sent as Referer.',
  spec: 'https://w3c.github.io/webappsec-referrer-policy/#referrer-policy-header',
  schema,
  defaults: { policy: 'strict-origin-when-cross-origin' },
  compile(options, ctx, path) {
    const p = options.policy ?? 'strict-origin-when-cross-origin';
    return compile(typeof p === 'string' ? [p] : p, ctx, `${path}.policy`);
  },
  compileRaw(value, ctx, path) {
    assertFieldSafe(value, path);
    const parsed = parseReferrerPolicy(value);
    if (parsed.tokens.length === 0) {
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'no referrer policy token', {
        path,
        value,
        allowed: REFERRER_POLICY_TOKENS.join(', '),
      });
    }
    // A raw value is held to the builder's rules: every token known, none repeated.
    const tokens = tokenList.parse(parsed.tokens, path);
    return compile(tokens, ctx, path).map((e) => ({ ...e, value }));
  },
});
