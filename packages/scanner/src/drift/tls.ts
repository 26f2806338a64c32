/**
 * TLS drift: protocol versions, cipher suites and key-exchange groups the
 * server accepts that the policy's `tls` section does not allow, and those
 * it allows that the server refuses. Facts come from real handshakes: the
 * scan's protocol probe (one handshake per version), single-suite
 * handshakes for every suite of the policy, Mozilla's intermediate list and
 * the scanner's known-weak list, and single-group TLS 1.3 handshakes for
 * the policy's groups and every other TLS 1.3 group.
 *
 * A TLS 1.2 suite names the certificate type it needs (ECDSA or RSA): a
 * refusal only counts as drift when the server was seen serving that type,
 * because an RSA suite cannot be negotiated with an EC certificate whatever
 * the configuration says.
 *
 * @module
 */
import {
  findTlsCipher,
  findTlsGroup,
  TLS13_CIPHER_SUITES,
  TLS_GROUPS,
  TLS_PROFILES,
  type Policy,
  type TlsCipher,
  type TlsGroup,
} from '@barbican/core';
import type { Finding, Severity } from '../model.ts';
import { finding } from '../findings/finding.ts';
import {
  GROUP_PROBE_LIMITS,
  SUITE_PROBE_LIMITS,
  TLS_VERSIONS,
  WEAK_CIPHERS,
  type GroupProbe,
  type GroupProbeReport,
  type SuiteProbe,
  type SuiteProbeReport,
  type SuiteProbeResult,
} from '../tls/probe.ts';
import type { HandshakeOutcome, TlsReport, TlsVersion } from '../tls/types.ts';

const unique = (names: readonly string[]): string[] => [...new Set(names)];

/**
 * The suites to offer one by one: the policy's first (so the cap never cuts
 * them), then Mozilla's intermediate TLS 1.2 list, the known-weak list and
 * the other TLS 1.3 suites. Only for the versions the server accepted: a
 * refused version already tells that none of its suites is accepted.
 * At most {@link SUITE_PROBE_LIMITS}.maxSuites.
 *
 * @example
 * ```ts
 * driftSuites(policy, tlsReport).length; // 38 for the intermediate profile on TLS 1.2 + 1.3
 * ```
 */
export function driftSuites(policy: Policy, tls: TlsReport): SuiteProbe[] {
  const with12 = tls.protocols['TLSv1.2'];
  const with13 = tls.protocols['TLSv1.3'];
  const as = (protocol: 'TLSv1.2' | 'TLSv1.3') => (suite: string) => ({ suite, protocol });
  const policy12 = with12 ? policy.tls.ciphers.map(as('TLSv1.2')) : [];
  const policy13 = with13 ? policy.tls.cipherSuites.map(as('TLSv1.3')) : [];
  const others12 = with12
    ? unique([...TLS_PROFILES.intermediate.ciphers, ...WEAK_CIPHERS])
        .filter((s) => !policy.tls.ciphers.includes(s))
        .map(as('TLSv1.2'))
    : [];
  const others13 = with13
    ? TLS13_CIPHER_SUITES.map((s) => s.iana)
        .filter((s) => !policy.tls.cipherSuites.includes(s))
        .map(as('TLSv1.3'))
    : [];
  return [...policy12, ...policy13, ...others12, ...others13].slice(
    0,
    SUITE_PROBE_LIMITS.maxSuites,
  );
}

/** A group name as core's table spells it (OpenSSL's), or the name as given. */
const groupName = (name: string): string => findTlsGroup(name)?.openssl ?? name;

/**
 * The groups to offer one by one over TLS 1.3 (none when the server
 * refuses TLS 1.3): the policy's that TLS 1.3 can use first, then every
 * other TLS 1.3 group core knows. At most {@link GROUP_PROBE_LIMITS}.maxGroups.
 *
 * @example
 * ```ts
 * driftGroups(policy, tlsReport)[0]; // { group: 'X25519MLKEM768' } for the intermediate profile
 * ```
 */
export function driftGroups(policy: Policy, tls: TlsReport): GroupProbe[] {
  if (!tls.protocols['TLSv1.3']) return [];
  const listed = policy.tls.curves.map(groupName);
  const tls13 = (name: string): boolean => findTlsGroup(name)?.tls13 === true;
  const others = TLS_GROUPS.filter((g) => g.tls13).map((g) => g.openssl);
  return unique([...listed.filter(tls13), ...others])
    .slice(0, GROUP_PROBE_LIMITS.maxGroups)
    .map((group) => ({ group }));
}

