/**
 * Token buckets keyed by client or site, in bounded memory: when the map is
 * full, the least recently refilled key is forgotten (it starts again with
 * a full bucket, which only ever favours the client).
 *
 * @module
 */

/** A bucket's settings: `rate` tokens per second, at most `burst` saved up. */
export interface RateLimit {
  readonly rate: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key.
 *
 * @example
 * ```ts
 * const perIp = new TokenBuckets({ rate: 10, burst: 100 });
 * if (!perIp.take('203.0.113.7')) answerOverLimit();
 * ```
 */
export class TokenBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, maxKeys = 100_000) {
    this.#rate = limit.rate / 1000;
    this.#burst = limit.burst;
    this.#max = maxKeys;
  }

  /** Takes `n` tokens from `key`'s bucket; false (and nothing taken) when it has fewer. */
  take(key: string, n = 1, now = Date.now()): boolean {
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.#max) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
      b = { tokens: this.#burst, at: now };
    } else {
      b.tokens = Math.min(this.#burst, b.tokens + (now - b.at) * this.#rate);
      b.at = now;
      // Re-insert so Map order is least-recently-used first.
      this.#buckets.delete(key);
    }
    this.#buckets.set(key, b);
    if (b.tokens < n) return false;
    b.tokens -= n;
    return true;
  }
}
