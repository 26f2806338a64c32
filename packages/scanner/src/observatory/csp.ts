/**
 * Observatory 1.4.x's Content-Security-Policy test, reproduced rule for rule
 * so the result code matches. This is deliberately NOT a spec-faithful CSP
 * parser (that is `parseCsp` in `@barbican/core`, used by the CSP analysis):
 * it keeps Observatory's choices, e.g. one policy per header *value* (commas
 * are not policy separators), CR/LF deleted, every repeated directive except
 * `report-uri`/`report-to` fatal, sources lowercased, and several policies
 * merged into one directive map where a source survives only if every policy
 * allows it.
 *
 * @see https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring
 * @module
 */
import type { ObservatoryInput } from './inputs.ts';
import { joinedHeader } from './inputs.ts';

/** The merged policy: directive → source set. */
export type CspMap = Map<string, Set<string>>;

/** Thrown-free result of {@link parseObservatoryCsp}. */
export type CspParse =
  | { readonly ok: true; readonly map: CspMap; readonly duplicateReports: boolean }
  | { readonly ok: false; readonly reason: string };

/** Shorter policies are refused outright ("img-src" minus one). */
const SHORTEST_POLICY = 6;
const REPEATABLE = new Set(['report-uri', 'report-to']);
const META_FORBIDDEN = ['frame-ancestors', 'report-uri', 'sandbox'];
const collator = new Intl.Collator('en');

interface Source {
  readonly source: string;
  readonly policy: number;
  keep: boolean;
}

/**
 * Whether source `b` is covered by source `a` path-wise, as Observatory's
 * merge compares `/`-separated pieces after percent-decoding (a malformed
 * escape is an error, which makes the whole header invalid).
 */
function pathCovers(a: string, b: string): boolean {
  if (a.length === 0) return true;
  if (a === '/' && b.length === 0) return true;
  const exact = !a.endsWith('/');
  const pa = a.split('/');
  const pb = b.split('/');
  if (pa.length > pb.length) return false;
  if (exact && pa.length !== pb.length) return false;
  if (!exact) pa.pop();
  for (let i = 0; i < pa.length; i++) {
    if (decodeURIComponent(pa[i] ?? '') !== decodeURIComponent(pb[i] ?? '')) return false;
  }
  return true;
}

/**
 * Parses a list of policy strings into one merged map, as Observatory does.
 * Never throws: a policy Observatory would reject yields `{ ok: false }`.
 */
