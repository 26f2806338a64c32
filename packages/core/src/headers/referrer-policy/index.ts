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
import { BarbicanError } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import { array, enumeration, object, type Schema } from '../../schema/index.ts';
import { defineHeader, type CompileContext, type HeaderEmission } from '../types.ts';
import { REFERRER_POLICY_TOKENS, parseReferrerPolicy, type ReferrerPolicyToken } from './parse.ts';

export { REFERRER_POLICY_TOKENS, parseReferrerPolicy } from './parse.ts';
export type { ReferrerPolicyToken, ReferrerPolicyParseResult } from './parse.ts';

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
