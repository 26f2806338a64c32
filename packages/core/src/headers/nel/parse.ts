/**
 * The NEL (Network Error Logging) parser, shared by the builder's check of
 * raw values and by the scanner. Never throws: problems come back as data
 * with offsets.
 *
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import {
  array,
  boolean,
  headerName,
  integer,
  isPlainObject,
  object,
  string,
  type InferShape,
  type Schema,
} from '../../schema/index.ts';
import type { FieldProblem } from '../../field-types.ts';

/** A sampling rate from 0 to 1 (inclusive). */
function fraction(description: string): Schema<number> {
  return {
    expected: 'a number from 0 to 1',
    parse(input, path) {
      if (typeof input !== 'number' || !Number.isFinite(input)) {
        throw new BarbicanError('BARBICAN_E_TYPE', 'expected a number from 0 to 1', {
          path,
          value: input,
        });
      }
      if (input < 0 || input > 1) {
        throw new BarbicanError('BARBICAN_E_RANGE', 'expected a number from 0 to 1', {
          path,
          value: input,
          hint: 'It is a fraction, not a percentage: 0.05 means 5%',
        });
      }
      return input;
    },
    toJsonSchema: () => ({ type: 'number', minimum: 0, maximum: 1, description }),
  };
}

export const shape = {
  report_to: string({
    minLength: 1,
    maxLength: 256,
    description: 'The Report-To group that receives the reports.',
  }),
  max_age: integer({
    min: 0,
    max: 2 ** 31 - 1,
    unit: 'seconds',
    description: 'How long the browser keeps the policy; 0 removes it.',
  }),
  include_subdomains: boolean({ description: 'Apply the policy to subdomains too.' }),
  success_fraction: fraction('Share of successful requests to report (default 0).'),
  failure_fraction: fraction('Share of failed requests to report (default 1).'),
  request_headers: array(headerName, { maxItems: 32 }),
  response_headers: array(headerName, { maxItems: 32 }),
};

export type NelOptions = InferShape<typeof shape>;

/** What {@link parseNel} returns. */
export interface NelParseResult {
  /** False when browsers would ignore the policy. */
  readonly valid: boolean;
  readonly policy: Readonly<NelOptions> | undefined;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a NEL value (one JSON object). Never throws.
 *
 * @see https://w3c.github.io/network-error-logging/#process-policy-headers
 * @example
 * ```ts
 * parseNel('{"report_to":"nel","max_age":60}').valid; // true
 * ```
 */
export function parseNel(value: string): NelParseResult {
  const problems: FieldProblem[] = [];
  const err = (code: string, message: string): NelParseResult => {
    problems.push({ code, severity: 'error', message, offset: 0 });
    return { valid: false, policy: undefined, problems };
  };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return err('nel.json', 'not a JSON object');
  }
  if (!isPlainObject(json)) return err('nel.json', 'not a JSON object');
  try {
    const policy = object(shape).parse(
      Object.fromEntries(Object.entries(json).filter(([k]) => Object.hasOwn(shape, k))),
      'NEL',
    );
    if (policy.report_to === undefined)
      return err('nel.report_to.missing', 'report_to is required');
    if (policy.max_age === undefined) return err('nel.max_age.missing', 'max_age is required');
    for (const k of Object.keys(json)) {
      if (!Object.hasOwn(shape, k))
        problems.push({
          code: 'nel.member.unknown',
          severity: 'warning',
          message: `unknown member ${k} is ignored`,
          offset: 0,
        });
    }
    return { valid: true, policy, problems };
  } catch (e) {
    return err('nel.member.invalid', e instanceof Error ? e.message : 'invalid member');
  }
}
