/**
 * Fastify 5 adapter: a plugin with per-route overrides.
 *
 * Register it before the routes it should cover. It is not encapsulated
 * (like a `fastify-plugin` plugin, without the dependency), so its hooks and
 * the `reply.cspNonce` decorator reach the scope it is registered in.
 *
 * Per-route settings live in the route's `config.barbican`: an override
 * object merged over the plugin's policy, or `false` to turn Barbican off for
 * that route. Each route's policy is compiled once, when the route is
 * registered; the per-request hook only looks it up.
 *
 * Headers are set in `onRequest`, before the handler, so `reply.header()`
 * overrides them (global < route < handler). Fingerprinting headers are
 * stripped when the head is written.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { barbicanPlugin } from '@barbican/core/fastify';
 *
 * const app = Fastify();
 * await app.register(barbicanPlugin, { policy: { preset: 'barbican' } });
 * app.get('/', (req, reply) => `<script nonce="${reply.cspNonce}"></script>`);
 * app.get('/embed', { config: { barbican: { headers: { xFrameOptions: 'SAMEORIGIN' } } } }, () => 'ok');
 * ```
 * @module
 */
import type { FastifyPluginCallback } from 'fastify';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { applyPlan, judge, nonceOf, toPolicy } from './node.ts';

declare module 'fastify' {
  interface FastifyReply {
    /**
     * The request's CSP nonce, minted on first read (Barbican). Throws
     * `BARBICAN_E_NO_NONCE` when the route's policy has none (or Barbican
     * is off for the route).
     */
    readonly cspNonce: string;
  }
  interface FastifyContextConfig {
    /** Barbican overrides for this route, or `false` to turn it off here. */
    barbican?: PolicyOptions | false;
  }
}

/** Options of {@link barbicanPlugin}. */
export interface BarbicanFastifyOptions {
  /** A built policy or options to build one; default: the `barbican` preset. */
  policy?: Policy | PolicyOptions;
}

/** Where a route's compiled policy is kept in its config (set in `onRoute`). */
const kCompiled = Symbol('barbican.routePolicy');

type CompiledConfig = { [kCompiled]?: Policy | false };

/**
 * The Fastify plugin. Validates the policy when registered (a bad policy
 * fails `register`, at start-up) and compiles each route's overrides when
 * the route is added.
 *
 * @example
 * ```ts
 * await app.register(barbicanPlugin, { policy: createPolicy({ preset: 'strict' }) });
 * app.get('/raw', { config: { barbican: false } }, () => 'no Barbican here');
 * ```
 */
export const barbicanPlugin: FastifyPluginCallback<BarbicanFastifyOptions> = Object.assign(
  ((fastify, opts, done) => {
    let base: Policy;
    try {
      base = toPolicy(opts.policy);
    } catch (err) {
      done(err as Error);
      return;
    }
    fastify.decorateReply('cspNonce', {
      getter(this: { raw: import('node:http').ServerResponse }): string {
        return nonceOf(this.raw);
      },
    });
    // `request.routeOptions` builds a fresh object on every read: look a
    // route's policy up only once some route has one of its own.
    let routesOverride = false;
    fastify.addHook('onRoute', (route) => {
      const overrides = route.config?.barbican;
      if (overrides === undefined) return;
      routesOverride = true;
      // Compiled once per route; a bad override fails at registration.
      const compiled: Policy | false = overrides === false ? false : base.extend(overrides);
      route.config = { ...route.config, [kCompiled]: compiled } as NonNullable<typeof route.config>;
    });
    fastify.addHook('onRequest', (request, reply, next) => {
      const compiled = routesOverride
        ? (request.routeOptions.config as CompiledConfig)[kCompiled]
        : undefined;
      if (compiled === false) {
        next();
        return;
      }
      const policy = compiled ?? base;
      try {
        const verdict = judge(policy, request.raw);
        if (verdict.kind === 'respond') {
          // Answering from a callback hook: send, and do not call next.
          void reply
            .code(verdict.status)
            .headers(Object.fromEntries(verdict.headers))
            .send(verdict.body);
          return;
        }
        applyPlan(verdict.plan, reply.raw, verdict.https);
      } catch (err) {
        next(err as Error);
        return;
      }
      next();
    });
    done();
  }) satisfies FastifyPluginCallback<BarbicanFastifyOptions>,
  {
    // Same effect as wrapping in fastify-plugin: hooks and decorators apply
    // to the registering scope instead of a private child context.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@barbican/core/fastify',
  },
);
