/**
 * Upstreams: one undici keep-alive `Pool` per origin, picked round-robin,
 * with passive health (consecutive connect failures, resets and garbage take
 * an upstream out for a cooldown) and optional active checks.
 *
 * Errors are classified once here, so every caller answers the same status:
 * timeouts 504, everything else that went wrong upstream 502 — never 500.
 *
 * @module
 */
import { Pool } from 'undici';
import { upstreamPoolOptions, type ResolvedGatewayOptions } from './options.ts';

/** One upstream origin and its health. */
export class Upstream {
  readonly origin: string;
  readonly pool: Pool;
  /** Consecutive failures. */
  fails = 0;
  /** Out of rotation until this time (ms since epoch); 0 = healthy. */
  downUntil = 0;
  constructor(origin: string, pool: Pool) {
    this.origin = origin;
    this.pool = pool;
  }
  /** True when in rotation at `now`. */
  healthy(now: number): boolean {
    return this.downUntil === 0 || now >= this.downUntil;
  }
}

/** How an upstream failure is answered and whether it counts against the upstream's health. */
export interface FailureClass {
  readonly status: 502 | 504;
  /** Short name for logs and metrics. */
  readonly kind: string;
  /** True when the upstream itself is at fault (counts towards taking it out). */
  readonly upstreamFault: boolean;
  /** True when nothing reached the upstream, so another one may be tried. */
  readonly retryable: boolean;
}

const CLASSES: Readonly<Record<string, FailureClass>> = {
  ECONNREFUSED: { status: 502, kind: 'connect', upstreamFault: true, retryable: true },
  EHOSTUNREACH: { status: 502, kind: 'connect', upstreamFault: true, retryable: true },
  ENETUNREACH: { status: 502, kind: 'connect', upstreamFault: true, retryable: true },
  ENOTFOUND: { status: 502, kind: 'dns', upstreamFault: true, retryable: true },
  EAI_AGAIN: { status: 502, kind: 'dns', upstreamFault: true, retryable: true },
  UND_ERR_CONNECT_TIMEOUT: {
    status: 504,
    kind: 'connect-timeout',
    upstreamFault: true,
    retryable: true,
  },
  UND_ERR_HEADERS_TIMEOUT: {
    status: 504,
    kind: 'headers-timeout',
    upstreamFault: false,
    retryable: false,
  },
  UND_ERR_BODY_TIMEOUT: {
    status: 504,
    kind: 'body-timeout',
    upstreamFault: false,
    retryable: false,
  },
  UND_ERR_HEADERS_OVERFLOW: {
    status: 502,
    kind: 'headers-too-large',
    upstreamFault: false,
    retryable: false,
  },
  UND_ERR_SOCKET: { status: 502, kind: 'reset', upstreamFault: true, retryable: false },
  ECONNRESET: { status: 502, kind: 'reset', upstreamFault: true, retryable: false },
  EPIPE: { status: 502, kind: 'reset', upstreamFault: true, retryable: false },
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: {
    status: 502,
    kind: 'length-mismatch',
    upstreamFault: true,
    retryable: false,
  },
};

const GARBAGE: FailureClass = {
  status: 502,
  kind: 'garbage',
  upstreamFault: true,
  retryable: false,
};
const OTHER: FailureClass = { status: 502, kind: 'error', upstreamFault: false, retryable: false };

/** Classifies an undici error (by its stable `code`). */
export function classify(error: unknown): FailureClass {
  const e = error as { code?: unknown; name?: unknown } | null;
  const code = e?.code;
  if (typeof code === 'string') {
    const c = CLASSES[code];
    if (c !== undefined) return c;
    if (code.startsWith('HPE_')) return GARBAGE;
  }
  // undici's parser errors carry no code when llhttp gave none (not HTTP at all).
  return e?.name === 'HTTPParserError' ? GARBAGE : OTHER;
}

/**
 * The upstreams of one configuration. `pick()` is round-robin over the
 * healthy ones; when none is healthy it still returns one (the least
 * recently failed), so a recovered upstream is noticed without waiting for
 * an active check.
 */
export class UpstreamSet {
  readonly list: readonly Upstream[];
  #next = 0;
  readonly #failures: number;
  readonly #cooldown: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(g: ResolvedGatewayOptions) {
    const options = upstreamPoolOptions(g);
    this.list = g.upstreams.map((origin) => new Upstream(origin, new Pool(origin, options)));
    this.#failures = g.healthCheck.failures;
    this.#cooldown = g.healthCheck.cooldown;
    if (g.healthCheck.path !== undefined)
      this.#startActive(g.healthCheck.path, g.healthCheck.interval);
  }

  /** The next upstream to use. */
  pick(): Upstream {
    const list = this.list;
    const n = list.length;
    if (n === 1) return list[0] as Upstream;
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const u = list[this.#next++ % n] as Upstream;
      if (u.healthy(now)) return u;
    }
    let best = list[0] as Upstream;
    for (const u of list) if (u.downUntil < best.downUntil) best = u;
    return best;
  }

  /** Records a failure the upstream is responsible for. */
  failed(u: Upstream): void {
    u.fails++;
    if (u.fails >= this.#failures) u.downUntil = Date.now() + this.#cooldown;
  }

  /** Records a success: the upstream is back in rotation. */
  succeeded(u: Upstream): void {
    if (u.fails !== 0 || u.downUntil !== 0) {
      u.fails = 0;
      u.downUntil = 0;
    }
  }

  /** Number of upstreams currently in rotation. */
  healthyCount(): number {
    const now = Date.now();
    return this.list.filter((u) => u.healthy(now)).length;
  }

  #startActive(path: string, interval: number): void {
    const check = (u: Upstream): void => {
      u.pool
        .request({
          path,
          method: 'GET',
          headersTimeout: Math.min(interval, 5000),
          bodyTimeout: Math.min(interval, 5000),
        })
        .then(async (r) => {
          await r.body.dump();
          if (r.statusCode < 400) this.succeeded(u);
          else this.failed(u);
        })
        .catch(() => this.failed(u));
    };
    this.#timer = setInterval(() => this.list.forEach(check), interval);
    this.#timer.unref();
  }

  /** Stops checks and closes the pools once their requests are done. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.all(this.list.map((u) => u.pool.close()));
  }

  /** Closes the pools now, failing their requests. */
  async destroy(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.all(this.list.map((u) => u.pool.destroy()));
  }
}
