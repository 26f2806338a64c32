/**
 * `policy.tls` as Node `tls.createSecureContext()` options. Pure data
 * mapping (no `node:tls` import, so core stays runtime-neutral); the
 * gateway passes the result, plus its certificates, to Node.
 *
 * Why it lives here and not in the gateway: the mapping depends on the
 * name tables — which groups the running OpenSSL knows (X25519MLKEM768
 * needs 3.5) and how Node splits one `ciphers` string into the TLS 1.2 and
 * TLS 1.3 lists — and the scanner and tests need the same answer.
 *
 * @see https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions
 * @module
 */
import { BarbicanError } from '../errors.ts';
import { findTlsGroup, opensslAtLeast } from './names.ts';
import type { ResolvedTls } from './options.ts';
import type { TlsVersion } from './profiles.ts';

/**
 * OpenSSL's `SSL_OP_NO_TICKET` (1 << 14): no session tickets. The same as
 * `require('node:crypto').constants.SSL_OP_NO_TICKET` (a test checks it).
 */
export const SSL_OP_NO_TICKET = 0x4000;

/** The subset of Node's `SecureContextOptions` a policy decides. */
export interface NodeTlsOptions {
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  /**
   * TLS 1.2 suites then TLS 1.3 suites, joined with `:`. Node sends names
   * starting with `TLS_` to OpenSSL's TLS 1.3 list and the rest to the 1.2
   * list; with no `TLS_` name, all default TLS 1.3 suites would stay on.
   */
  readonly ciphers: string;
  /** The groups the running OpenSSL supports, joined with `:`. */
  readonly ecdhCurve: string;
  /** `preferServerCiphers` (Node's own default is true; Mozilla's profiles say false). */
  readonly honorCipherOrder: boolean;
  /** Seconds a TLS session may be resumed. */
  readonly sessionTimeout: number;
  /** `SSL_OP_NO_TICKET` when tickets are off, else 0. */
  readonly secureOptions: number;
}

/** What {@link nodeTlsOptions} returns. */
export interface NodeTlsMapping {
  readonly options: NodeTlsOptions;
  /** Groups left out because the running OpenSSL is older than they need (log them). */
  readonly droppedCurves: readonly string[];
}

/**
 * Maps a resolved `tls` section onto Node TLS options for the OpenSSL
 * version Node runs on (`process.versions.openssl`). Groups that version
 * lacks are left out and listed in `droppedCurves`; if none is left, it
 * throws `BARBICAN_E_TLS_UNSUPPORTED` rather than letting OpenSSL fall back
 * to its defaults. OCSP stapling and certificates are the caller's job
 * (Node has no stapling of its own: see the `OCSPRequest` event).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:https';
 * const { options } = nodeTlsOptions(policy.tls, process.versions.openssl);
 * createServer({ ...options, cert, key }, handler);
 * ```
 */
export function nodeTlsOptions(tls: ResolvedTls, opensslVersion: string): NodeTlsMapping {
  const kept: string[] = [];
  const droppedCurves: string[] = [];
  for (const name of tls.curves) {
    const group = findTlsGroup(name);
    const supported = group !== undefined && opensslAtLeast(opensslVersion, group.minOpenssl);
    (supported ? kept : droppedCurves).push(name);
  }
  if (kept.length === 0) {
    throw new BarbicanError(
      'BARBICAN_E_TLS_UNSUPPORTED',
      `OpenSSL ${opensslVersion} supports none of the configured groups`,
      {
        path: 'tls.curves',
        value: tls.curves,
        hint: 'Add X25519 or prime256v1, which every OpenSSL since 1.1.0 has',
      },
    );
  }
  return Object.freeze({
    options: Object.freeze({
      minVersion: tls.minVersion,
      maxVersion: tls.maxVersion,
      ciphers: [...tls.ciphers, ...tls.cipherSuites].join(':'),
      ecdhCurve: kept.join(':'),
      honorCipherOrder: tls.preferServerCiphers,
      sessionTimeout: tls.sessionTimeout,
      secureOptions: tls.sessionTickets ? 0 : SSL_OP_NO_TICKET,
    }),
    droppedCurves: Object.freeze(droppedCurves),
  });
}
