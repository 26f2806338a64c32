/**
 * `@barbican/core`: one validated security policy for every response.
 *
 * Build a policy once with {@link createPolicy}; apply it with an adapter
 * (`@barbican/core/node`, `/express`, `/fastify`, `/koa`, `/hono`, `/next`,
 * `/fetch`). Parsers are exported for scanners and tests.
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
export type { Preset, PresetName } from './presets/index.ts';
export { HEADER_MODULES, HEADER_KEYS } from './headers/index.ts';
export type { HeaderKey, HeadersOptions, HeaderModule, HeaderEmission } from './headers/index.ts';
export { BarbicanError, ERROR_CODES, WARNING_CODES, didYouMean, editDistance } from './errors.ts';
export type { ErrorCode, WarningCode, BarbicanWarning } from './errors.ts';
export { evaluateRequest } from './engine.ts';
export { createNonce } from './nonce.ts';
export {
  firstUnsafeFieldByte,
  assertFieldSafe,
  isToken,
  SCHEME_ONLY,
  SCHEME_PREFIX,
  URI_SCHEME,
} from './field.ts';
export { parseHsts } from './headers/hsts/index.ts';
export type { HstsParseResult } from './headers/hsts/index.ts';
export { parseDirectiveList, parseCommaDirectives } from './directive-list.ts';
export type { DirectiveList } from './directive-list.ts';
export type { FieldProblem, ParsedDirective, CommaDirective } from './field-types.ts';
export { parseXFrameOptions } from './headers/x-frame-options/index.ts';
export { parseSetCookie, parseCookieDate } from './headers/set-cookie/parse.ts';
export type {
  SetCookieParseResult,
  SetCookieAttribute,
  SameSiteEnforcement,
  CookiePrefix,
} from './headers/set-cookie/parse.ts';
export {
  parseCsp,
  cspHash,
  checkSource,
  CSP_DIRECTIVES,
  CSP_DIRECTIVE_SPECS,
  SCRIPT_DIRECTIVES,
  CSP_KEYWORDS,
} from './headers/csp/index.ts';
export type {
  CspOptions,
  CspDirectives,
  CspHashAlgorithm,
  CspParseResult,
  CspProblem,
  ParsedCsp,
  ParsedCspDirective,
  ParseCspOptions,
  DirectiveSpec,
  DirectiveKind,
} from './headers/csp/index.ts';
export { toJsonSchema } from './schema/json-schema.ts';
export { isPlainObject } from './schema/index.ts';
export { parseXContentTypeOptions } from './headers/x-content-type-options/index.ts';
export { parseXXssProtection } from './headers/x-xss-protection/index.ts';
export type { XXssProtectionParseResult } from './headers/x-xss-protection/index.ts';
export { parseReferrerPolicy, REFERRER_POLICY_TOKENS } from './headers/referrer-policy/index.ts';
export type {
  ReferrerPolicyParseResult,
  ReferrerPolicyToken,
} from './headers/referrer-policy/index.ts';
export { parseXPermittedCrossDomainPolicies } from './headers/x-permitted-cross-domain-policies/index.ts';
export { parseOriginAgentCluster } from './headers/origin-agent-cluster/index.ts';
export { parseXDnsPrefetchControl } from './headers/x-dns-prefetch-control/index.ts';
export { parseXDownloadOptions } from './headers/x-download-options/index.ts';
export type { TokenParseResult } from './headers/single-token.ts';
export { parseClearSiteData, CLEAR_SITE_DATA_TYPES } from './headers/clear-site-data/index.ts';
export type { ClearSiteDataParseResult } from './headers/clear-site-data/index.ts';
export { parseCacheControl } from './headers/cache-control/index.ts';
export type { CacheControlParseResult } from './headers/cache-control/index.ts';
export { parseExpectCt } from './headers/expect-ct/index.ts';
export type { ExpectCtParseResult } from './headers/expect-ct/index.ts';
export { parsePublicKeyPins, isSha256Pin } from './headers/public-key-pins/index.ts';
export type { PublicKeyPinsParseResult } from './headers/public-key-pins/index.ts';
export { parseServer } from './headers/server/index.ts';
export { OWASP_REMOVE_HEADERS } from './policy/remove-headers.ts';
export type { ServerParseResult } from './headers/server/index.ts';
export {
  parseList,
  parseDictionary,
  parseItem,
  serializeList,
  serializeDictionary,
  serializeItem,
} from './structured-fields/index.ts';
export type {
  BareItem,
  SfItem,
  SfInnerList,
  SfMember,
  SfList,
  SfDictionary,
  SfParseResult,
} from './structured-fields/index.ts';
export {
  parsePermissionsPolicy,
  serializePermissionsPolicy,
  KNOWN_FEATURES,
} from './headers/permissions-policy/index.ts';
export type {
  PermissionsPolicyParseResult,
  PermissionsPolicyDirective,
  Allowlist,
  Features,
} from './headers/permissions-policy/index.ts';
export { parseFeaturePolicy, serializeFeaturePolicy } from './headers/feature-policy/index.ts';
export type { FeaturePolicyParseResult } from './headers/feature-policy/index.ts';
export { parseCoop } from './headers/cross-origin-opener-policy/index.ts';
export { parseCoep } from './headers/cross-origin-embedder-policy/index.ts';
export type { CrossOriginPolicyParseResult } from './headers/cross-origin-shared.ts';
export { parseCorp } from './headers/cross-origin-resource-policy/index.ts';
export type { CorpParseResult } from './headers/cross-origin-resource-policy/index.ts';
export { parseReportingEndpoints } from './headers/reporting-endpoints/index.ts';
export { undefinedReportingEndpoints } from './headers/reporting.ts';
export type { UndefinedReportEndpoint } from './headers/reporting.ts';
export type { ReportingEndpointsParseResult } from './headers/reporting-endpoints/index.ts';
export { parseReportTo } from './headers/report-to/index.ts';
export type { ReportToParseResult } from './headers/report-to/index.ts';
export { parseNel } from './headers/nel/index.ts';
export type { NelParseResult } from './headers/nel/index.ts';
