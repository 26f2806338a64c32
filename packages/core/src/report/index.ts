/**
 * The `report` section: one option that points every reporting header a
 * policy sends at a collector, folded into the headers when the policy is
 * built — so `policy.headersFor()`, every adapter and every export carry it.
 *
 * `report: "https://collector.example/report/shop"` (or `{ endpoint, csp,
 * coop, coep, nel }`) gives:
 * - CSP and CSP-Report-Only: `report-uri <url>` (Firefox, Safari) and
 *   `report-to csp` (Chromium), with `csp="<url>"` in Reporting-Endpoints;
 * - COOP, COEP and their report-only variants (those the policy sends):
 *   `report-to="coop"` / `report-to="coep"` and their endpoints;
 * - NEL (turned on, one day, failures only) with a Report-To group `nel`,
 *   the only way NEL reports can be routed.
 *
 * Precedence: what a header already says wins. A CSP that names its own
 * report-uri or report-to, a COOP/COEP with its own reportTo, a NEL the user
 * configured, and an endpoint name the user defined are left as written;
 * `report` only fills in what is missing (including an endpoint for a
 * report-to name nothing defines). A header turned off with `false` stays
 * off. Nothing is ever written twice.
 *
 * @see ../../../../docs/config.md#the-report-section
 * @module
 */
import { BarbicanError, type WarningCode } from '../errors.ts';
import { nel as nelModule } from '../headers/nel/index.ts';
import { parseNel } from '../headers/nel/index.ts';
import { undefinedReportingEndpoints } from '../headers/reporting.ts';
import { parseReportTo } from '../headers/report-to/index.ts';
import {
  parseReportingEndpoints,
  reportingUrlSchema,
} from '../headers/reporting-endpoints/index.ts';
import { isPlainObject, literal, object, union, type Schema } from '../schema/index.ts';

/** The kinds of report `report` can route. */
export const REPORT_KINDS = ['csp', 'coop', 'coep', 'nel'] as const;

/** One of {@link REPORT_KINDS}. */
export type ReportKind = (typeof REPORT_KINDS)[number];

/** The object form of `report`. */
export interface ReportOptions {
  /** The collector URL for every kind: https, or http on a loopback host for development. */
  endpoint?: string;
  /** Another URL for this kind, or `false` not to route it. */
  csp?: string | false;
  coop?: string | false;
  coep?: string | false;
  nel?: string | false;
}

/**
 * A report URL: what Reporting-Endpoints accepts (https, or http on
 * localhost / 127.0.0.1 / [::1], which browsers treat as potentially
 * trustworthy; no credentials, no fragment), and nothing that would end a
 * CSP directive or a structured-field string if copied into one.
 */