function groupSeverity(row: TlsGroup | undefined): Severity {
  if (row?.verdict === 'insecure') return 'high';
  if (row?.verdict === 'recommended' || row?.verdict === 'secure') return 'low';
  return 'medium';
}

function groupFindings(policy: Policy, tls: TlsReport, groups: GroupProbeReport): Finding[] {
  const where = `${tls.host}:${tls.port}`;
  const listed = new Set(policy.tls.curves.map(groupName));
  const fix = `Offer exactly the policy's groups (tls.curves: ${policy.tls.curves.join(':')}; nginx: ssl_ecdh_curve; Apache: SSLOpenSSLConfCmd Curves), for example from barbican export.`;
  const out: Finding[] = [];
  for (const r of groups.results) {
    const row = findTlsGroup(r.group);
    if (r.outcome === 'accepted' && !listed.has(r.group))
      out.push(
        finding(
          'drift.tls.curve.accepted',
          'tls',
          `${where} accepts the key exchange ${r.group} (TLS 1.3), which the policy does not list${row !== undefined && row.reasons.length > 0 ? `: ${row.reasons[0] ?? ''}` : ''}.`,
          fix,
          { value: r.group, severity: groupSeverity(row) },
        ),
      );
    if (r.outcome === 'refused' && listed.has(r.group))
      out.push(
        finding(
          'drift.tls.curve.refused',
          'tls',
          `${where} refuses the key exchange ${r.group} (TLS 1.3), which the policy lists.`,
          fix,
          { value: r.group },
        ),
      );
  }
  return out;
}

/** The certificate types the server was seen serving: the leaf's key, and any accepted suite's. */
function servedAuth(tls: TlsReport, suites: readonly SuiteProbeResult[]): Set<string> {
  const out = new Set<string>();
  const key = tls.chain[0]?.keyType;
  if (key === 'ec') out.add('ECDSA');
  if (key === 'rsa' || key === 'rsa-pss') out.add('RSA');
  for (const r of suites) {
    const auth = findTlsCipher(r.suite)?.authentication;
    if (r.outcome === 'accepted' && auth !== undefined) out.add(auth);
  }
  return out;
}

/** Severity of accepting a suite the policy does not list, from core's verdict on it. */
function acceptedSeverity(row: TlsCipher | undefined): Severity {
  if (row?.verdict === 'insecure') return 'high';
  if (row?.verdict === 'recommended' || row?.verdict === 'secure') return 'low';
  return 'medium';
}

const LEGACY: ReadonlySet<TlsVersion> = new Set(['TLSv1', 'TLSv1.1']);
const FIX_PROTOCOLS = (allowed: readonly string[]): string =>
  `Offer exactly ${allowed.join(' and ')} (nginx: ssl_protocols ${allowed.join(' ')}; Apache: SSLProtocol -all ${allowed.map((v) => `+${v}`).join(' ')}), for example from barbican export.`;

/**
 * Whether the server could negotiate TLS 1.2 with the policy's suites at
 * all: each names the certificate type it needs, and a server with only
 * an EC certificate cannot use a list of RSA suites (the openkat profile's),
 * whatever its configuration says.
 */
function tls12Possible(policy: Policy, served: ReadonlySet<string>): boolean {
  return policy.tls.ciphers.some((c) => {
    const auth = findTlsCipher(c)?.authentication;
    return auth === undefined || served.has(auth);
  });
}

function protocolFindings(
  policy: Policy,
  tls: TlsReport,
  served: ReadonlySet<string>,
  where: string,
): Finding[] {
  const allowed: readonly string[] = policy.tls.protocols;
  const out: Finding[] = [];
  for (const v of TLS_VERSIONS) {
    const outcome = tls.protocolOutcomes?.[v] ?? (tls.protocols[v] ? 'accepted' : 'refused');
    const on = allowed.includes(v) && (v !== 'TLSv1.2' || tls12Possible(policy, served));
    if (outcome === 'accepted' && !on)
      out.push(
        finding(
          'drift.tls.protocol.accepted',
          'tls',
          `${where} accepts ${v}; the policy allows only ${allowed.join(', ')}.`,
          FIX_PROTOCOLS(allowed),
          { value: v, ...(LEGACY.has(v) ? { severity: 'high' as const } : {}) },
        ),
      );
    if (outcome === 'refused' && on)
      out.push(
        finding(
          'drift.tls.protocol.refused',
          'tls',
          `${where} refuses ${v}, which the policy allows.`,
          FIX_PROTOCOLS(allowed),
          { value: v },
        ),
      );
  }
  return out;
}

