/**
 * Everything the request path reads for one configuration, built once when
 * a configuration is loaded and swapped whole on reload: in-flight requests
 * finish with the runtime they started with.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Policy, ResponsePlan } from '@barbican/core';
import { AccessLog, type EventLog, type LineWriter } from './access-log.ts';
import type { CompiledGateway } from './config.ts';
import { httpPolicyOf } from './options.ts';
import { headerKinds, type HeaderKinds } from './inspect.ts';
import type { GatewayMetrics } from './metrics.ts';
import { MemoryLimiter, RedisLimiter, type RateLimiter } from './rate-limit.ts';
import {
  ERROR_PAGE,
  compilePage,
  headerPlan,
  ownHeaders,
  type HeaderPlan,
  type OwnKind,
  type PageRenderer,
} from './respond.ts';
import { UpstreamSet } from './upstreams.ts';

/** What one listener (HTTPS or plain HTTP) serves with. */
export interface ListenerView {
  readonly rt: Runtime;
  /** The policy: the HTTPS one, or the plain-HTTP one that redirects. */
  readonly policy: Policy;
  /** The listener's scheme. */
  readonly https: boolean;
  /** The plan for answers given before the engine has judged the request (no HSTS). */
  readonly earlyPlan: ResponsePlan;
}

/** Request ids: a random per-process prefix and a counter, so ids are unique across workers and restarts. */
class RequestIds {
  readonly #prefix = randomBytes(4).toString('hex');
  #n = 0;
  next(): string {
    this.#n = (this.#n + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.#prefix}-${this.#n.toString(36)}`;
  }
}

/** One configuration, ready for the request path. */
export class Runtime {
  readonly compiled: CompiledGateway;
  readonly upstreams: UpstreamSet;
  readonly limiter: RateLimiter | undefined;
  readonly log: AccessLog | undefined;
  readonly metrics: GatewayMetrics;
  readonly events: EventLog;
  readonly kinds: HeaderKinds;
  readonly methods: ReadonlySet<string>;
  /** `Allow` header value for 405 answers. */
  readonly allow: string;
  /** `intercept[status] === 1` when upstream answers with that status are replaced. */
  readonly intercept: Uint8Array;
  readonly page: PageRenderer;
  readonly ids = new RequestIds();
  readonly tls: ListenerView;
  http: ListenerView;
  readonly #plans = new WeakMap<ResponsePlan, HeaderPlan>();
  readonly #own = new WeakMap<ResponsePlan, Record<OwnKind, readonly string[]>>();

  private constructor(
    compiled: CompiledGateway,
    limiter: RateLimiter | undefined,
    metrics: GatewayMetrics,
    writer: LineWriter | undefined,
    events: EventLog,
  ) {
    const g = compiled.gateway;
    this.compiled = compiled;
    this.upstreams = new UpstreamSet(g);
    this.limiter = limiter;
    this.metrics = metrics;
    this.events = events;
    this.log =
      writer === undefined || g.accessLog === false
        ? undefined
        : new AccessLog(writer, g.accessLog.redactQuery);
    this.kinds = headerKinds([
      g.nonceHeader,
      ...(g.requestIdHeader === false ? [] : [g.requestIdHeader]),
    ]);
    this.methods = new Set(g.methods);
    this.allow = g.methods.join(', ');
    this.intercept = new Uint8Array(600);
    for (const s of compiled.errors.intercept) if (s >= 100 && s < 600) this.intercept[s] = 1;
    this.page = compilePage(compiled.files.page ?? ERROR_PAGE);
    const view = (policy: Policy, https: boolean): ListenerView => ({
      rt: this,
      policy,
      https,
      earlyPlan: https ? policy.guards.httpsLocal : policy.guards.http,
    });
    this.tls = view(compiled.policy, true);
    this.http = view(compiled.httpPolicy, false);
  }

  /**
   * Builds the runtime of `compiled`: upstream pools, the rate-limit store
   * (connecting to Redis when configured), the access log.
   */
  static async create(
    compiled: CompiledGateway,
    metrics: GatewayMetrics,
    writer: LineWriter | undefined,
    events: EventLog,
  ): Promise<Runtime> {
    const rl = compiled.gateway.rateLimit;
    let limiter: RateLimiter | undefined;
    if (rl !== false) {
      limiter =
        rl.store === 'memory'
          ? new MemoryLimiter(rl.requests, rl.window)
          : await RedisLimiter.connect({
              url: rl.store,
              requests: rl.requests,
              window: rl.window,
              failClosed: rl.onStoreError === 'closed',
              prefix: rl.keyPrefix,
              log: (message) =>
                events('error', message, { code: 'BARBICAN_E_GATEWAY_RATE_LIMIT_STORE' }),
            });
    }
    return new Runtime(compiled, limiter, metrics, writer, events);
  }

  /**
   * Points the plain-HTTP listener's redirect at the port the HTTPS listener
   * actually got (when the configuration asked for port 0).
   */
  redirectTo(httpsPort: number): void {
    const c = this.compiled;
    if (c.gateway.listen.port !== 0) return;
    const policy = httpPolicyOf(c.policy, c.gateway, httpsPort);
    this.http = { rt: this, policy, https: false, earlyPlan: policy.guards.http };
  }

  /** The proxying plan for a core response plan (computed on first use, then cached). */
  planFor(rp: ResponsePlan): HeaderPlan {
    let p = this.#plans.get(rp);
    if (p === undefined) {
      p = headerPlan(
        rp,
        this.compiled.gateway.keepUpstreamHeaders,
        this.compiled.errors.serverTokens,
      );
      this.#plans.set(rp, p);
    }
    return p;
  }

  /** The base headers of the gateway's own answers under a plan. */
  ownFor(rp: ResponsePlan, kind: OwnKind): readonly string[] {
    let o = this.#own.get(rp);
    if (o === undefined) {
      o = {
        text: ownHeaders(rp, 'text'),
        html: ownHeaders(rp, 'html'),
        empty: ownHeaders(rp, 'empty'),
      };
      this.#own.set(rp, o);
    }
    return o[kind];
  }

  /** Releases pools and the store once in-flight requests are done. */
  async close(): Promise<void> {
    await Promise.all([this.upstreams.close(), this.limiter?.close()]);
  }

  /** Closes now: running upstream requests fail (the end of a shutdown grace period). */
  async destroy(): Promise<void> {
    await Promise.all([this.upstreams.destroy(), this.limiter?.close()]);
  }
}
