/**
 * A certificate's validity dates, read once for the scanner's TLS report
 * and for `barbican pin`. RFC 5280 §4.1.2.5 dates that do not parse (a
 * month 99, a garbled UTCTime) are a malformed certificate that every
 * browser rejects: they are reported as `null`, never turned into an
 * exception by `Date.prototype.toISOString()` or into a nonsense expiry.
 *
 * @module
 */
import type { X509Certificate } from 'node:crypto';

/** The validity period as ISO 8601, `null` for a field that is not a valid date. */
export interface CertificateValidity {
  readonly notBefore: string | null;
  readonly notAfter: string | null;
}

/**
 * The ISO 8601 form of OpenSSL's printed date (`Jan  5 19:34:11 2027 GMT`),
 * or null for "Bad time value". The printed form is used rather than
 * `validToDate`, which was seen to return an arbitrary far-future date for
 * a month-99 certificate instead of an invalid one.
 */
function isoOrNull(printed: string): string | null {
  const at = Date.parse(printed);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

/**
 * Reads `notBefore` and `notAfter`. OpenSSL prints an unparseable field as
 * "Bad time value".
 *
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5
 * @example
 * ```ts
 * const { notAfter } = certificateValidity(new X509Certificate(der));
 * if (notAfter === null) console.log('malformed notAfter: browsers reject this certificate');
 * ```
 */
export function certificateValidity(x: X509Certificate): CertificateValidity {
  return { notBefore: isoOrNull(x.validFrom), notAfter: isoOrNull(x.validTo) };
}

/**
 * Whole days from `now` until `notAfter` (negative once expired), or null
 * when the date is missing or invalid.
 *
 * @example
 * ```ts
 * daysUntil('2030-01-01T00:00:00.000Z');
 * ```
 */
export function daysUntil(notAfter: string | null | undefined, now = Date.now()): number | null {
  if (notAfter === null || notAfter === undefined) return null;
  const at = Date.parse(notAfter);
  return Number.isNaN(at) ? null : Math.floor((at - now) / 86_400_000);
}
