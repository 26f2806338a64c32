/**
 * Koa 3 adapter.
 *
 * Headers are set on the Node response before downstream middleware runs,
 * so `ctx.set()` in a handler overrides them (global < route < handler).
 * Fingerprinting headers are stripped when the head is written. The lazy CSP
 * nonce is `ctx.state.cspNonce` (reading it under a policy without a nonce
 * throws `BARBICAN_E_NO_NONCE`). When a handler throws, Koa's error handler
 * clears every header; the policy's headers are put back through the error's
 * `headers` (which Koa sends), so error pages stay protected.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { barbican } from '@barbican/core/koa';
 *
 * const app = new Koa();
 * app.use(barbican({ preset: 'barbican' }));
 * app.use((ctx) => { ctx.body = 'hello'; });
 * app.listen(3000);
 * ```
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { applyPlan, exposeNonce, judge, retractPlan, toPolicy } from './node.ts';

/** The parts of Koa's context the middleware uses (structural: no runtime import of koa). */
export interface KoaContextLike {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  state: Record<string, unknown>;
  status: number;
  body: unknown;
  set(field: string, value: string): void;
}

/** A Koa middleware that applies a Barbican policy. */
export interface BarbicanKoaMiddleware {
  (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void>;
  /** The built policy this middleware applies. */
  readonly policy: Policy;
  /**
   * Route-level middleware: overrides merged over this policy (compiled once,
   * here), or `false` to turn Barbican off for the route.
   *
   * @example
   * ```ts
   * const embed = security.route({ headers: { xFrameOptions: 'SAMEORIGIN' } });
   * app.use((ctx, next) => (ctx.path.startsWith('/embed') ? embed(ctx, next) : next()));
   * ```
   */
  route(overrides: PolicyOptions | false): BarbicanKoaMiddleware | KoaMiddleware;
}

/**
 * Builds Koa middleware from a policy or policy options (validated now, once).
 *
 * @example
 * ```ts
 * app.use(barbican({ headers: { xFrameOptions: 'SAMEORIGIN' } }));
 * app.use((ctx) => { ctx.body = `<script nonce="${String(ctx.state.cspNonce)}"></script>`; });
 * ```
 */
export function barbican(policy?: Policy | PolicyOptions): BarbicanKoaMiddleware {
  const built = toPolicy(policy);
  const middleware = async (ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> => {
    const verdict = judge(built, ctx.req);
    if (verdict.kind === 'respond') {
      ctx.status = verdict.status;
      for (const [name, value] of verdict.headers) ctx.set(name, value);
      ctx.body = verdict.body;
      return;
    }
    const plan = verdict.plan;
    applyPlan(plan, ctx.res, verdict.https);
    // The lazy nonce, or (no nonce in the policy) a property that says so when read.
    exposeNonce(ctx.state, 'cspNonce', ctx.res);
    try {
      await next();
    } catch (err) {
      // Koa's onerror removes every header, then sets `err.headers`: carry
      // the static headers over so the error page keeps its protection.
      if (typeof err === 'object' && err !== null && !ctx.res.headersSent) {
        const e = err as { headers?: Record<string, string> };
        const headers: Record<string, string> = {};
        for (const [name, value] of plan.set) headers[name] = value;
        for (const h of plan.nonced) headers[h.name] = h.value;
        e.headers = { ...headers, ...e.headers };
      }
      throw err;
    }
  };
  return Object.assign(middleware, {
    policy: built,
    route(overrides: PolicyOptions | false) {
      return overrides === false ? off : barbican(built.extend(overrides));
    },
  });
}

/** A plain Koa middleware. */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

async function off(ctx: KoaContextLike, next: () => Promise<unknown>): Promise<void> {
  retractPlan(ctx.res);
  exposeNonce(ctx.state, 'cspNonce', ctx.res);
  await next();
}
