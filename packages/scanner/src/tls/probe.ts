/**
 * `probeTls`: which protocol versions a server offers, which weak cipher
 * suites it accepts, and the chain it serves, each learnt from real
 * handshakes (no HTTP is sent).
 *
 * Client-side caveat: OpenSSL 3 at security level 1 or higher refuses to even
 * offer TLS 1.0/1.1 (their handshake signatures use SHA-1/MD5) and drops
 * many legacy suites, so a default client would report "not offered" for a
 * server that does offer them. Every probe handshake therefore uses
 * `DEFAULT@SECLEVEL=0`; only the `negotiated` handshake uses Node's defaults,
 * because it stands for what a modern browser gets.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8996 (TLS 1.0 and 1.1 deprecated)
 * @see https://docs.openssl.org/3.0/man3/SSL_CTX_set_security_level/
 * @module
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { connect, type ConnectionOptions, type DetailedPeerCertificate } from 'node:tls';
import { runPool } from '../pool.ts';
import type { HandshakeOutcome, TlsCertificate, TlsReport, TlsVersion } from './types.ts';
import { certificateValidity, daysUntil } from './validity.ts';

/** Options for {@link probeTls}. */
export interface ProbeTlsOptions {
  /** PEM CA certificate(s) to trust instead of the system roots (`--ca`). */
  readonly ca?: string | Buffer;
  /** Per-handshake timeout; default 10 s. */
  readonly timeoutMs?: number;
  /** Custom DNS lookup, e.g. to point a demo hostname at 127.0.0.1. */
  readonly lookup?: LookupFunction;
  /** Weak suites to try; default {@link WEAK_CIPHERS}. */
  readonly weakCiphers?: readonly string[];
}

/** The protocol versions probed, oldest first. */
export const TLS_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * TLS 1.2 suites (OpenSSL names) counted as weak: everything that is not
 * ECDHE key exchange with an AEAD cipher, as hstspreload's
 * `domain.tls.obsolete_cipher_suite` and Mozilla's intermediate profile have
 * it: static-RSA key exchange (no forward secrecy), CBC modes (Lucky13,
 * POODLE-style padding oracles), 3DES (Sweet32), RC4, NULL and EXPORT. Names
 * this Node build does not know are skipped silently by OpenSSL.
 */
export const WEAK_CIPHERS: readonly string[] = [
  'NULL-SHA256',
  'NULL-SHA',
  'EXP-RC4-MD5',
  'RC4-SHA',
  'RC4-MD5',
  'DES-CBC3-SHA',
  'ECDHE-RSA-DES-CBC3-SHA',
  'AES128-SHA',
  'AES256-SHA',
  'AES128-SHA256',
  'AES256-SHA256',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'CAMELLIA128-SHA',
  'CAMELLIA256-SHA',
  'DHE-RSA-AES128-SHA',
  'DHE-RSA-AES256-SHA',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
];

const LEGACY = 'DEFAULT@SECLEVEL=0';
const MAX_CHAIN = 16;

/**
 * Probes `host:port`: one handshake per protocol version (min = max), one
 * default handshake for the negotiated protocol, cipher, chain and
 * verification, and a few TLS 1.2 handshakes for weak suites. Never throws:
 * an unreachable server gives a report with everything false and
 * `verifyError` saying why.
 *
 * @example
 * ```ts
 * const tls = await probeTls('example.com', 443);
 * if (tls.protocols['TLSv1']) console.log('TLS 1.0 still offered');
 * ```
 */
export async function probeTls(
  host: string,
  port: number,
  opts: ProbeTlsOptions = {},
): Promise<TlsReport> {
  const main = await handshake(host, port, opts, {});
  const versions = await Promise.all(
    TLS_VERSIONS.map((v) =>
      handshake(host, port, opts, { minVersion: v, maxVersion: v, ciphers: LEGACY }),
    ),
  );
  const protocols = Object.fromEntries(
    TLS_VERSIONS.map((v, i) => [v, versions[i]?.ok === true]),
  ) as Record<TlsVersion, boolean>;
  const protocolOutcomes = Object.fromEntries(
    TLS_VERSIONS.map((v, i) => [v, outcomeOf(versions[i])]),
  ) as Record<TlsVersion, HandshakeOutcome>;
  const weakCiphersAccepted = protocols['TLSv1.2']
    ? await acceptedWeakCiphers(host, port, opts)
    : [];
  const chain = main.chain ?? versions.find((v) => v.chain !== undefined)?.chain ?? [];
  const leaf = chain[0];
  const daysToExpiry = leaf === undefined ? 0 : daysUntil(leaf.notAfter);
  const verifyError = main.ok ? main.verifyError : main.error;
  return {
    host,
    port,
    protocols,
    protocolOutcomes,
    negotiated: { protocol: main.protocol ?? '', cipher: main.cipher ?? '' },
    weakCiphersAccepted,
    chain,
    verified: main.ok && main.verifyError === undefined,
    ...(verifyError === undefined ? {} : { verifyError }),
    daysToExpiry,
  };
}

