/**
 * A small schema language: one definition gives runtime validation with
 * teaching errors, the TypeScript type (via {@link Infer}) and the JSON Schema
 * that editors use for completion. There is no second, hand-kept copy.
 *
 * Deliberately tiny (no dependency): objects, unions, arrays, literals,
 * integers, booleans and strings are all the policy needs.
 *
 * @module
 */
import { BarbicanError, didYouMean } from '../errors.ts';
import { assertFieldSafe, TOKEN } from '../field.ts';

/** A JSON Schema (draft 2020-12) fragment. */
export type JsonSchema = { [key: string]: unknown };

/** A validator that also describes itself as JSON Schema. `T` is the validated type. */
export interface Schema<T> {
  /** Validates `input` found at option `path`; returns it (possibly normalised) or throws {@link BarbicanError}. */
  parse(input: unknown, path: string): T;
  toJsonSchema(): JsonSchema;
  /** A short human description of what is allowed, used in error messages. */
  readonly expected: string;
  /** Phantom field carrying the type; never set. */
  readonly _type?: T;
}

/** The TypeScript type a schema validates. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

interface Common {
  readonly description?: string;
}

function withDescription(schema: JsonSchema, opts: Common | undefined): JsonSchema {
  return opts?.description === undefined ? schema : { ...schema, description: opts.description };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' || typeof value === 'undefined'
    ? `an ${typeof value}`
    : `a ${typeof value}`;
}

/** `true` or `false`. */
export function boolean(opts?: Common): Schema<boolean> {
  return {
    expected: 'true or false',
    parse(input, path) {
      if (typeof input !== 'boolean') {
        throw new BarbicanError(
          'BARBICAN_E_TYPE',
          `expected true or false, not ${typeName(input)}`,
          {
            path,
            value: input,
          },
        );
      }
      return input;
    },
    toJsonSchema: () => withDescription({ type: 'boolean' }, opts),
  };
}

interface IntegerOptions extends Common {
  readonly min?: number;
  readonly max?: number;
  /** Unit for messages, e.g. "seconds". */
  readonly unit?: string;
}

/** A whole number within `[min, max]`. Strings, NaN, infinities and fractions are refused. */
export function integer(opts: IntegerOptions = {}): Schema<number> {
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const unit = opts.unit === undefined ? '' : ` of ${opts.unit}`;
  const expected = `a whole number${unit} from ${min} to ${max}`;
  return {
    expected,
    parse(input, path) {
      if (typeof input !== 'number' || !Number.isInteger(input)) {
        throw new BarbicanError('BARBICAN_E_TYPE', `expected ${expected}`, {
          path,
          value: input,
          ...(typeof input === 'string' && /^\d+$/.test(input)
            ? { hint: `Write it as a number: ${input}, without quotes.` }
            : {}),
        });
      }
      if (input < min || input > max) {
        throw new BarbicanError('BARBICAN_E_RANGE', `expected ${expected}`, { path, value: input });
      }
      return input;
    },
    toJsonSchema: () => withDescription({ type: 'integer', minimum: min, maximum: max }, opts),
  };
}

interface StringOptions extends Common {
  /** Must match (anchored by the caller). Use only linear-time patterns. */
  readonly pattern?: RegExp;
  readonly patternDescription?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Refuse bytes that cannot appear in a header field (default true). */
  readonly fieldSafe?: boolean;
}

/** A string; by default one that is safe to place in a header field. */
export function string(opts: StringOptions = {}): Schema<string> {
  const expected = opts.patternDescription ?? 'a string';
  return {
    expected,
    parse(input, path) {
      if (typeof input !== 'string') {
        throw new BarbicanError('BARBICAN_E_TYPE', `expected ${expected}, not ${typeName(input)}`, {
          path,
          value: input,
        });
      }
      if (opts.fieldSafe !== false) assertFieldSafe(input, path);
      if (opts.minLength !== undefined && input.length < opts.minLength) {
        throw new BarbicanError(
          'BARBICAN_E_RANGE',
          `expected at least ${opts.minLength} characters`,
          { path, value: input },
        );
      }
      if (opts.maxLength !== undefined && input.length > opts.maxLength) {
        throw new BarbicanError(
          'BARBICAN_E_RANGE',
          `expected at most ${opts.maxLength} characters`,
          {
            path,
            value: input,
          },
        );
      }
      if (opts.pattern !== undefined && !opts.pattern.test(input)) {
        throw new BarbicanError('BARBICAN_E_TYPE', `expected ${expected}`, { path, value: input });
      }
      return input;
    },
    toJsonSchema: () =>
      withDescription(
        {
          type: 'string',
          ...(opts.pattern === undefined ? {} : { pattern: opts.pattern.source }),
          ...(opts.minLength === undefined ? {} : { minLength: opts.minLength }),
          ...(opts.maxLength === undefined ? {} : { maxLength: opts.maxLength }),
        },
        opts,
      ),
  };
}

