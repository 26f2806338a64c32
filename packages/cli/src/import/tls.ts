/**
 * Go `crypto/tls` settings → the policy's `tls` section. KrakenD and
 * Traefik both configure Go's TLS stack, so they share this mapping; each
 * importer only finds its settings and spells them (`min_version: TLS12`,
 * `minVersion: VersionTLS12`, KrakenD's numeric ids, Traefik's names).
 *
 * Names go through core's tables (`findTlsCipher`, `findTlsGroup`,
 * `findTlsProtocol`): an unknown name stops the import with "did you mean"
 * (OpenSSL would silently drop it), while a name Barbican refuses (TLS 1.0,
 * 3DES, RC4…) is left out with one lossy warning naming the source option.
 *
 * @module
 */
import {
  createPolicy,
  findTlsCipher,
  findTlsGroup,
  findTlsProtocol,
  OPENSSL_DEFAULT_TLS13_SUITES,
  TLS_CIPHERS,
  TLS_GROUPS,
  type TlsOptions,
  type TlsVersion,
} from '@barbican/core';
import { didYouMean } from '@barbican/core/parsers';
import { BarbicanError } from '../errors.ts';
import type { ImportBuilder, SourceReader } from './common.ts';

/** One source value and where it was found. */
interface At<T> {
  readonly value: T;
  readonly path: string;
}

/** A value read from `reader[key]` with its source path, or undefined when absent. */
export function sourced<T>(
  reader: SourceReader,
  key: string,
  value: T | undefined,
): At<T> | undefined {
  return value === undefined ? undefined : { value, path: reader.at(key) };
}

/** The Go TLS settings an importer found, in Barbican's terms where names are involved. */
export interface GoTlsSettings {
  /** Where the TLS settings live in the source, for warnings about the whole block. */
  readonly path: string;
  /**
   * The source's default minimum when it sets none: `TLSv1.2` (Traefik),
   * `TLSv1.3` (KrakenD). Undefined: the source has no TLS block (only
   * certificates), so the profile's protocols stay.
   */
  readonly defaultMin?: TlsVersion;
  readonly min?: At<string> | undefined;
  readonly max?: At<string> | undefined;
  /** Suite names (Go constants) or IANA ids (KrakenD's numbers). */
  readonly suites?: At<readonly (string | number)[]> | undefined;
  /** Group names (Go, IANA, OpenSSL) or ids (KrakenD's numbers). */
  readonly curves?: At<readonly (string | number)[]> | undefined;
  readonly preferServerCiphers?: At<boolean> | undefined;
  readonly certificates: readonly { cert: string; key: string }[];
}

const ORDER = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

function version(at: At<string>): number {
  const p = findTlsProtocol(at.value);
  if (p === undefined) {
    throw new BarbicanError('BARBICAN_E_TLS_NAME', 'not a TLS version name', {
      path: at.path,
      value: at.value,
      allowed: 'VersionTLS12, VersionTLS13 (Traefik); TLS12, TLS13 (KrakenD)',
    });
  }
  return ORDER.indexOf(p.name);
}

/** min..max intersected with what Barbican allows; older versions are reported, not kept. */
function protocols(s: GoTlsSettings, builder: ImportBuilder): TlsVersion[] {
  const min = s.min === undefined ? ORDER.indexOf(s.defaultMin ?? 'TLSv1.2') : version(s.min);
  const max = s.max === undefined ? ORDER.length - 1 : version(s.max);
  const kept = (['TLSv1.2', 'TLSv1.3'] as const).filter((v) => {
    const i = ORDER.indexOf(v);
    return i >= min && i <= max;
  });
  if (min < ORDER.indexOf('TLSv1.2')) {
    builder.lossy(
      s.min?.path ?? s.path,
      `${ORDER[min] ?? 'this version'} is refused by Barbican (RFC 8996: TLS 1.0 and 1.1 are deprecated); the import starts at TLSv1.2`,
    );
  }
  if (kept.length === 0) {
    builder.lossy(
      s.max?.path ?? s.path,
      'the source allows only versions older than TLS 1.2, which Barbican refuses; imported as TLSv1.2',
    );
    return ['TLSv1.2'];
  }
  return kept;
}

