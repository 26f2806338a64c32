/**
 * Deep freezing for values a built policy hands out: consumers (adapters,
 * exporters, the gateway) share them, so none may change them for another.
 *
 * @module
 */

/**
 * Freezes `value` and every object and array under it; returns it.
 *
 * @example
 * ```ts
 * const tls = deepFreeze({ ciphers: ['ECDHE-RSA-AES128-GCM-SHA256'] });
 * Object.isFrozen(tls.ciphers); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
