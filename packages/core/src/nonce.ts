/**
 * Per-request CSP nonces.
 *
 * 16 bytes (128 bits) from the Web Crypto CSPRNG, base64-encoded: CSP3 §2.3.1
 * asks for at least 128 bits, and base64 is the nonce-source grammar. Web
 * Crypto keeps this working on Node, Workers, Deno and Bun alike.
 *
 * Nonces are minted on the hot path of every page, so the random bytes are
 * drawn 256 nonces at a time: one `getRandomValues` call per request was a
 * quarter of the per-response CPU in `npm run bench -- step`. Node's own
 * `crypto.randomUUID()` caches entropy the same way. Each byte is handed out
 * once and wiped when taken, so the pool only ever holds unissued nonces.
 *
 * @module
 */

import { BarbicanError } from './errors.ts';

const NONCE_BYTES = 16;
/** 256 nonces per CSPRNG call (and within Web Crypto's 65 536-byte limit). */
const POOL_BYTES = NONCE_BYTES * 256;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

let pool = new Uint8Array(0);
let offset = 0;

/** Returns a fresh nonce: 128 random bits, base64 (24 characters). */
export function createNonce(): string {
  if (offset + NONCE_BYTES > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    offset = 0;
  }
  const b = pool;
  const o = offset;
  offset += NONCE_BYTES;
  // Base64 by hand: five 3-byte groups, then the 16th byte with `==`.
  // (btoa over a byte-by-byte string built 17 temporary strings per nonce.)
  let out = '';
  for (let i = o; i < o + 15; i += 3) {
    const n = ((b[i] ?? 0) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += BASE64.charAt(n >>> 18) + BASE64.charAt((n >>> 12) & 63);
    out += BASE64.charAt((n >>> 6) & 63) + BASE64.charAt(n & 63);
  }
  const last = b[o + 15] ?? 0;
  out += `${BASE64.charAt(last >>> 2)}${BASE64.charAt((last & 3) << 4)}==`;
  b.fill(0, o, o + NONCE_BYTES);
  return out;
}

/**
 * The error every adapter throws when the nonce is read for a response
 * whose policy has none: a page would otherwise print `nonce="undefined"`
 * and the browser would block the tag, with nothing in the server's logs.
 *
 * @see docs/errors.md#barbican_e_no_nonce
 * @example
 * ```ts
 * if (plan.nonced.length === 0) throw noNonceError();
 * ```
 */
export function noNonceError(
  hint = "Set headers.csp.nonce: true (script-src and style-src) or nonce: ['script-src'] in the policy, or turn Barbican back on for this route",
): BarbicanError {
  return new BarbicanError('BARBICAN_E_NO_NONCE', 'this response has no CSP nonce to read', {
    path: 'headers.csp.nonce',
    hint,
  });
}
