/**
 * What Cross-Origin-Opener-Policy, Cross-Origin-Embedder-Policy and their
 * report-only twins share: an RFC 9651 Item whose token is the policy, with
 * an optional `report-to` parameter naming a Reporting-Endpoints entry.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#obtain-coop
 * @see https://html.spec.whatwg.org/multipage/browsers.html#obtain-an-embedder-policy
 * @module
 */
import { BarbicanError } from '../errors.ts';
import { enumeration, object, string, type Schema } from '../schema/index.ts';
import {
  isKey,
  isToken,
  item,
  parseItem,
  serializeItem,
  token,
} from '../structured-fields/index.ts';
import type { FieldProblem } from '../field-types.ts';
import { defineHeader, type HeaderModule } from './types.ts';

/** The option shape of COOP and COEP (and their report-only variants). */
export interface CrossOriginPolicyOptions<V extends string> {
  policy?: V;
  /** A Reporting-Endpoints name (an RFC 9651 key) to report violations to. */
  reportTo?: string;
}

/** What {@link parseCrossOriginPolicy} returns. */
export interface CrossOriginPolicyParseResult<V extends string> {
  /** False when browsers would fall back to `unsafe-none` (syntax error or unknown token). */
  readonly valid: boolean;
  readonly policy: V | undefined;
  readonly reportTo: string | undefined;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a COOP or COEP value as browsers do (HTML: "obtain a
 * cross-origin opener/embedder policy"): an SF Item whose token must be one
 * of `allowed`, else the policy is `unsafe-none`. Never throws.
 */
export function parseCrossOriginPolicy<V extends string>(
  value: string,
  allowed: readonly V[],
  prefix: string,
): CrossOriginPolicyParseResult<V> {
  const sf = parseItem(value);
  const problems: FieldProblem[] = [...sf.problems];
  if (sf.value === undefined)
    return { valid: false, policy: undefined, reportTo: undefined, problems };
  const v = sf.value.value;
  const policy =
    isToken(v) && (allowed as readonly string[]).includes(v.token) ? (v.token as V) : undefined;
  if (policy === undefined) {
    problems.push({
      code: `${prefix}.value.unknown`,
      severity: 'error',
      message: `not one of ${allowed.join(', ')} (browsers fall back to unsafe-none)`,
      offset: 0,
    });
  }
  const param = sf.value.params.get('report-to');
  let reportTo: string | undefined;
  if (typeof param === 'string') reportTo = param;
  else if (param !== undefined) {
    problems.push({
      code: `${prefix}.report_to.type`,
      severity: 'warning',
      message: 'report-to must be a quoted string; browsers ignore it otherwise',
      offset: value.indexOf('report-to'),
    });
  }
  for (const key of sf.value.params.keys()) {
    if (key !== 'report-to') {
      problems.push({
        code: `${prefix}.param.unknown`,
        severity: 'warning',
        message: `unknown parameter ${key} is ignored`,
        offset: value.indexOf(key),
      });
    }
  }
  return { valid: policy !== undefined, policy, reportTo, problems };
}

/** A Reporting-Endpoints name: COOP/COEP can only report to a name Reporting-Endpoints can define. */
export const endpointNameSchema: Schema<string> = {
  expected: 'a Reporting-Endpoints name',
  parse(input, path) {
    const s = string().parse(input, path);
    if (!isKey(s)) {
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'not a Reporting-Endpoints name', {
        path,
        value: s,
        allowed: 'lower-case letters, digits and _-.* starting with a letter',
        hint: 'Reporting-Endpoints names are structured-field keys, so only such a name can ever match',
      });
    }
    return s;
  },
  toJsonSchema: () => ({
    type: 'string',
    pattern: '^[a-z*][a-z0-9_.*-]*$',
    description: 'The name of a Reporting-Endpoints entry to send violation reports to.',
  }),
};

interface Spec<V extends string> {
  readonly key: string;
  readonly header: string;
  readonly values: readonly V[];
  readonly defaultPolicy: V;
  readonly reportOnly: boolean;
  readonly description: string;
  readonly spec: string;
  readonly codePrefix: string;
  readonly policyDescription: string;
}

/** Builds the module for one of COOP, COOP-RO, COEP, COEP-RO. */
export function crossOriginPolicyModule<V extends string>(
  spec: Spec<V>,
): HeaderModule<CrossOriginPolicyOptions<V>> {
  const schema = object({
    policy: enumeration(spec.values, { description: spec.policyDescription }),
    reportTo: endpointNameSchema,
  }) as unknown as Schema<CrossOriginPolicyOptions<V>>;
  const noEndpoint = (ctx: Parameters<HeaderModule<object>['compile']>[1], path: string): void => {
    if (spec.reportOnly) {
      ctx.warn(
        'BARBICAN_W_REPORT_ONLY_NO_ENDPOINT',
        `${path}.reportTo`,
        `${spec.header} without reportTo reports violations nowhere; name a Reporting-Endpoints entry`,
      );
    }
  };
  return defineHeader<CrossOriginPolicyOptions<V>>({
    key: spec.key,
    headerNames: [spec.header],
    description: spec.description,
    spec: spec.spec,
    schema,
    defaults: { policy: spec.defaultPolicy },
    compile(options, ctx, path) {
      const params = new Map<string, string>();
      if (options.reportTo !== undefined) params.set('report-to', options.reportTo);
      else noEndpoint(ctx, path);
      const value = serializeItem(item(token(options.policy ?? spec.defaultPolicy), params));
      return [{ name: spec.header, value }];
    },
    compileRaw(value, ctx, path) {
      const parsed = parseCrossOriginPolicy(value, spec.values, spec.codePrefix);
      const error = parsed.problems.find((p) => p.severity === 'error');
      if (error !== undefined) {
        throw new BarbicanError(
          error.code.endsWith('value.unknown') ? 'BARBICAN_E_ENUM' : 'BARBICAN_E_HEADER_SYNTAX',
          error.message,
          {
            path,
            value,
            offset: error.offset,
            allowed: `${spec.values.join(' | ')} [; report-to="endpoint"]`,
          },
        );
      }
      const warning = parsed.problems.find((p) => p.severity === 'warning');
      if (warning !== undefined) {
        throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', warning.message, {
          path,
          value,
          offset: warning.offset,
          allowed: `${spec.values.join(' | ')} [; report-to="endpoint"]`,
        });
      }
      if (parsed.reportTo === undefined) noEndpoint(ctx, path);
      return [{ name: spec.header, value }];
    },
  });
}
