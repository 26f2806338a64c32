/**
 * Configures the competitors to send the same headers as a Barbican policy,
 * so that each benchmark compares the cost of the same work.
 *
 * The mapping reads the policy's precomputed header list rather than a
 * hard-coded copy, so it keeps up as header modules are added. A header a
 * competitor cannot express is set by a tiny extra step (a `setHeader` loop)
 * and reported, so the reader sees exactly where the comparison is not
 * like for like.
 *
 * @module
 */
import type { HelmetOptions } from 'helmet';
import type { secureHeaders } from 'hono/secure-headers';

type Pair = readonly [string, string];
type HonoOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/** A competitor's configuration plus what it could not express. */
export interface Equivalent<O> {
  readonly options: O;
  /** Headers set by an extra step because the competitor has no option for them. */
  readonly leftovers: readonly Pair[];
  /** Where the output differs in form but not meaning, for the docs. */
  readonly notes: readonly string[];
}

/** `default-src 'self'; img-src a b` → `{ 'default-src': ["'self'"], 'img-src': ['a', 'b'] }`. */
export function parseCsp(value: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of value.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const [name, ...values] = tokens;
    if (name !== undefined) out[name.toLowerCase()] = values;
  }
  return out;
}

function parseHsts(value: string): {
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
} {
  const parts = value.split(';').map((p) => p.trim().toLowerCase());
  const maxAge = parts.find((p) => p.startsWith('max-age='));
  return {
    maxAge: Number(maxAge?.slice('max-age='.length) ?? 0),
    includeSubDomains: parts.includes('includesubdomains'),
    preload: parts.includes('preload'),
  };
}

const camel = (name: string): string =>
  name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * helmet 8 options that send `headers`. Every helmet module is switched off
 * unless the policy sends its header, so helmet does not do extra work (its
 * defaults include CSP, COOP, CORP and more).
 */
export function helmetEquivalent(headers: readonly Pair[]): Equivalent<HelmetOptions> {
  const o: Record<string, unknown> = {
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    strictTransportSecurity: false,
    xContentTypeOptions: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    // Barbican strips X-Powered-By (and more); helmet's closest step removes that one header.
    xPoweredBy: true,
    xXssProtection: false,
  };
  const leftovers: Pair[] = [];
  const notes: string[] = [];
  for (const pair of headers) {
    const [name, value] = pair;
    const lower = name.toLowerCase();
    const v = value.trim();
    switch (lower) {
      case 'strict-transport-security':
        o.strictTransportSecurity = parseHsts(v);
        break;
      case 'x-frame-options':
        if (/^(?:deny|sameorigin)$/i.test(v)) o.xFrameOptions = { action: v.toLowerCase() };
        else leftovers.push(pair);
        break;
      case 'content-security-policy':
      case 'content-security-policy-report-only':
        if (o.contentSecurityPolicy !== false) {
          leftovers.push(pair);
          break;
        }
        o.contentSecurityPolicy = {
          useDefaults: false,
          reportOnly: lower.endsWith('report-only'),
          directives: parseCsp(v),
        };
        notes.push(`${name}: helmet joins directives with ";" (no space)`);
        break;
      case 'referrer-policy':
        o.referrerPolicy = { policy: v.split(',').map((t) => t.trim()) };
        break;
      case 'cross-origin-embedder-policy':
      case 'cross-origin-opener-policy':
      case 'cross-origin-resource-policy':
        o[camel(lower)] = { policy: v };
        break;
      case 'x-permitted-cross-domain-policies':
        o.xPermittedCrossDomainPolicies = { permittedPolicies: v };
        break;
      case 'x-dns-prefetch-control':
        o.xDnsPrefetchControl = { allow: v === 'on' };
        break;
      // Headers helmet can only send with one fixed value.
      case 'origin-agent-cluster':
      case 'x-content-type-options':
      case 'x-download-options':
      case 'x-xss-protection': {
        const fixed: Record<string, string> = {
          'origin-agent-cluster': '?1',
          'x-content-type-options': 'nosniff',
          'x-download-options': 'noopen',
          'x-xss-protection': '0',
        };
        if (fixed[lower] === v) o[camel(lower)] = true;
        else leftovers.push(pair);
        break;
      }
      default:
        leftovers.push(pair);
    }
  }
  for (const [name] of leftovers) notes.push(`${name}: no helmet option, set by an extra step`);
  return { options: o, leftovers, notes };
}

/**
 * Hono `secureHeaders()` options that send `headers`. Hono takes most
 * headers as raw strings, CSP as directive lists.
 */
export function honoEquivalent(headers: readonly Pair[]): Equivalent<HonoOptions> {
  const o: Record<string, unknown> = {
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    strictTransportSecurity: false,
    xContentTypeOptions: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    removePoweredBy: true,
  };
  const stringKeys = new Set([
    'cross-origin-embedder-policy',
    'cross-origin-resource-policy',
    'cross-origin-opener-policy',
    'origin-agent-cluster',
    'referrer-policy',
    'strict-transport-security',
    'x-content-type-options',
    'x-dns-prefetch-control',
    'x-download-options',
    'x-frame-options',
    'x-permitted-cross-domain-policies',
    'x-xss-protection',
  ]);
  const leftovers: Pair[] = [];
  const notes: string[] = [];
  for (const pair of headers) {
    const [name, value] = pair;
    const lower = name.toLowerCase();
    if (stringKeys.has(lower)) {
      o[camel(lower)] = value;
    } else if (
      lower === 'content-security-policy' ||
      lower === 'content-security-policy-report-only'
    ) {
      const directives: Record<string, string[]> = {};
      for (const [d, values] of Object.entries(parseCsp(value))) directives[camel(d)] = values;
      o[
        lower === 'content-security-policy'
          ? 'contentSecurityPolicy'
          : 'contentSecurityPolicyReportOnly'
      ] = directives;
      notes.push(`${name}: Hono rebuilds the value from directive lists`);
    } else {
      leftovers.push(pair);
    }
  }
  for (const [name] of leftovers) notes.push(`${name}: no Hono option, set by an extra step`);
  return { options: o, leftovers, notes };
}

/**
 * Replaces every source expression that contains `mark` (the nonce stand-in)
 * in CSP directive lists with `make()`'s value: a per-request function, for
 * competitors that take one (helmet's `(req, res) => string`, Hono's
 * `NONCE`), or nothing, for those that add the nonce themselves.
 */
export function replaceNonce(
  directives: Record<string, unknown[]>,
  mark: string,
  make: (() => unknown) | undefined,
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(directives)) {
    out[name] = values.flatMap((v) =>
      typeof v === 'string' && v.includes(mark) ? (make === undefined ? [] : [make()]) : [v],
    );
  }
  return out;
}
