/**
 * The Cross-Origin-Opener-Policy parser, shared by the builder's check of raw
 * values and by the scanner. Never throws: problems come back as data with
 * offsets.
 *
 * @module
 */
import {
  parseCrossOriginPolicy,
  type CrossOriginPolicyParseResult,
} from '../cross-origin-shared.ts';

/** The COOP values browsers define. */
export const COOP_VALUES = [
  'same-origin',
  'same-origin-allow-popups',
  'noopener-allow-popups',
  'unsafe-none',
] as const;

export type CoopValue = (typeof COOP_VALUES)[number];

/**
 * Parses a COOP (or COOP-Report-Only) value: an RFC 9651 Item with an
 * optional `report-to` string parameter. Never throws; `valid: false` means
 * browsers fall back to `unsafe-none`.
 *
 * @see https://html.spec.whatwg.org/multipage/browsers.html#obtain-coop
 * @example
 * ```ts
 * parseCoop('same-origin; report-to="coop"'); // { valid: true, policy: 'same-origin', reportTo: 'coop', problems: [] }
 * ```
 */
export function parseCoop(value: string): CrossOriginPolicyParseResult<CoopValue> {
  return parseCrossOriginPolicy(value, COOP_VALUES, 'coop');
}
