/**
 * The TLS name tables: every TLS 1.2-and-older cipher suite OpenSSL 3 knows
 * (plus the legacy ones it dropped: RC4, DES, 3DES, IDEA, SEED, export), the
 * TLS 1.3 cipher suites, the key-exchange groups (curves) and the protocol
 * versions, each with its OpenSSL, IANA, Go (Traefik, KrakenD) and Caddy
 * spelling and a verdict with the reason.
 *
 * Data, not logic: the policy validator, the export renderers, the gateway
 * (Node `tls` options) and the scanner's drift check all read these rows, so
 * a name means the same thing everywhere. OpenSSL silently drops a name it
 * does not know as long as one other name matches (nginx and Node inherit
 * that); Barbican refuses it instead, with "did you mean".
 *
 * Sources: `openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`
 * (OpenSSL 3.0) for the current rows, the IANA TLS Cipher Suites and TLS
 * Supported Groups registries, Go's crypto/tls constants, Caddy 2.6
 * (`caddy validate`). `names.test.ts` checks the rows against the local
 * OpenSSL and Node.
 *
 * @see https://www.iana.org/assignments/tls-parameters/tls-parameters.xhtml
 * @see https://docs.openssl.org/3.0/man1/openssl-ciphers/
 * @module
 */

/** A protocol version as OpenSSL, nginx and Node spell it. */
export type TlsProtocolName = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** How Barbican judges a TLS item: use, accept, warn (`BARBICAN_W_TLS_WEAK`), refuse (`BARBICAN_E_TLS_INSECURE`). */
export type TlsVerdict = 'recommended' | 'secure' | 'weak' | 'insecure';

/** A key exchange as OpenSSL reports it (`Kx=`), with `ECDH`/`DH` written as the ephemeral forms they are. */
export type TlsKeyExchange =
  'ECDHE' | 'DHE' | 'RSA' | 'PSK' | 'ECDHEPSK' | 'DHEPSK' | 'RSAPSK' | 'SRP' | 'any';

/** One TLS 1.2-or-older cipher suite (configured with nginx `ssl_ciphers`, Node `ciphers`). */
export interface TlsCipher {
  /** IANA code point, e.g. `0xc02b`; also the value of Go's constant and KrakenD's `cipher_suites` entry. */
  readonly id: number;
  /** The IANA (RFC) name, e.g. `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`. */
  readonly iana: string;
  /** The OpenSSL name, e.g. `ECDHE-ECDSA-AES128-GCM-SHA256`: what `tls.ciphers` holds. */
  readonly openssl: string;
  /** The oldest protocol that can negotiate it. */
  readonly protocol: TlsProtocolName;
  readonly keyExchange: TlsKeyExchange;
  /** Certificate type: `ECDSA`, `RSA`, `DSS`; `PSK`/`SRP` (no certificate); `None` (anonymous). */
  readonly authentication: string;
  /** As OpenSSL prints it: `AESGCM(128)`, `CHACHA20/POLY1305(256)`, `AES(256)` (CBC), `3DES(168)`, `None`. */
  readonly encryption: string;
  /** `AEAD` for GCM/CCM/ChaCha20-Poly1305, else the HMAC hash (`SHA1`, `SHA256`, `SHA384`, `MD5`). */
  readonly mac: string;
  readonly aead: boolean;
  readonly forwardSecrecy: boolean;
  /** Go's `crypto/tls` constant name (Traefik `cipherSuites`), when Go implements it. */
  readonly go: string | undefined;
  /** Caddy's `ciphers` name (Go's secure list), when Caddy accepts it. */
  readonly caddy: string | undefined;
  /** False for the rows OpenSSL 3 no longer builds (RC4, DES, 3DES, IDEA, SEED, export). */
  readonly inOpenssl3: boolean;
  readonly verdict: TlsVerdict;
  /** Why the verdict is `weak` or `insecure` (one reason per problem). */
  readonly reasons: readonly string[];
}

type Row = readonly [
  number,
  string,
  string,
  TlsProtocolName,
  TlsKeyExchange,
  string,
  string,
  string,
];

