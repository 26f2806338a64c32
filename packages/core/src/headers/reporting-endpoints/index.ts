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
  parseDictionary,
  serializeDictionary,
  type SfDictionary,
} from '../../structured-fields/index.ts';
import type { FieldProblem } from '../../field-types.ts';
import { defineHeader, rejectRawValue } from '../types.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why `url` cannot receive reports, or undefined when it can: absolute,
 * https (or http on loopback), no credentials, no fragment.
 */
export function reportingUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (u.protocol === 'http:') {
    if (!LOOPBACK.has(u.hostname) && !u.hostname.endsWith('.localhost'))
      return 'browsers send reports only to https:// (http:// only on localhost)';
  } else if (u.protocol !== 'https:') return 'the scheme must be https://';
  if (u.username !== '' || u.password !== '')
    return 'credentials in the URL would be sent with every report and logged; use a token in the path';
  if (u.hash !== '') return 'a fragment is never sent; remove it';
  return undefined;
}

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

/** What {@link parseReportingEndpoints} returns. */
export interface ReportingEndpointsParseResult {
  /** False on a structured-field syntax error: browsers ignore the whole header. */
  readonly valid: boolean;
  /** Name → URL as written (relative URLs resolve against the response URL). */
  readonly endpoints: Readonly<Record<string, string>>;
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a Reporting-Endpoints value: an SF Dictionary whose members must be
 * Strings. Never throws; members browsers skip are reported as warnings.
 *
 * @see https://w3c.github.io/reporting/#process-header
 * @example
 * ```ts
 * parseReportingEndpoints('csp="https://r.example/csp"').endpoints.csp; // 'https://r.example/csp'
 * ```
 */
export function parseReportingEndpoints(value: string): ReportingEndpointsParseResult {
  const sf = parseDictionary(value);
  const problems: FieldProblem[] = [...sf.problems];
  const endpoints = Object.create(null) as Record<string, string>;
  if (sf.value === undefined) return { valid: false, endpoints, problems };
  for (const [name, member] of sf.value) {
    const offset = sf.offsets.get(name) ?? 0;
    if (member.kind !== 'item' || typeof member.value !== 'string') {
      problems.push({
        code: 'reporting_endpoints.value.type',
        severity: 'warning',
        message: `endpoint ${name} is not a quoted URL string, so browsers skip it`,
        offset,
      });
      continue;
    }
    // Relative URLs are legal (resolved against the response URL); only check absolute ones.
    if (/^[a-z][a-z0-9+.-]*:/i.test(member.value)) {
      const problem = reportingUrlProblem(member.value);
      if (problem !== undefined) {
        problems.push({
          code: 'reporting_endpoints.url.untrustworthy',
          severity: 'warning',
          message: `endpoint ${name}: ${problem}`,
          offset,
        });
        continue;
      }
    }
    endpoints[name] = member.value;
  }
  return { valid: true, endpoints, problems };
}

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
