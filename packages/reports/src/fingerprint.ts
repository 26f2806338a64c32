/**
 * The identity of a de-duplicated row: the fields that make two reports
 * "the same problem". The user agent, the client, the age and the arrival
 * time are left out, so the same violation from a thousand visitors is one
 * row with a count of a thousand.
 *
 * @module
 */
import { hash } from 'node:crypto';
import type { NormalizedReport } from './model.ts';

/**
 * A 128-bit hex hash of the report's identifying fields within `site`.
 *
 * @example
 * ```ts
 * fingerprint('shop', report); // '3f2a…' (32 hex digits)
 * ```
 */
export function fingerprint(site: string, r: NormalizedReport): string {
  // NUL never occurs in a normalised field (control characters are
  // replaced), so joining with it is unambiguous; null becomes "\u0001".
  const key = [
    site,
    r.type,
    r.url,
    r.directive,
    r.blockedUrl,
    r.sourceFile,
    r.line,
    r.column,
    r.disposition,
    r.sample,
    r.statusCode,
    r.policy,
    JSON.stringify(r.details),
  ]
    .map((v) => (v === null ? '\u0001' : String(v)))
    .join('\u0000');
  return hash('sha256', key, 'hex').slice(0, 32);
}
