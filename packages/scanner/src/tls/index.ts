/**
 * TLS probing and the throw-away CA used by the demo and tests.
 *
 * @module
 */
export type { TlsCertificate, TlsReport, TlsVersion } from './types.ts';
export {
  probeTls,
  servedChain,
  peerChain,
  describeCertificate,
  TLS_VERSIONS,
  WEAK_CIPHERS,
  type ProbeTlsOptions,
} from './probe.ts';
export { certificateValidity, daysUntil, type CertificateValidity } from './validity.ts';
export {
  createThrowawayCa,
  type ThrowawayCa,
  type IssuedCertificate,
  type LeafOptions,
} from './ca.ts';
