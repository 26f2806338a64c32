/**
 * The Cross-Origin-Embedder-Policy parser, shared by the builder's check of
 * raw values and by the scanner. Never throws: problems come back as data
 * with offsets.
 *
 * @module
 */
import {
  parseCrossOriginPolicy,
  type CrossOriginPolicyParseResult,
} from '../cross-origin-shared.ts';

/** The COEP values browsers define. */
export const COEP_VALUES = ['require-corp', 'credentialless', 'unsafe-none'] as const;

export type CoepValue = (typeof COEP_VALUES)[number];

/**
 * Parses a COEP (or COEP-Report-Only) value. Never throws; `valid: false`
 * means browsers fall back to `unsafe-none`.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#obtain-an-embedder-policy
 * @example
 * ```ts
 * parseCoep('require-corp').policy; // 'require-corp'
 * ```
 */
export function parseCoep(value: string): CrossOriginPolicyParseResult<CoepValue> {
  return parseCrossOriginPolicy(value, COEP_VALUES, 'coep');
}
