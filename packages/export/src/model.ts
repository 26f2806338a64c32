/**
 * The normalised model of a policy that every export target renders: plain
 * data, computed once from a built {@link Policy}, so each renderer is a small
 * pure function of it (STYLE.md item 12).
 *
 * It is read from the same compiled guards and response plans the middleware
 * runs on, so the export cannot disagree with the middleware about a value.
 *
 * @module
 */
import {
  describeAllowedHosts,
  evaluateRequest,
  HEADER_KEYS,
  HEADER_MODULES,
  OWASP_REMOVE_HEADERS,
  trustedProxyRanges,
  type AllowedHostRule,
  type Policy,
  type PresetName,
  type ResponsePlan,
} from '@barbican/core';
import { policySections, type ResolvedErrorsSection, type ResolvedTlsSection } from './sections.ts';

/** On which responses a header goes: every one, or only effective HTTPS (HSTS) or only plain HTTP. */
export type Scheme = 'both' | 'https' | 'http';

/** One header the policy sets. */
export interface ModelHeader {
  /** Canonical casing, e.g. `Content-Security-Policy`. */
  readonly name: string;
  readonly value: string;
  readonly scheme: Scheme;
  /** The option that produces it (`headers.csp`), for errors and warnings. */
  readonly path: string;
  /** True when the middleware splices a per-request nonce into it; `value` is the nonce-free variant. */
  readonly nonce: boolean;
}

/** The host allow-list. */
export interface ModelHosts {
  readonly rules: readonly AllowedHostRule[];
  /** True when `"*"` is listed: every well-formed host is served. */
  readonly any: boolean;
  /** The middleware's answer to a host not on the list: status, headers and body. */
  readonly refusal: ModelRefusal;
}