function suiteFindings(
  policy: Policy,
  tls: TlsReport,
  served: ReadonlySet<string>,
  suites: SuiteProbeReport,
): Finding[] {
  const where = `${tls.host}:${tls.port}`;
  const out: Finding[] = [];
  for (const r of suites.results) {
    const listed = (
      r.protocol === 'TLSv1.3' ? policy.tls.cipherSuites : policy.tls.ciphers
    ).includes(r.suite);
    const row = findTlsCipher(r.suite);
    const fix = `Offer exactly the policy's ${r.protocol === 'TLSv1.3' ? 'TLS 1.3 suites (tls.cipherSuites; nginx: ssl_conf_command Ciphersuites)' : 'TLS 1.2 suites (tls.ciphers; nginx: ssl_ciphers)'}, for example from barbican export.`;
    if (r.outcome === 'accepted' && !listed)
      out.push(
        finding(
          'drift.tls.cipher.accepted',
          'tls',
          `${where} accepts ${r.suite} (${r.protocol}), which the policy does not list${row !== undefined && row.reasons.length > 0 ? `: ${row.reasons[0] ?? ''}` : ''}.`,
          fix,
          { value: r.suite, severity: acceptedSeverity(row) },
        ),
      );
    const applicable =
      r.protocol === 'TLSv1.3' || row === undefined || served.has(row.authentication);
    if (r.outcome === 'refused' && listed && applicable)
      out.push(
        finding(
          'drift.tls.cipher.refused',
          'tls',
          `${where} refuses ${r.suite} (${r.protocol}), which the policy lists.`,
          fix,
          { value: r.suite },
        ),
      );
  }
  return out;
}

/** What could not be judged: probes that timed out, were cut by the budget, or policy suites this client cannot offer. */
function incompleteFindings(
  policy: Policy,
  tls: TlsReport,
  suites: SuiteProbeReport | undefined,
  groups: GroupProbeReport | undefined,
): Finding[] {
  const unknown: string[] = [];
  const note = (what: string, outcome: HandshakeOutcome | undefined): void => {
    if (outcome === 'failed' || outcome === 'untested') unknown.push(`${what} (${outcome})`);
  };
  for (const v of TLS_VERSIONS) note(v, tls.protocolOutcomes?.[v]);
  for (const r of suites?.results ?? []) {
    const listed = [...policy.tls.ciphers, ...policy.tls.cipherSuites].includes(r.suite);
    // A weak suite this OpenSSL cannot offer is not a gap: no current server offers it either.
    if (r.outcome === 'failed' || listed) note(r.suite, r.outcome);
  }
  const listedGroups = new Set(policy.tls.curves.map(groupName));
  for (const r of groups?.results ?? []) {
    if (r.outcome === 'failed' || listedGroups.has(r.group)) note(r.group, r.outcome);
  }
  const complete = suites?.complete !== false && groups?.complete !== false;
  if (unknown.length === 0 && complete) return [];
  return [
    finding(
      'drift.tls.incomplete',
      'tls',
      `Drift unknown for ${tls.host}:${tls.port}: ${unknown.length} TLS probe(s) gave no answer${complete ? '' : ' or were not started within the time budget'}: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}.`,
      'Scan again with a longer --timeout, from a network path without TLS interception.',
      { value: String(unknown.length) },
    ),
  ];
}

/**
 * The TLS drift of a server against `policy.tls`. Pure. Without a TLS
 * report (TLS not probed, or no handshake at all), there is nothing to
 * compare: the scan's own TLS section says why.
 *
 * @example
 * ```ts
 * tlsDriftFindings(policy, tlsReport, await probeSuites(host, port, driftSuites(policy, tlsReport)));
 * ```
 */
export function tlsDriftFindings(
  policy: Policy,
  tls: TlsReport | undefined,
  suites: SuiteProbeReport | undefined,
  groups?: GroupProbeReport,
): Finding[] {
  if (tls === undefined) return [];
  const served = servedAuth(tls, suites?.results ?? []);
  return [
    ...protocolFindings(policy, tls, served, `${tls.host}:${tls.port}`),
    ...(suites === undefined ? [] : suiteFindings(policy, tls, served, suites)),
    ...(groups === undefined ? [] : groupFindings(policy, tls, groups)),
    ...incompleteFindings(policy, tls, suites, groups),
  ];
}
