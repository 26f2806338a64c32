/**
 * `@barbican/core/parsers`: the header parsers and grammar helpers behind
 * `createPolicy`, for the scanner, the CLI and anyone who checks headers
 * they did not build. One grammar, one implementation: the functions that
 * validate a raw header value in a policy are the ones that grade a live
 * response.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.5 field values
 * @example
 * ```ts
 * import { parseCsp, parseHsts } from '@barbican/core/parsers';
 * parseHsts('max-age=63072000; includeSubDomains').maxAge; // 63072000
 * parseCsp("default-src 'self'").policies[0]?.directives.get('default-src'); // ["'self'"]
 * ```
 * @module
 */
export { didYouMean, editDistance } from './errors.ts';
export {
  firstUnsafeFieldByte,
  assertFieldSafe,
  isToken,
  TCHAR,
  SCHEME_ONLY,
  SCHEME_PREFIX,
  URI_SCHEME,
} from './field.ts';
export { parseIp, formatIp, isV4, compileIpMatcher } from './request/ip.ts';
export type { IpGroups } from './request/ip.ts';
export type { FieldProblem, ParsedDirective, CommaDirective } from './field-types.ts';
export { parseDirectiveList, parseCommaDirectives } from './directive-list.ts';
export type { DirectiveList } from './directive-list.ts';
export { isPlainObject } from './schema/index.ts';
export { parseHsts } from './headers/hsts/index.ts';
export type { HstsParseResult } from './headers/hsts/index.ts';
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
  checkSource,
  CSP_DIRECTIVES,
  CSP_DIRECTIVE_SPECS,
  CSP_KEYWORDS,
  SCRIPT_DIRECTIVES,
} from './headers/csp/index.ts';
export type {
  CspParseResult,
  CspProblem,
  ParsedCsp,
  ParsedCspDirective,
  ParseCspOptions,
  DirectiveSpec,
  DirectiveKind,
} from './headers/csp/index.ts';
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
export {
  parseReportingEndpoints,
  reportingUrlProblem,
} from './headers/reporting-endpoints/index.ts';
export { undefinedReportingEndpoints } from './headers/reporting.ts';
export type { UndefinedReportEndpoint } from './headers/reporting.ts';
export type { ReportingEndpointsParseResult } from './headers/reporting-endpoints/index.ts';
export { parseReportTo } from './headers/report-to/index.ts';
export type { ReportToParseResult } from './headers/report-to/index.ts';
export { parseNel } from './headers/nel/index.ts';
export type { NelParseResult } from './headers/nel/index.ts';
