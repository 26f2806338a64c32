/**
 * The X-Frame-Options parser, shared by the builder's check of raw values and
 * by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */

/** Parses an X-Frame-Options value: `DENY`, `SAMEORIGIN` (any case), or invalid. Never throws. */
export function parseXFrameOptions(
  value: string,
): { valid: true; action: 'DENY' | 'SAMEORIGIN' } | { valid: false; allowFrom: boolean } {
  const v = value.trim().toUpperCase();
  if (v === 'DENY' || v === 'SAMEORIGIN') return { valid: true, action: v };
  return { valid: false, allowFrom: v.startsWith('ALLOW-FROM') };
}
