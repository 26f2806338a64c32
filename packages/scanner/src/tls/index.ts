/**
 * TLS probing and the throw-away CA used by the demo and tests.
 *
 * @module
 */
export type { HandshakeOutcome, TlsCertificate, TlsReport, TlsVersion } from './types.ts';
export {
  probeTls,
  probeSuites,
  probeGroups,
  SUITE_PROBE_LIMITS,
  GROUP_PROBE_LIMITS,
  servedChain,
  peerChain,
  describeCertificate,
  TLS_VERSIONS,
  WEAK_CIPHERS,
  type ProbeTlsOptions,
  type ProbeSuitesOptions,
  type SuiteProbe,
  type SuiteProbeResult,
  type SuiteProbeReport,
  type GroupProbe,
  type GroupProbeResult,
  type GroupProbeReport,
} from './probe.ts';
export { certificateValidity, daysUntil, type CertificateValidity } from './validity.ts';
export {
  createThrowawayCa,
  type ThrowawayCa,
  type IssuedCertificate,
  type LeafOptions,
} from './ca.ts';