interface EnumOptions extends Common {
  /** Compare case-insensitively and return the canonical spelling. */
  readonly caseInsensitive?: boolean;
}

/** One of a fixed set of strings. */
export function enumeration<const V extends string>(
  values: readonly V[],
  opts: EnumOptions = {},
): Schema<V> {
  const expected = values.map((v) => JSON.stringify(v)).join(', ');
  const lookup = new Map<string, V>(
    values.map((v) => [opts.caseInsensitive === true ? v.toLowerCase() : v, v]),
  );
  return {
    expected: `one of ${expected}`,
    parse(input, path) {
      if (typeof input === 'string') {
        const hit = lookup.get(opts.caseInsensitive === true ? input.toLowerCase() : input);
        if (hit !== undefined) return hit;
      }
      const suggestion = typeof input === 'string' ? didYouMean(input, values) : undefined;
      throw new BarbicanError('BARBICAN_E_ENUM', 'not an allowed value', {
        path,
        value: input,
        allowed: expected,
        ...(suggestion === undefined ? {} : { hint: `Did you mean "${suggestion}"?` }),
      });
    },
    toJsonSchema: () => withDescription({ enum: [...values] }, opts),
  };
}

/** Exactly one value. */
export function literal<const V extends string | number | boolean>(
  value: V,
  opts?: Common,
): Schema<V> {
  return {
    expected: JSON.stringify(value),
    parse(input, path) {
      if (input !== value) {
        throw new BarbicanError('BARBICAN_E_TYPE', `expected ${JSON.stringify(value)}`, {
          path,
          value: input,
        });
      }
      return value;
    },
    toJsonSchema: () => withDescription({ const: value }, opts),
  };
}

interface ArrayOptions extends Common {
  readonly minItems?: number;
  readonly maxItems?: number;
  /** Refuse duplicate items (compared with `===` after parsing). */
  readonly unique?: boolean;
}

/** A list whose items all match `item`. */
export function array<T>(item: Schema<T>, opts: ArrayOptions = {}): Schema<T[]> {
  const expected = `a list of ${item.expected}`;
  return {
    expected,
    parse(input, path) {
      if (!Array.isArray(input)) {
        throw new BarbicanError('BARBICAN_E_TYPE', `expected ${expected}, not ${typeName(input)}`, {
          path,
          value: input,
        });
      }
      if (opts.minItems !== undefined && input.length < opts.minItems) {
        throw new BarbicanError('BARBICAN_E_RANGE', `expected at least ${opts.minItems} item(s)`, {
          path,
          value: input,
        });
      }
      if (opts.maxItems !== undefined && input.length > opts.maxItems) {
        throw new BarbicanError('BARBICAN_E_RANGE', `expected at most ${opts.maxItems} item(s)`, {
          path,
          value: input,
        });
      }
      const out = input.map((v, i) => item.parse(v, `${path}[${i}]`));
      if (opts.unique === true) {
        const seen = new Set<T>();
        out.forEach((v, i) => {
          if (seen.has(v)) {
            throw new BarbicanError('BARBICAN_E_CONFLICT', 'duplicate item', {
              path: `${path}[${i}]`,
              value: v,
            });
          }
          seen.add(v);
        });
      }
      return out;
    },
    toJsonSchema: () =>
      withDescription(
        {
          type: 'array',
          items: item.toJsonSchema(),
          ...(opts.minItems === undefined ? {} : { minItems: opts.minItems }),
          ...(opts.maxItems === undefined ? {} : { maxItems: opts.maxItems }),
          ...(opts.unique === true ? { uniqueItems: true } : {}),
        },
        opts,
      ),
  };
}

/** A map from property name to schema. */
export type Shape = { readonly [key: string]: Schema<unknown> };

/** The type an object schema validates: every property is optional. */
export type InferShape<S extends Shape> = { -readonly [K in keyof S]?: Infer<S[K]> };

interface ObjectOptions<S extends Shape> extends Common {
  /** Properties that must be present (a missing one is `BARBICAN_E_TYPE` naming it). */
  readonly required?: readonly (keyof S & string)[];
  /** Said after "x is required", e.g. an example of a complete object. */
  readonly requiredHint?: string;
}

/**
 * An object with known, optional properties (unless listed in `required`).
 * Unknown properties are errors with a "did you mean" suggestion, because a
 * typo (`maxage`) that is silently ignored leaves the user believing they
 * are protected.
 */
