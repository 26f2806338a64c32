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

/** A field as it enters the key: null as U+0001 (never in a normalised field). */
const part = (v: string | number | null): string => (v === null ? '\u0001' : String(v));

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
  // replaced), so joining with it is unambiguous. Stored rows are keyed by
  // this text's hash: its layout must never change.
  const key = `${site}\0${r.type}\0${part(r.url)}\0${part(r.directive)}\0${part(r.blockedUrl)}\0${part(r.sourceFile)}\0${part(r.line)}\0${part(r.column)}\0${part(r.disposition)}\0${part(r.sample)}\0${part(r.statusCode)}\0${part(r.policy)}\0${JSON.stringify(r.details)}`;
  return hash('sha256', key, 'hex').slice(0, 32);
}
