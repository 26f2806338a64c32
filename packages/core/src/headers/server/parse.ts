/**
 * The Server parser, shared by the builder's check of raw values and by the
 * scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import { TCHAR } from '../../field.ts';

/**
 * RFC 9110 §10.2.4: `product *( RWS ( product / comment ) )`, product =
 * token ["/" token]. Checked loosely after the first product (comments may
 * hold any visible characters); written so that it cannot backtrack.
 */
export const SERVER_VALUE = new RegExp(`^[${TCHAR}]+(?:/[${TCHAR}]+)?(?: [\\x21-\\x7e]+)*$`);

/** What {@link parseServer} found. */
export interface ServerParseResult {
  /** True when the value follows RFC 9110's grammar closely enough to send. */
  readonly valid: boolean;
  /** The first product, e.g. `nginx/1.22.1`. */
  readonly product: string | undefined;
  /** True when the first product carries a version (`name/version`): a fingerprint. */
  readonly revealsVersion: boolean;
}

/** `acme/1.2`: a digit after a `/` within one word (a loop: a regex here could go quadratic). */
function versionAfterSlash(product: string): boolean {
  return product.split(/\s/).some((word) => {
    const slash = word.indexOf('/');
    return slash !== -1 && /\d/.test(word.slice(slash + 1));
  });
}

/**
 * Parses a Server value enough for a scanner to judge it: the first product
 * and whether it gives a version away. Never throws.
 *
 * @example
 * ```ts
 * parseServer('nginx/1.22.1') // { valid: true, product: 'nginx/1.22.1', revealsVersion: true }
 * ```
 */
export function parseServer(value: string): ServerParseResult {
  if (typeof value !== 'string' || value.length > 1024)
    return { valid: false, product: undefined, revealsVersion: false };
  const trimmed = value.trim();
  const product = trimmed.split(/[ \t]/, 1)[0] ?? '';
  return {
    valid: SERVER_VALUE.test(trimmed),
    product: product === '' ? undefined : product,
    revealsVersion: versionAfterSlash(product) || /\d\.\d/.test(trimmed),
  };
}