/** A response the middleware sends itself (never the application). */
export interface ModelRefusal {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** The HTTP → HTTPS redirect. */
export interface ModelRedirect {
  /** For GET and HEAD. */
  readonly safeStatus: number;
  /** For every other method (307/308 keep the method and body). */
  readonly unsafeStatus: number;
  /** A fixed target host name (no port), or undefined for the request's validated host. */
  readonly host: string | undefined;
  /** The HTTPS port when not 443. */
  readonly port: number | undefined;
  /** Path prefixes served over plain HTTP too (ACME HTTP-01 by default). */
  readonly exempt: readonly string[];
}

/** Proxies whose forwarded headers are believed. */
export interface ModelProxies {
  /** `address/prefix` texts, named sets expanded. */
  readonly ranges: readonly string[];
  /** Header carrying the client address chain (`X-Forwarded-For`), or undefined. */
  readonly forHeader: string | undefined;
  /** `[header, value]` pairs meaning "the client used HTTPS". */
  readonly proto: readonly (readonly [string, string])[];
  /** Header carrying the original host, or undefined. */
  readonly hostHeader: string | undefined;
}

/** What the export renders: the policy as data. */
export interface ExportModel {
  readonly preset: PresetName;
  readonly headers: readonly ModelHeader[];
  /** Response headers to strip (fingerprints), not counting Server. */
  readonly remove: readonly string[];
  /** What happens to Server: stripped, set (then it is in `headers`), or left as the app sends it. */
  readonly server: 'remove' | 'set' | 'keep';
  /** The middleware withholds HSTS from localhost and IP-literal hosts. */
  readonly hstsLocalGuard: boolean;
  readonly hosts: ModelHosts | undefined;
  readonly redirect: ModelRedirect | undefined;
  readonly proxies: ModelProxies | undefined;
  /** The middleware refuses cross-site unsafe requests (no target can). */
  readonly csrf: boolean;
  readonly tls: ResolvedTlsSection;
  readonly errors: ResolvedErrorsSection;
}

/** Header name (lower case) → the option that writes it. */
const OPTION_OF: ReadonlyMap<string, string> = new Map(
  HEADER_KEYS.flatMap((key) =>
    HEADER_MODULES[key].headerNames.map((n) => [n.toLowerCase(), `headers.${key}`] as const),
  ),
);

interface PlanHeader {
  readonly name: string;
  readonly value: string;
  readonly nonce: boolean;
}

function planHeaders(plan: ResponsePlan): PlanHeader[] {
  return [
    ...plan.set.map(([name, value]) => ({ name, value, nonce: false })),
    ...plan.nonced.map((h) => ({ name: h.name, value: h.value, nonce: true })),
  ];
}

/** Merges the two plans: a header with the same value in both is `both`. */
function mergePlans(https: ResponsePlan, http: ResponsePlan): ModelHeader[] {
  const plain = planHeaders(http);
  const same = (a: PlanHeader, b: PlanHeader) =>
    a.name.toLowerCase() === b.name.toLowerCase() && a.value === b.value;
  const out: ModelHeader[] = [];
  const path = (name: string) => OPTION_OF.get(name.toLowerCase()) ?? 'headers';
  for (const h of planHeaders(https)) {
    const scheme = plain.some((p) => same(p, h)) ? 'both' : 'https';
    out.push({ ...h, scheme, path: path(h.name) });
  }
  for (const h of plain) {
    if (!out.some((o) => o.scheme === 'both' && same(o, h)))
      out.push({ ...h, scheme: 'http', path: path(h.name) });
  }
  return out;
}

/** Canonical casing for removed names (the plan keeps them lower case). */
function casedNames(policy: Policy, lower: readonly string[]): string[] {
  const r = policy.options.removeHeaders;
  const given = Array.isArray(r) ? r : typeof r === 'object' ? (r.add ?? []) : [];
  const known = new Map([...OWASP_REMOVE_HEADERS, ...given].map((n) => [n.toLowerCase(), n]));
  return lower.map((n) => known.get(n) ?? n);
}

function redirectOf(policy: Policy): ModelRedirect | undefined {
  const r = policy.guards.redirect;
  if (r === undefined) return undefined;
  const port = r.portSuffix === '' ? undefined : Number(r.portSuffix.slice(1));
  const host =
    r.host === undefined ? undefined : r.host.slice(0, r.host.length - r.portSuffix.length);
  return {
    safeStatus: r.safeStatus,
    unsafeStatus: r.unsafeStatus,
    host,
    port,
    exempt: r.exempt,
  };
}

function proxiesOf(policy: Policy): ModelProxies | undefined {
  const g = policy.guards.proxy;
  if (g === undefined) return undefined;
  return {
    ranges: trustedProxyRanges(policy.options.trustedProxies ?? []),
    forHeader: g.forHeader,
    proto: g.proto,
    hostHeader: g.hostHeader,
  };
}

function hostsOf(policy: Policy): ModelHosts | undefined {
  const g = policy.guards;
  const entries = policy.options.allowedHosts;
  if (g.hosts === undefined || entries === undefined) return undefined;
  const rules = describeAllowedHosts(entries, 'allowedHosts');
  return { rules, any: rules.some((r) => r.kind === 'any'), refusal: refusalOf(policy) };
}

/**
 * Asks the engine itself how it refuses a bad host (a Host with userinfo is
 * malformed whatever the list says), so the export copies the middleware's
 * exact status, headers and body instead of restating them.
 */
function refusalOf(policy: Policy): ModelRefusal {
  const verdict = evaluateRequest(policy, {
    method: 'GET',
    target: '/',
    headerValues: (name) => (name === 'host' ? ['refused@barbican.invalid'] : []),
    peer: undefined,
    tls: false,
  });
  if (verdict.kind === 'respond') return verdict;
  // Unreachable with an allow-list; a plain 400 keeps the type honest.
  return { status: policy.guards.badHostStatus, headers: [], body: '' };
}

/**
 * Builds the export model of a policy.
 *
 * @example
 * ```ts
 * const model = buildExportModel(createPolicy({ preset: 'strict', allowedHosts: ['app.example'] }));
 * model.headers.find((h) => h.name === 'Strict-Transport-Security')?.scheme // 'https'
 * ```
 */
export function buildExportModel(policy: Policy): ExportModel {
  const g = policy.guards;
  const removeLower = g.https.removeList;
  const headers = mergePlans(g.https, g.http);
  const server = removeLower.includes('server')
    ? 'remove'
    : headers.some((h) => h.name.toLowerCase() === 'server')
      ? 'set'
      : 'keep';
  const sections = policySections(policy);
  return {
    preset: policy.preset,
    headers,
    remove: casedNames(
      policy,
      removeLower.filter((n) => n !== 'server'),
    ),
    server,
    hstsLocalGuard: g.localHstsGuard,
    hosts: hostsOf(policy),
    redirect: redirectOf(policy),
    proxies: proxiesOf(policy),
    csrf: g.csrf !== undefined,
    tls: sections.tls,
    errors: sections.errors,
  };
}
