/**
 * `@barbican/scanner`: grades live HTTP responses.
 *
 * @module
 */
export * from './model.ts';
export { SCANNER_ERROR_CODES, type ScannerErrorCode } from './errors.ts';
export {
  scan,
  scanMany,
  scanFailure,
  scanTarget,
  assemble,
  mergeFindings,
  type ScanOptions,
} from './scan.ts';
export { redactCredentials } from './redact.ts';
export { isPublicAddress, publicOnlyLookup, NON_PUBLIC_RANGES } from './retrieve/public-only.ts';
export { boundFindings, FINDING_LIMITS, TRUNCATED_CODE, type FindingLimits } from './bounds.ts';
export {
  retrieve,
  followChain,
  startUrls,
  staticLookup,
  RETRIEVE_ERRORS,
  type RetrieveOptions,
} from './retrieve/index.ts';
export * from './tls/index.ts';
export * from './report/index.ts';
export {
  analyzeCsp,
  cspFindings,
  NONCE_PLACEHOLDER,
  type AnalyzeCspOptions,
  type CspAnalysis,
} from './csp/index.ts';
export {
  driftFindings,
  driftSummary,
  driftSuites,
  probeDrift,
  retrievalExchanges,
  expectedVerdict,
  meaningOf,
  HEADER_MEANINGS,
  MISSING_PAGE,
  UNLISTED_HOST,
  type DeclaredLosses,
  type DriftEvidence,
  type DriftExchange,
  type DriftProbeName,
  type DriftProbeOptions,
} from './drift/index.ts';
export { FINDING_CODES, type FindingCode, type FindingCodeInfo } from './findings/index.ts';
