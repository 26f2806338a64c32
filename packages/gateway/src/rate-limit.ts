/**
 * Per-client-IP rate limiting: a fixed window of `requests` per `window`
 * seconds, answered 429 with `Retry-After`.
 *
 * The key is the effective client address from core's engine (the socket
 * peer, or the first untrusted hop behind a trusted proxy), so a client
 * cannot pick its own bucket with `X-Forwarded-For`. IPv6 clients are
 * counted per /64: one subscriber usually owns a whole /64 and could
 * otherwise rotate addresses to reset its count.
 *
 * Stores: in memory per process (the default; a cluster of N workers then
 * allows up to N × `requests`), or Redis, shared by every worker and every
 * gateway instance. When Redis cannot answer within {@link REDIS_TIMEOUT_MS},
 * the request is served (`onStoreError: "open"`, the default) or refused with
 * 503 (`"closed"`), and the error is logged at most every 10 seconds.
 *
 * @module
 */
import { BarbicanError } from './errors.ts';

/** The verdict for one request: 0 = allowed; > 0 = refused, retry after that many seconds; -1 = store down (closed). */
export type LimitResult = number;

/** A rate-limit store. `hit` is synchronous when it can be (the memory store). */
export interface RateLimiter {
  hit(client: string): LimitResult | Promise<LimitResult>;
  close(): Promise<void>;
}

/** Most distinct clients a memory window tracks; beyond it new clients share one bucket. */
const MAX_KEYS = 100_000;
/** How long a Redis answer may take before the store counts as down. */
export const REDIS_TIMEOUT_MS = 250;

/** The bucket key of a client address: IPv4 as is, IPv6 by its /64 prefix. */
export function clientKey(ip: string): string {
  if (ip.indexOf(':') === -1) return ip;
  if (ip.startsWith('::ffff:') && ip.indexOf('.') !== -1) return ip.slice(7);
  const groups = expandV6(ip);
  return groups === undefined ? ip : `${groups.slice(0, 4).join(':')}::/64`;
}

function expandV6(ip: string): string[] | undefined {
  const [head = '', tail] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return undefined;
  return [...h, ...Array<string>(fill).fill('0'), ...t].map((g) =>
    g.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}

/** The in-process store: one counter map per window, cleared when the window turns. */
export class MemoryLimiter implements RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  #windowEnd = 0;
  readonly #counts = new Map<string, number>();
  #overflow = 0;

  constructor(requests: number, windowSeconds: number) {
    this.#limit = requests;
    this.#windowMs = windowSeconds * 1000;
  }

  hit(client: string): LimitResult {
    const now = Date.now();
    if (now >= this.#windowEnd) {
      this.#counts.clear();
      this.#overflow = 0;
      this.#windowEnd = now - (now % this.#windowMs) + this.#windowMs;
    }
    const key = clientKey(client);
    let n: number;
    const prev = this.#counts.get(key);
    if (prev !== undefined || this.#counts.size < MAX_KEYS) {
      n = (prev ?? 0) + 1;
      this.#counts.set(key, n);
    } else {
      // Address-rotation flood: everyone beyond the cap shares one bucket.
      n = ++this.#overflow;
    }
    return n > this.#limit ? Math.ceil((this.#windowEnd - now) / 1000) : 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** INCR and set the expiry on first use, atomically (works on every Redis version with Lua). */
const SCRIPT =
  "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

/** Minimal view of a node-redis client (so tests can see what is used). */
interface RedisLike {
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): void;
  close?(): Promise<unknown>;
  readonly isReady: boolean;
}

/** Logs store errors, at most one line per interval. */
export type StoreErrorLog = (message: string) => void;

/** How to reach and use the Redis store. */
export interface RedisSettings {
  readonly url: string;
  readonly requests: number;
  /** Seconds. */
  readonly window: number;
  /** Answer 503 (true) or serve (false) while Redis is unreachable. */
  readonly failClosed: boolean;
  /** Key prefix, e.g. `barbican:rl:`. */
  readonly prefix: string;
  readonly log: StoreErrorLog;
}

/**
 * The Redis store. Keys are `<prefix><window start>:<client>` with an
 * expiry of one window, so Redis holds at most one window of counters.
 */
export class RedisLimiter implements RateLimiter {
  readonly #client: RedisLike;
  readonly #s: RedisSettings;
  readonly #windowMs: number;
  #lastLog = 0;

  private constructor(client: RedisLike, settings: RedisSettings) {
    this.#client = client;
    this.#s = settings;
    this.#windowMs = settings.window * 1000;
  }

  /**
   * Connects to the store. The gateway starts even when Redis is down at
   * that moment (the store then behaves as unreachable until it is back).
   */
  static async connect(settings: RedisSettings): Promise<RedisLimiter> {
    const { createClient } = await import('redis');
    const client = createClient({
      url: settings.url,
      // Fail fast instead of queueing requests behind a dead connection.
      disableOfflineQueue: true,
      commandOptions: { timeout: REDIS_TIMEOUT_MS, rejectInFlight: true },
      socket: {
        connectTimeout: 1000,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      },
    }) as unknown as RedisLike;
    const limiter = new RedisLimiter(client, settings);
    client.on('error', (error) => limiter.#report(error));
    limiter.#connect();
    return limiter;
  }

  #connect(): void {
    this.#client.connect().catch((error: unknown) => this.#report(error));
  }

  #report(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastLog < 10_000) return;
    this.#lastLog = now;
    const e = new BarbicanError(
      'BARBICAN_E_GATEWAY_RATE_LIMIT_STORE',
      `the rate-limit store cannot be reached (${String(
        (error as Error | undefined)?.message ?? error,
      )
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, 200)})`,
      {
        hint: this.#s.failClosed
          ? 'requests get 503 until it is back (onStoreError: closed)'
          : 'requests are served without a limit until it is back (onStoreError: open)',
      },
    );
    this.#s.log(e.message);
  }

  hit(client: string): Promise<LimitResult> {
    const now = Date.now();
    const start = now - (now % this.#windowMs);
    const key = `${this.#s.prefix}${start}:${clientKey(client)}`;
    if (!this.#client.isReady) {
      this.#report(new Error('not connected'));
      return Promise.resolve(this.#s.failClosed ? -1 : 0);
    }
    return this.#client.sendCommand(['EVAL', SCRIPT, '1', key, String(this.#windowMs)]).then(
      (n) =>
        Number(n) > this.#s.requests
          ? Math.max(1, Math.ceil((start + this.#windowMs - now) / 1000))
          : 0,
      (error: unknown) => {
        this.#report(error);
        return this.#s.failClosed ? -1 : 0;
      },
    );
  }

  async close(): Promise<void> {
    try {
      if (this.#client.isReady && this.#client.close !== undefined) await this.#client.close();
      else this.#client.destroy();
    } catch {
      this.#client.destroy();
    }
  }
}
