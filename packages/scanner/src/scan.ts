/**
 * `scan`: one URL in, one {@link ScanResult} out. Retrieval and the TLS probe
 * run first, in parallel; the analysers are pure functions over what they
 * fetched: Observatory's score and tests, the CSP analysis, hstspreload
 * eligibility and the reviewer's checks. Their findings are merged,
 * deduplicated and sorted worst first.
 *
 * @module
 */
import { isIP } from 'node:net';
import type { Policy } from '@barbican/core';
import { SCHEME_PREFIX } from '@barbican/core/parsers';
import { boundFindings } from './bounds.ts';
import { cspFindings } from './csp/index.ts';
import {
  driftFindings,
  driftSummary,
  probeDrift,
  retrievalExchanges,
  type DeclaredLosses,
  type DriftEvidence,
} from './drift/index.ts';
import { BarbicanError } from './errors.ts';
import { reviewFindings } from './findings/index.ts';
import {
  finalResponse,
  gradableResponse,
  type Chain,
  type Finding,
  type Retrieval,
  type ScanFailure,
  type ScanResult,
  type Severity,
} from './model.ts';
import { observatory, type ObservatoryOptions } from './observatory/index.ts';
import { preloadEligibility, type PreloadPolicy } from './preload/index.ts';
import { retrieve, type RetrieveOptions } from './retrieve/index.ts';
import { isPublicAddress, privateAddressError, publicOnlyLookup } from './retrieve/public-only.ts';
import { redactCredentials, redactDeep } from './redact.ts';
import { runPool } from './pool.ts';
import { probeTls, type GroupProbeReport, type SuiteProbeReport } from './tls/probe.ts';
import type { TlsReport } from './tls/types.ts';

