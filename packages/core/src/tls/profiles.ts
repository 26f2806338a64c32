/**
 * TLS profiles: named starting points for the `tls` section, as presets are
 * for headers. `modern` and `intermediate` are Mozilla's Server Side TLS
 * guidelines 6.0; `openkat` is the OpenKAT hardening guide's nginx settings
 * minus its two cipher names that do not exist.
 *
 * Values are pinned by `profiles.test.ts` and documented in `docs/tls.md`.
 *
 * @see https://wiki.mozilla.org/Security/Server_Side_TLS
 * @see ../../../../docs/tls.md
 * @module
 */
import { deepFreeze } from '../freeze.ts';

/** The profile names Barbican ships. */
export const TLS_PROFILE_NAMES = ['modern', 'intermediate', 'openkat'] as const;

/** One profile name. */
export type TlsProfileName = (typeof TLS_PROFILE_NAMES)[number];

/** The protocol versions a policy may enable. */
export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** The TLS settings a profile fixes and a resolved policy carries (everything but the certificates). */
export interface TlsSettings {
  /** Ascending: `['TLSv1.2', 'TLSv1.3']`, or one of them. */
  readonly protocols: readonly TlsVersion[];
  /** TLS 1.2 suites, OpenSSL names, in preference order; empty when TLS 1.2 is off. */
  readonly ciphers: readonly string[];
  /** TLS 1.3 suites, in preference order; empty when TLS 1.3 is off. */
  readonly cipherSuites: readonly string[];
  /** Key-exchange groups, OpenSSL names, in preference order. */
  readonly curves: readonly string[];
  readonly sessionTickets: boolean;
  /** Seconds. */
  readonly sessionTimeout: number;
  readonly ocspStapling: boolean;
  /** The server's cipher order wins over the client's (`ssl_prefer_server_ciphers`). */
  readonly preferServerCiphers: boolean;
}

/** What a profile sets: every `tls` option except the certificates. */
export interface TlsProfile extends TlsSettings {
  readonly description: string;
  /** Where the values come from. */
  readonly source: string;
}

/** Mozilla 6.0's TLS 1.3 suites, in its order (the same for modern and intermediate). */
const MOZILLA_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
] as const;

/** Mozilla 6.0's groups: the ML-KEM hybrid first (OpenSSL ≥ 3.5), then the classic curves. */
const MOZILLA_CURVES = ['X25519MLKEM768', 'X25519', 'prime256v1', 'secp384r1'] as const;

/**
 * Mozilla modern: TLS 1.3 only. Oldest clients: Firefox 63, Android 10,
 * Chrome 70, Edge 75, Safari 12.1, Java 11, OpenSSL 1.1.1.
 *
 * Deviation: Mozilla sets OCSP stapling on; Barbican leaves it off, because
 * Let's Encrypt stopped its OCSP service in August 2025 and a staple for a
 * certificate without an OCSP URL cannot be fetched (turn it on with
 * `ocspStapling: true` where your CA still runs OCSP).
 */
const modern: TlsProfile = {
  description: 'Mozilla modern (guidelines 6.0): TLS 1.3 only.',
  source: 'https://wiki.mozilla.org/Security/Server_Side_TLS (version 6.0, modern)',
  protocols: ['TLSv1.3'],
  ciphers: [],
  cipherSuites: MOZILLA_SUITES,
  curves: MOZILLA_CURVES,
  sessionTickets: false,
  sessionTimeout: 86_400,
  ocspStapling: false,
  preferServerCiphers: false,
};

/**
 * Mozilla intermediate: TLS 1.2 and 1.3, the six ECDHE suites with AES-GCM
 * or ChaCha20-Poly1305 (the DHE suites were dropped in 5.8), a 1-day session
 * timeout as in Mozilla's nginx template. The general-purpose default.
 */
const intermediate: TlsProfile = {
  description: 'Mozilla intermediate (guidelines 6.0): TLS 1.2 and 1.3, ECDHE with AEAD only.',
  source: 'https://wiki.mozilla.org/Security/Server_Side_TLS (version 6.0, intermediate)',
  protocols: ['TLSv1.2', 'TLSv1.3'],
  ciphers: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ],
  cipherSuites: MOZILLA_SUITES,
  curves: MOZILLA_CURVES,
  sessionTickets: false,
  sessionTimeout: 86_400,
  ocspStapling: false,
  preferServerCiphers: false,
};

/**
 * The OpenKAT hardening guide's nginx lines: `ssl_protocols TLSv1.2
 * TLSv1.3`, its `ssl_ciphers` list without `ECDHE-RSA-AES256-GCM-SHA512`
 * and `DHE-RSA-AES256-GCM-SHA512` (no such suites exist: OpenSSL drops them
 * silently, leaving the three below), `ssl_ecdh_curve secp384r1`, tickets
 * off, stapling on, server order on, a 10-minute session timeout. The guide
 * does not restrict TLS 1.3, so OpenSSL's default TLS 1.3 suites apply.
 *
 * Every suite is RSA-only (no ECDSA certificate path), one is finite-field
 * DHE and one is CBC: the policy warns about those two (BARBICAN_W_TLS_WEAK).
 */
const openkat: TlsProfile = {
  description:
    'The OpenKAT hardening guide’s nginx TLS settings, minus its two cipher names that do not exist.',
  source: 'OpenKAT documentation, "Production: Hardening OpenKAT", SSL/TLS on nginx',
  protocols: ['TLSv1.2', 'TLSv1.3'],
  ciphers: ['ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-SHA384'],
  cipherSuites: [
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_AES_128_GCM_SHA256',
  ],
  curves: ['secp384r1'],
  sessionTickets: false,
  sessionTimeout: 600,
  ocspStapling: true,
  preferServerCiphers: true,
};

/** Every profile by name. */
export const TLS_PROFILES: Readonly<Record<TlsProfileName, TlsProfile>> = deepFreeze({
  modern,
  intermediate,
  openkat,
});
