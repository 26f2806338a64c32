/**
 * Reporting-Endpoints: names the URLs the browser sends reports to (CSP
 * `report-to`, COOP/COEP violations, deprecations, crashes). An RFC 9651
 * Dictionary: `csp="https://r.example/csp", coop="https://r.example/coop"`.
 *
 * Endpoint URLs must be potentially trustworthy (Reporting API §3.2): HTTPS,
 * or plain HTTP on a loopback host so local development can collect reports.
 * Any other `http:` endpoint is dropped by browsers, so Barbican refuses it.
 *
 * @see https://w3c.github.io/reporting/#header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Reporting-Endpoints
 * @example
 * ```ts
 * createPolicy({ headers: { reportingEndpoints: { endpoints: { csp: 'https://r.example/csp' } } } })
 * // Reporting-Endpoints: csp="https://r.example/csp"
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { isPlainObject, object, string, type InferShape, type Schema } from '../../schema/index.ts';
import {
  isKey,
  item,
  serializeDictionary,
  type SfDictionary,
} from '../../structured-fields/index.ts';
import { defineHeader, rejectRawValue } from '../types.ts';
import { reportingUrlProblem, parseReportingEndpoints } from './parse.ts';

export { reportingUrlProblem, parseReportingEndpoints } from './parse.ts';
export type { ReportingEndpointsParseResult } from './parse.ts';

/** An endpoint URL, checked by {@link reportingUrlProblem}. */
export const reportingUrlSchema: Schema<string> = {
  expected: 'an absolute https:// URL',
  parse(input, path) {
    const s = string({ maxLength: 2048 }).parse(input, path);
    const problem = reportingUrlProblem(s);
    if (problem !== undefined) {
      throw new BarbicanError('BARBICAN_E_TYPE', problem, {
        path,
        value: s,
        allowed: 'https://host/path (or http://localhost…)',
      });
    }
    return s;
  },
  toJsonSchema: () => ({ type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 }),
};

const endpointsSchema: Schema<Record<string, string>> = {
  expected: 'an object mapping endpoint names to URLs',
  parse(input, path) {
    if (!isPlainObject(input)) {
      throw new BarbicanError('BARBICAN_E_TYPE', 'expected an object of name → URL', {
        path,
        value: input,
        hint: 'For example { csp: "https://reports.example/csp" }',
      });
    }
    const out = Object.create(null) as Record<string, string>;
    for (const name of Object.keys(input)) {
      const p = `${path}.${name}`;
      if (!isKey(name)) {
        const lower = name.toLowerCase();
        throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'not a valid endpoint name', {
          path: p,
          value: name,
          allowed:
            'lower-case letters, digits and _-.* starting with a letter (a structured-field key)',
          ...(isKey(lower) ? { hint: `Write "${lower}"` } : {}),
        });
      }
      out[name] = reportingUrlSchema.parse(input[name], p);
    }
    return out;
  },
  toJsonSchema: () => ({
    type: 'object',
    propertyNames: { type: 'string', pattern: '^[a-z*][a-z0-9_.*-]*$' },
    additionalProperties: reportingUrlSchema.toJsonSchema(),
  }),
};

const shape = { endpoints: endpointsSchema };

export type ReportingEndpointsOptions = InferShape<typeof shape>;

export const reportingEndpoints = defineHeader<ReportingEndpointsOptions>({
  key: 'reportingEndpoints',
  headerNames: ['Reporting-Endpoints'],
  description:
    'Reporting-Endpoints: named URLs that receive CSP, COOP/COEP and other browser reports.',
  spec: 'https://w3c.github.io/reporting/#header',
  schema: object(shape),
  // No endpoint is a safe guess for someone else's site: `true` alone sends nothing.
  defaults: { endpoints: {} },
  merge: (base, over) => ({
    endpoints: Object.assign(
      Object.create(null) as Record<string, string>,
      base.endpoints,
      over.endpoints,
    ),
  }),
  compile(options) {
    const dict: SfDictionary = new Map();
    for (const [name, url] of Object.entries(options.endpoints ?? {})) dict.set(name, item(url));
    if (dict.size === 0) return [];
    return [{ name: 'Reporting-Endpoints', value: serializeDictionary(dict) }];
  },
  compileRaw(value, _ctx, path) {
    const parsed = parseReportingEndpoints(value);
    rejectRawValue(parsed.problems[0], value, path, 'name="https://…", name2="https://…"');
    return [{ name: 'Reporting-Endpoints', value }];
  },
});
