/**
 * What a header value means, as a canonical JSON string, so that two
 * spellings of one policy compare equal: CSP directive and source order,
 * keyword case, list spacing, HSTS directive order and case, structured-field
 * dictionary member order, JSON key order in Report-To and NEL. Every entry
 * reads the value with core's parser for that header (`@barbican/core/parsers`),
 * the one that validated the policy: one grammar, one implementation.
 *
 * A value its parser rejects means "invalid" plus the bytes, so two broken
 * values are equal only when identical. Headers without an entry compare as
 * text with the spacing around `,` and `;` ignored.
 *
 * @module
 */
import {
  SCHEME_PREFIX,
  parseCacheControl,
  parseClearSiteData,
  parseCoep,
  parseCoop,
  parseCorp,
  parseCsp,
  parseExpectCt,
  parseFeaturePolicy,
  parseHsts,
  parseNel,
  parseOriginAgentCluster,
  parsePermissionsPolicy,
  parsePublicKeyPins,
  parseReferrerPolicy,
  parseReportingEndpoints,
  parseReportTo,
  parseXContentTypeOptions,
  parseXDnsPrefetchControl,
  parseXDownloadOptions,
  parseXFrameOptions,
  parseXPermittedCrossDomainPolicies,
  parseXXssProtection,
  type Features,
  type TokenParseResult,
} from '@barbican/core/parsers';

/**
 * Reads one header's field lines (in order) into a JSON-able value that
 * stands for what browsers do with them.
 */
type Meaning = (values: readonly string[]) => unknown;

/** Field lines combined as RFC 9110 §5.3 allows: joined with a comma. */
const joined = (values: readonly string[]): string => values.join(', ');

const invalid = (values: readonly string[]): unknown => ({ invalid: values });

/** A one-token header: its canonical token, or invalid. */
const token =
  (parse: (v: string) => TokenParseResult<string>): Meaning =>
  (values) =>
    parse(joined(values)).token ?? invalid(values);

/** Nonces differ on every response; what matters is that one is there. */
const NONCE = /^'nonce-/i;
const HASH = /^'(sha256|sha384|sha512)-/i;

/**
 * Directives whose values are names compared as written (Reporting API
 * group names, Trusted Types policy names), not hosts or keywords.
 */
const NAME_VALUED: ReadonlySet<string> = new Set(['report-to', 'trusted-types']);

/**
 * One CSP source expression, canonical: keywords and schemes lower case
 * (they match case-insensitively), a URL's scheme and host lower case and
 * its path as written, nonces as `'nonce-*'`, hash values as written.
 */
function cspSource(directive: string, source: string): string {
  if (NONCE.test(source)) return "'nonce-*'";
  const hash = HASH.exec(source);
  if (hash !== null) return `'${(hash[1] ?? '').toLowerCase()}-${source.slice(hash[0].length)}`;
  if (source.startsWith("'")) return source.toLowerCase();
  if (NAME_VALUED.has(directive)) return source;
  // [scheme://]host[:port] lower case; a path (or a path-only source) as written.
  const authorityEnd = source.indexOf('/', SCHEME_PREFIX.exec(source)?.[0].length ?? 0);
  const end = authorityEnd === -1 ? source.length : authorityEnd;
  return `${source.slice(0, end).toLowerCase()}${source.slice(end)}`;
}

/** CSP: each policy a sorted directive list with sorted, de-duplicated sources; policies as a set. */
const csp =
  (reportOnly: boolean): Meaning =>
  (values) => {
    const { policies } = parseCsp(values, { reportOnly });
    if (policies.length === 0) return invalid(values);
    return policies
      .map((p) =>
        [...p.directives.entries()]
          .map(
            ([name, sources]) =>
              `${name} ${[...new Set(sources.map((s) => cspSource(name, s)))].sort().join(' ')}`,
          )
          .sort()
          .join('; '),
      )
      .sort();
  };

/** Permissions-Policy and Feature-Policy: feature → allowlist, both unordered. */
function features(f: Features): unknown {
  return Object.keys(f)
    .sort()
    .map((name) => {
      const list = f[name];
      return [name, list === '*' || list === undefined ? '*' : [...new Set(list)].sort()];
    });
}

/** Object keys sorted, recursively: JSON key order carries no meaning. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortKeys(o[k])]),
  );
}

/** A date in the past, `0` or an unparseable value all mean "already expired" (RFC 9111 §5.3). */
function expires(values: readonly string[]): unknown {
  const at = Date.parse(joined(values));
  return Number.isNaN(at) || at <= Date.now() ? 'expired' : at;
}

/**
 * The meaning of each header Barbican can set, by lower-case name. Data: a
 * header's row is the only place that knows how to read it for drift.
 */
