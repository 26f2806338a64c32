/**
 * The policy's TLS settings for one target: the rows of core's name tables
 * for its suites and groups, minus the groups the target (at its version)
 * cannot negotiate, each such group one loss. Renderers spell the rows in
 * their own dialect (OpenSSL, IANA, Go, Caddy, KrakenD ids).
 *
 * @module
 */
import {
  findTlsCipher,
  findTlsGroup,
  TLS13_CIPHER_SUITES,
  type TlsCipher,
  type TlsGroup,
  type TlsVersion,
} from '@barbican/core';
import { unsafeFor } from './errors.ts';
import type { ExportModel } from './model.ts';
import type { Loss, TargetName } from './target.ts';
import { atLeast, type Version } from './version.ts';

/** What a target writes for TLS. */
export interface TlsPlan {
  readonly protocols: readonly TlsVersion[];
  /** TLS 1.2 suites, in preference order. */
  readonly ciphers: readonly TlsCipher[];
  /** TLS 1.3 suites, in preference order. */
  readonly suites: readonly TlsCipher[];
  /** Groups the target can use, in preference order. */
  readonly groups: readonly TlsGroup[];
  readonly losses: readonly Loss[];
}

/** Why a target cannot use a group, or undefined when it can. */
export type GroupGate = (group: TlsGroup) => string | undefined;

/**
 * The OpenSSL gate: a group needs the OpenSSL release that added it
 * (X25519MLKEM768: 3.5.0).
 *
 * @example
 * ```ts
 * opensslGate(parseVersion('3.0', 'v'))(findTlsGroup('X25519MLKEM768')!) // 'needs OpenSSL 3.5.0 (the target has 3.0)'
 * ```
 */
export function opensslGate(openssl: Version | undefined): GroupGate {
  return (g) =>
    openssl === undefined || atLeast(openssl, g.minOpenssl)
      ? undefined
      : `needs OpenSSL ${g.minOpenssl} (the target has ${openssl.text})`;
}

function rows<T>(names: readonly string[], find: (n: string) => T | undefined): T[] {
  return names.flatMap((n) => {
    const row = find(n);
    return row === undefined ? [] : [row];
  });
}

/**
 * Plans the TLS settings for `target`. Throws `BARBICAN_E_EXPORT_UNSAFE`
 * when no configured group is left: the server would fall back to its own
 * defaults, which the policy did not choose.
 */
export function tlsPlan(model: ExportModel, target: TargetName, gate: GroupGate): TlsPlan {
  const tls = model.tls;
  const losses: Loss[] = [];
  const groups = rows(tls.curves, findTlsGroup).filter((g) => {
    const why = gate(g);
    if (why !== undefined)
      losses.push({
        feature: 'tls-group',
        path: 'tls.curves',
        message: `${g.openssl} is left out: ${why}`,
        // What a scan sees: the group refused in a TLS 1.3 handshake.
        served: [{ kind: 'tls', name: g.openssl, outcome: 'refused' }],
      });
    return why === undefined;
  });
  if (tls.certificates.length > 1)
    losses.push({
      feature: 'tls-certificates',
      path: 'tls.certificates',
      message: `only the first of ${tls.certificates.length} certificates is written; add the others (and their SNI names) by hand`,
    });
  if (groups.length === 0 && tls.curves.length > 0)
    throw unsafeFor(
      target,
      'tls.curves',
      'none of the key-exchange groups is available on this target version',
      tls.curves.join(':'),
    );
  return {
    protocols: tls.protocols,
    ciphers: rows(tls.ciphers, findTlsCipher),
    suites: rows(tls.cipherSuites, findTlsCipher),
    groups,
    losses,
  };
}

/** Go's TLS 1.3 suites (IANA names): fixed in crypto/tls, not configurable. */
export const GO_TLS13_SUITES: readonly string[] = TLS13_CIPHER_SUITES.filter(
  (s) => s.go !== undefined,
).map((s) => s.iana);

/**
 * What a server on Go's crypto/tls (Caddy, Traefik, KrakenD) does with the
 * plan's suites: the TLS 1.2 suites it has a name for (`named`), a loss for
 * each it has not (the server refuses it), and, when `product` is given, a
 * loss for TLS 1.3 suites, which Go offers whatever is configured.
 *
 * @example
 * ```ts
 * const { ciphers, losses } = goSuites(plan, (c) => c.caddy !== undefined, 'Caddy');
 * ```
 */
export function goSuites(
  plan: TlsPlan,
  named: (c: TlsCipher) => boolean,
  product?: string,
): { ciphers: TlsCipher[]; losses: Loss[] } {
  const losses: Loss[] = [];
  const ciphers = plan.ciphers.filter((c) => {
    if (named(c)) return true;
    losses.push({
      feature: 'tls-cipher',
      path: 'tls.ciphers',
      message: `${c.openssl} is left out: Go's TLS has no such suite`,
      served: [{ kind: 'tls', name: c.openssl, outcome: 'refused' }],
    });
    return false;
  });
  const suites = plan.suites.map((s) => s.iana);
  const same =
    suites.length === GO_TLS13_SUITES.length && GO_TLS13_SUITES.every((n) => suites.includes(n));
  if (product !== undefined && suites.length > 0 && !same)
    losses.push({
      feature: 'tls-suites',
      path: 'tls.cipherSuites',
      message: `${product} always offers Go's TLS 1.3 suites (${GO_TLS13_SUITES.join(', ')})`,
      served: [
        ...GO_TLS13_SUITES.filter((n) => !suites.includes(n)).map(
          (name) => ({ kind: 'tls', name, outcome: 'accepted' }) as const,
        ),
        ...suites
          .filter((n) => !GO_TLS13_SUITES.includes(n))
          .map((name) => ({ kind: 'tls', name, outcome: 'refused' }) as const),
      ],
    });
  return { ciphers, losses };
}