/** Every suite `openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'` lists in OpenSSL 3.0, by id. */
// prettier-ignore
const OPENSSL3_ROWS: readonly Row[] = [
  [0x0001, 'TLS_RSA_WITH_NULL_MD5', 'NULL-MD5', 'SSLv3', 'RSA', 'RSA', 'None', 'MD5'],
  [0x0002, 'TLS_RSA_WITH_NULL_SHA', 'NULL-SHA', 'SSLv3', 'RSA', 'RSA', 'None', 'SHA1'],
  [0x002c, 'TLS_PSK_WITH_NULL_SHA', 'PSK-NULL-SHA', 'SSLv3', 'PSK', 'PSK', 'None', 'SHA1'],
  [0x002d, 'TLS_DHE_PSK_WITH_NULL_SHA', 'DHE-PSK-NULL-SHA', 'SSLv3', 'DHEPSK', 'PSK', 'None', 'SHA1'],
  [0x002e, 'TLS_RSA_PSK_WITH_NULL_SHA', 'RSA-PSK-NULL-SHA', 'SSLv3', 'RSAPSK', 'RSA', 'None', 'SHA1'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA', 'SSLv3', 'RSA', 'RSA', 'AES(128)', 'SHA1'],
  [0x0032, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA', 'DHE-DSS-AES128-SHA', 'SSLv3', 'DHE', 'DSS', 'AES(128)', 'SHA1'],
  [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'DHE-RSA-AES128-SHA', 'SSLv3', 'DHE', 'RSA', 'AES(128)', 'SHA1'],
  [0x0034, 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'ADH-AES128-SHA', 'SSLv3', 'DHE', 'None', 'AES(128)', 'SHA1'],
  [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA', 'SSLv3', 'RSA', 'RSA', 'AES(256)', 'SHA1'],
  [0x0038, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA', 'DHE-DSS-AES256-SHA', 'SSLv3', 'DHE', 'DSS', 'AES(256)', 'SHA1'],
  [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'DHE-RSA-AES256-SHA', 'SSLv3', 'DHE', 'RSA', 'AES(256)', 'SHA1'],
  [0x003a, 'TLS_DH_anon_WITH_AES_256_CBC_SHA', 'ADH-AES256-SHA', 'SSLv3', 'DHE', 'None', 'AES(256)', 'SHA1'],
  [0x003b, 'TLS_RSA_WITH_NULL_SHA256', 'NULL-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'None', 'SHA256'],
  [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'AES128-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'AES(128)', 'SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'AES256-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'AES(256)', 'SHA256'],
  [0x0040, 'TLS_DHE_DSS_WITH_AES_128_CBC_SHA256', 'DHE-DSS-AES128-SHA256', 'TLSv1.2', 'DHE', 'DSS', 'AES(128)', 'SHA256'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', 'CAMELLIA128-SHA', 'SSLv3', 'RSA', 'RSA', 'Camellia(128)', 'SHA1'],
  [0x0044, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA', 'DHE-DSS-CAMELLIA128-SHA', 'SSLv3', 'DHE', 'DSS', 'Camellia(128)', 'SHA1'],
  [0x0045, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', 'DHE-RSA-CAMELLIA128-SHA', 'SSLv3', 'DHE', 'RSA', 'Camellia(128)', 'SHA1'],
  [0x0046, 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA', 'ADH-CAMELLIA128-SHA', 'SSLv3', 'DHE', 'None', 'Camellia(128)', 'SHA1'],
  [0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'DHE-RSA-AES128-SHA256', 'TLSv1.2', 'DHE', 'RSA', 'AES(128)', 'SHA256'],
  [0x006a, 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA256', 'DHE-DSS-AES256-SHA256', 'TLSv1.2', 'DHE', 'DSS', 'AES(256)', 'SHA256'],
  [0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'DHE-RSA-AES256-SHA256', 'TLSv1.2', 'DHE', 'RSA', 'AES(256)', 'SHA256'],
  [0x006c, 'TLS_DH_anon_WITH_AES_128_CBC_SHA256', 'ADH-AES128-SHA256', 'TLSv1.2', 'DHE', 'None', 'AES(128)', 'SHA256'],
  [0x006d, 'TLS_DH_anon_WITH_AES_256_CBC_SHA256', 'ADH-AES256-SHA256', 'TLSv1.2', 'DHE', 'None', 'AES(256)', 'SHA256'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA', 'CAMELLIA256-SHA', 'SSLv3', 'RSA', 'RSA', 'Camellia(256)', 'SHA1'],
  [0x0087, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA', 'DHE-DSS-CAMELLIA256-SHA', 'SSLv3', 'DHE', 'DSS', 'Camellia(256)', 'SHA1'],
  [0x0088, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA', 'DHE-RSA-CAMELLIA256-SHA', 'SSLv3', 'DHE', 'RSA', 'Camellia(256)', 'SHA1'],
  [0x0089, 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA', 'ADH-CAMELLIA256-SHA', 'SSLv3', 'DHE', 'None', 'Camellia(256)', 'SHA1'],
  [0x008c, 'TLS_PSK_WITH_AES_128_CBC_SHA', 'PSK-AES128-CBC-SHA', 'SSLv3', 'PSK', 'PSK', 'AES(128)', 'SHA1'],
  [0x008d, 'TLS_PSK_WITH_AES_256_CBC_SHA', 'PSK-AES256-CBC-SHA', 'SSLv3', 'PSK', 'PSK', 'AES(256)', 'SHA1'],
  [0x0090, 'TLS_DHE_PSK_WITH_AES_128_CBC_SHA', 'DHE-PSK-AES128-CBC-SHA', 'SSLv3', 'DHEPSK', 'PSK', 'AES(128)', 'SHA1'],
  [0x0091, 'TLS_DHE_PSK_WITH_AES_256_CBC_SHA', 'DHE-PSK-AES256-CBC-SHA', 'SSLv3', 'DHEPSK', 'PSK', 'AES(256)', 'SHA1'],
  [0x0094, 'TLS_RSA_PSK_WITH_AES_128_CBC_SHA', 'RSA-PSK-AES128-CBC-SHA', 'SSLv3', 'RSAPSK', 'RSA', 'AES(128)', 'SHA1'],
  [0x0095, 'TLS_RSA_PSK_WITH_AES_256_CBC_SHA', 'RSA-PSK-AES256-CBC-SHA', 'SSLv3', 'RSAPSK', 'RSA', 'AES(256)', 'SHA1'],
  [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'AESGCM(128)', 'AEAD'],
  [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384', 'TLSv1.2', 'RSA', 'RSA', 'AESGCM(256)', 'AEAD'],
  [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 'DHE', 'RSA', 'AESGCM(128)', 'AEAD'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 'DHE', 'RSA', 'AESGCM(256)', 'AEAD'],
  [0x00a2, 'TLS_DHE_DSS_WITH_AES_128_GCM_SHA256', 'DHE-DSS-AES128-GCM-SHA256', 'TLSv1.2', 'DHE', 'DSS', 'AESGCM(128)', 'AEAD'],
  [0x00a3, 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384', 'DHE-DSS-AES256-GCM-SHA384', 'TLSv1.2', 'DHE', 'DSS', 'AESGCM(256)', 'AEAD'],
  [0x00a6, 'TLS_DH_anon_WITH_AES_128_GCM_SHA256', 'ADH-AES128-GCM-SHA256', 'TLSv1.2', 'DHE', 'None', 'AESGCM(128)', 'AEAD'],
  [0x00a7, 'TLS_DH_anon_WITH_AES_256_GCM_SHA384', 'ADH-AES256-GCM-SHA384', 'TLSv1.2', 'DHE', 'None', 'AESGCM(256)', 'AEAD'],
  [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'PSK-AES128-GCM-SHA256', 'TLSv1.2', 'PSK', 'PSK', 'AESGCM(128)', 'AEAD'],
  [0x00a9, 'TLS_PSK_WITH_AES_256_GCM_SHA384', 'PSK-AES256-GCM-SHA384', 'TLSv1.2', 'PSK', 'PSK', 'AESGCM(256)', 'AEAD'],
  [0x00aa, 'TLS_DHE_PSK_WITH_AES_128_GCM_SHA256', 'DHE-PSK-AES128-GCM-SHA256', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESGCM(128)', 'AEAD'],
  [0x00ab, 'TLS_DHE_PSK_WITH_AES_256_GCM_SHA384', 'DHE-PSK-AES256-GCM-SHA384', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESGCM(256)', 'AEAD'],
  [0x00ac, 'TLS_RSA_PSK_WITH_AES_128_GCM_SHA256', 'RSA-PSK-AES128-GCM-SHA256', 'TLSv1.2', 'RSAPSK', 'RSA', 'AESGCM(128)', 'AEAD'],
  [0x00ad, 'TLS_RSA_PSK_WITH_AES_256_GCM_SHA384', 'RSA-PSK-AES256-GCM-SHA384', 'TLSv1.2', 'RSAPSK', 'RSA', 'AESGCM(256)', 'AEAD'],
  [0x00ae, 'TLS_PSK_WITH_AES_128_CBC_SHA256', 'PSK-AES128-CBC-SHA256', 'TLSv1', 'PSK', 'PSK', 'AES(128)', 'SHA256'],
  [0x00af, 'TLS_PSK_WITH_AES_256_CBC_SHA384', 'PSK-AES256-CBC-SHA384', 'TLSv1', 'PSK', 'PSK', 'AES(256)', 'SHA384'],
  [0x00b0, 'TLS_PSK_WITH_NULL_SHA256', 'PSK-NULL-SHA256', 'TLSv1', 'PSK', 'PSK', 'None', 'SHA256'],
  [0x00b1, 'TLS_PSK_WITH_NULL_SHA384', 'PSK-NULL-SHA384', 'TLSv1', 'PSK', 'PSK', 'None', 'SHA384'],
  [0x00b2, 'TLS_DHE_PSK_WITH_AES_128_CBC_SHA256', 'DHE-PSK-AES128-CBC-SHA256', 'TLSv1', 'DHEPSK', 'PSK', 'AES(128)', 'SHA256'],
  [0x00b3, 'TLS_DHE_PSK_WITH_AES_256_CBC_SHA384', 'DHE-PSK-AES256-CBC-SHA384', 'TLSv1', 'DHEPSK', 'PSK', 'AES(256)', 'SHA384'],
  [0x00b4, 'TLS_DHE_PSK_WITH_NULL_SHA256', 'DHE-PSK-NULL-SHA256', 'TLSv1', 'DHEPSK', 'PSK', 'None', 'SHA256'],
  [0x00b5, 'TLS_DHE_PSK_WITH_NULL_SHA384', 'DHE-PSK-NULL-SHA384', 'TLSv1', 'DHEPSK', 'PSK', 'None', 'SHA384'],
  [0x00b6, 'TLS_RSA_PSK_WITH_AES_128_CBC_SHA256', 'RSA-PSK-AES128-CBC-SHA256', 'TLSv1', 'RSAPSK', 'RSA', 'AES(128)', 'SHA256'],
  [0x00b7, 'TLS_RSA_PSK_WITH_AES_256_CBC_SHA384', 'RSA-PSK-AES256-CBC-SHA384', 'TLSv1', 'RSAPSK', 'RSA', 'AES(256)', 'SHA384'],
  [0x00b8, 'TLS_RSA_PSK_WITH_NULL_SHA256', 'RSA-PSK-NULL-SHA256', 'TLSv1', 'RSAPSK', 'RSA', 'None', 'SHA256'],
  [0x00b9, 'TLS_RSA_PSK_WITH_NULL_SHA384', 'RSA-PSK-NULL-SHA384', 'TLSv1', 'RSAPSK', 'RSA', 'None', 'SHA384'],
  [0x00ba, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256', 'CAMELLIA128-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'Camellia(128)', 'SHA256'],
  [0x00bd, 'TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256', 'DHE-DSS-CAMELLIA128-SHA256', 'TLSv1.2', 'DHE', 'DSS', 'Camellia(128)', 'SHA256'],
  [0x00be, 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256', 'DHE-RSA-CAMELLIA128-SHA256', 'TLSv1.2', 'DHE', 'RSA', 'Camellia(128)', 'SHA256'],
  [0x00bf, 'TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256', 'ADH-CAMELLIA128-SHA256', 'TLSv1.2', 'DHE', 'None', 'Camellia(128)', 'SHA256'],
  [0x00c0, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256', 'CAMELLIA256-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'Camellia(256)', 'SHA256'],
  [0x00c3, 'TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256', 'DHE-DSS-CAMELLIA256-SHA256', 'TLSv1.2', 'DHE', 'DSS', 'Camellia(256)', 'SHA256'],
  [0x00c4, 'TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256', 'DHE-RSA-CAMELLIA256-SHA256', 'TLSv1.2', 'DHE', 'RSA', 'Camellia(256)', 'SHA256'],
  [0x00c5, 'TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256', 'ADH-CAMELLIA256-SHA256', 'TLSv1.2', 'DHE', 'None', 'Camellia(256)', 'SHA256'],
  [0xc006, 'TLS_ECDHE_ECDSA_WITH_NULL_SHA', 'ECDHE-ECDSA-NULL-SHA', 'TLSv1', 'ECDHE', 'ECDSA', 'None', 'SHA1'],
  [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA', 'TLSv1', 'ECDHE', 'ECDSA', 'AES(128)', 'SHA1'],
  [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA', 'TLSv1', 'ECDHE', 'ECDSA', 'AES(256)', 'SHA1'],
  [0xc010, 'TLS_ECDHE_RSA_WITH_NULL_SHA', 'ECDHE-RSA-NULL-SHA', 'TLSv1', 'ECDHE', 'RSA', 'None', 'SHA1'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA', 'TLSv1', 'ECDHE', 'RSA', 'AES(128)', 'SHA1'],
  [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA', 'TLSv1', 'ECDHE', 'RSA', 'AES(256)', 'SHA1'],
  [0xc015, 'TLS_ECDH_anon_WITH_NULL_SHA', 'AECDH-NULL-SHA', 'TLSv1', 'ECDHE', 'None', 'None', 'SHA1'],
  [0xc018, 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', 'AECDH-AES128-SHA', 'TLSv1', 'ECDHE', 'None', 'AES(128)', 'SHA1'],
  [0xc019, 'TLS_ECDH_anon_WITH_AES_256_CBC_SHA', 'AECDH-AES256-SHA', 'TLSv1', 'ECDHE', 'None', 'AES(256)', 'SHA1'],
  [0xc01d, 'TLS_SRP_SHA_WITH_AES_128_CBC_SHA', 'SRP-AES-128-CBC-SHA', 'SSLv3', 'SRP', 'SRP', 'AES(128)', 'SHA1'],
  [0xc01e, 'TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA', 'SRP-RSA-AES-128-CBC-SHA', 'SSLv3', 'SRP', 'RSA', 'AES(128)', 'SHA1'],
  [0xc01f, 'TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA', 'SRP-DSS-AES-128-CBC-SHA', 'SSLv3', 'SRP', 'DSS', 'AES(128)', 'SHA1'],
  [0xc020, 'TLS_SRP_SHA_WITH_AES_256_CBC_SHA', 'SRP-AES-256-CBC-SHA', 'SSLv3', 'SRP', 'SRP', 'AES(256)', 'SHA1'],
  [0xc021, 'TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA', 'SRP-RSA-AES-256-CBC-SHA', 'SSLv3', 'SRP', 'RSA', 'AES(256)', 'SHA1'],
  [0xc022, 'TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA', 'SRP-DSS-AES-256-CBC-SHA', 'SSLv3', 'SRP', 'DSS', 'AES(256)', 'SHA1'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AES(128)', 'SHA256'],
  [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AES(256)', 'SHA384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256', 'TLSv1.2', 'ECDHE', 'RSA', 'AES(128)', 'SHA256'],
  [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE-RSA-AES256-SHA384', 'TLSv1.2', 'ECDHE', 'RSA', 'AES(256)', 'SHA384'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AESGCM(128)', 'AEAD'],
  [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AESGCM(256)', 'AEAD'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 'ECDHE', 'RSA', 'AESGCM(128)', 'AEAD'],
  [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 'ECDHE', 'RSA', 'AESGCM(256)', 'AEAD'],
  [0xc035, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA', 'ECDHE-PSK-AES128-CBC-SHA', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES(128)', 'SHA1'],
  [0xc036, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA', 'ECDHE-PSK-AES256-CBC-SHA', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES(256)', 'SHA1'],
  [0xc037, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256', 'ECDHE-PSK-AES128-CBC-SHA256', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES(128)', 'SHA256'],
  [0xc038, 'TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384', 'ECDHE-PSK-AES256-CBC-SHA384', 'TLSv1', 'ECDHEPSK', 'PSK', 'AES(256)', 'SHA384'],
  [0xc039, 'TLS_ECDHE_PSK_WITH_NULL_SHA', 'ECDHE-PSK-NULL-SHA', 'TLSv1', 'ECDHEPSK', 'PSK', 'None', 'SHA1'],
  [0xc03a, 'TLS_ECDHE_PSK_WITH_NULL_SHA256', 'ECDHE-PSK-NULL-SHA256', 'TLSv1', 'ECDHEPSK', 'PSK', 'None', 'SHA256'],
  [0xc03b, 'TLS_ECDHE_PSK_WITH_NULL_SHA384', 'ECDHE-PSK-NULL-SHA384', 'TLSv1', 'ECDHEPSK', 'PSK', 'None', 'SHA384'],
  [0xc050, 'TLS_RSA_WITH_ARIA_128_GCM_SHA256', 'ARIA128-GCM-SHA256', 'TLSv1.2', 'RSA', 'RSA', 'ARIAGCM(128)', 'AEAD'],
  [0xc051, 'TLS_RSA_WITH_ARIA_256_GCM_SHA384', 'ARIA256-GCM-SHA384', 'TLSv1.2', 'RSA', 'RSA', 'ARIAGCM(256)', 'AEAD'],
  [0xc052, 'TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256', 'DHE-RSA-ARIA128-GCM-SHA256', 'TLSv1.2', 'DHE', 'RSA', 'ARIAGCM(128)', 'AEAD'],
  [0xc053, 'TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384', 'DHE-RSA-ARIA256-GCM-SHA384', 'TLSv1.2', 'DHE', 'RSA', 'ARIAGCM(256)', 'AEAD'],
  [0xc056, 'TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256', 'DHE-DSS-ARIA128-GCM-SHA256', 'TLSv1.2', 'DHE', 'DSS', 'ARIAGCM(128)', 'AEAD'],
  [0xc057, 'TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384', 'DHE-DSS-ARIA256-GCM-SHA384', 'TLSv1.2', 'DHE', 'DSS', 'ARIAGCM(256)', 'AEAD'],
  [0xc05c, 'TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256', 'ECDHE-ECDSA-ARIA128-GCM-SHA256', 'TLSv1.2', 'ECDHE', 'ECDSA', 'ARIAGCM(128)', 'AEAD'],
  [0xc05d, 'TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384', 'ECDHE-ECDSA-ARIA256-GCM-SHA384', 'TLSv1.2', 'ECDHE', 'ECDSA', 'ARIAGCM(256)', 'AEAD'],
  [0xc060, 'TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256', 'ECDHE-ARIA128-GCM-SHA256', 'TLSv1.2', 'ECDHE', 'RSA', 'ARIAGCM(128)', 'AEAD'],
  [0xc061, 'TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384', 'ECDHE-ARIA256-GCM-SHA384', 'TLSv1.2', 'ECDHE', 'RSA', 'ARIAGCM(256)', 'AEAD'],
  [0xc06a, 'TLS_PSK_WITH_ARIA_128_GCM_SHA256', 'PSK-ARIA128-GCM-SHA256', 'TLSv1.2', 'PSK', 'PSK', 'ARIAGCM(128)', 'AEAD'],
  [0xc06b, 'TLS_PSK_WITH_ARIA_256_GCM_SHA384', 'PSK-ARIA256-GCM-SHA384', 'TLSv1.2', 'PSK', 'PSK', 'ARIAGCM(256)', 'AEAD'],
  [0xc06c, 'TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256', 'DHE-PSK-ARIA128-GCM-SHA256', 'TLSv1.2', 'DHEPSK', 'PSK', 'ARIAGCM(128)', 'AEAD'],
  [0xc06d, 'TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384', 'DHE-PSK-ARIA256-GCM-SHA384', 'TLSv1.2', 'DHEPSK', 'PSK', 'ARIAGCM(256)', 'AEAD'],
  [0xc06e, 'TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256', 'RSA-PSK-ARIA128-GCM-SHA256', 'TLSv1.2', 'RSAPSK', 'RSA', 'ARIAGCM(128)', 'AEAD'],
  [0xc06f, 'TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384', 'RSA-PSK-ARIA256-GCM-SHA384', 'TLSv1.2', 'RSAPSK', 'RSA', 'ARIAGCM(256)', 'AEAD'],
  [0xc072, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256', 'ECDHE-ECDSA-CAMELLIA128-SHA256', 'TLSv1.2', 'ECDHE', 'ECDSA', 'Camellia(128)', 'SHA256'],
  [0xc073, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384', 'ECDHE-ECDSA-CAMELLIA256-SHA384', 'TLSv1.2', 'ECDHE', 'ECDSA', 'Camellia(256)', 'SHA384'],
  [0xc076, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256', 'ECDHE-RSA-CAMELLIA128-SHA256', 'TLSv1.2', 'ECDHE', 'RSA', 'Camellia(128)', 'SHA256'],
  [0xc077, 'TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384', 'ECDHE-RSA-CAMELLIA256-SHA384', 'TLSv1.2', 'ECDHE', 'RSA', 'Camellia(256)', 'SHA384'],
  [0xc094, 'TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256', 'PSK-CAMELLIA128-SHA256', 'TLSv1', 'PSK', 'PSK', 'Camellia(128)', 'SHA256'],
  [0xc095, 'TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384', 'PSK-CAMELLIA256-SHA384', 'TLSv1', 'PSK', 'PSK', 'Camellia(256)', 'SHA384'],
  [0xc096, 'TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256', 'DHE-PSK-CAMELLIA128-SHA256', 'TLSv1', 'DHEPSK', 'PSK', 'Camellia(128)', 'SHA256'],
  [0xc097, 'TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384', 'DHE-PSK-CAMELLIA256-SHA384', 'TLSv1', 'DHEPSK', 'PSK', 'Camellia(256)', 'SHA384'],
  [0xc098, 'TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256', 'RSA-PSK-CAMELLIA128-SHA256', 'TLSv1', 'RSAPSK', 'RSA', 'Camellia(128)', 'SHA256'],
  [0xc099, 'TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384', 'RSA-PSK-CAMELLIA256-SHA384', 'TLSv1', 'RSAPSK', 'RSA', 'Camellia(256)', 'SHA384'],
  [0xc09a, 'TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256', 'ECDHE-PSK-CAMELLIA128-SHA256', 'TLSv1', 'ECDHEPSK', 'PSK', 'Camellia(128)', 'SHA256'],
  [0xc09b, 'TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384', 'ECDHE-PSK-CAMELLIA256-SHA384', 'TLSv1', 'ECDHEPSK', 'PSK', 'Camellia(256)', 'SHA384'],
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM', 'AES128-CCM', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM(128)', 'AEAD'],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM', 'AES256-CCM', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM(256)', 'AEAD'],
  [0xc09e, 'TLS_DHE_RSA_WITH_AES_128_CCM', 'DHE-RSA-AES128-CCM', 'TLSv1.2', 'DHE', 'RSA', 'AESCCM(128)', 'AEAD'],
  [0xc09f, 'TLS_DHE_RSA_WITH_AES_256_CCM', 'DHE-RSA-AES256-CCM', 'TLSv1.2', 'DHE', 'RSA', 'AESCCM(256)', 'AEAD'],
  [0xc0a0, 'TLS_RSA_WITH_AES_128_CCM_8', 'AES128-CCM8', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM8(128)', 'AEAD'],
  [0xc0a1, 'TLS_RSA_WITH_AES_256_CCM_8', 'AES256-CCM8', 'TLSv1.2', 'RSA', 'RSA', 'AESCCM8(256)', 'AEAD'],
  [0xc0a2, 'TLS_DHE_RSA_WITH_AES_128_CCM_8', 'DHE-RSA-AES128-CCM8', 'TLSv1.2', 'DHE', 'RSA', 'AESCCM8(128)', 'AEAD'],
  [0xc0a3, 'TLS_DHE_RSA_WITH_AES_256_CCM_8', 'DHE-RSA-AES256-CCM8', 'TLSv1.2', 'DHE', 'RSA', 'AESCCM8(256)', 'AEAD'],
  [0xc0a4, 'TLS_PSK_WITH_AES_128_CCM', 'PSK-AES128-CCM', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM(128)', 'AEAD'],
  [0xc0a5, 'TLS_PSK_WITH_AES_256_CCM', 'PSK-AES256-CCM', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM(256)', 'AEAD'],
  [0xc0a6, 'TLS_DHE_PSK_WITH_AES_128_CCM', 'DHE-PSK-AES128-CCM', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM(128)', 'AEAD'],
  [0xc0a7, 'TLS_DHE_PSK_WITH_AES_256_CCM', 'DHE-PSK-AES256-CCM', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM(256)', 'AEAD'],
  [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8', 'PSK-AES128-CCM8', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM8(128)', 'AEAD'],
  [0xc0a9, 'TLS_PSK_WITH_AES_256_CCM_8', 'PSK-AES256-CCM8', 'TLSv1.2', 'PSK', 'PSK', 'AESCCM8(256)', 'AEAD'],
  [0xc0aa, 'TLS_PSK_DHE_WITH_AES_128_CCM_8', 'DHE-PSK-AES128-CCM8', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM8(128)', 'AEAD'],
  [0xc0ab, 'TLS_PSK_DHE_WITH_AES_256_CCM_8', 'DHE-PSK-AES256-CCM8', 'TLSv1.2', 'DHEPSK', 'PSK', 'AESCCM8(256)', 'AEAD'],
  [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 'ECDHE-ECDSA-AES128-CCM', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AESCCM(128)', 'AEAD'],
  [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 'ECDHE-ECDSA-AES256-CCM', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AESCCM(256)', 'AEAD'],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ECDHE-ECDSA-AES128-CCM8', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AESCCM8(128)', 'AEAD'],
  [0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8', 'ECDHE-ECDSA-AES256-CCM8', 'TLSv1.2', 'ECDHE', 'ECDSA', 'AESCCM8(256)', 'AEAD'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 'ECDHE', 'RSA', 'CHACHA20/POLY1305(256)', 'AEAD'],
  [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'TLSv1.2', 'ECDHE', 'ECDSA', 'CHACHA20/POLY1305(256)', 'AEAD'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'DHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 'DHE', 'RSA', 'CHACHA20/POLY1305(256)', 'AEAD'],
  [0xccab, 'TLS_PSK_WITH_CHACHA20_POLY1305_SHA256', 'PSK-CHACHA20-POLY1305', 'TLSv1.2', 'PSK', 'PSK', 'CHACHA20/POLY1305(256)', 'AEAD'],
  [0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-PSK-CHACHA20-POLY1305', 'TLSv1.2', 'ECDHEPSK', 'PSK', 'CHACHA20/POLY1305(256)', 'AEAD'],
  [0xccad, 'TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 'DHE-PSK-CHACHA20-POLY1305', 'TLSv1.2', 'DHEPSK', 'PSK', 'CHACHA20/POLY1305(256)', 'AEAD'],
  [0xccae, 'TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256', 'RSA-PSK-CHACHA20-POLY1305', 'TLSv1.2', 'RSAPSK', 'RSA', 'CHACHA20/POLY1305(256)', 'AEAD'],
];

/** Suites OpenSSL 3 builds no longer contain, kept so that they are recognised and refused with a reason. */
// prettier-ignore
const LEGACY_ROWS: readonly Row[] = [
  [0x0003, 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'EXP-RC4-MD5', 'SSLv3', 'RSA', 'RSA', 'RC4(40)', 'MD5'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5', 'RC4-MD5', 'SSLv3', 'RSA', 'RSA', 'RC4(128)', 'MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA', 'SSLv3', 'RSA', 'RSA', 'RC4(128)', 'SHA1'],
  [0x0006, 'TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5', 'EXP-RC2-CBC-MD5', 'SSLv3', 'RSA', 'RSA', 'RC2(40)', 'MD5'],
  [0x0007, 'TLS_RSA_WITH_IDEA_CBC_SHA', 'IDEA-CBC-SHA', 'SSLv3', 'RSA', 'RSA', 'IDEA(128)', 'SHA1'],
  [0x0008, 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', 'EXP-DES-CBC-SHA', 'SSLv3', 'RSA', 'RSA', 'DES(40)', 'SHA1'],
  [0x0009, 'TLS_RSA_WITH_DES_CBC_SHA', 'DES-CBC-SHA', 'SSLv3', 'RSA', 'RSA', 'DES(56)', 'SHA1'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA', 'SSLv3', 'RSA', 'RSA', '3DES(168)', 'SHA1'],
  [0x0011, 'TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA', 'EXP-EDH-DSS-DES-CBC-SHA', 'SSLv3', 'DHE', 'DSS', 'DES(40)', 'SHA1'],
  [0x0012, 'TLS_DHE_DSS_WITH_DES_CBC_SHA', 'EDH-DSS-DES-CBC-SHA', 'SSLv3', 'DHE', 'DSS', 'DES(56)', 'SHA1'],
  [0x0013, 'TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA', 'DHE-DSS-DES-CBC3-SHA', 'SSLv3', 'DHE', 'DSS', '3DES(168)', 'SHA1'],
  [0x0014, 'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'EXP-EDH-RSA-DES-CBC-SHA', 'SSLv3', 'DHE', 'RSA', 'DES(40)', 'SHA1'],
  [0x0015, 'TLS_DHE_RSA_WITH_DES_CBC_SHA', 'EDH-RSA-DES-CBC-SHA', 'SSLv3', 'DHE', 'RSA', 'DES(56)', 'SHA1'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'DHE-RSA-DES-CBC3-SHA', 'SSLv3', 'DHE', 'RSA', '3DES(168)', 'SHA1'],
  [0x0017, 'TLS_DH_anon_EXPORT_WITH_RC4_40_MD5', 'EXP-ADH-RC4-MD5', 'SSLv3', 'DHE', 'None', 'RC4(40)', 'MD5'],
  [0x0018, 'TLS_DH_anon_WITH_RC4_128_MD5', 'ADH-RC4-MD5', 'SSLv3', 'DHE', 'None', 'RC4(128)', 'MD5'],
  [0x0019, 'TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA', 'EXP-ADH-DES-CBC-SHA', 'SSLv3', 'DHE', 'None', 'DES(40)', 'SHA1'],
  [0x001a, 'TLS_DH_anon_WITH_DES_CBC_SHA', 'ADH-DES-CBC-SHA', 'SSLv3', 'DHE', 'None', 'DES(56)', 'SHA1'],
  [0x001b, 'TLS_DH_anon_WITH_3DES_EDE_CBC_SHA', 'ADH-DES-CBC3-SHA', 'SSLv3', 'DHE', 'None', '3DES(168)', 'SHA1'],
  [0x008a, 'TLS_PSK_WITH_RC4_128_SHA', 'PSK-RC4-SHA', 'SSLv3', 'PSK', 'PSK', 'RC4(128)', 'SHA1'],
  [0x008b, 'TLS_PSK_WITH_3DES_EDE_CBC_SHA', 'PSK-3DES-EDE-CBC-SHA', 'SSLv3', 'PSK', 'PSK', '3DES(168)', 'SHA1'],
  [0x0096, 'TLS_RSA_WITH_SEED_CBC_SHA', 'SEED-SHA', 'SSLv3', 'RSA', 'RSA', 'SEED(128)', 'SHA1'],
  [0x0099, 'TLS_DHE_DSS_WITH_SEED_CBC_SHA', 'DHE-DSS-SEED-SHA', 'SSLv3', 'DHE', 'DSS', 'SEED(128)', 'SHA1'],
  [0x009a, 'TLS_DHE_RSA_WITH_SEED_CBC_SHA', 'DHE-RSA-SEED-SHA', 'SSLv3', 'DHE', 'RSA', 'SEED(128)', 'SHA1'],
  [0x009b, 'TLS_DH_anon_WITH_SEED_CBC_SHA', 'ADH-SEED-SHA', 'SSLv3', 'DHE', 'None', 'SEED(128)', 'SHA1'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ECDHE-ECDSA-RC4-SHA', 'TLSv1', 'ECDHE', 'ECDSA', 'RC4(128)', 'SHA1'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-ECDSA-DES-CBC3-SHA', 'TLSv1', 'ECDHE', 'ECDSA', '3DES(168)', 'SHA1'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE-RSA-RC4-SHA', 'TLSv1', 'ECDHE', 'RSA', 'RC4(128)', 'SHA1'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-RSA-DES-CBC3-SHA', 'TLSv1', 'ECDHE', 'RSA', '3DES(168)', 'SHA1'],
  [0xc016, 'TLS_ECDH_anon_WITH_RC4_128_SHA', 'AECDH-RC4-SHA', 'TLSv1', 'ECDHE', 'None', 'RC4(128)', 'SHA1'],
  [0xc017, 'TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA', 'AECDH-DES-CBC3-SHA', 'TLSv1', 'ECDHE', 'None', '3DES(168)', 'SHA1'],
];

/** A rule that finds a problem in a suite: the first `insecure` hit refuses it, every `weak` hit warns. */
interface Rule {
  readonly verdict: 'insecure' | 'weak';
  readonly test: (row: Row) => boolean;
  readonly reason: string;
}

const PSK_OR_SRP = new Set<string>(['PSK', 'ECDHEPSK', 'DHEPSK', 'RSAPSK', 'SRP']);

/**
 * The reasons, worst first. The refusals are the suites that are broken or
 * cannot work on a web server; the warnings are suites that still work but
 * give something away (forward secrecy, AEAD, HTTP/2 eligibility).
 */
const RULES: readonly Rule[] = [
  {
    verdict: 'insecure',
    test: (r) => r[6] === 'None',
    reason: 'NULL encryption: the traffic is not encrypted at all',
  },
  {
    verdict: 'insecure',
    test: (r) => r[5] === 'None',
    reason:
      'anonymous key exchange: the server is never authenticated, so anyone on the path can impersonate it',
  },
  {
    verdict: 'insecure',
    test: (r) => r[6].endsWith('(40)'),
    reason: 'export-grade 40-bit encryption, broken in minutes (FREAK, Logjam)',
  },
  {
    verdict: 'insecure',
    test: (r) => r[6] === 'DES(56)',
    reason: 'single DES: a 56-bit key, brute-forced in hours',
  },
  {
    verdict: 'insecure',
    test: (r) => r[6].startsWith('RC4'),
    reason: 'RC4 keystream biases reveal plaintext; RFC 7465 forbids RC4 in TLS',
  },
  {
    verdict: 'insecure',
    test: (r) => /^(?:3DES|IDEA|RC2)\(/.test(r[6]),
    reason: '64-bit block cipher: Sweet32 (CVE-2016-2183) recovers cookies from long connections',
  },
  {
    verdict: 'insecure',
    test: (r) => r[7] === 'MD5',
    reason: 'MD5 MAC: MD5 is broken',
  },
  {
    verdict: 'insecure',
    test: (r) => PSK_OR_SRP.has(r[4]),
    reason:
      'needs a pre-shared key or an SRP password, which browsers never have: not a web-server suite',
  },
  {
    verdict: 'weak',
    test: (r) => r[7] !== 'AEAD',
    reason:
      'CBC mode with MAC-then-encrypt: Lucky Thirteen and padding-oracle attacks, and on the HTTP/2 blocklist (RFC 9113 §9.2.2)',
  },
  {
    verdict: 'weak',
    test: (r) => r[4] === 'RSA',
    reason:
      'no forward secrecy: whoever obtains the private key later decrypts every recorded session',
  },
  {
    verdict: 'weak',
    test: (r) => r[4] === 'DHE',
    reason:
      "finite-field DHE: slow, and only as strong as the server's DH parameters (Logjam); Mozilla dropped it in guidelines 5.8",
  },
  {
    verdict: 'weak',
    test: (r) => r[5] === 'DSS',
    reason: 'needs a DSA certificate, which no public CA issues and browsers no longer accept',
  },
  {
    verdict: 'weak',
    test: (r) => r[6].startsWith('AESCCM8'),
    reason: 'CCM_8 has a 64-bit authentication tag (IANA: not recommended)',
  },
];

/** The suites Go's crypto/tls implements (its constants; Traefik and KrakenD take these). */
const GO_IDS = new Set([
  0x0005, 0x000a, 0x002f, 0x0035, 0x003c, 0x009c, 0x009d, 0xc007, 0xc009, 0xc00a, 0xc011, 0xc012,
  0xc013, 0xc014, 0xc023, 0xc027, 0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9,
]);

/**
 * The TLS 1.2 suites Caddy accepts in `ciphers` (Go's `tls.CipherSuites()`):
 * Caddy 2.6 refuses 3DES, RC4 and the CBC-SHA256 suites (`caddy validate`).
 */
const CADDY_IDS = new Set([
  0x002f, 0x0035, 0x009c, 0x009d, 0xc009, 0xc00a, 0xc013, 0xc014, 0xc02b, 0xc02c, 0xc02f, 0xc030,
  0xcca8, 0xcca9,
]);

function verdictOf(row: Row): { verdict: TlsVerdict; reasons: string[] } {
  const hits = RULES.filter((rule) => rule.test(row));
  const insecure = hits.find((h) => h.verdict === 'insecure');
  if (insecure !== undefined) return { verdict: 'insecure', reasons: [insecure.reason] };
  if (hits.length > 0) return { verdict: 'weak', reasons: hits.map((h) => h.reason) };
  const modern =
    row[4] === 'ECDHE' && /^(?:AESGCM|CHACHA20)/.test(row[6]) && /^(?:ECDSA|RSA)$/.test(row[5]);
  return { verdict: modern ? 'recommended' : 'secure', reasons: [] };
}

function toCipher(row: Row, inOpenssl3: boolean): TlsCipher {
  const [id, iana, openssl, protocol, keyExchange, authentication, encryption, mac] = row;
  return Object.freeze({
    id,
    iana,
    openssl,
    protocol,
    keyExchange,
    authentication,
    encryption,
    mac,
    aead: mac === 'AEAD',
    forwardSecrecy: keyExchange === 'ECDHE' || keyExchange === 'DHE',
    go: GO_IDS.has(id) ? iana : undefined,
    caddy: CADDY_IDS.has(id) ? iana : undefined,
    inOpenssl3,
    ...verdictOf(row),
  });
}

/**
 * Every TLS 1.2-and-older cipher suite Barbican recognises, by IANA id:
 * what `tls.ciphers` may name (OpenSSL names) and what it refuses or warns
 * about, with the reason.
 *
 * @example
 * ```ts
 * TLS_CIPHERS.filter((c) => c.verdict === 'recommended').map((c) => c.openssl);
 * // ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', …]
 * ```
 */
export const TLS_CIPHERS: readonly TlsCipher[] = Object.freeze(
  [
    ...OPENSSL3_ROWS.map((r) => toCipher(r, true)),
    ...LEGACY_ROWS.map((r) => toCipher(r, false)),
  ].sort((a, b) => a.id - b.id),
);

/** One TLS 1.3 cipher suite row: `[id, name, encryption, in Go, on by default in OpenSSL]`. */
type SuiteRow = readonly [number, string, string, boolean, boolean];

// prettier-ignore
const SUITE_ROWS: readonly SuiteRow[] = [
  [0x1301, 'TLS_AES_128_GCM_SHA256', 'AESGCM(128)', true, true],
  [0x1302, 'TLS_AES_256_GCM_SHA384', 'AESGCM(256)', true, true],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20/POLY1305(256)', true, true],
  [0x1304, 'TLS_AES_128_CCM_SHA256', 'AESCCM(128)', false, false],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256', 'AESCCM8(128)', false, false],
];

/**
 * The TLS 1.3 cipher suites (RFC 8446 §B.4): what `tls.cipherSuites` may
 * name. OpenSSL and IANA spell them the same way. Go (so Traefik, KrakenD and
 * Caddy) cannot configure TLS 1.3 suites at all: it always offers the first
 * three.
 *
 * @example
 * ```ts
 * TLS13_CIPHER_SUITES.map((s) => s.iana); // ['TLS_AES_128_GCM_SHA256', …]
 * ```
 */
export const TLS13_CIPHER_SUITES: readonly TlsCipher[] = Object.freeze(
  SUITE_ROWS.map(([id, name, encryption, inGo]) => {
    const ccm8 = encryption.startsWith('AESCCM8');
    return Object.freeze({
      id,
      iana: name,
      openssl: name,
      protocol: 'TLSv1.3' as const,
      keyExchange: 'any' as const,
      authentication: 'any',
      encryption,
      mac: 'AEAD',
      aead: true,
      forwardSecrecy: true,
      go: inGo ? name : undefined,
      caddy: inGo ? name : undefined,
      inOpenssl3: true,
      verdict: ccm8
        ? ('weak' as const)
        : encryption.startsWith('AESCCM')
          ? 'secure'
          : 'recommended',
      reasons: ccm8 ? ['CCM_8 has a 64-bit authentication tag (RFC 8446: not recommended)'] : [],
    });
  }),
);

/** The TLS 1.3 suites OpenSSL (and Node) enable when none are configured. */
export const OPENSSL_DEFAULT_TLS13_SUITES: readonly string[] = Object.freeze(
  SUITE_ROWS.filter((r) => r[4]).map((r) => r[1]),
);

/** One key-exchange group ("curve"): `ssl_ecdh_curve`, Node `ecdhCurve`, Go `CurvePreferences`. */
export interface TlsGroup {
  /** IANA TLS Supported Groups code point, e.g. 29; also Go's CurveID and KrakenD's `curve_preferences` value. */
  readonly id: number;
  /** The OpenSSL name: what `tls.curves` holds (`X25519`, `prime256v1`, `X25519MLKEM768`). */
  readonly openssl: string;
  /** The IANA name (`x25519`, `secp256r1`). */
  readonly iana: string;
  /** Other spellings OpenSSL accepts for the same group (`P-256`). */
  readonly aliases: readonly string[];
  /** Go's CurveID constant name (Traefik `curvePreferences`), when Go implements it. */
  readonly go: string | undefined;
  /** Caddy's `curves` name, when Caddy implements it. */
  readonly caddy: string | undefined;
  /** The first OpenSSL release that negotiates it (e.g. `3.5.0` for X25519MLKEM768). */
  readonly minOpenssl: string;
  /** The first Caddy release that supports it, when not every 2.x does. */
  readonly minCaddy: string | undefined;
  /** The first Go release that supports it, when not every supported Go does. */
  readonly minGo: string | undefined;
  /** Usable with TLS 1.2 (ECDHE/DHE); the hybrid post-quantum groups are TLS 1.3 only. */
  readonly tls12: boolean;
  /** Usable with TLS 1.3 (RFC 8446 §4.2.7); the brainpool TLS 1.2 curves and deprecated ones are not. */
  readonly tls13: boolean;
  /** A hybrid post-quantum key exchange (ML-KEM). */
  readonly postQuantum: boolean;
  readonly verdict: TlsVerdict;
  readonly reasons: readonly string[];
}

/** `[id, openssl, iana, aliases, go, caddy, minOpenssl, tls12, tls13, verdict, reason?]`. */
type GroupRow = readonly [
  number,
  string,
  string,
  readonly string[],
  string | undefined,
  string | undefined,
  string,
  boolean,
  boolean,
  TlsVerdict,
  string?,
];

const DEPRECATED_CURVE =
  'deprecated for TLS by RFC 8422 §5.1.1 and never offered by browsers; use X25519 or prime256v1';

// prettier-ignore
const GROUP_ROWS: readonly GroupRow[] = [
  [0x11ec, 'X25519MLKEM768', 'X25519MLKEM768', [], 'X25519MLKEM768', 'x25519mlkem768', '3.5.0', false, true, 'recommended'],
  [29, 'X25519', 'x25519', [], 'X25519', 'x25519', '1.1.0', true, true, 'recommended'],
  [23, 'prime256v1', 'secp256r1', ['P-256', 'secp256r1'], 'CurveP256', 'secp256r1', '1.0.2', true, true, 'recommended'],
  [24, 'secp384r1', 'secp384r1', ['P-384'], 'CurveP384', 'secp384r1', '1.0.2', true, true, 'recommended'],
  [25, 'secp521r1', 'secp521r1', ['P-521'], 'CurveP521', 'secp521r1', '1.0.2', true, true, 'secure'],
  [30, 'X448', 'x448', [], undefined, undefined, '1.1.1', true, true, 'secure'],
  [0x11eb, 'SecP256r1MLKEM768', 'SecP256r1MLKEM768', [], undefined, undefined, '3.5.0', false, true, 'secure'],
  [0x11ed, 'SecP384r1MLKEM1024', 'SecP384r1MLKEM1024', [], undefined, undefined, '3.5.0', false, true, 'secure'],
  [256, 'ffdhe2048', 'ffdhe2048', [], undefined, undefined, '3.0.0', false, true, 'secure'],
  [257, 'ffdhe3072', 'ffdhe3072', [], undefined, undefined, '3.0.0', false, true, 'secure'],
  [258, 'ffdhe4096', 'ffdhe4096', [], undefined, undefined, '3.0.0', false, true, 'secure'],
  [259, 'ffdhe6144', 'ffdhe6144', [], undefined, undefined, '3.0.0', false, true, 'secure'],
  [260, 'ffdhe8192', 'ffdhe8192', [], undefined, undefined, '3.0.0', false, true, 'secure'],
  [26, 'brainpoolP256r1', 'brainpoolP256r1', [], undefined, undefined, '1.0.2', true, false, 'secure'],
  [27, 'brainpoolP384r1', 'brainpoolP384r1', [], undefined, undefined, '1.0.2', true, false, 'secure'],
  [28, 'brainpoolP512r1', 'brainpoolP512r1', [], undefined, undefined, '1.0.2', true, false, 'secure'],
  [31, 'brainpoolP256r1tls13', 'brainpoolP256r1tls13', [], undefined, undefined, '3.2.0', false, true, 'secure'],
  [32, 'brainpoolP384r1tls13', 'brainpoolP384r1tls13', [], undefined, undefined, '3.2.0', false, true, 'secure'],
  [33, 'brainpoolP512r1tls13', 'brainpoolP512r1tls13', [], undefined, undefined, '3.2.0', false, true, 'secure'],
  [22, 'secp256k1', 'secp256k1', [], undefined, undefined, '1.0.2', true, false, 'weak', DEPRECATED_CURVE],
  [21, 'secp224r1', 'secp224r1', ['P-224'], undefined, undefined, '1.0.2', true, false, 'weak', `112-bit security only; ${DEPRECATED_CURVE}`],
  [19, 'prime192v1', 'secp192r1', ['P-192', 'secp192r1'], undefined, undefined, '1.0.2', true, false, 'insecure', '96-bit security: within reach of a well-funded attacker'],
];

const GROUP_MINIMA: Readonly<Record<string, { caddy?: string; go?: string }>> = {
  X25519MLKEM768: { caddy: '2.10', go: '1.24' },
};

/**
 * The key-exchange groups Barbican recognises, with each server's spelling
 * and the first OpenSSL release that has them — `X25519MLKEM768` needs
 * OpenSSL 3.5 (Node 24 bundles it; Debian 12's system OpenSSL 3.0 does not).
 *
 * @example
 * ```ts
 * TLS_GROUPS.find((g) => g.openssl === 'X25519MLKEM768')?.minOpenssl; // '3.5.0'
 * ```
 */
export const TLS_GROUPS: readonly TlsGroup[] = Object.freeze(
  GROUP_ROWS.map(
    ([id, openssl, iana, aliases, go, caddy, minOpenssl, tls12, tls13, verdict, reason]) =>
      Object.freeze({
        id,
        openssl,
        iana,
        aliases: Object.freeze([...aliases]),
        go,
        caddy,
        minOpenssl,
        minCaddy: GROUP_MINIMA[openssl]?.caddy,
        minGo: GROUP_MINIMA[openssl]?.go,
        tls12,
        tls13,
        postQuantum: openssl.includes('MLKEM'),
        verdict,
        reasons: reason === undefined ? [] : [reason],
      }),
  ),
);

/** One protocol version with each server's spelling. */
export interface TlsProtocol {
  /** OpenSSL, nginx, Apache, HAProxy and Node spelling: `TLSv1.2`. */
  readonly name: TlsProtocolName;
  /** The wire version, e.g. `0x0303` for TLS 1.2. */
  readonly id: number;
  /** Go's constant (Traefik `minVersion`): `VersionTLS12`. */
  readonly go: string | undefined;
  /** KrakenD's `min_version`/`max_version` value: `TLS12`. */
  readonly krakend: string | undefined;
  /** Caddy's `protocols` value: `tls1.2`. */
  readonly caddy: string | undefined;
  readonly verdict: TlsVerdict;
  readonly reasons: readonly string[];
}

const RFC8996 = 'deprecated by RFC 8996 (2021); every current browser has removed it';

/** `[name, wire id, Go, KrakenD, Caddy, verdict, reason?]`, newest first. */
// prettier-ignore
const PROTOCOL_ROWS = [
  ['TLSv1.3', 0x0304, 'VersionTLS13', 'TLS13', 'tls1.3', 'recommended', undefined],
  ['TLSv1.2', 0x0303, 'VersionTLS12', 'TLS12', 'tls1.2', 'secure', undefined],
  ['TLSv1.1', 0x0302, 'VersionTLS11', 'TLS11', 'tls1.1', 'insecure', `TLS 1.1 is ${RFC8996}`],
  ['TLSv1', 0x0301, 'VersionTLS10', 'TLS10', 'tls1.0', 'insecure', `TLS 1.0 is ${RFC8996} (BEAST, no AEAD suites)`],
  ['SSLv3', 0x0300, undefined, 'SSL3.0', undefined, 'insecure', 'SSLv3 is broken by POODLE and prohibited by RFC 7568'],
  ['SSLv2', 0x0002, undefined, undefined, undefined, 'insecure', 'SSLv2 is broken (DROWN) and prohibited by RFC 6176'],
] as const;

/** The protocol versions, newest first. Only TLS 1.2 and 1.3 may be configured. */
export const TLS_PROTOCOLS: readonly TlsProtocol[] = Object.freeze(
  PROTOCOL_ROWS.map(([name, id, go, krakend, caddy, verdict, reason]) =>
    Object.freeze({
      name,
      id,
      go,
      krakend,
      caddy,
      verdict,
      reasons: reason === undefined ? [] : [reason],
    }),
  ),
);

function indexBy<T>(
  rows: readonly T[],
  keys: (row: T) => readonly (string | number | undefined)[],
) {
  const map = new Map<string | number, T>();
  for (const row of rows)
    for (const k of keys(row)) if (k !== undefined && !map.has(k)) map.set(k, row);
  return map;
}

/** Go's pre-1.13 names for the ChaCha20 suites (still accepted by Go and Traefik). */
const GO_ALIASES: Readonly<Record<string, string>> = {
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
};

/** OpenSSL 1.0.x names that later releases renamed (EDH → DHE). */
const OPENSSL_ALIASES: Readonly<Record<string, string>> = {
  'EDH-RSA-DES-CBC3-SHA': 'DHE-RSA-DES-CBC3-SHA',
  'EDH-DSS-DES-CBC3-SHA': 'DHE-DSS-DES-CBC3-SHA',
};

const ALL_SUITES = [...TLS_CIPHERS, ...TLS13_CIPHER_SUITES];
const SUITE_INDEX = indexBy(ALL_SUITES, (c) => [c.openssl, c.iana, c.go, c.id]);
for (const [alias, name] of Object.entries({ ...GO_ALIASES, ...OPENSSL_ALIASES })) {
  const row = SUITE_INDEX.get(name);
  if (row !== undefined) SUITE_INDEX.set(alias, row);
}
const GROUP_INDEX = indexBy(TLS_GROUPS, (g) => [
  g.openssl,
  g.iana,
  g.go,
  g.caddy,
  g.id,
  ...g.aliases,
]);
const GROUP_INDEX_LOWER = indexBy(TLS_GROUPS, (g) =>
  [g.openssl, g.iana, g.go, g.caddy, ...g.aliases].map((n) => n?.toLowerCase()),
);

/**
 * Finds a cipher suite (TLS 1.2 or 1.3) by any of its names — OpenSSL, IANA,
 * Go, a legacy alias — or by its IANA id (KrakenD's `cipher_suites` numbers).
 * Exact spelling only: a near miss is `undefined`, so callers can say "did
 * you mean".
 *
 * @example
 * ```ts
 * findTlsCipher('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')?.openssl; // 'ECDHE-RSA-AES128-GCM-SHA256'
 * findTlsCipher(0x1301)?.iana; // 'TLS_AES_128_GCM_SHA256'
 * findTlsCipher('ECDHE-RSA-AES256-GCM-SHA512'); // undefined: no such suite
 * ```
 */
export function findTlsCipher(key: string | number): TlsCipher | undefined {
  return SUITE_INDEX.get(key);
}

/**
 * Finds a key-exchange group by any spelling (OpenSSL, IANA, Go, Caddy, an
 * alias such as `P-256`; case-insensitively, as OpenSSL compares them) or by
 * its IANA id (KrakenD's `curve_preferences` numbers).
 *
 * @example
 * ```ts
 * findTlsGroup('CurveP256')?.openssl; // 'prime256v1'
 * findTlsGroup(29)?.openssl;          // 'X25519'
 * ```
 */
export function findTlsGroup(key: string | number): TlsGroup | undefined {
  return (
    GROUP_INDEX.get(key) ??
    (typeof key === 'string' ? GROUP_INDEX_LOWER.get(key.toLowerCase()) : undefined)
  );
}

/** Finds a protocol version by its OpenSSL, Go, KrakenD or Caddy spelling. */
export function findTlsProtocol(key: string): TlsProtocol | undefined {
  return TLS_PROTOCOLS.find((p) => [p.name, p.go, p.krakend, p.caddy].includes(key));
}

/**
 * Compares an OpenSSL version string with a minimum: accepts `3.0.19`,
 * `3.5.8`, `1.1.1w` and `OpenSSL 3.0.2 15 Mar 2022` (letters are patch
 * releases of the same version). Returns false for text with no version.
 *
 * @example
 * ```ts
 * opensslAtLeast(process.versions.openssl, '3.5.0'); // true on Node 24 (bundles OpenSSL 3.5)
 * opensslAtLeast('3.0.19', '3.5.0');                  // false: no X25519MLKEM768 there
 * ```
 */
export function opensslAtLeast(version: string, minimum: string): boolean {
  const parse = (v: string): number[] | undefined =>
    // (?<!\d) starts a match only where a number starts: linear time.
    /(?<!\d)(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1, 4).map(Number);
  const have = parse(version);
  const want = parse(minimum);
  if (have === undefined || want === undefined) return false;
  for (let i = 0; i < 3; i++) {
    const d = (have[i] ?? 0) - (want[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
