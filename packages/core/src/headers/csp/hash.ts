/**
 * Hash sources for inline scripts and styles.
 *
 * Uses Web Crypto (`crypto.subtle`), so it runs on Node, Workers, Deno and
 * Bun alike. The content is hashed as UTF-8, exactly as browsers hash the
 * text of an inline `<script>` or `<style>` element (CSP3 §6.7.3.3).
 *
 * @see https://www.w3.org/TR/CSP3/#grammardef-hash-source
 * @module
 */
import { BarbicanError } from '../../errors.ts';

/** The digest algorithms CSP3 allows in hash sources. */
export type CspHashAlgorithm = 'sha256' | 'sha384' | 'sha512';

const SUBTLE_NAMES: Readonly<Record<CspHashAlgorithm, string>> = {
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/**
 * Returns the hash source for `content`, quotes included, ready to put in a
 * directive list.
 *
 * The content must be the element's text exactly as served: one extra space
 * or newline changes the hash.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy/script-src#unsafe_hashes
 * @example
 * ```ts
 * const h = await cspHash("alert('hi')"); // "'sha256-...'"
 * createPolicy({ headers: { csp: { directives: { 'script-src': ["'self'", h] } } } });
 * ```
 */
export async function cspHash(
  content: string,
  algorithm: CspHashAlgorithm = 'sha256',
): Promise<string> {
  if (typeof content !== 'string') {
    throw new BarbicanError('BARBICAN_E_TYPE', 'cspHash needs the element text as a string', {
      value: content,
    });
  }
  const name = Object.hasOwn(SUBTLE_NAMES, algorithm) ? SUBTLE_NAMES[algorithm] : undefined;
  if (name === undefined) {
    throw new BarbicanError('BARBICAN_E_ENUM', 'not a CSP hash algorithm', {
      value: algorithm,
      allowed: '"sha256", "sha384", "sha512"',
    });
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest(name, new TextEncoder().encode(content)),
  );
  let binary = '';
  for (const b of digest) binary += String.fromCharCode(b);
  return `'${algorithm}-${btoa(binary)}'`;
}