export const reportUrlSchema: Schema<string> = {
  expected: reportingUrlSchema.expected,
  parse(input, path) {
    const url = reportingUrlSchema.parse(input, path);
    const bad = /[\s;,"'\\]/.exec(url);
    if (bad !== null) {
      throw new BarbicanError(
        'BARBICAN_E_UNSAFE_VALUE',
        'a report URL cannot contain whitespace, ";", ",", quotes or "\\": they would end the CSP directive or the header value',
        { path, value: url, offset: bad.index, hint: 'Percent-encode the character' },
      );
    }
    return url;
  },
  toJsonSchema: () => ({
    ...reportingUrlSchema.toJsonSchema(),
    pattern: '^https?://[^\\s;,"\'\\\\]+$',
  }),
};

const kindUrl = (kind: string) =>
  union([literal(false), reportUrlSchema], {
    description: `Collector URL for ${kind} reports (default: endpoint), or false not to route them.`,
  });

const reportObjectSchema = object({
  endpoint: reportUrlSchema,
  csp: kindUrl('CSP'),
  coop: kindUrl('COOP'),
  coep: kindUrl('COEP'),
  nel: kindUrl('NEL'),
});

/** The schema of `report`: a URL, or {@link ReportOptions}. */
export const reportOptionsSchema: Schema<string | ReportOptions> = {
  expected: 'a collector URL, or { endpoint, csp, coop, coep, nel }',
  // Not a `union`: a bad URL must report its own reason, not "matches no alternative".
  parse: (input, path) =>
    typeof input === 'string'
      ? reportUrlSchema.parse(input, path)
      : reportObjectSchema.parse(input, path),
  toJsonSchema: () => ({
    description:
      'Point CSP, COOP, COEP and NEL reports at a collector: a URL, or { endpoint, csp, coop, coep, nel }.',
    anyOf: [reportUrlSchema.toJsonSchema(), reportObjectSchema.toJsonSchema()],
  }),
};

/** Where each kind of report goes after applying `report`; undefined = not routed. */
export interface ResolvedReport {
  readonly csp: string | undefined;
  readonly coop: string | undefined;
  readonly coep: string | undefined;
  readonly nel: string | undefined;
  /** The header keys `report` wrote into (e.g. `csp`, `crossOriginOpenerPolicy`, `nel`). */
  readonly folded: readonly string[];
}

/** The URL per kind: the override, else `endpoint`; `false` = not routed. */
export function reportTargets(
  report: string | ReportOptions,
): Record<ReportKind, string | undefined> {
  const o: ReportOptions = typeof report === 'string' ? { endpoint: report } : report;
  const pick = (v: string | false | undefined) => (v === false ? undefined : (v ?? o.endpoint));
  return { csp: pick(o.csp), coop: pick(o.coop), coep: pick(o.coep), nel: pick(o.nel) };
}

/** The Reporting-Endpoints names `report` uses; the Report-To group NEL uses. */
const ENDPOINT_NAME = { csp: 'csp', coop: 'coop', coep: 'coep' } as const;
const NEL_GROUP = 'nel';

const CROSS_ORIGIN = [
  ['crossOriginOpenerPolicy', 'coop'],
  ['crossOriginOpenerPolicyReportOnly', 'coop'],
  ['crossOriginEmbedderPolicy', 'coep'],
  ['crossOriginEmbedderPolicyReportOnly', 'coep'],
] as const;

/** What building a policy needs to know from folding. */
export interface FoldContext {
  /** The effective per-header settings (after the preset), modified in place. */
  readonly resolved: Record<string, unknown>;
  /** True when the user turned a header off explicitly (`headers.x: false`). */
  readonly explicitlyOff: (key: string) => boolean;
  readonly warn: (code: WarningCode, path: string, message: string) => void;
  /** `code|path` pairs to silence (Report-To that `report` itself adds for NEL). */
  readonly silence: Set<string>;
}

/**
 * Folds `report` into the resolved header settings (see the module
 * comment for the precedence). Returns where each kind now goes.
 *
 * @example
 * ```ts
 * foldReport('https://c.example/r', ctx); // ctx.resolved.csp gains report-uri and report-to
 * ```
 */
export function foldReport(report: string | ReportOptions, ctx: FoldContext): ResolvedReport {
  const targets = reportTargets(report);
  const folded: string[] = [];
  const ours = new Map<string, string>();
  foldCsp(targets.csp, ctx, folded, ours);
  foldCrossOrigin(targets, ctx, folded, ours);
  const defined = defineEndpoints(targets, ctx, ours);
  foldNel(targets.nel, ctx, folded);
  if (folded.length === 0 && defined === 0) {
    ctx.warn(
      'BARBICAN_W_REPORT_UNUSED',
      'report',
      'no header the policy sends reports anywhere (CSP, COOP, COEP and NEL are off, excluded or configured already), so report changes nothing',
    );
  }
  return Object.freeze({ ...targets, folded: Object.freeze(folded) });
}

function cspHasReporting(value: unknown): boolean {
  if (typeof value === 'string') {
    // Several policies in one raw value: left exactly as written.
    if (value.includes(',')) return true;
    return value
      .split(';')
      .some((d) => /^(?:report-uri|report-to)$/i.test(d.trim().split(/[\t ]+/)[0] ?? ''));
  }
  const directives = isPlainObject(value) ? value.directives : undefined;
  return isPlainObject(directives) && ('report-uri' in directives || 'report-to' in directives);
}

function foldCsp(
  url: string | undefined,
  ctx: FoldContext,
  folded: string[],
  ours: Map<string, string>,
): void {
  if (url === undefined) return;
  for (const key of ['csp', 'cspReportOnly'] as const) {
    const value = ctx.resolved[key];
    if (value === undefined || cspHasReporting(value)) continue;
    const name = ENDPOINT_NAME.csp;
    if (typeof value === 'string') {
      // (?<!…) starts the match at the first byte of the trailing run: linear time.
      ctx.resolved[key] =
        `${value.replace(/(?<![\s;])[\s;]*$/, '')}; report-uri ${url}; report-to ${name}`;
    } else {
      const o = value as { directives?: Record<string, unknown> };
      ctx.resolved[key] = {
        ...o,
        directives: { ...o.directives, 'report-uri': [url], 'report-to': [name] },
      };
    }
    ours.set(name, url);
    folded.push(key);
  }
}

function crossOriginHasReporting(value: unknown): boolean {
  if (typeof value === 'string') return /;\s*report-to=/.test(value);
  return isPlainObject(value) && value.reportTo !== undefined;
}

function foldCrossOrigin(
  targets: Record<ReportKind, string | undefined>,
  ctx: FoldContext,
  folded: string[],
  ours: Map<string, string>,
): void {
  for (const [key, kind] of CROSS_ORIGIN) {
    const url = targets[kind];
    const value = ctx.resolved[key];
    if (url === undefined || value === undefined || crossOriginHasReporting(value)) continue;
    const name = ENDPOINT_NAME[kind];
    ctx.resolved[key] =
      typeof value === 'string'
        ? `${value.trim()};report-to="${name}"`
        : { ...(value as object), reportTo: name };
    ours.set(name, url);
    folded.push(key);
  }
}

/** The kind whose URL serves a `report-to` name found at an option path. */
function kindOfPath(path: string): 'csp' | 'coop' | 'coep' {
  if (path.startsWith('headers.crossOriginOpener')) return 'coop';
  if (path.startsWith('headers.crossOriginEmbedder')) return 'coep';
  return 'csp';
}

/** The URL Reporting-Endpoints already gives `name`, if any. */
function definedUrl(value: unknown, name: string): string | undefined {
  if (typeof value === 'string') return parseReportingEndpoints(value).endpoints[name];
  const endpoints = isPlainObject(value) ? value.endpoints : undefined;
  const url = isPlainObject(endpoints) ? endpoints[name] : undefined;
  return typeof url === 'string' ? url : undefined;
}

/**
 * Defines in Reporting-Endpoints every name a header now reports to that
 * nothing defines yet: the names `report` wrote, and names the user wrote
 * without an endpoint behind them.
 */
function defineEndpoints(
  targets: Record<ReportKind, string | undefined>,
  ctx: FoldContext,
  ours: ReadonlyMap<string, string>,
): number {
  const existing = ctx.resolved.reportingEndpoints;
  for (const [name, url] of ours) {
    const theirs = definedUrl(existing, name);
    if (theirs !== undefined && theirs !== url) {
      throw new BarbicanError(
        'BARBICAN_E_CONFLICT',
        `report points ${name} reports at ${url}, but headers.reportingEndpoints already names "${name}" for ${theirs}`,
        {
          path: `headers.reportingEndpoints.endpoints.${name}`,
          hint: 'Remove that endpoint (report defines it), or set report to the same URL',
        },
      );
    }
  }
  const add = new Map<string, string>();
  for (const { path, name } of undefinedReportingEndpoints(ctx.resolved)) {
    const url = targets[kindOfPath(path)];
    if (url !== undefined && !add.has(name)) add.set(name, url);
  }
  if (add.size === 0) return 0;
  if (ctx.explicitlyOff('reportingEndpoints')) {
    throw new BarbicanError(
      'BARBICAN_E_CONFLICT',
      'report needs Reporting-Endpoints for report-to, but headers.reportingEndpoints is false',
      { path: 'headers.reportingEndpoints', hint: 'Remove headers.reportingEndpoints: false' },
    );
  }
  ctx.resolved.reportingEndpoints = withEndpoints(existing, add);
  return add.size;
}

function withEndpoints(existing: unknown, add: ReadonlyMap<string, string>): unknown {
  if (typeof existing === 'string') {
    const extra = [...add].map(([n, u]) => `${n}="${u}"`).join(', ');
    return existing.trim() === '' ? extra : `${existing.trim()}, ${extra}`;
  }
  const current =
    isPlainObject(existing) && isPlainObject(existing.endpoints) ? existing.endpoints : {};
  return { endpoints: { ...current, ...Object.fromEntries(add) } };
}

/** The NEL group name of an effective NEL setting. */
function nelGroup(value: unknown): { group: string; maxAge: number } | undefined {
  if (typeof value === 'string') {
    const p = parseNel(value).policy;
    return p?.report_to === undefined ? undefined : { group: p.report_to, maxAge: p.max_age ?? 0 };
  }
  if (!isPlainObject(value) || typeof value.report_to !== 'string') return undefined;
  return { group: value.report_to, maxAge: typeof value.max_age === 'number' ? value.max_age : 0 };
}

function reportToHasGroup(value: unknown, group: string): boolean {
  if (typeof value === 'string') return parseReportTo(value).groups.some((g) => g.group === group);
  const groups = isPlainObject(value) && Array.isArray(value.groups) ? value.groups : [];
  return groups.some((g: unknown) => isPlainObject(g) && (g.group ?? 'default') === group);
}

function foldNel(url: string | undefined, ctx: FoldContext, folded: string[]): void {
  if (url === undefined || ctx.explicitlyOff('nel')) return;
  if (ctx.resolved.nel === undefined) {
    ctx.resolved.nel = { ...nelModule.defaults, report_to: NEL_GROUP };
    folded.push('nel');
  }
  const nel = nelGroup(ctx.resolved.nel);
  const existing = ctx.resolved.reportTo;
  if (nel === undefined || reportToHasGroup(existing, nel.group)) return;
  if (ctx.explicitlyOff('reportTo')) {
    throw new BarbicanError(
      'BARBICAN_E_CONFLICT',
      'report needs a Report-To group for NEL, but headers.reportTo is false',
      {
        path: 'headers.reportTo',
        hint: 'Remove headers.reportTo: false, or set report.nel: false',
      },
    );
  }
  const group = { group: nel.group, max_age: nel.maxAge, endpoints: [{ url }] };
  if (existing === undefined) {
    // Report-To is deprecated, but NEL has no other way to name its endpoint.
    ctx.silence.add('BARBICAN_W_DEPRECATED_HEADER|headers.reportTo');
    ctx.resolved.reportTo = { groups: [group] };
  } else if (typeof existing === 'string') {
    ctx.resolved.reportTo = `${existing.trim()}, ${JSON.stringify(group)}`;
  } else {
    const groups = isPlainObject(existing) && Array.isArray(existing.groups) ? existing.groups : [];
    ctx.resolved.reportTo = { groups: [...(groups as unknown[]), group] };
  }
  if (!folded.includes('nel')) folded.push('nel');
}