/** Options for {@link scan} and {@link scanMany}. */
export interface ScanOptions extends RetrieveOptions, ObservatoryOptions {
  /** hstspreload policy; default `bulk-1-year`. */
  readonly preloadPolicy?: PreloadPolicy;
  /** Skip the TLS probe (the HTTPS responses are still fetched); default false. */
  readonly skipTls?: boolean;
  /**
   * Shared TLS probes keyed by `host:port`: many URLs on one server cost one
   * probe. {@link scanMany} passes one; callers may too.
   */
  readonly tlsCache?: Map<string, Promise<TlsReport>>;
  /**
   * `--policy`: compare what the site serves with this policy and add a
   * `drift.*` finding per difference (and `ScanResult.drift`). Costs at most
   * two more requests and `SUITE_PROBE_LIMITS.maxSuites` handshakes per server.
   */
  readonly policy?: Policy;
  /**
   * With `policy`: what the deployment target declared it cannot express
   * (`barbican export`'s losses, `scan --target`). A difference a loss
   * explains exactly is a `loss.expected` finding, not drift.
   */
  readonly losses?: DeclaredLosses;
  /** Shared single-suite TLS probes for drift; {@link scanMany} passes one. */
  readonly suiteCache?: Map<string, Promise<SuiteProbeReport>>;
  /** Shared single-group TLS probes for drift; {@link scanMany} passes one. */
  readonly groupCache?: Map<string, Promise<GroupProbeReport>>;
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { high: 0, medium: 1, low: 2, info: 3 };

/**
 * Scans one URL: fetches it over HTTP and HTTPS, probes TLS, and grades.
 *
 * @example
 * ```ts
 * const result = await scan('https://example.com/');
 * console.log(result.grade, result.findings.filter((f) => f.severity === 'high'));
 * ```
 * @throws {BarbicanError} `BARBICAN_E_USAGE` for a URL that is not http(s);
 *   `BARBICAN_E_SCAN_FAILED` when neither scheme produced a gradable response.
 */
export async function scan(url: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const target = scanTarget(url);
  const httpsPort =
    opts.httpsPort ??
    (target.protocol === 'https:' && target.port !== '' ? Number(target.port) : 443);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (opts.publicOnly === true && isIP(host) !== 0 && !isPublicAddress(host)) {
    throw new BarbicanError('BARBICAN_E_SCAN_PRIVATE', privateAddressError(host, host).message, {
      value: redactCredentials(url),
      hint: 'Drop --no-private to scan private and loopback addresses',
    });
  }
  // The probe connects on its own, so it gets the guarded lookup too.
  const probeOpts =
    opts.publicOnly === true ? { ...opts, lookup: publicOnlyLookup(opts.lookup) } : opts;
  const [retrieval, tls] = await Promise.all([
    retrieve(target.href, { probeWww: true, ...opts }),
    opts.skipTls === true ? Promise.resolve(undefined) : probeOnce(host, httpsPort, probeOpts),
  ]);
  const drift =
    opts.policy === undefined ? undefined : await probeDrift(opts.policy, retrieval, tls, opts);
  return assemble(retrieval, tls, opts, drift);
}

/**
 * Scans many URLs with at most `concurrency` in flight, sharing TLS probes
 * per host:port. Results keep the input order; a URL that cannot be scanned
 * gives its error in place of a result.
 *
 * @example
 * ```ts
 * const results = await scanMany(['https://a.example/', 'https://b.example/'], {}, 4);
 * ```
 */
export async function scanMany(
  urls: readonly string[],
  opts: ScanOptions = {},
  concurrency = 4,
  onSettled?: (done: number, total: number) => void,
): Promise<(ScanResult | BarbicanError)[]> {
  const shared: ScanOptions = {
    ...opts,
    tlsCache: opts.tlsCache ?? new Map<string, Promise<TlsReport>>(),
    suiteCache: opts.suiteCache ?? new Map<string, Promise<SuiteProbeReport>>(),
    groupCache: opts.groupCache ?? new Map<string, Promise<GroupProbeReport>>(),
  };
  const results = await runPool(
    urls,
    async (url) => {
      try {
        return await scan(url, shared);
      } catch (error) {
        return error instanceof BarbicanError
          ? error
          : new BarbicanError(
              'BARBICAN_E_SCAN_FAILED',
              redactCredentials(`${url}: ${String(error)}`),
              { value: redactCredentials(url) },
            );
      }
    },
    { concurrency, ...(onSettled === undefined ? {} : { onSettled }) },
  );
  // The task never throws and no deadline is set, so every slot is filled.
  return results.map(
    (r, i) => r ?? new BarbicanError('BARBICAN_E_SCAN_FAILED', `${urls[i] ?? ''}: not scanned`),
  );
}

/**
 * Grades an existing retrieval (and TLS report): the pure half of
 * {@link scan}, for tests and for replaying captured responses. With
 * `opts.policy`, drift is judged from `drift` (what {@link scan} probed) or,
 * when absent, from the retrieval's own first responses and the TLS report.
 *
 * The graded response is the final HTTPS one, else the final HTTP one (as
 * Observatory does); a chain that stopped on a redirect it could not follow
 * has none. Why a chain ended early is kept in `errors`, and as a finding.
 *
 * @throws {BarbicanError} `BARBICAN_E_SCAN_FAILED` when neither chain has a
 *   response to grade (the message carries each chain's own error, e.g.
 *   `BARBICAN_E_SCAN_REDIRECTS` for a loop), or when Observatory would not
 *   grade the status (it requires 2xx, 3xx, 401 or 403).
 */
export function assemble(
  retrieval: Retrieval,
  tls: TlsReport | undefined,
  opts: ScanOptions = {},
  drift?: DriftEvidence,
): ScanResult {
  const graded: Retrieval = {
    ...retrieval,
    https: deadEndsRemoved(retrieval.https),
    http: deadEndsRemoved(retrieval.http),
  };
  const final = finalResponse(graded.https) ?? finalResponse(graded.http);
  if (final === undefined) throw unscannable(retrieval);
  if (!gradable(final.status)) {
    throw new BarbicanError(
      'BARBICAN_E_SCAN_FAILED',
      redactCredentials(
        `${retrieval.url}: the site answered ${final.status}; only 2xx, 3xx, 401 and 403 are graded`,
      ),
    );
  }
  // A TLS report with no handshake at all says nothing the HTTPS chain's
  // error does not already say; leave it out rather than flag every version.
  const usefulTls = tls !== undefined && tls.negotiated.protocol !== '' ? tls : undefined;
  const obs = observatory(graded, {
    ...(opts.preloaded === undefined ? {} : { preloaded: opts.preloaded }),
    ...(opts.registrableDomain === undefined ? {} : { registrableDomain: opts.registrableDomain }),
  });
  const preload = preloadEligibility(graded, {
    ...(opts.preloadPolicy === undefined ? {} : { policy: opts.preloadPolicy }),
    ...(usefulTls === undefined ? {} : { tls: usefulTls }),
  });
  const evidence: DriftEvidence | undefined =
    opts.policy === undefined
      ? undefined
      : (drift ?? {
          exchanges: retrievalExchanges(retrieval, opts),
          ...(usefulTls === undefined ? {} : { tls: usefulTls }),
          requests: 0,
          elapsedMs: 0,
        });
  const findings = mergeFindings([
    obs.findings,
    cspFindings(final),
    preload.findings,
    reviewFindings(graded, usefulTls),
    opts.policy === undefined || evidence === undefined
      ? []
      : driftFindings(opts.policy, evidence, opts.losses),
  ]);
  // Credentials in the URL were sent as asked, but are never printed.
  return redactDeep({
    url: retrieval.url,
    finalUrl: final.url,
    grade: obs.grade,
    score: obs.score,
    tests: obs.tests,
    findings,
    preload: { eligible: preload.eligible, errors: preload.errors, warnings: preload.warnings },
    tls: usefulTls ?? null,
    ...(retrieval.insecure === true ? { insecure: true } : {}),
    ...(evidence === undefined ? {} : { drift: driftSummary(evidence, findings) }),
    errors: chainErrors(retrieval),
  });
}

/** A chain with no gradable final response keeps its error but no responses to grade. */
function deadEndsRemoved(chain: Chain): Chain {
  if (gradableResponse(chain) !== undefined || chain.responses.length === 0) return chain;
  return chain.error === undefined ? { responses: [] } : { responses: [], error: chain.error };
}

function chainErrors(r: Retrieval): string[] {
  return [r.https.error, r.http.error].filter((e) => e !== undefined);
}

/**
 * Neither chain has a response to grade: `BARBICAN_E_SCAN_FAILED`, with each
 * chain's error (and its own code: `BARBICAN_E_SCAN_REDIRECTS` for a loop)
 * in the message.
 */
function unscannable(r: Retrieval): BarbicanError {
  const why = chainErrors(r);
  return new BarbicanError(
    'BARBICAN_E_SCAN_FAILED',
    redactCredentials(
      `${r.url}: no response to grade over HTTPS or HTTP (${why.join('; ') || 'no error recorded'})`,
    ),
  );
}

/**
 * The {@link ScanFailure} that takes a failed URL's place in a report.
 *
 * @example
 * ```ts
 * const outcomes = (await scanMany(urls)).map((o, i) =>
 *   o instanceof BarbicanError ? scanFailure(urls[i], o) : o,
 * );
 * ```
 */
export function scanFailure(
  url: string,
  error: { readonly code: string; readonly message: string },
): ScanFailure {
  return {
    url: redactCredentials(url),
    error: { code: error.code, message: redactCredentials(error.message) },
  };
}

/**
 * Concatenates finding lists, drops exact repeats (same code, header,
 * directive and value: two analysers noticing the same thing) and sorts by
 * severity, keeping each analyser's order within a severity.
 */
export function mergeFindings(lists: readonly (readonly Finding[])[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const list of lists) {
    for (const f of list) {
      const key = JSON.stringify([f.code, f.header, f.directive ?? '', f.value ?? '']);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  // Array.prototype.sort is stable (ES2019), so analyser order survives.
  // Then the report's size is bounded (bounds.ts): aggregated per
  // directive, long strings clipped, the total capped.
  return boundFindings(out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]));
}

function gradable(status: number): boolean {
  return (status >= 200 && status <= 399) || status === 401 || status === 403;
}

/**
 * The URL `scan` fetches for `url`: a bare host name means `https://host/`;
 * only http and https are scanned.
 *
 * @throws {BarbicanError} `BARBICAN_E_USAGE` for anything else, so a caller
 *   can check a whole list before sending a request.
 * @example
 * ```ts
 * scanTarget('example.com').href; // 'https://example.com/'
 * ```
 */
export function scanTarget(url: string): URL {
  let target: URL;
  try {
    // A bare host name means https://host/.
    target = new URL(SCHEME_PREFIX.test(url) ? url : `https://${url}`);
  } catch {
    throw new BarbicanError('BARBICAN_E_USAGE', 'not a URL', {
      value: redactCredentials(url),
      hint: 'Pass an http:// or https:// URL, or a host name',
    });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new BarbicanError('BARBICAN_E_USAGE', `only http and https URLs can be scanned`, {
      value: redactCredentials(url),
      hint: 'Pass an http:// or https:// URL, or a host name',
    });
  }
  return target;
}

function probeOnce(host: string, port: number, opts: ScanOptions): Promise<TlsReport> {
  const key = `${host}:${port}`;
  const cached = opts.tlsCache?.get(key);
  if (cached !== undefined) return cached;
  const probe = probeTls(host, port, {
    ...(opts.ca === undefined ? {} : { ca: opts.ca }),
    ...(opts.lookup === undefined ? {} : { lookup: opts.lookup }),
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
  opts.tlsCache?.set(key, probe);
  return probe;
}