/**
 * Offers the whole weak list, records the suite the server picks, removes it
 * and repeats: N accepted suites cost N + 1 handshakes instead of one per
 * suite. Bounded by the list length.
 */
async function acceptedWeakCiphers(
  host: string,
  port: number,
  opts: ProbeTlsOptions,
): Promise<string[]> {
  const remaining = [...(opts.weakCiphers ?? WEAK_CIPHERS)];
  const accepted: string[] = [];
  for (let round = 0; round <= (opts.weakCiphers ?? WEAK_CIPHERS).length; round++) {
    if (remaining.length === 0) break;
    const r = await handshake(host, port, opts, {
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: `${remaining.join(':')}@SECLEVEL=0`,
    });
    if (!r.ok || r.cipher === undefined) break;
    accepted.push(r.cipher);
    const index = remaining.indexOf(r.cipher);
    // A suite we did not offer by that name: stop rather than loop (a
    // conforming server cannot pick it).
    if (index < 0) break;
    remaining.splice(index, 1);
  }
  return accepted;
}

/** One suite to offer alone, at the one protocol version it is probed with. */
export interface SuiteProbe {
  /** OpenSSL name (TLS 1.2) or IANA name (TLS 1.3, the same in OpenSSL). */
  readonly suite: string;
  readonly protocol: 'TLSv1.2' | 'TLSv1.3';
}

/** What one single-suite handshake showed. */
export interface SuiteProbeResult extends SuiteProbe {
  /** `failed` also for a probe not started before the time budget ran out. */
  readonly outcome: HandshakeOutcome;
}

/** What {@link probeSuites} did and found. */
export interface SuiteProbeReport {
  readonly results: readonly SuiteProbeResult[];
  /** Handshakes that reached the network (suites this client cannot offer cost none). */
  readonly handshakes: number;
  readonly elapsedMs: number;
  /** False when the time budget ran out before every suite was probed. */
  readonly complete: boolean;
}

/** Options for {@link probeSuites}. */
export interface ProbeSuitesOptions extends ProbeTlsOptions {
  /** Handshakes in flight at once; default 4. */
  readonly concurrency?: number;
  /** Time for all of them; default 30 s. Suites not started by then are `failed`. */
  readonly budgetMs?: number;
}

/**
 * The bounds of {@link probeSuites}: at most `maxSuites` handshakes,
 * `concurrency` at a time, each within `handshakeMs` (or the scan's
 * `--timeout` if shorter), all started within `budgetMs`.
 */
export const SUITE_PROBE_LIMITS = {
  maxSuites: 64,
  concurrency: 4,
  handshakeMs: 5_000,
  budgetMs: 30_000,
} as const;

/** TLS 1.2 suites are offered at security level 0, so that OpenSSL 3 still sends legacy ones. */
function suiteCiphers(p: SuiteProbe): string {
  // Node sends names starting with TLS_ to the TLS 1.3 list and the rest to
  // the TLS 1.2 list; the TLS 1.2 part must stay non-empty and at level 0
  // for CCM_8, which OpenSSL 3.5 will not offer at its default level.
  return p.protocol === 'TLSv1.3' ? `${p.suite}:DEFAULT@SECLEVEL=0` : `${p.suite}:@SECLEVEL=0`;
}

/** One key-exchange group to offer alone, with TLS 1.3 and its default suites. */
export interface GroupProbe {
  /** The OpenSSL name (`X25519`, `prime256v1`, `X25519MLKEM768`). */
  readonly group: string;
}

/** What one single-group handshake showed. */
export interface GroupProbeResult extends GroupProbe {
  /** `failed` also for a probe not started before the time budget ran out. */
  readonly outcome: HandshakeOutcome;
}

/** What {@link probeGroups} did and found. */
export interface GroupProbeReport {
  readonly results: readonly GroupProbeResult[];
  /** Handshakes that reached the network. */
  readonly handshakes: number;
  readonly elapsedMs: number;
  /** False when the time budget ran out before every group was probed. */
  readonly complete: boolean;
}

/** The bounds of {@link probeGroups}: the suite probe's, with at most `maxGroups` handshakes. */
export const GROUP_PROBE_LIMITS = { ...SUITE_PROBE_LIMITS, maxGroups: 16 } as const;

