/**
 * The Reporting-Endpoints parser, shared by the builder's check of raw values
 * and by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import { parseDictionary } from '../../structured-fields/index.ts';
import { URI_SCHEME } from '../../field.ts';
import type { FieldProblem } from '../../field-types.ts';

/** An absolute URL starts with `scheme:`. */
const SCHEME_COLON = new RegExp(`^${URI_SCHEME}:`, 'i');

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
    if (SCHEME_COLON.test(member.value)) {
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
