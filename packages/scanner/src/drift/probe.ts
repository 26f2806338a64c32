/**
 * Gathering what the drift check compares, on top of what the scan already
 * fetched: the scan's first HTTPS and HTTP responses are reused as they are;
 * the same URL is requested once per scheme with a Host the policy does not
 * allow (only when the policy refuses it); a page the site does not have is
 * requested once per scheme the site answered (unless the policy refuses
 * it): its error answer, or its redirect, which must keep the path; and
 * the server's TLS suites are probed one by one (`probeSuites`, bounded in
 * count and time).
 *
 * @module
 */
import type { Policy } from '@barbican/core';
import type { Chain, Retrieval } from '../model.ts';
import { fetchOnce, startUrls, type RetrieveOptions } from '../retrieve/index.ts';
import {
  probeGroups,
  probeSuites,
  type GroupProbeReport,
  type ProbeSuitesOptions,
  type SuiteProbeReport,
} from '../tls/probe.ts';
import type { TlsReport } from '../tls/types.ts';
import { expectedVerdict } from './expect.ts';
import { driftGroups, driftSuites } from './tls.ts';
import { MISSING_PAGE, UNLISTED_HOST, type DriftEvidence, type DriftExchange } from './types.ts';

/** Options for {@link probeDrift}: the scan's, plus a cache of suite probes per server. */
export interface DriftProbeOptions extends RetrieveOptions, ProbeSuitesOptions {
  /** Suite probes keyed by `host:port` and suite list: many URLs on one server cost one probe. */
  readonly suiteCache?: Map<string, Promise<SuiteProbeReport>>;
  /** Group probes keyed the same way. */
  readonly groupCache?: Map<string, Promise<GroupProbeReport>>;
}

/** The first exchange of a chain, as a drift exchange. */
function firstOf(probe: 'https' | 'http', url: string, chain: Chain): DriftExchange {
  const response = chain.responses[0];
  return {
    probe,
    url,
    host: new URL(url).host,
    ...(response === undefined ? {} : { response }),
    ...(response !== undefined || chain.error === undefined ? {} : { error: chain.error }),
  };
}

/**
 * The scan's own first requests as drift exchanges: no request is sent.
 * Enough for the header and redirect checks when replaying a retrieval.
 *
 * @example
 * ```ts
 * const evidence = { exchanges: retrievalExchanges(r, {}), requests: 0, elapsedMs: 0 };
 * ```
 */
export function retrievalExchanges(
  r: Retrieval,
  opts: Pick<RetrieveOptions, 'httpPort' | 'httpsPort'>,
): DriftExchange[] {
  const start = startUrls(r.url, opts);
  return [firstOf('https', start.https, r.https), firstOf('http', start.http, r.http)];
}

/** Whether the engine refuses the unlisted host for this URL (else there is nothing to check). */
function refusesUnlisted(policy: Policy, url: string): boolean {
  const v = expectedVerdict(policy, { url, host: UNLISTED_HOST });
  return v.kind === 'respond' && (v.status < 300 || v.status > 399);
}

async function unlistedExchange(
  probe: 'https-unlisted-host' | 'http-unlisted-host',
  url: string,
  opts: RetrieveOptions,
): Promise<DriftExchange> {
  const r = await fetchOnce(url, opts, { host: UNLISTED_HOST });
  return 'response' in r
    ? { probe, url, host: UNLISTED_HOST, response: r.response }
    : { probe, url, host: UNLISTED_HOST, error: r.error };
}

/**
 * The missing page on `x`'s origin, when the site answered `x` and the
 * policy serves the page or redirects it (the redirect must keep its path).
 */
function missingPageUrl(policy: Policy, x: DriftExchange): string | undefined {
  if (x.response === undefined) return undefined;
  const url = new URL(MISSING_PAGE, x.url).href;
  const v = expectedVerdict(policy, { url, host: x.host });
  return v.kind === 'pass' || (v.status >= 300 && v.status <= 399) ? url : undefined;
}