/** What a probe of several single-item handshakes found: each item with its outcome. */
interface ProbeReport<T> {
  readonly results: readonly (T & { readonly outcome: HandshakeOutcome })[];
  readonly handshakes: number;
  readonly elapsedMs: number;
  readonly complete: boolean;
}

/**
 * One handshake per item (the first `max`), `concurrency` at a time, each
 * bounded, all started within the budget; `extra` says what the item's
 * hello offers. Never throws.
 */
async function probeEach<T extends object>(
  host: string,
  port: number,
  items: readonly T[],
  max: number,
  extra: (item: T) => HandshakeExtra,
  opts: ProbeSuitesOptions,
): Promise<ProbeReport<T>> {
  const started = Date.now();
  const budgetMs = opts.budgetMs ?? SUITE_PROBE_LIMITS.budgetMs;
  const hsOpts: ProbeTlsOptions = {
    ...opts,
    timeoutMs: Math.min(
      opts.timeoutMs ?? SUITE_PROBE_LIMITS.handshakeMs,
      SUITE_PROBE_LIMITS.handshakeMs,
      budgetMs,
    ),
  };
  const list = items.slice(0, max);
  let handshakes = 0;
  const outcomes = await runPool(
    list,
    async (item) => {
      const r = await handshake(host, port, hsOpts, extra(item));
      if (r.clientSide !== true) handshakes++;
      return outcomeOf(r);
    },
    {
      concurrency: opts.concurrency ?? SUITE_PROBE_LIMITS.concurrency,
      deadline: started + budgetMs,
    },
  );
  return {
    results: list.map((item, i) => ({ ...item, outcome: outcomes[i] ?? ('failed' as const) })),
    handshakes,
    elapsedMs: Date.now() - started,
    complete: outcomes.every((o) => o !== undefined) && list.length === items.length,
  };
}

/**
 * Offers each key-exchange group alone (TLS 1.3 only, where the group is
 * the key exchange and nothing else: under TLS 1.2 it also limits the
 * curves an ECDSA certificate may use) and records whether the server
 * completed the handshake. Bounded like {@link probeSuites}; never throws.
 *
 * @example
 * ```ts
 * const r = await probeGroups('example.com', 443, [{ group: 'X448' }]);
 * r.results[0]?.outcome; // 'refused' on a server configured for X25519 and P-256
 * ```
 */
export function probeGroups(
  host: string,
  port: number,
  groups: readonly GroupProbe[],
  opts: ProbeSuitesOptions = {},
): Promise<GroupProbeReport> {
  const hello = (g: GroupProbe): HandshakeExtra => ({
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ecdhCurve: g.group,
  });
  return probeEach(host, port, groups, GROUP_PROBE_LIMITS.maxGroups, hello, opts);
}

/**
 * Offers each suite alone, at its protocol version only (min = max), and
 * records whether the server completed the handshake. One handshake per
 * suite, `concurrency` at a time, within the time budget; a suite this
 * client cannot offer is `untested` at no cost. Never throws.
 *
 * @example
 * ```ts
 * const r = await probeSuites('example.com', 443, [{ suite: 'AES128-SHA', protocol: 'TLSv1.2' }]);
 * r.results[0]?.outcome; // 'refused' on a Mozilla-intermediate server
 * ```
 */
export function probeSuites(
  host: string,
  port: number,
  suites: readonly SuiteProbe[],
  opts: ProbeSuitesOptions = {},
): Promise<SuiteProbeReport> {
  const hello = (p: SuiteProbe): HandshakeExtra => ({
    minVersion: p.protocol,
    maxVersion: p.protocol,
    ciphers: suiteCiphers(p),
  });
  return probeEach(host, port, suites, SUITE_PROBE_LIMITS.maxSuites, hello, opts);
}

/**
 * Client-side errors: this OpenSSL will not send the hello asked for.
 * Server-side refusals: an alert, or the connection dropped mid-handshake.
 */
const CLIENT_SIDE = /^ERR_SSL_NO_(?:CIPHERS|PROTOCOLS)_AVAILABLE$/;
const REFUSED =
  /ALERT|^ERR_SSL_UNSUPPORTED_PROTOCOL$|^ECONNRESET$|^EPIPE$|closed before the handshake/;

/** Classifies a handshake; `undefined` (not run) counts as `failed`. */
function outcomeOf(r: HandshakeResult | undefined): HandshakeOutcome {
  if (r === undefined) return 'failed';
  if (r.ok) return 'accepted';
  const error = r.error ?? '';
  if (r.clientSide === true || CLIENT_SIDE.test(error)) return 'untested';
  return REFUSED.test(error) ? 'refused' : 'failed';
}