export function object<S extends Shape>(
  shape: S,
  opts?: ObjectOptions<S>,
): Schema<InferShape<S>> & {
  readonly shape: S;
} {
  const keys = Object.keys(shape);
  const required = opts?.required ?? [];
  return {
    shape,
    expected: 'an object',
    parse(input, path) {
      if (!isPlainObject(input)) {
        throw new BarbicanError('BARBICAN_E_TYPE', `expected an object, not ${typeName(input)}`, {
          path,
          value: input,
        });
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        const sub = Object.hasOwn(shape, key) ? shape[key] : undefined;
        const keyPath = path === '' ? key : `${path}.${key}`;
        if (sub === undefined) {
          const suggestion = didYouMean(key, keys);
          throw new BarbicanError('BARBICAN_E_UNKNOWN_OPTION', 'unknown option', {
            path: keyPath,
            allowed: keys.join(', '),
            ...(suggestion === undefined ? {} : { hint: `Did you mean "${suggestion}"?` }),
          });
        }
        const value = input[key];
        // `undefined` means "not given", as if the key were absent.
        if (value !== undefined) out[key] = sub.parse(value, keyPath);
      }
      for (const key of required) {
        if (out[key] === undefined) {
          throw new BarbicanError('BARBICAN_E_TYPE', `${key} is required`, {
            path: path === '' ? key : `${path}.${key}`,
            ...(opts?.requiredHint === undefined ? {} : { hint: opts.requiredHint }),
          });
        }
      }
      return out as InferShape<S>;
    },
    toJsonSchema: () =>
      withDescription(
        {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(keys.map((k) => [k, shape[k]?.toJsonSchema()])),
          ...(required.length === 0 ? {} : { required: [...required] }),
        },
        opts,
      ),
  };
}

/** A map with arbitrary (validated) keys, such as Reporting-Endpoints names. */
export function record<T>(
  key: Schema<string>,
  value: Schema<T>,
  opts?: Common,
): Schema<Record<string, T>> {
  return {
    expected: `an object of ${value.expected}`,
    parse(input, path) {
      if (!isPlainObject(input)) {
        throw new BarbicanError('BARBICAN_E_TYPE', `expected an object, not ${typeName(input)}`, {
          path,
          value: input,
        });
      }
      const out: Record<string, T> = {};
      for (const k of Object.keys(input)) {
        const keyPath = `${path}.${k}`;
        key.parse(k, keyPath);
        out[k] = value.parse(input[k], keyPath);
      }
      return out;
    },
    toJsonSchema: () =>
      withDescription(
        {
          type: 'object',
          propertyNames: key.toJsonSchema(),
          additionalProperties: value.toJsonSchema(),
        },
        opts,
      ),
  };
}

/**
 * The first alternative whose *type* fits wins; its own error is reported, so
 * the user sees "maxAge must be ≥ 0" rather than "matches no alternative".
 */
export function union<A extends readonly Schema<unknown>[]>(
  alternatives: A,
  opts?: Common,
): Schema<Infer<A[number]>> {
  const expected = alternatives.map((a) => a.expected).join(', or ');
  return {
    expected,
    parse(input, path) {
      let firstError: unknown;
      for (const alt of alternatives) {
        try {
          return alt.parse(input, path) as Infer<A[number]>;
        } catch (error) {
          // A type mismatch means "try the next alternative"; anything else
          // (range, syntax, unknown option) is the real problem to report.
          // Only a mismatch at this very path counts; a nested one is real.
          if (
            error instanceof BarbicanError &&
            error.code === 'BARBICAN_E_TYPE' &&
            error.path === path
          ) {
            firstError ??= error;
            continue;
          }
          throw error;
        }
      }
      // No type name here: "expected 400, or 421, not a number; got -5"
      // would call a number not a number. The value quoted after it says enough.
      throw new BarbicanError('BARBICAN_E_TYPE', `expected ${expected}`, {
        path,
        value: input,
        cause: firstError,
      });
    },
    toJsonSchema: () => withDescription({ anyOf: alternatives.map((a) => a.toJsonSchema()) }, opts),
  };
}

/** A schema with a custom check run after the base one (for cross-field rules). */
export function refine<T>(base: Schema<T>, check: (value: T, path: string) => T): Schema<T> {
  return {
    expected: base.expected,
    parse: (input, path) => check(base.parse(input, path), path),
    toJsonSchema: () => base.toJsonSchema(),
  };
}

/** A plain object (not an array, not null, not a class instance such as Date or Map). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * An RFC 9110 field name (a token), e.g. `X-Powered-By`: the one schema every
 * option that names a header uses.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.1
 * @example
 * ```ts
 * array(headerName).parse(['X-Powered-By'], 'removeHeaders') // ['X-Powered-By']
 * ```
 */
export const headerName: Schema<string> = string({
  pattern: TOKEN,
  patternDescription: 'a header name',
});
