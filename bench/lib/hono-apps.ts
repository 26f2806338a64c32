/**
 * The Hono app of the adapter benchmark, in its four variants. The same app
 * is served over node:http by `@hono/node-server` (framework `hono-node`)
 * and called in-process through `app.fetch` (framework `hono-fetch`).
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { barbican } from '@barbican/core/hono';
import { honoEquivalent, replaceNonce } from './equivalents.ts';
import {
  handWritten,
  hostAllowed,
  newNonce,
  NONCE_MARK,
  scenarioPolicy,
  splice,
  type Scenario,
} from './scenarios.ts';

export const BODY = 'hello world';

/** The variants every framework runs, in the order rounds visit them. */
export const VARIANTS = ['bare', 'plugin', 'hand-written', 'barbican'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Refuses a request whose Host is not the benchmark's (hand-written, as the plugins have no host check). */
const hostCheck: MiddlewareHandler = async (c, next) => {
  if (!hostAllowed(c.req.header('host'))) return c.text('Bad Request', 400);
  await next();
};

/** Hono's `secureHeaders()` configured for the policy's headers (nonce via Hono's `NONCE`). */
function plugin(app: Hono, scenario: Scenario, https: boolean): void {
  const hw = handWritten(scenario, https);
  const { options, leftovers } = honoEquivalent(hw.marked);
  const o = options as Record<string, unknown>;
  for (const key of ['contentSecurityPolicy', 'contentSecurityPolicyReportOnly']) {
    const d = o[key] as Record<string, unknown[]> | undefined;
    if (d !== undefined) o[key] = replaceNonce(d, NONCE_MARK, () => NONCE);
  }
  if (hw.checkHost) app.use(hostCheck);
  app.use(secureHeaders(options));
  if (leftovers.length > 0) {
    app.use(async (c, next) => {
      await next();
      for (const [n, v] of leftovers) c.res.headers.set(n, v);
    });
  }
}

/**
 * The hand-written limit: the precomputed headers set on the handler's
 * response after it ran (`c.header()` before the handler costs a second
 * validation of every header when Hono copies its prepared headers into the
 * Response).
 */
function byHand(app: Hono, scenario: Scenario, https: boolean): void {
  const hw = handWritten(scenario, https);
  const fixed = hw.fixed;
  const nonced = hw.nonced;
  app.use(async (c, next) => {
    if (hw.checkHost && !hostAllowed(c.req.header('host'))) return c.text('Bad Request', 400);
    const nonce = nonced === undefined ? undefined : newNonce();
    if (nonce !== undefined) c.set('cspNonce', nonce);
    await next();
    const h = c.res.headers;
    for (let i = 0; i < fixed.length; i++) h.set(fixed[i]![0], fixed[i]![1]);
    if (nonced !== undefined && nonce !== undefined) h.set(nonced.name, splice(nonced, nonce));
  });
}

/**
 * The Hono app for one variant. In the guards scenario the handler reads the
 * nonce, as a page that uses it would.
 */
export function honoApp(variant: Variant, scenario: Scenario, https: boolean): Hono {
  const app = new Hono();
  const readsNonce = scenario === 'guards' && variant !== 'bare';
  switch (variant) {
    case 'bare':
      break;
    case 'plugin':
      plugin(app, scenario, https);
      break;
    case 'hand-written':
      byHand(app, scenario, https);
      break;
    case 'barbican':
      app.use(barbican(scenarioPolicy(scenario)));
      break;
  }
  const nonceKey = variant === 'plugin' ? 'secureHeadersNonce' : 'cspNonce';
  app.get('/', (c) => {
    if (readsNonce && typeof (c.get as (k: string) => unknown)(nonceKey) !== 'string')
      throw new Error(`hono ${variant}: no nonce`);
    return c.text(BODY);
  });
  return app;
}