export const HEADER_MEANINGS: Readonly<Record<string, Meaning>> = {
  'content-security-policy': csp(false),
  'content-security-policy-report-only': csp(true),
  'strict-transport-security': (values) => {
    const h = parseHsts(joined(values));
    return h.valid ? [h.maxAge, h.includeSubDomains, h.preload] : invalid(values);
  },
  'permissions-policy': (values) => {
    const p = parsePermissionsPolicy(joined(values));
    const reportTo = p.directives.map((d) => [d.feature, d.reportTo ?? null]).sort();
    return p.valid ? [features(p.features), reportTo] : invalid(values);
  },
  'feature-policy': (values) => features(parseFeaturePolicy(joined(values)).features),
  'referrer-policy': (values) => parseReferrerPolicy(joined(values)).policy ?? invalid(values),
  'x-frame-options': (values) => {
    const x = parseXFrameOptions(joined(values));
    return x.valid ? x.action : invalid(values);
  },
  'x-content-type-options': token(parseXContentTypeOptions),
  'x-permitted-cross-domain-policies': token(parseXPermittedCrossDomainPolicies),
  'origin-agent-cluster': token(parseOriginAgentCluster),
  'x-dns-prefetch-control': token(parseXDnsPrefetchControl),
  'x-download-options': token(parseXDownloadOptions),
  'x-xss-protection': (values) => {
    const x = parseXXssProtection(joined(values));
    return x.valid ? [x.enabled, x.block, x.reportUri ?? null] : invalid(values);
  },
  'cross-origin-opener-policy': crossOrigin(parseCoop),
  'cross-origin-opener-policy-report-only': crossOrigin(parseCoop),
  'cross-origin-embedder-policy': crossOrigin(parseCoep),
  'cross-origin-embedder-policy-report-only': crossOrigin(parseCoep),
  'cross-origin-resource-policy': (values) => parseCorp(joined(values)).policy ?? invalid(values),
  'cache-control': (values) => {
    const c = parseCacheControl(joined(values));
    return c.valid
      ? c.directives.map((d) => [d.name.toLowerCase(), d.value ?? null]).sort()
      : invalid(values);
  },
  pragma: (values) =>
    joined(values)
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== '')
      .sort(),
  expires,
  'clear-site-data': (values) => {
    const c = parseClearSiteData(joined(values));
    return c.valid ? [...c.types].sort() : invalid(values);
  },
  'expect-ct': (values) => {
    const e = parseExpectCt(joined(values));
    return e.valid ? [e.maxAge, e.enforce, e.reportUri ?? null] : invalid(values);
  },
  'public-key-pins': pins(false),
  'public-key-pins-report-only': pins(true),
  'reporting-endpoints': (values) => {
    const r = parseReportingEndpoints(joined(values));
    return r.valid ? sortKeys(r.endpoints) : invalid(values);
  },
  'report-to': (values) => {
    const r = parseReportTo(joined(values));
    const groups = r.groups.map((g) => ({ ...g, endpoints: [...g.endpoints].sort() }));
    return r.valid
      ? sortKeys(groups.sort((a, b) => a.group.localeCompare(b.group)))
      : invalid(values);
  },
  nel: (values) => {
    const n = parseNel(joined(values));
    return n.valid ? sortKeys(n.policy) : invalid(values);
  },
  server: (values) => joined(values).trim(),
};

function crossOrigin(
  parse: (v: string) => {
    valid: boolean;
    policy: string | undefined;
    reportTo: string | undefined;
  },
): Meaning {
  return (values) => {
    const p = parse(joined(values));
    return p.valid ? [p.policy, p.reportTo ?? null] : invalid(values);
  };
}

function pins(reportOnly: boolean): Meaning {
  return (values) => {
    const p = parsePublicKeyPins(joined(values), { reportOnly });
    return p.valid
      ? [[...p.pins].sort(), p.maxAge ?? null, p.includeSubDomains, p.reportUri ?? null]
      : invalid(values);
  };
}

/** Any other header: the text, with the spacing around `,` and `;` ignored. */
function text(values: readonly string[]): unknown {
  // Two linear passes: spaces after each separator, then the run before it
  // ((?<!…) starts a match only where a run of spaces starts).
  return joined(values)
    .trim()
    .replace(/([,;])[ \t]+/g, '$1')
    .replace(/(?<![ \t])[ \t]+(?=[,;])/g, '');
}

/**
 * The meaning of `values` (the field lines of header `name`, in order), as
 * a string that is equal for equal meanings. Never throws on any input.
 *
 * @example
 * ```ts
 * meaningOf('strict-transport-security', ['includeSubDomains; max-age=63072000']) ===
 *   meaningOf('strict-transport-security', ['max-age=63072000; INCLUDESUBDOMAINS']); // true
 * ```
 */
export function meaningOf(name: string, values: readonly string[]): string {
  const key = name.toLowerCase();
  // Own keys only: `constructor` is not a header meaning.
  const read = (Object.hasOwn(HEADER_MEANINGS, key) ? HEADER_MEANINGS[key] : undefined) ?? text;
  try {
    return JSON.stringify(read(values));
  } catch {
    return JSON.stringify(invalid(values));
  }
}
