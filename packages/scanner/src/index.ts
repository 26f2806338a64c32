/**
 * `@barbican/scanner`: grades live HTTP responses.
 *
 * @module
 */
export * from './model.ts';
export { SCANNER_ERROR_CODES, type ScannerErrorCode } from './errors.ts';
export { scan, scanMany, assemble, mergeFindings, type ScanOptions } from './scan.ts';
export {
  retrieve,
  followChain,
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
