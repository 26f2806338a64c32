/**
 * The TLS report: what `probeTls` learns about a server's TLS configuration
 * (versions offered, cipher suites, served chain). Part of `ScanResult.tls`
 * and the input of the reviewer's TLS and HPKP findings.
 *
 * @module
 */

/** TLS protocol versions probed, in Node's `tls` naming. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * How one probe handshake ended: the server completed it (`accepted`), said
 * no (an alert, a reset or a close: `refused`), this client cannot offer
 * what was asked (`untested`: the local OpenSSL lacks the suite), or the
 * exchange failed for another reason, such as a timeout or a peer that does
 * not speak TLS (`failed`: nothing can be concluded).
 */
export type HandshakeOutcome = 'accepted' | 'refused' | 'untested' | 'failed';

/** One certificate of the served chain, leaf first. */
export interface TlsCertificate {
  /** Subject, e.g. `CN=example.com, O=Example`. */
  readonly subject: string;
  readonly issuer: string;
  /** ISO 8601 date-time; null when the certificate's field is not a valid date (malformed). */
  readonly notBefore: string | null;
  /** ISO 8601 date-time; null when the certificate's field is not a valid date (malformed). */
  readonly notAfter: string | null;
  /** `rsa`, `ec`, `ed25519`, … (Node's `KeyObject.asymmetricKeyType`). */
  readonly keyType: string;
  /** Modulus length for RSA, curve size for EC. */
  readonly keyBits: number;
  /** Named curve for EC keys, e.g. `prime256v1`. */
  readonly curve?: string;
  /** e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `sha1WithRSAEncryption`. */
  readonly signatureAlgorithm: string;
  /** Base64 SHA-256 of the SubjectPublicKeyInfo DER: the HPKP `pin-sha256` value. */
  readonly spkiSha256: string;
  readonly selfSigned: boolean;
}

/**
 * What a TLS probe of `host:port` found.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8996 (TLS 1.0 and 1.1 deprecated)
 */
export interface TlsReport {
  readonly host: string;
  readonly port: number;
  /** Whether the server completed a handshake with only that version allowed. */
  readonly protocols: Readonly<Record<TlsVersion, boolean>>;
  /** How each of those handshakes ended, so that a refusal can be told from a timeout. */
  readonly protocolOutcomes?: Readonly<Record<TlsVersion, HandshakeOutcome>>;
  /** What a default client negotiates. */
  readonly negotiated: { readonly protocol: string; readonly cipher: string };
  /** Weak TLS 1.2 suites (OpenSSL names) the server accepted when offered alone. */
  readonly weakCiphersAccepted: readonly string[];
  /** The served chain, leaf first. */
  readonly chain: readonly TlsCertificate[];
  /** True when the chain verified against the trust store (or `--ca`) for `host`. */
  readonly verified: boolean;
  /** OpenSSL's reason when `verified` is false, e.g. `CERT_HAS_EXPIRED`. */
  readonly verifyError?: string;
  /**
   * Whole days until the leaf's notAfter (negative once expired); 0 when no
   * chain was read; null when the leaf's notAfter is not a valid date.
   */
  readonly daysToExpiry: number | null;
}
