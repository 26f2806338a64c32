/**
 * Expected losses (`barbican scan URL --policy FILE --target T`): a
 * deployment target cannot express all of a policy, and `barbican export`
 * declares what it loses, each loss with what responses show because of it
 * (core's {@link Loss}, `served`). A drift finding that such a sign
 * describes exactly — the same header, scheme and served value, the same
 * redirect status, the same TLS suite and outcome — is reported as a
 * `loss.expected` finding (info, not counted as drift) naming the loss.
 * Anything else stays drift: `Server: nginx/1.22.1` when nginx declared
 * `Server: nginx`, a header sent twice, a redirect to another place.
 *
 * @see ../../../../docs/scan.md#expected-losses---target
 * @module
 */
import type { Loss, LossSign } from '@barbican/core';
import { headerValues, type Finding } from '../model.ts';
import { finding } from '../findings/finding.ts';
import type { DeclaredLosses, DriftExchange } from './types.ts';

/** Whether one sign describes a finding, given the exchange it is about. */
type Describes = (sign: LossSign, f: Finding, x: DriftExchange | undefined) => boolean;

/**
 * A header sign describes a header finding when the name and scheme agree
 * and the site sent exactly the declared value (all its lines: one line
 * with that value), or nothing when the sign says the header is not sent.
 */
const header: Describes = (sign, f, x) => {
  if (sign.kind !== 'header' || sign.name !== f.header || x?.response === undefined) return false;
  if (sign.scheme !== undefined && sign.scheme !== f.directive) return false;
  const sent = headerValues(x.response, f.header);
  return sign.value === null ? sent.length === 0 : sent.length === 1 && sent[0] === sign.value;
};

/** A TLS sign names the protocol or suite and the outcome, or (neither) the whole section. */
const tls =
  (outcome: 'accepted' | 'refused'): Describes =>
  (sign, f) =>
    sign.kind === 'tls' &&
    (sign.name === undefined || sign.name === f.value) &&
    (sign.outcome === undefined || sign.outcome === outcome);

/**
 * The drift codes a loss can explain, and how. Codes not listed —
 * `drift.header.duplicate`, `drift.redirect.location`, `drift.probe.failed`,
 * `drift.tls.incomplete` — are never a declared loss.
 */
const EXPLAINABLE: Readonly<Record<string, Describes>> = {
  'drift.header.missing': header,
  'drift.header.different': header,
  'drift.header.extra': header,
  'drift.fingerprint.present': header,
  'drift.hsts.over-http': header,
  'drift.host.accepted': (sign) => sign.kind === 'hosts',
  'drift.redirect.missing': (sign) => sign.kind === 'redirect' && sign.status === null,
  'drift.redirect.status': (sign, _f, x) =>
    sign.kind === 'redirect' && sign.status !== null && sign.status === x?.response?.status,
  'drift.tls.protocol.accepted': tls('accepted'),
  'drift.tls.protocol.refused': tls('refused'),
  'drift.tls.cipher.accepted': tls('accepted'),
  'drift.tls.cipher.refused': tls('refused'),
  'drift.tls.curve.accepted': tls('accepted'),
  'drift.tls.curve.refused': tls('refused'),
};

function explaining(
  f: Finding,
  x: DriftExchange | undefined,
  losses: readonly Loss[],
): Loss | undefined {
  const describes = EXPLAINABLE[f.code];
  if (describes === undefined) return undefined;
  return losses.find((l) => (l.served ?? []).some((sign) => describes(sign, f, x)));
}

function expected(f: Finding, loss: Loss, { by, code }: DeclaredLosses): Finding {
  return finding(
    'loss.expected',
    f.header,
    `${f.message} ${by} declared this loss (${code} ${loss.feature}, ${loss.path}): ${loss.message}.`,
    `Nothing to change on ${by}, which cannot do this (without --target it is ${f.code}); where ${loss.path} matters, keep the middleware or the gateway in front.`,
    {
      ...(f.directive === undefined ? {} : { directive: f.directive }),
      ...(f.value === undefined ? {} : { value: f.value }),
    },
  );
}

/**
 * Replaces each drift finding that a declared loss explains exactly with a
 * `loss.expected` finding; the others are returned as they are.
 *
 * @param x The exchange the findings are about (undefined for TLS findings).
 * @example
 * ```ts
 * const declared = declaredLosses(exportPolicy(policy, 'nginx')); // @barbican/export
 * expectLosses(exchangeFindings(policy, x), x, declared);
 * // drift.fingerprint.present server "nginx" → loss.expected
 * ```
 */
export function expectLosses(
  findings: readonly Finding[],
  x: DriftExchange | undefined,
  declared: DeclaredLosses | undefined,
): Finding[] {
  if (declared === undefined) return [...findings];
  return findings.map((f) => {
    const loss = explaining(f, x, declared.losses);
    return loss === undefined ? f : expected(f, loss, declared);
  });
}
