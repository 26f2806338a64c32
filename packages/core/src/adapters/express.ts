/**
 * Express 4 and 5 adapter.
 *
 * The middleware sets the policy's headers before the handler runs, so the
 * handler may overwrite any of them (precedence: global < route < handler).
 * Fingerprinting headers (`X-Powered-By`, `Server`, …) are stripped when the
 * head is written, even if Express or the handler set them. The lazy CSP
 * nonce is `res.locals.cspNonce`, so every template engine sees it; under a
 * policy without a nonce, reading it throws `BARBICAN_E_NO_NONCE`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { barbican } from '@barbican/core/express';
 *
 * const app = express();
 * const security = barbican({ preset: 'barbican' });
 * app.use(security);
 * app.get('/embed', security.route({ headers: { xFrameOptions: 'SAMEORIGIN' } }), (req, res) =>
 *   res.send('framable by us'),
 * );
 * ```
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { applyPlan, exposeNonce, judge, retractPlan, sendVerdict, toPolicy } from './node.ts';

/** The parts of Express's `res` the middleware touches (Express 4 and 5 alike). */
export type ExpressResponse = ServerResponse & { locals: Record<string, unknown> };

/** Express's `next`: called with an error to hand it to the error handlers. */
export type ExpressNext = (err?: unknown) => void;

/** An Express middleware that applies a Barbican policy. */
export interface BarbicanExpressMiddleware {
  (req: IncomingMessage, res: ExpressResponse, next: ExpressNext): void;
  /** The built policy this middleware applies. */
  readonly policy: Policy;
  /**
   * Route-level middleware: `overrides` merged over this policy (compiled
   * now, once), or `false` to turn Barbican off for the route. It replaces
   * what the global middleware set for that request.
   *
   * @example
   * ```ts
   * app.get('/widget', security.route({ headers: { xFrameOptions: false } }), handler);
   * app.get('/raw', security.route(false), handler);
   * ```
   */
  route(overrides: PolicyOptions | false): BarbicanExpressMiddleware | OffMiddleware;
}

/** The middleware a `route(false)` returns: removes what the global layer set. */
export type OffMiddleware = (req: IncomingMessage, res: ExpressResponse, next: ExpressNext) => void;

/**
 * Builds Express middleware (4 and 5) from a policy or policy options.
 * Validation happens here, once; a bad policy throws at start-up. Errors at
 * request time go to `next(err)`, never thrown at Express.
 *
 * @example
 * ```ts
 * app.use(barbican({ headers: { hsts: { maxAge: 31536000 } } }));
 * app.get('/', (req, res) => res.send(`<script nonce="${res.locals.cspNonce}">…</script>`));
 * ```
 */
export function barbican(policy?: Policy | PolicyOptions): BarbicanExpressMiddleware {
  const built = toPolicy(policy);
  const middleware = (req: IncomingMessage, res: ExpressResponse, next: ExpressNext): void => {
    try {
      const verdict = judge(built, req);
      if (verdict.kind === 'respond') {
        sendVerdict(res, verdict);
        return;
      }
      applyPlan(verdict.plan, res, verdict.https);
      // The lazy nonce, or (no nonce in the policy) a property that says so when read.
      exposeNonce(res.locals, 'cspNonce', res);
    } catch (err) {
      next(err);
      return;
    }
    // Outside the try: an error thrown further down the chain is Express's
    // to route, not ours to report twice.
    next();
  };
  return Object.assign(middleware, {
    policy: built,
    route(overrides: PolicyOptions | false) {
      return overrides === false ? off : barbican(built.extend(overrides));
    },
  });
}

function off(_req: IncomingMessage, res: ExpressResponse, next: ExpressNext): void {
  retractPlan(res);
  exposeNonce(res.locals, 'cspNonce', res);
  next();
}