export function parseObservatoryCsp(list: readonly string[], meta = false): CspParse {
  try {
    const result = parseOrThrow(list);
    if (meta) for (const d of META_FORBIDDEN) result.map.delete(d);
    return { ok: true, ...result };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function parseOrThrow(list: readonly string[]): { map: CspMap; duplicateReports: boolean } {
  const policies = list.map((p) => p.replaceAll(/[\r\n]/g, '').trim());
  for (const p of policies) {
    if (p.length < SHORTEST_POLICY) throw new Error(`policy too short: ${JSON.stringify(p)}`);
  }
  const merged = new Map<string, Source[]>();
  let duplicateReports = false;
  policies.forEach((policy, index) => {
    const seen = new Set<string>();
    for (const entry of policy.split(';')) {
      const [rawName = '', ...rawValues] = entry.trim().split(/\s+/);
      if (rawName === '') continue;
      const name = rawName.toLowerCase();
      if (seen.has(name)) {
        if (!REPEATABLE.has(name)) throw new Error(`duplicate directive ${name}`);
        duplicateReports = true;
      }
      seen.add(name);
      const first = index === 0;
      const values: Source[] = rawValues.map((v) => ({
        source: v.trim().toLowerCase(),
        policy: index,
        keep: first,
      }));
      // An empty source list means nothing is allowed.
      if (values.length === 0 && name.endsWith('-src')) {
        values.push({ source: "'none'", policy: index, keep: first });
      }
      const combined = first ? values : [...(merged.get(name) ?? []), ...values];
      combined.sort((a, b) => collator.compare(a.source, b.source));
      for (let i = 1; i < combined.length; i++) {
        const cur = combined[i];
        const prev = combined[i - 1];
        if (cur === undefined || prev === undefined) continue;
        // Within one policy a longer source that extends a shorter one is redundant.
        if (cur.policy === prev.policy && cur.source.startsWith(prev.source)) cur.keep = false;
        // Across policies a source survives only when the other policy covers it.
        if (cur.policy !== prev.policy && pathCovers(prev.source, cur.source)) cur.keep = true;
      }
      const kept = combined.filter((s) => s.keep);
      merged.set(name, kept);
      // Once a later policy follows, the first policy's sources must be
      // re-earned by matching, so they start out unkept.
      if (first && list.length > 1) for (const s of kept) s.keep = false;
    }
  });
  const map: CspMap = new Map();
  for (const [name, sources] of merged) {
    map.set(name, sources.length > 0 ? new Set(sources.map((s) => s.source)) : new Set(["'none'"]));
  }
  return { map, duplicateReports };
}

const BROAD = new Set([
  'ftp:',
  'http:',
  'https:',
  '*',
  'http://*',
  'http://*.*',
  'https://*',
  'https://*.*',
]);
const BROAD_OR_INLINE = new Set([...BROAD, "'unsafe-inline'", 'data:']);
const PASSIVE = ['img-src', 'media-src'];
const NONCE_OR_HASH = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];

function hasNonceOrHash(sources: Iterable<string>): boolean {
  for (const s of sources) if (NONCE_OR_HASH.some((p) => s.startsWith(p))) return true;
  return false;
}

function some(sources: Iterable<string>, test: (s: string) => boolean): boolean {
  for (const s of sources) if (test(s)) return true;
  return false;
}

const insecure = (s: string): boolean => s.startsWith('http:') || s.startsWith('ftp:');

/** The CSP test's outcome. */
export interface CspTestOutcome {
  readonly result: string;
  readonly pass: boolean;
  /**
   * The merged policy after the test's own edits (nonces cancelling
   * `'unsafe-inline'`, `'strict-dynamic'` dropping hosts), or undefined when
   * no policy was graded. The X-Frame-Options test reads `frame-ancestors` here.
   */
  readonly policy: CspMap | undefined;
}

/**
 * Grades the CSP of `input.auto`: the (joined) header and every meta CSP.
 * `splitHeaderPolicies` is the spec-faithful variant: each comma-separated
 * policy of the header counts as its own policy (CSP3 §2.2).
 */
export function cspTest(input: ObservatoryInput, splitHeaderPolicies = false): CspTestOutcome {
  const none = { pass: false, policy: undefined };
  if (input.auto === undefined || input.sessionUrl === undefined) {
    return { result: 'csp-not-implemented', ...none };
  }
  let header = joinedHeader(input.auto, 'content-security-policy');
  if (splitHeaderPolicies) {
    header = joinedHeader(input.auto, 'content-security-policy')
      .flatMap((v) => v.split(','))
      .filter((p) => p.trim() !== '');
  }
  const meta = input.httpEquiv.csp;
  const all = parseObservatoryCsp([...header, ...meta]);
  if (!all.ok) return { result: 'csp-header-invalid', ...none };
  const headerOnly = parseObservatoryCsp(header);
  const metaOnly = parseObservatoryCsp(meta, true);
  // Observatory records repeated report-uri/report-to as an extra map entry
  // that the meta filter does not remove, so it counts towards "implemented".
  const headerSize = headerOnly.ok ? headerOnly.map.size + Number(headerOnly.duplicateReports) : 0;
  const metaSize = metaOnly.ok ? metaOnly.map.size + Number(metaOnly.duplicateReports) : 0;
  if (headerSize + metaSize === 0) {
    // Report-Only is honoured only as a header, never in a meta element.
    const ro = joinedHeader(input.auto, 'content-security-policy-report-only')[0];
    return {
      result: ro ? 'csp-not-implemented-but-reporting-enabled' : 'csp-not-implemented',
      ...none,
    };
  }
  const csp = all.map;
  const defaultSrc = csp.get('default-src');
  // Note: these are the map's own sets, so the edits below are visible to
  // later checks and to every directive that falls back to default-src.
  const objectSrc = csp.get('object-src') ?? defaultSrc ?? new Set(['*']);
  const scriptSrc = csp.get('script-src') ?? defaultSrc ?? new Set(['*']);
  const styleSrc = csp.get('style-src') ?? defaultSrc ?? new Set(['*']);
  let result: string | undefined;

  // A nonce or hash makes browsers ignore 'unsafe-inline' (CSP2+).
  for (const list of [scriptSrc, styleSrc]) {
    if (hasNonceOrHash(list) && list.has("'unsafe-inline'")) list.delete("'unsafe-inline'");
  }
  if (scriptSrc.has("'strict-dynamic'")) {
    if (hasNonceOrHash(scriptSrc)) {
      // 'strict-dynamic' makes browsers ignore host and scheme sources, 'self' and 'unsafe-inline'.
      for (const s of [...scriptSrc]) {
        if (some(BROAD, (b) => s.startsWith(b)) || s === "'self'" || s === "'unsafe-inline'") {
          scriptSrc.delete(s);
        }
      }
    } else {
      // 'strict-dynamic' without a nonce or hash blocks every script.
      result = 'csp-header-invalid';
    }
  }
  const active: string[] = [];
  for (const [name, list] of csp)
    if (!PASSIVE.includes(name) && name !== 'script-src') active.push(...list);
  active.push(...scriptSrc);
  const passive: string[] = [];
  for (const d of PASSIVE) passive.push(...(csp.get(d) ?? csp.get('default-src') ?? []));
  const https = input.sessionUrl.protocol === 'https:';

  if (some(scriptSrc, (s) => BROAD_OR_INLINE.has(s)) || some(objectSrc, (s) => BROAD.has(s))) {
    result ??= 'csp-implemented-with-unsafe-inline';
  }
  if (https && active.some(insecure)) result ??= 'csp-implemented-with-insecure-scheme';
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'")) {
    result ??= 'csp-implemented-with-unsafe-eval';
  }
  if (https && passive.some(insecure)) {
    result ??= 'csp-implemented-with-insecure-scheme-in-passive-content-only';
  }
  if (some(styleSrc, (s) => BROAD_OR_INLINE.has(s))) {
    result ??= 'csp-implemented-with-unsafe-inline-in-style-src-only';
  }
  const finalDefault = csp.get('default-src');
  if (finalDefault?.has("'none'") === true && finalDefault.size === 1) {
    result ??= 'csp-implemented-with-no-unsafe-default-src-none';
  }
  result ??= 'csp-implemented-with-no-unsafe';
  const pass = [
    'csp-implemented-with-no-unsafe',
    'csp-implemented-with-no-unsafe-default-src-none',
    'csp-implemented-with-unsafe-inline-in-style-src-only',
    'csp-implemented-with-insecure-scheme-in-passive-content-only',
  ].includes(result);
  // A passing policy with a repeated report-uri/report-to loses its bonus.
  if (pass && all.duplicateReports) result = 'csp-implemented-but-duplicate-directives';
  return { result, pass, policy: csp };
}
