/**
 * Cross-Origin-Embedder-Policy: the document loads cross-origin resources
 * only when they opt in (CORP or CORS), or without credentials. With COOP
 * `same-origin` it makes the page cross-origin isolated, which unlocks
 * SharedArrayBuffer and precise timers without exposing other sites' data
 * to Spectre-style reads.
 *
 * It can break embeds that do not send CORP, hence the report-only twin.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#coep
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Cross-Origin-Embedder-Policy
 * @example
 * ```ts
 * createPolicy({ headers: { crossOriginEmbedderPolicy: { policy: 'credentialless' } } })
 * // Cross-Origin-Embedder-Policy: credentialless
 * ```
 * @module
 */
import { crossOriginPolicyModule, type CrossOriginPolicyOptions } from '../cross-origin-shared.ts';
import { COEP_VALUES, type CoepValue } from './parse.ts';

export { COEP_VALUES, parseCoep } from './parse.ts';
export type { CoepValue } from './parse.ts';

export type CrossOriginEmbedderPolicyOptions = CrossOriginPolicyOptions<CoepValue>;

const common = {
  values: COEP_VALUES,
  // require-corp is what OWASP recommends and what every browser supports;
  // credentialless breaks fewer embeds but Safari does not implement it.
  defaultPolicy: 'require-corp',
  spec: 'https://html.spec.whatwg.org/multipage/browsers.html#coep',
  codePrefix: 'coep',
  policyDescription:
    'require-corp: cross-origin resources must opt in with CORP or CORS. credentialless: load them without credentials. unsafe-none: no restriction.',
} as const;

/** `crossOriginEmbedderPolicy`: the enforced Cross-Origin-Embedder-Policy header. */
export const crossOriginEmbedderPolicy = crossOriginPolicyModule<CoepValue>({
  ...common,
  key: 'crossOriginEmbedderPolicy',
  header: 'Cross-Origin-Embedder-Policy',
  reportOnly: false,
  description:
    'Cross-Origin-Embedder-Policy: load cross-origin resources only when they opt in (cross-origin isolation).',
});

/** `crossOriginEmbedderPolicyReportOnly`: reports what COEP would block, without blocking. */
export const crossOriginEmbedderPolicyReportOnly = crossOriginPolicyModule<CoepValue>({
  ...common,
  key: 'crossOriginEmbedderPolicyReportOnly',
  header: 'Cross-Origin-Embedder-Policy-Report-Only',
  reportOnly: true,
  description:
    'Cross-Origin-Embedder-Policy-Report-Only: report what COEP would block, without blocking.',
});
