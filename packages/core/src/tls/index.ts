/**
 * The `tls` section: name tables, profiles, validation and the Node
 * mapping. One home for TLS names, read by the policy, the export
 * renderers, the gateway and the scanner.
 *
 * @module
 */
export {
  TLS_CIPHERS,
  TLS13_CIPHER_SUITES,
  TLS_GROUPS,
  TLS_PROTOCOLS,
  OPENSSL_DEFAULT_TLS13_SUITES,
  findTlsCipher,
  findTlsGroup,
  findTlsProtocol,
  opensslAtLeast,
} from './names.ts';
export type {
  TlsCipher,
  TlsGroup,
  TlsProtocol,
  TlsProtocolName,
  TlsVerdict,
  TlsKeyExchange,
} from './names.ts';
export { TLS_PROFILES, TLS_PROFILE_NAMES } from './profiles.ts';
export type { TlsProfile, TlsProfileName, TlsSettings, TlsVersion } from './profiles.ts';
export { tlsOptionsSchema, resolveTls } from './options.ts';
export type {
  TlsOptions,
  TlsCertificateOptions,
  ResolvedTls,
  ResolvedCertificate,
} from './options.ts';
export { nodeTlsOptions, SSL_OP_NO_TICKET } from './node.ts';
export type { NodeTlsOptions, NodeTlsMapping } from './node.ts';