const GO_SUITE_NAMES = TLS_CIPHERS.flatMap((c) => (c.go === undefined ? [] : [c.go]));

/** The TLS 1.2 suites of a Go cipher list, as OpenSSL names; TLS 1.3 entries and refused ones reported. */
function suites(at: At<readonly (string | number)[]>, builder: ImportBuilder): string[] {
  const tls12: string[] = [];
  const tls13: string[] = [];
  at.value.forEach((entry, i) => {
    const path = `${at.path}[${i}]`;
    const c = findTlsCipher(entry);
    if (entry === 'TLS_FALLBACK_SCSV' || entry === 0x5600) {
      builder.lossy(path, 'TLS_FALLBACK_SCSV is a signalling value, not a suite; left out');
    } else if (c === undefined) {
      const guess = typeof entry === 'string' ? didYouMean(entry, GO_SUITE_NAMES) : undefined;
      throw new BarbicanError('BARBICAN_E_TLS_NAME', 'not a TLS cipher suite', {
        path,
        value: entry,
        hint: `${guess === undefined ? '' : `Did you mean "${guess}"? `}Go names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) or IANA numbers (49199) are accepted`,
      });
    } else if (c.verdict === 'insecure' || !c.inOpenssl3) {
      builder.lossy(
        path,
        `${c.iana} is refused by Barbican (${c.reasons[0] ?? 'unsupported'}); left out`,
      );
    } else if (c.protocol === 'TLSv1.3') tls13.push(c.iana);
    else tls12.push(c.openssl);
  });
  const defaults = new Set(OPENSSL_DEFAULT_TLS13_SUITES);
  if (
    tls13.length > 0 &&
    (tls13.length !== defaults.size || !tls13.every((n) => defaults.has(n)))
  ) {
    builder.lossy(
      at.path,
      "Go cannot restrict TLS 1.3 suites, so the source offered all three whatever it listed; the policy keeps the profile's TLS 1.3 suites",
    );
  }
  return tls12;
}

/** Groups in OpenSSL spelling; refused ones reported. */
function curves(at: At<readonly (string | number)[]>, builder: ImportBuilder): string[] {
  const out: string[] = [];
  at.value.forEach((entry, i) => {
    const path = `${at.path}[${i}]`;
    const g = findTlsGroup(entry);
    if (g === undefined) {
      const names = TLS_GROUPS.flatMap((x) => [x.go, x.openssl].filter((n) => n !== undefined));
      const guess = typeof entry === 'string' ? didYouMean(entry, names) : undefined;
      throw new BarbicanError('BARBICAN_E_TLS_NAME', 'not a TLS group (curve)', {
        path,
        value: entry,
        hint: `${guess === undefined ? '' : `Did you mean "${guess}"? `}Go names (CurveP256, X25519) or IANA numbers (23, 24, 25, 29, 4588) are accepted`,
      });
    }
    if (g.verdict === 'insecure')
      builder.lossy(path, `${g.openssl} is refused by Barbican; left out`);
    else if (!out.includes(g.openssl)) out.push(g.openssl);
  });
  return out;
}

/**
 * Options that fail the policy's own checks once combined (only CBC suites
 * for TLS 1.2, no curve for an enabled version) are dropped in favour of the
 * profile's, with a lossy warning: the import must produce a valid policy.
 */
function settle(tls: TlsOptions, s: GoTlsSettings, builder: ImportBuilder): TlsOptions {
  const sources: Record<string, string | undefined> = {
    ciphers: s.suites?.path,
    curves: s.curves?.path,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createPolicy({ tls });
      return tls;
    } catch (error) {
      if (!(error instanceof BarbicanError)) throw error;
      const key = /^tls\.(ciphers|curves)/.exec(error.path ?? '')?.[1];
      if (key === undefined || !(key in tls)) {
        throw new BarbicanError('BARBICAN_E_IMPORT', 'the TLS settings cannot be imported', {
          path: s.path,
          hint: error.message,
          cause: error,
        });
      }
      builder.lossy(
        sources[key] ?? s.path,
        `Barbican refuses this list as a whole (${error.message.replace(/ \[BARBICAN_[EW]_\w+\]$/, '')}); the profile's ${key} are used`,
      );
      tls = Object.fromEntries(Object.entries(tls).filter(([k]) => k !== key));
    }
  }
  return tls;
}