async function missingPageExchange(
  x: DriftExchange,
  url: string,
  opts: RetrieveOptions,
): Promise<DriftExchange> {
  const probe = x.probe === 'https' ? 'https-missing-page' : 'http-missing-page';
  // One try, never a redirect chain: the error answer itself is judged.
  const r = await fetchOnce(url, { ...opts, maxRedirects: 0 }, {});
  return 'response' in r
    ? { probe, url, host: x.host, response: r.response }
    : { probe, url, host: x.host, error: r.error };
}

/** `run()` once per key while `cache` lives: many URLs on one server cost one probe. */
function once<T>(
  cache: Map<string, Promise<T>> | undefined,
  key: string,
  run: () => Promise<T>,
): Promise<T> {
  const cached = cache?.get(key);
  if (cached !== undefined) return cached;
  const probe = run();
  cache?.set(key, probe);
  return probe;
}

function suitesOnce(
  policy: Policy,
  tls: TlsReport,
  opts: DriftProbeOptions,
): Promise<SuiteProbeReport> {
  const suites = driftSuites(policy, tls);
  const key = `${tls.host}:${tls.port}|${suites.map((s) => s.suite).join(':')}`;
  return once(opts.suiteCache, key, () => probeSuites(tls.host, tls.port, suites, opts));
}

function groupsOnce(
  policy: Policy,
  tls: TlsReport,
  opts: DriftProbeOptions,
): Promise<GroupProbeReport> {
  const groups = driftGroups(policy, tls);
  const key = `${tls.host}:${tls.port}|${groups.map((g) => g.group).join(':')}`;
  return once(opts.groupCache, key, () => probeGroups(tls.host, tls.port, groups, opts));
}

/**
 * The suite probes, then (when the server speaks TLS 1.3) the group
 * probes: one after the other, so a server never sees more than one
 * probe's concurrency at once.
 */
async function tlsOnce(
  policy: Policy,
  tls: TlsReport,
  opts: DriftProbeOptions,
): Promise<{ suites: SuiteProbeReport; groups?: GroupProbeReport }> {
  const suites = await suitesOnce(policy, tls, opts);
  if (!tls.protocols['TLSv1.3']) return { suites };
  return { suites, groups: await groupsOnce(policy, tls, opts) };
}

/**
 * Everything {@link driftFindings} compares for one scanned URL. Sends at
 * most four HTTP requests, {@link SUITE_PROBE_LIMITS}.maxSuites suite
 * handshakes and {@link GROUP_PROBE_LIMITS}.maxGroups group handshakes; never throws (a failed request is an exchange with an error).
 *
 * @param tls The scan's TLS report; without one (or without any handshake), no suite is probed.
 * @example
 * ```ts
 * const evidence = await probeDrift(policy, retrieval, tls, { timeoutMs: 5000 });
 * driftFindings(policy, evidence);
 * ```
 */
export async function probeDrift(
  policy: Policy,
  retrieval: Retrieval,
  tls: TlsReport | undefined,
  opts: DriftProbeOptions = {},
): Promise<DriftEvidence> {
  const started = Date.now();
  const main = retrievalExchanges(retrieval, opts);
  const unlisted = main
    .filter((x) => refusesUnlisted(policy, x.url))
    .map((x) =>
      unlistedExchange(x.probe === 'https' ? 'https-unlisted-host' : 'http-unlisted-host', x.url, {
        ...opts,
        // One try at the unlisted host, never a redirect chain.
        maxRedirects: 0,
      }),
    );
  const missing = main.flatMap((x) => {
    const url = missingPageUrl(policy, x);
    return url === undefined ? [] : [missingPageExchange(x, url, opts)];
  });
  const useful = tls !== undefined && tls.negotiated.protocol !== '' ? tls : undefined;
  const [extra, handshakes] = await Promise.all([
    Promise.all([...unlisted, ...missing]),
    useful === undefined ? Promise.resolve(undefined) : tlsOnce(policy, useful, opts),
  ]);
  const { suites, groups } = handshakes ?? {};
  return {
    exchanges: [...main, ...extra],
    ...(useful === undefined ? {} : { tls: useful }),
    ...(suites === undefined ? {} : { suites }),
    ...(groups === undefined ? {} : { groups }),
    requests: extra.length,
    elapsedMs: Date.now() - started,
  };
}
