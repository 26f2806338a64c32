/**
 * The reporting cross-check: every `report-to` name a policy uses must be
 * defined in the same response, by Reporting-Endpoints or (older Chromium) a
 * Report-To group. Browsers look the name up there and silently drop the
 * report when it is missing, so a typo costs every report and says nothing.
 *
 * Its own module because it reads both Reporting-Endpoints and Report-To,
 * and Report-To already imports Reporting-Endpoints (no import cycles).
 *
 * @see https://w3c.github.io/reporting/#header
 * @see https://w3c.github.io/webappsec-csp/#directive-report-to
 * @module
 */
import { isPlainObject } from '../schema/index.ts';
import { parseReportTo } from './report-to/index.ts';
import { parseReportingEndpoints } from './reporting-endpoints/index.ts';

/** One `report-to` name with no endpoint behind it. */
export interface UndefinedReportEndpoint {
  /** The option path that names it, e.g. `headers.csp.directives.report-to`. */
  readonly path: string;
  readonly name: string;
}

const CROSS_ORIGIN_KEYS = [
  'crossOriginOpenerPolicy',
  'crossOriginOpenerPolicyReportOnly',
  'crossOriginEmbedderPolicy',
  'crossOriginEmbedderPolicyReportOnly',
] as const;

/** The endpoint names a resolved policy defines: Reporting-Endpoints keys and Report-To groups. */
function definedNames(resolved: Readonly<Record<string, unknown>>): Set<string> {
  const names = new Set<string>();
  const re = resolved.reportingEndpoints;
  if (isPlainObject(re) && isPlainObject(re.endpoints))
    for (const n of Object.keys(re.endpoints)) names.add(n);
  else if (typeof re === 'string')
    for (const n of Object.keys(parseReportingEndpoints(re).endpoints)) names.add(n);
  const rt = resolved.reportTo;
  if (isPlainObject(rt) && Array.isArray(rt.groups)) {
    for (const g of rt.groups as unknown[])
      // A group without a name is "default" (Reporting API 2018 §3.2).
      names.add(isPlainObject(g) && typeof g.group === 'string' ? g.group : 'default');
  } else if (typeof rt === 'string') for (const g of parseReportTo(rt).groups) names.add(g.group);
  return names;
}

/** The first `report-to` token of a raw CSP (browsers use the first directive and its first token). */
function rawCspReportTo(raw: string): string | undefined {
  for (const directive of raw.split(';')) {
    const [name, token] = directive.trim().split(/[\t\n\f\r ]+/);
    if (name?.toLowerCase() === 'report-to') return token;
  }
  return undefined;
}

/**
 * Lists `report-to` names that a resolved policy uses (CSP and
 * CSP-Report-Only `report-to`, COOP/COEP and their report-only variants'
 * `reportTo`) but neither Reporting-Endpoints nor a Report-To group defines:
 * reports to them are silently dropped. `createPolicy` turns each into a
 * `BARBICAN_W_UNDEFINED_REPORT_ENDPOINT` warning; it takes the policy's
 * `resolved` settings so the CLI or a test can run it too.
 *
 * @example
 * ```ts
 * undefinedReportingEndpoints(createPolicy(opts).resolved);
 * // [{ path: 'headers.crossOriginOpenerPolicy.reportTo', name: 'coop' }]
 * ```
 */
export function undefinedReportingEndpoints(
  resolved: Readonly<Record<string, unknown>>,
): UndefinedReportEndpoint[] {
  const used: UndefinedReportEndpoint[] = [];
  for (const key of ['csp', 'cspReportOnly'] as const) {
    const opt = resolved[key];
    if (isPlainObject(opt) && isPlainObject(opt.directives)) {
      const v: unknown = opt.directives['report-to'];
      const name = Array.isArray(v) ? (v[0] as unknown) : v;
      if (typeof name === 'string')
        used.push({ path: `headers.${key}.directives.report-to`, name });
    } else if (typeof opt === 'string') {
      const name = rawCspReportTo(opt);
      if (name !== undefined) used.push({ path: `headers.${key}`, name });
    }
  }
  for (const key of CROSS_ORIGIN_KEYS) {
    const opt = resolved[key];
    if (isPlainObject(opt) && typeof opt.reportTo === 'string')
      used.push({ path: `headers.${key}.reportTo`, name: opt.reportTo });
    else if (typeof opt === 'string') {
      // A raw value is an RFC 9651 Item: `same-origin; report-to="coop"`.
      const name = /;\s*report-to="([^"\\]*)"/.exec(opt)?.[1];
      if (name !== undefined) used.push({ path: `headers.${key}`, name });
    }
  }
  if (used.length === 0) return used;
  const defined = definedNames(resolved);
  return used.filter((u) => !defined.has(u.name));
}
