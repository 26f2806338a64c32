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
import { BarbicanError } from '../../errors.ts';
import {
  array,
  boolean,
  integer,
  object,
  string,
  type InferShape,
  type Schema,
} from '../../schema/index.ts';
import { reportingUrlSchema } from '../reporting-endpoints/index.ts';
import { defineHeader, type CompileContext } from '../types.ts';
import { parseReportTo } from './parse.ts';

export { parseReportTo } from './parse.ts';
export type { ReportToParseResult } from './parse.ts';

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