/**
 * Adds the `tls` section for Go TLS settings to `builder`.
 *
 * @example
 * ```ts
 * importGoTls({ path: 'tls', defaultMin: 'TLSv1.3', certificates: [], min: { value: 'TLS12', path: 'tls.min_version' } }, builder);
 * ```
 */
export function importGoTls(s: GoTlsSettings, builder: ImportBuilder): void {
  const tls: TlsOptions = {};
  const versions =
    s.defaultMin === undefined && s.min === undefined && s.max === undefined
      ? (['TLSv1.2', 'TLSv1.3'] as TlsVersion[])
      : protocols(s, builder);
  if (s.defaultMin !== undefined || s.min !== undefined || s.max !== undefined)
    tls.protocols = versions;
  const tls12 = s.suites === undefined ? [] : suites(s.suites, builder);
  if (tls12.length > 0 && !versions.includes('TLSv1.2')) {
    builder.lossy(
      s.suites?.path ?? s.path,
      'TLS 1.2 is off in the source, so its TLS 1.2 suites are unused; left out',
    );
  } else if (tls12.length > 0) tls.ciphers = tls12;
  if (s.curves !== undefined) {
    const list = curves(s.curves, builder);
    if (list.length > 0) tls.curves = list;
  }
  if (s.preferServerCiphers !== undefined) {
    tls.preferServerCiphers = s.preferServerCiphers.value;
    builder.lossy(
      s.preferServerCiphers.path,
      'Go ignores this setting since 1.18 (it orders suites itself); imported as preferServerCiphers for other servers',
    );
  }
  if (s.certificates.length > 0) tls.certificates = s.certificates.map((c) => ({ ...c }));
  builder.option('tls', settle(tls, s, builder), s.path);
}

/** How a source spells the Go TLS settings. */
export interface GoTlsSpelling {
  readonly min: string;
  readonly max: string;
  readonly suites: string;
  readonly curves: string;
  readonly preferServerCiphers: string;
}

/** Reads the Go TLS settings of one source object, each with its source path. */
export function readGoTls(
  r: SourceReader,
  spelling: GoTlsSpelling,
): Pick<GoTlsSettings, 'min' | 'max' | 'suites' | 'curves' | 'preferServerCiphers'> {
  return {
    min: sourced(r, spelling.min, r.string(spelling.min)),
    max: sourced(r, spelling.max, r.string(spelling.max)),
    suites: sourced(r, spelling.suites, r.scalarList(spelling.suites)),
    curves: sourced(r, spelling.curves, r.scalarList(spelling.curves)),
    preferServerCiphers: sourced(
      r,
      spelling.preferServerCiphers,
      r.bool(spelling.preferServerCiphers),
    ),
  };
}

/** Reads one certificate pair; a missing half or inline PEM is reported, not imported. */
export function certificatePair(
  reader: SourceReader,
  certKey: string,
  keyKey: string,
  builder: ImportBuilder,
): { cert: string; key: string } | undefined {
  const inline = [certKey, keyKey].find((k) => {
    const v = reader.has(k) ? reader.raw(k) : undefined;
    return typeof v === 'string' && v.includes('-----BEGIN');
  });
  if (inline !== undefined) {
    reader.raw(certKey);
    reader.raw(keyKey);
    builder.lossy(
      reader.at(inline),
      'inline PEM content is not imported (a policy names files); write it to a file and list its path in tls.certificates',
    );
    return undefined;
  }
  const cert = reader.string(certKey);
  const key = reader.string(keyKey);
  if (cert !== undefined && key !== undefined) return { cert, key };
  if (cert !== undefined || key !== undefined) {
    builder.lossy(
      reader.at(cert === undefined ? keyKey : certKey),
      `a certificate needs both ${certKey} and ${keyKey}; this half is not imported`,
    );
  }
  return undefined;
}
