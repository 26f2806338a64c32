/**
 * Report-To (legacy): endpoint groups for the first Reporting API, as JSON
 * objects separated by commas:
 * `{"group":"default","max_age":86400,"endpoints":[{"url":"https://r.example/"}]}`.
 *
 * Superseded by Reporting-Endpoints, so Barbican always warns
 * `BARBICAN_W_DEPRECATED_HEADER`. It is still the only way to configure NEL
 * (Network Error Logging) groups, which is why it is kept.
 *
 * @see https://www.w3.org/TR/2018/WD-reporting-1-20180925/#header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Report-To
 * @example
 * ```ts
 * createPolicy({ headers: { reportTo: { groups: [{ group: 'nel', max_age: 86400, endpoints: [{ url: 'https://r.example/nel' }] }] } } })
 * ```
 * @module
 */
import { BarbicanError, quote } from '../../errors.ts';
import {
  array,
  boolean,
  integer,
  isPlainObject,
  object,
  string,
  type InferShape,
  type Schema,
} from '../../schema/index.ts';
import type { FieldProblem } from '../../field-types.ts';
import { reportingUrlProblem, reportingUrlSchema } from '../reporting-endpoints/index.ts';
import { defineHeader, type CompileContext } from '../types.ts';

const endpointShape = {
  url: reportingUrlSchema,
  priority: integer({ min: 0, max: 2 ** 31 - 1, description: 'Lower is tried first.' }),
  weight: integer({ min: 0, max: 2 ** 31 - 1, description: 'Load share among equal priorities.' }),
};

const groupShape = {
  group: string({
    minLength: 1,
    maxLength: 256,
    description: 'The group name that NEL report_to and CSP report-to refer to. Default "default".',
  }),
  max_age: integer({
    min: 0,
    max: 2 ** 31 - 1,
    unit: 'seconds',
    description: 'How long browsers remember the group; 0 removes it.',
  }),
  endpoints: array(object(endpointShape), { minItems: 1, maxItems: 64 }),
  include_subdomains: boolean({ description: 'Use this group for subdomains too.' }),
};

export type ReportToGroup = InferShape<typeof groupShape>;

/** Each group needs max_age and endpoints; the schema makes fields optional, so check here. */
const groupSchema: Schema<ReportToGroup> = {
  ...object(groupShape),
  parse(input, path) {
    const g = object(groupShape).parse(input, path);
    for (const required of ['max_age', 'endpoints'] as const) {
      if (g[required] === undefined) {
        throw new BarbicanError('BARBICAN_E_TYPE', `${required} is required`, {
          path: `${path}.${required}`,
        });
      }
    }
    for (const [i, e] of (g.endpoints ?? []).entries()) {
      if (e.url === undefined) {
        throw new BarbicanError('BARBICAN_E_TYPE', 'url is required', {
          path: `${path}.endpoints[${i}].url`,
        });
      }
    }
    return g;
  },
};

const shape = { groups: array(groupSchema, { minItems: 1, maxItems: 64 }) };

export type ReportToOptions = InferShape<typeof shape>;

/** What {@link parseReportTo} returns. */
export interface ReportToParseResult {
  /** False when the value is not a comma-separated list of JSON objects. */
  readonly valid: boolean;
  readonly groups: readonly {
    group: string;
    max_age: number;
    endpoints: string[];
    include_subdomains: boolean;
  }[];
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a Report-To value (JSON objects joined by commas). Never throws;
 * groups browsers would skip (no max_age, no usable endpoint) are reported.
 *
 * @see https://www.w3.org/TR/2018/WD-reporting-1-20180925/#process-header
 * @example
 * ```ts
 * parseReportTo('{"max_age":60,"endpoints":[{"url":"https://r.example/"}]}').groups[0]?.group; // 'default'
 * ```
 */
export function parseReportTo(value: string): ReportToParseResult {
  const problems: FieldProblem[] = [];
  const groups: {
    group: string;
    max_age: number;
    endpoints: string[];
    include_subdomains: boolean;
  }[] = [];
  let list: unknown;
  try {
    // The header is a #list of JSON objects; wrapping it in [] parses them all at once.
    list = JSON.parse(`[${value}]`);
  } catch (e) {
    problems.push({
      code: 'report_to.json',
      severity: 'error',
      message: `not JSON objects separated by commas: ${e instanceof Error ? e.message : 'parse error'}`,
      offset: 0,
    });
    return { valid: false, groups, problems };
  }
  const items = Array.isArray(list) ? (list as unknown[]) : [];
  items.forEach((g, i) => {
    const bad = (message: string): void => {
      problems.push({
        code: 'report_to.group.invalid',
        severity: 'warning',
        message: `group ${i}: ${message}`,
        offset: 0,
      });
    };
    if (!isPlainObject(g)) return bad('not an object');
    const maxAge = g.max_age;
    if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0)
      return bad('max_age must be a non-negative integer');
    const name = g.group ?? 'default';
    if (typeof name !== 'string') return bad('group must be a string');
    if (!Array.isArray(g.endpoints)) return bad('endpoints must be a list');
    const urls: string[] = [];
    for (const e of g.endpoints as unknown[]) {
      const url = isPlainObject(e) ? e.url : undefined;
      const problem = typeof url === 'string' ? reportingUrlProblem(url) : 'url missing';
      if (typeof url === 'string' && problem === undefined) urls.push(url);
      else bad(`endpoint ${quote(url)} skipped: ${problem ?? ''}`);
    }
    groups.push({
      group: name,
      max_age: maxAge,
      endpoints: urls,
      include_subdomains: g.include_subdomains === true,
    });
  });
  return { valid: true, groups, problems };
}

function deprecated(ctx: CompileContext, path: string): void {
  ctx.warn(
    'BARBICAN_W_DEPRECATED_HEADER',
    path,
    'Report-To is deprecated: use reportingEndpoints for CSP/COOP/COEP reports (keep Report-To only for NEL)',
  );
}

export const reportTo = defineHeader<ReportToOptions>({
  key: 'reportTo',
  headerNames: ['Report-To'],
  description:
    'Report-To (deprecated): JSON endpoint groups of the first Reporting API; needed for NEL.',
  spec: 'https://www.w3.org/TR/2018/WD-reporting-1-20180925/#header',
  schema: object(shape),
  // There is no endpoint we could guess, so `true` needs the user's groups.
  defaults: {},
  compile(options, ctx, path) {
    deprecated(ctx, path);
    const groups = options.groups ?? [];
    if (groups.length === 0) {
      throw new BarbicanError('BARBICAN_E_TYPE', 'Report-To needs at least one group', {
        path: `${path}.groups`,
        hint: 'For example groups: [{ group: "nel", max_age: 86400, endpoints: [{ url: "https://r.example/nel" }] }]',
      });
    }
    // Compact JSON; the schema already refused non-ASCII and control characters, so the value is field-safe.
    const value = groups.map((g) => JSON.stringify(g)).join(', ');
    return [{ name: 'Report-To', value }];
  },
  compileRaw(value, ctx, path) {
    deprecated(ctx, path);
    const parsed = parseReportTo(value);
    const problem = parsed.problems[0];
    if (problem !== undefined || parsed.groups.length === 0) {
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', problem?.message ?? 'no group', {
        path,
        value,
        allowed: '{"group":"…","max_age":N,"endpoints":[{"url":"https://…"}]}, {…}',
      });
    }
    return [{ name: 'Report-To', value }];
  },
});
