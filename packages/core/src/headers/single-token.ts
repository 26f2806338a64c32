/**
 * Shared machinery for headers whose whole value is one word from a fixed
 * list (X-Content-Type-Options, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, Origin-Agent-Cluster).
 *
 * Each such header still lives in its own folder with its own docs and
 * tests; this file only keeps the five of them from drifting apart in how
 * they validate, parse and report problems.
 *
 * @module
 */
import { BarbicanError, didYouMean } from '../errors.ts';
import { assertFieldSafe, trimOws } from '../field.ts';
import type { FieldProblem } from '../field-types.ts';
import { enumeration, object, type Schema } from '../schema/index.ts';
import { defineHeader, type HeaderModule } from './types.ts';

/** What a single-token parser reports. `token` is the canonical spelling when recognised. */
export interface TokenParseResult<V extends string> {
  /** True when the value is exactly one recognised token (surrounding whitespace allowed). */
  readonly valid: boolean;
  /** The recognised token, canonical spelling, or undefined. */
  readonly token: V | undefined;
  readonly problems: readonly FieldProblem[];
}

/**
 * Builds a parser for a one-token header. Never throws.
 *
 * @param codePrefix - prefix of problem codes, e.g. `x_dns_prefetch_control`.
 * @param caseInsensitive - whether browsers compare the token ignoring ASCII case.
 */
export function tokenParser<V extends string>(
  values: readonly V[],
  codePrefix: string,
  caseInsensitive: boolean,
): (value: string) => TokenParseResult<V> {
  return (value: string) => {
    // `typeof` guard: scanners hand us whatever came off the wire or out of JSON.
    if (typeof value !== 'string') {
      return {
        valid: false,
        token: undefined,
        problems: [
          {
            code: `${codePrefix}.type`,
            severity: 'error',
            message: 'value is not a string',
            offset: 0,
          },
        ],
      };
    }
    const trimmed = trimOws(value);
    const offset = value.length - value.trimStart().length;
    const hit = values.find((v) =>
      caseInsensitive ? v.toLowerCase() === trimmed.toLowerCase() : v === trimmed,
    );
    if (hit !== undefined) return { valid: true, token: hit, problems: [] };
    const suggestion = didYouMean(trimmed, values);
    return {
      valid: false,
      token: undefined,
      problems: [
        {
          code: trimmed === '' ? `${codePrefix}.empty` : `${codePrefix}.unknown`,
          severity: 'error',
          message:
            trimmed === ''
              ? 'the value is empty'
              : `${JSON.stringify(trimmed)} is not one of ${values.join(', ')}${
                  suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`
                }`,
          offset,
        },
      ],
    };
  };
}

interface TokenHeaderSpec<V extends string> {
  readonly key: string;
  readonly headerName: string;
  readonly description: string;
  readonly spec: string;
  readonly values: readonly V[];
  readonly defaultValue: V;
  readonly optionDescription: string;
  readonly caseInsensitive: boolean;
  readonly parse: (value: string) => TokenParseResult<V>;
}

/** The object form every one-token header takes: `{ value?: V }`. */
export interface TokenOptions<V extends string> {
  value?: V;
}

/** Defines a header module whose value is one token; the raw string is checked by `parse`. */
export function defineTokenHeader<V extends string>(
  spec: TokenHeaderSpec<V>,
): HeaderModule<TokenOptions<V>> {
  const schema = object({
    value: enumeration(spec.values, {
      caseInsensitive: spec.caseInsensitive,
      description: spec.optionDescription,
    }),
  }) as unknown as Schema<TokenOptions<V>>;
  return defineHeader<TokenOptions<V>>({
    key: spec.key,
    headerNames: [spec.headerName],
    description: spec.description,
    spec: spec.spec,
    schema,
    defaults: { value: spec.defaultValue },
    compile(options) {
      return [{ name: spec.headerName, value: options.value ?? spec.defaultValue }];
    },
    compileRaw(value, _ctx, path) {
      assertFieldSafe(value, path);
      const parsed = spec.parse(value);
      if (parsed.token === undefined) {
        const suggestion = didYouMean(value.trim(), spec.values);
        throw new BarbicanError('BARBICAN_E_ENUM', `not a ${spec.headerName} value`, {
          path,
          value,
          allowed: spec.values.map((v) => JSON.stringify(v)).join(', '),
          ...(suggestion === undefined ? {} : { hint: `Did you mean "${suggestion}"?` }),
        });
      }
      // Send the canonical spelling: a scanner (or an old browser) comparing
      // exactly should never see `NoSniff ` where `nosniff` was meant.
      return [{ name: spec.headerName, value: parsed.token }];
    },
  });
}
