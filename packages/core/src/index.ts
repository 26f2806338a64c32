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
export type { Policy, PolicyOptions, ResponsePlan, NonceHeader } from './policy/index.ts';
export { PRESETS, PRESET_NAMES } from './presets/index.ts';
export type { Preset, PresetName } from './presets/index.ts';
export { HEADER_MODULES, HEADER_KEYS } from './headers/index.ts';
export type { HeaderKey, HeadersOptions, HeaderModule, HeaderEmission } from './headers/index.ts';
export { BarbicanError, ERROR_CODES, WARNING_CODES } from './errors.ts';
export type { ErrorCode, WarningCode, BarbicanWarning } from './errors.ts';
export { evaluateRequest } from './engine.ts';
export type { RequestFacts, Verdict } from './engine.ts';
export { createNonce } from './nonce.ts';
export { firstUnsafeFieldByte, assertFieldSafe } from './field.ts';
export { parseHsts, parseDirectiveList } from './headers/hsts/index.ts';
export type { HstsParseResult, FieldProblem, ParsedDirective } from './headers/hsts/index.ts';
export { parseXFrameOptions } from './headers/x-frame-options/index.ts';
export {
  parseCsp,
  cspHash,
  checkSource,
  CSP_DIRECTIVES,
  CSP_DIRECTIVE_SPECS,
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
