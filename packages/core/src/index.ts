/**
 * `@barbican/core`: one validated security policy for every response.
 *
 * Build a policy once with {@link createPolicy}; apply it with an adapter
 * (`@barbican/core/node`, `/express`, `/fastify`, `/koa`, `/hono`, `/next`,
 * `/fetch`). The header parsers and grammar helpers the scanner and the CLI
 * share with the policy builder are in `@barbican/core/parsers`.
 *
 * @example
 * ```ts
 * import { createPolicy } from '@barbican/core';
 * const policy = createPolicy({ preset: 'barbican', headers: { hsts: { preload: true } } });
 * console.log(policy.headersFor({ https: true }));
 * ```
 * @module
 */
export { createPolicy, isPolicy, mergeOptions, policyOptionsSchema } from './policy/index.ts';
export type { Policy, PolicyOptions } from './policy/index.ts';
export type { RequestFacts, Verdict, ResponsePlan, NonceHeader } from './plan.ts';
export { PRESETS, PRESET_NAMES } from './presets/index.ts';
export {
  TLS_CIPHERS,
  TLS13_CIPHER_SUITES,
  TLS_GROUPS,
  TLS_PROTOCOLS,
  OPENSSL_DEFAULT_TLS13_SUITES,
  TLS_PROFILES,
  TLS_PROFILE_NAMES,
  findTlsCipher,
  findTlsGroup,
  findTlsProtocol,
  opensslAtLeast,
  nodeTlsOptions,
  resolveTls,
  tlsOptionsSchema,
  SSL_OP_NO_TICKET,
} from './tls/index.ts';
export type {
  TlsCipher,
  TlsGroup,
  TlsProtocol,
  TlsProtocolName,
  TlsVerdict,
  TlsKeyExchange,
  TlsProfile,
  TlsProfileName,
  TlsSettings,
  TlsVersion,
  TlsOptions,
  TlsCertificateOptions,
  ResolvedTls,
  ResolvedCertificate,
  NodeTlsOptions,
  NodeTlsMapping,
} from './tls/index.ts';
export {
  DEFAULT_ERROR_PAGE,
  DEFAULT_ERROR_PAGE_CONTENT_TYPE,
  DEFAULT_INTERCEPT,
  errorsOptionsSchema,
  resolveErrors,
} from './errors-policy/index.ts';
export type { ErrorsOptions, ResolvedErrors } from './errors-policy/index.ts';
export {
  REPORT_KINDS,
  reportOptionsSchema,
  reportTargets,
  reportUrlSchema,
} from './report/index.ts';
export type { ReportKind, ReportOptions, ResolvedReport } from './report/index.ts';
export type { Preset, PresetName } from './presets/index.ts';
export { HEADER_MODULES, HEADER_KEYS } from './headers/index.ts';
export type { HeaderKey, HeadersOptions, HeaderModule, HeaderEmission } from './headers/index.ts';
export { BarbicanError, defineCodes } from './barbican-error.ts';
export {
  escapeControl,
  escapeControlDeep,
  hasControl,
  inertJson,
  inertJsonLine,
  mapStrings,
} from './control.ts';
export type {
  BarbicanErrorCode,
  BarbicanErrorConstructor,
  BarbicanErrorDetails,
  BarbicanWarningCode,
} from './barbican-error.ts';
export { ERROR_CODES, WARNING_CODES } from './errors.ts';
export type { ErrorCode, WarningCode, BarbicanWarning } from './errors.ts';
export { evaluateRequest } from './engine.ts';
export { createNonce } from './nonce.ts';
export { describeAllowedHosts } from './request/hosts.ts';
export type { AllowedHostRule } from './request/hosts.ts';
export { trustedProxyRanges } from './request/ip.ts';
export type { RequestGuards } from './request/guards.ts';
export type { RedirectGuard } from './request/redirect.ts';
export { cspHash } from './headers/csp/index.ts';
export type { CspOptions, CspDirectives, CspHashAlgorithm } from './headers/csp/index.ts';
export { toJsonSchema } from './schema/json-schema.ts';
export type { Schema, JsonSchema, Infer, InferShape } from './schema/index.ts';
export { defineConfigSection } from './config-section.ts';
export type { ConfigSection, SectionWarning } from './config-section.ts';
export type {
  DeclaredLosses,
  Loss,
  LossSign,
  HeaderSign,
  HostsSign,
  RedirectSign,
  TlsSign,
} from './loss.ts';
export { OWASP_REMOVE_HEADERS } from './policy/remove-headers.ts';