interface HandshakeResult {
  readonly ok: boolean;
  readonly error?: string;
  /** The client could not even build the hello (a suite or version this OpenSSL lacks). */
  readonly clientSide?: boolean;
  readonly protocol?: string;
  readonly cipher?: string;
  readonly chain?: TlsCertificate[];
  readonly verifyError?: string;
}

/** What a probe's hello offers beyond the defaults. */
type HandshakeExtra = Pick<
  ConnectionOptions,
  'minVersion' | 'maxVersion' | 'ciphers' | 'ecdhCurve'
>;

function handshake(
  host: string,
  port: number,
  opts: ProbeTlsOptions,
  extra: HandshakeExtra,
): Promise<HandshakeResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: HandshakeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    let socket: ReturnType<typeof connect>;
    try {
      socket = connect({
        host,
        port,
        // RFC 6066 §3: no IP literals in SNI.
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(opts.ca === undefined ? {} : { ca: opts.ca }),
        ...(opts.lookup === undefined ? {} : { lookup: opts.lookup }),
        // We record verification instead of failing on it.
        rejectUnauthorized: false,
        ...extra,
      });
    } catch (error) {
      // createSecureContext throws when no offered suite is known to this build.
      resolve({
        ok: false,
        clientSide: true,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    const timer = setTimeout(() => {
      done({ ok: false, error: `no TLS handshake within ${timeoutMs} ms` });
    }, timeoutMs);
    timer.unref();
    socket.once('error', (error: NodeJS.ErrnoException) => {
      done({ ok: false, error: error.code ?? error.message });
    });
    socket.once('close', () => {
      done({ ok: false, error: 'connection closed before the handshake completed' });
    });
    socket.once('secureConnect', () => {
      const cipher = socket.getCipher();
      let chain: TlsCertificate[] | undefined;
      try {
        chain = servedChain(socket.getPeerCertificate(true));
      } catch {
        chain = undefined;
      }
      done({
        ok: true,
        protocol: socket.getProtocol() ?? '',
        cipher: cipher.name,
        ...(chain === undefined ? {} : { chain }),
        ...(socket.authorized ? {} : { verifyError: String(socket.authorizationError) }),
      });
    });
  });
}

/**
 * The served chain, leaf first, following Node's issuer links (Node appends
 * the trust anchor it verified against). Bounded and cycle-safe: a hostile
 * server cannot make us loop.
 */
export function servedChain(leaf: DetailedPeerCertificate): TlsCertificate[] {
  return peerChain(leaf).map((cert) => describeCertificate(new X509Certificate(cert.raw)));
}

/**
 * The certificates of a peer's chain, leaf first, as Node links them through
 * `issuerCertificate`. Bounded and cycle-safe: a hostile server cannot make
 * the walk loop (a self-signed root links to itself).
 *
 * @example
 * ```ts
 * const certs = peerChain(socket.getPeerCertificate(true));
 * ```
 */
export function peerChain(
  leaf: DetailedPeerCertificate,
  max = MAX_CHAIN,
): DetailedPeerCertificate[] {
  const out: DetailedPeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = Object.keys(leaf).length === 0 ? undefined : leaf;
  while (cert !== undefined && out.length < max && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(cert);
    // Typed as always present, but absent when Node could not find the issuer.
    const next: unknown = Reflect.get(cert, 'issuerCertificate');
    cert = next === undefined || next === null ? undefined : (next as DetailedPeerCertificate);
  }
  return out;
}

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
  secp224r1: 224,
  prime192v1: 192,
};

/**
 * One certificate as a {@link TlsCertificate}; `spkiSha256` is the HPKP
 * `pin-sha256` (RFC 7469 §2.4: SHA-256 of the DER SubjectPublicKeyInfo).
 */
export function describeCertificate(x: X509Certificate): TlsCertificate {
  const key = x.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyType = key.asymmetricKeyType ?? 'unknown';
  const curve = details.namedCurve;
  const keyBits =
    details.modulusLength ??
    (curve === undefined ? undefined : CURVE_BITS[curve]) ??
    (keyType === 'ed25519' ? 256 : keyType === 'ed448' ? 456 : 0);
  const spki = key.export({ type: 'spki', format: 'der' });
  let selfSigned = false;
  if (x.subject === x.issuer) {
    try {
      selfSigned = x.verify(key);
    } catch {
      selfSigned = false;
    }
  }
  return {
    subject: x.subject.replaceAll('\n', ', '),
    issuer: x.issuer.replaceAll('\n', ', '),
    ...certificateValidity(x),
    keyType,
    keyBits,
    ...(curve === undefined ? {} : { curve }),
    signatureAlgorithm: x.signatureAlgorithm ?? 'unknown',
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
    selfSigned,
  };
}
