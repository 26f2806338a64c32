/**
 * NEL (Network Error Logging): asks the browser to report failed (and a
 * sample of successful) requests to a Report-To group, so you see DNS, TLS
 * and connection errors your server never receives.
 *
 * NEL names a group of the legacy `Report-To` header; configure `reportTo`
 * with a group of the same name.
 *
 * @see https://w3c.github.io/network-error-logging/#nel-response-header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Network_Error_Logging
 * @example
 * ```ts
 * createPolicy({ headers: { nel: { report_to: 'nel', max_age: 86400, failure_fraction: 1 } } })
 * // NEL: {"report_to":"nel","max_age":86400,"failure_fraction":1}
 * ```
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
import { isToken } from '../../field.ts';
import type { FieldProblem } from '../../field-types.ts';
import { defineHeader } from '../types.ts';

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

const shape = {
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

export const nel = defineHeader<NelOptions>({
  key: 'nel',
  headerNames: ['NEL'],
  description: 'NEL: report network errors (DNS, TLS, connection) to a Report-To group.',
  spec: 'https://w3c.github.io/network-error-logging/',
  schema: object(shape),
  // A day, failures only: enough to notice outages without sampling traffic.
  defaults: { report_to: 'default', max_age: 86_400 },
  compile(options, _ctx, path) {
    if (options.report_to === undefined || options.max_age === undefined) {
      throw new BarbicanError('BARBICAN_E_TYPE', 'NEL needs report_to and max_age', {
        path: `${path}.${options.report_to === undefined ? 'report_to' : 'max_age'}`,
        hint: 'For example { report_to: "nel", max_age: 86400 }, with a Report-To group named "nel"',
      });
    }
    for (const list of ['request_headers', 'response_headers'] as const) {
      for (const [i, h] of (options[list] ?? []).entries()) {
        if (!isToken(h))
          throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'not a header name', {
            path: `${path}.${list}[${i}]`,
            value: h,
          });
      }
    }
    // Fixed member order so the header is stable across runs; compact JSON.
    const ordered: Record<string, unknown> = {};
    for (const k of Object.keys(shape) as (keyof NelOptions)[]) {
      if (options[k] !== undefined) ordered[k] = options[k];
    }
    return [{ name: 'NEL', value: JSON.stringify(ordered) }];
  },
  compileRaw(value, _ctx, path) {
    const parsed = parseNel(value);
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error !== undefined) {
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', error.message, {
        path,
        value,
        allowed: '{"report_to":"group","max_age":N,...}',
      });
    }
    return [{ name: 'NEL', value }];
  },
});
