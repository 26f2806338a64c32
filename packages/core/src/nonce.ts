/**
 * Per-request CSP nonces.
 *
 * 16 bytes (128 bits) from the Web Crypto CSPRNG, base64-encoded: CSP3 §2.3.1
 * asks for at least 128 bits, and base64 is the nonce-source grammar. Web
 * Crypto keeps this working on Node, Workers, Deno and Bun alike.
 *
 * @module
 */

/** Returns a fresh nonce: 128 random bits, base64 (24 characters). */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
