/**
 * Drift (`barbican scan --policy FILE`): every difference between what a
 * site serves and what a built {@link Policy} says, as findings with codes
 * `drift.*`. The reference is core's own engine: for each request the
 * scanner sent, `evaluateRequest` says what the middleware would answer
 * (serve with this header plan, redirect, refuse the host), and the site's
 * answer is compared with it — headers by meaning, with core's parsers.
 * TLS is compared with `policy.tls` from real handshakes.
 *
 * `probeDrift` gathers the evidence (I/O, bounded); `driftFindings` is a
 * pure function of it.
 *
 * @see ../../../../docs/scan.md#drift-scan---policy
 * @module
 */
import type { Policy } from '@barbican/core';
import { headerValues, type Finding } from '../model.ts';
import { expectedVerdict, hstsIrrelevant, hstsOverHttpAllowed } from './expect.ts';
import { headerFindings, hstsOverHttp } from './headers.ts';
import { redirectFindings, unlistedHostFindings } from './http.ts';
import { expectLosses } from './losses.ts';
import { tlsDriftFindings } from './tls.ts';
import type { DeclaredLosses, DriftEvidence, DriftExchange, DriftSummary } from './types.ts';
import { finding } from '../findings/finding.ts';

export { probeDrift, retrievalExchanges, type DriftProbeOptions } from './probe.ts';
export { driftGroups, driftSuites } from './tls.ts';
export { HEADER_MEANINGS, meaningOf } from './meaning.ts';
export { expectedVerdict } from './expect.ts';
export {
  MISSING_PAGE,
  UNLISTED_HOST,
  type DeclaredLosses,
  type DriftEvidence,
  type DriftExchange,
  type DriftProbeName,
  type DriftSummary,
} from './types.ts';

const isRedirect = (status: number): boolean => status >= 300 && status <= 399;

/** HSTS on any plain-HTTP answer, where the policy sends none. */
function hstsOnHttp(policy: Policy, x: DriftExchange): Finding[] {
  const value =
    x.response === undefined ? undefined : headerValues(x.response, 'strict-transport-security')[0];
  if (value === undefined || x.url.startsWith('https:') || hstsOverHttpAllowed(policy)) return [];
  return [hstsOverHttp(x.url, value)];
}

const isMissingPage = (x: DriftExchange): boolean => x.probe.endsWith('-missing-page');

/** A finding's identity across the requests of one scheme: its code, header and scheme. */
const sameDrift = (f: Finding): string => `${f.code}|${f.header}|${f.directive ?? ''}`;

/** One exchange against the engine's verdict for the same request. */
function exchangeFindings(policy: Policy, x: DriftExchange): Finding[] {
  const verdict = expectedVerdict(policy, x);
  const https = x.url.startsWith('https:');
  const res = x.response;
  if (verdict.kind === 'respond') {
    const answered = isRedirect(verdict.status)
      ? redirectFindings(x, verdict)
      : unlistedHostFindings(x, verdict);
    return [...answered, ...hstsOnHttp(policy, x)];
  }
  if (res === undefined) {
    // Not listening on plain HTTP is stricter than any policy; HTTPS must answer.
    return https
      ? [
          finding(
            'drift.probe.failed',
            'https',
            `${x.url} gave no response (${x.error ?? 'unknown error'}); the policy serves it.`,
            'Make the site reachable over HTTPS, then scan again (--https-port, --ca, --timeout).',
          ),
        ]
      : [];
  }
  // An edge redirect to HTTPS where the policy serves HTTP carries no page:
  // its headers are not the policy's to judge, only HSTS on plain HTTP.
  const location = headerValues(res, 'location')[0] ?? '';
  if (!https && isRedirect(res.status) && /^https:/i.test(location)) return hstsOnHttp(policy, x);
  return headerFindings(res, verdict.plan, {
    url: isMissingPage(x) ? `the ${res.status} answer to ${x.url}` : x.url,
    https,
    hstsIrrelevant: hstsIrrelevant(policy, verdict),
  });
}

/**
 * Every difference between the evidence and `policy`. Pure and total: a
 * check that trips over hostile input loses its own findings, never the scan.
 * With `declared` (a deployment target's losses), a difference a loss
 * explains exactly is a `loss.expected` finding instead of drift.
 *
 * @example
 * ```ts
 * const findings = driftFindings(policy, await probeDrift(policy, retrieval, tls));
 * if (findings.some((f) => f.code.startsWith('drift.'))) process.exitCode = 1;
 * ```
 */
export function driftFindings(
  policy: Policy,
  evidence: DriftEvidence,
  declared?: DeclaredLosses,
): Finding[] {
  const out: Finding[] = [];
  const run = (check: () => Finding[]): void => {
    try {
      out.push(...check());
    } catch {
      // A check that throws on hostile input loses its findings, never the scan.
    }
  };
  const exchangeRun = (x: DriftExchange) => expectLosses(exchangeFindings(policy, x), x, declared);
  for (const x of evidence.exchanges) if (!isMissingPage(x)) run(() => exchangeRun(x));
  // A missing page's answer adds only what differs there: a header the
  // page itself also lacks is reported once.
  const seen = new Set(out.map(sameDrift));
  for (const x of evidence.exchanges) {
    if (isMissingPage(x)) run(() => exchangeRun(x).filter((f) => !seen.has(sameDrift(f))));
  }
  run(() =>
    expectLosses(
      tlsDriftFindings(policy, evidence.tls, evidence.suites, evidence.groups),
      undefined,
      declared,
    ),
  );
  return out;
}

/**
 * The `ScanResult.drift` summary for findings already merged into a result.
 *
 * @example
 * ```ts
 * driftSummary(evidence, result.findings).count; // the drift.* findings
 * ```
 */
export function driftSummary(evidence: DriftEvidence, findings: readonly Finding[]): DriftSummary {
  const drift = findings.filter((f) => f.code.startsWith('drift.'));
  return {
    count: drift.length,
    expectedLosses: findings.filter((f) => f.code === 'loss.expected').length,
    requests: evidence.requests,
    handshakes: (evidence.suites?.handshakes ?? 0) + (evidence.groups?.handshakes ?? 0),
    elapsedMs: evidence.elapsedMs,
    complete: !drift.some((f) => f.code === 'drift.tls.incomplete'),
  };
}
