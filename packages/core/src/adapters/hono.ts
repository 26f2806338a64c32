/**
 * Hono 4 adapter. Runs on every runtime Hono runs on: it uses only the
 * Fetch API (Request, Response, Headers, Web Crypto), never `node:*`.
 *
 * The handler runs first; the policy's headers are added afterwards, only
 * where the handler did not set them (global < route < handler). Note this
 * is the opposite of Hono's own `secureHeaders`, which overwrites the
 * handler. Fingerprinting headers are removed even if the handler set them.
 *
 * Per-route policies: mount a second middleware on a path with
 * `security.route(overrides)` (or `barbican(policy.extend(overrides))`). The
 * innermost Barbican middleware on a request decides; outer ones stand back.
 *
 * The nonce is `c.get('cspNonce')`, lazy as on every adapter: the
 * middleware wraps the context's own `get` (an instance property in Hono,
 * so the context keeps its shape), and the nonce is minted on the first
 * `c.get('cspNonce')`, never for a response that does not read it. Under a
 * policy without a nonce the same read throws `BARBICAN_E_NO_NONCE`.
 * `c.var` is Hono's copy of the values set with `c.set`, so it does not
 * carry the nonce: read it with `c.get`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { barbican } from '@barbican/core/hono';
 *
 * const app = new Hono();
 * const security = barbican({ preset: 'barbican' });
 * app.use(security);
 * app.use('/embed/*', security.route({ headers: { xFrameOptions: 'SAMEORIGIN' } }));
 * app.get('/', (c) => c.html(`<script nonce="${c.get('cspNonce')}"></script>`));
 * export default app;
 * ```
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { applyPlanToResponse, judgeRequest, NonceContext, verdictResponse } from './fetch.ts';
import { toPolicy } from './policy-input.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /**
     * The request's CSP nonce (Barbican), minted on first `c.get`; throws
     * `BARBICAN_E_NO_NONCE` when the policy has none. Not in `c.var`.
     */
    cspNonce: string;
  }
}

/** Options of the Hono middleware. */
export interface BarbicanHonoOptions {
  /**
   * How to read the client's socket address on your runtime (for
   * trusted-proxy checks), e.g. `getConnInfo(c).remote.address` from
   * `hono/<runtime>`. Default: unknown.
   */
  peer?: (c: Context) => string | undefined;
}

/** A Hono middleware that applies a Barbican policy. */
export interface BarbicanHonoMiddleware extends MiddlewareHandler {
  /** The built policy, or `false` for a middleware that turns Barbican off. */
  readonly policy: Policy | false;
  /**
   * A route-level middleware: overrides merged over this policy (compiled
   * now, once), or `false` for no Barbican headers on that path.
   *
   * @example
   * ```ts
   * app.use('/raw/*', security.route(false));
   * ```
   */
  route(overrides: PolicyOptions | false): BarbicanHonoMiddleware;
}

type NodeAdapter = typeof import('./node.ts');

/** A node:http response and the node adapter that writes onto it. */
interface NodeTarget {
  readonly adapter: NodeAdapter;
  readonly res: import('node:http').ServerResponse;
}

/**
 * The node adapter, loaded the first time a request arrives with a
 * node:http response in `c.env.outgoing` (as `@hono/node-server` passes
 * it). Loaded lazily, and by a name bundlers do not follow, so that this
 * module imports nothing from `node:*` on Workers, Deno or Bun.
 */
const NODE_ADAPTER = './node.ts';
let nodeAdapter: NodeAdapter | null | undefined;
let nodeLoading: Promise<NodeAdapter | null> | undefined;

/** What `@hono/node-server` passes as `c.env.outgoing`, if anything. */
function outgoingOf(c: Context): object | undefined {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null) return undefined;
  const out = (env as { outgoing?: unknown }).outgoing;
  return typeof out === 'object' && out !== null ? out : undefined;
}

async function nodeTargetOf(out: object): Promise<NodeTarget | undefined> {
  nodeAdapter ??= await (nodeLoading ??= import(NODE_ADAPTER).then(
    (m) => m as NodeAdapter,
    () => null,
  ));
  // Only a real HTTP/1 node:http response that has not been written yet.
  if (nodeAdapter === null || !nodeAdapter.isNodeResponse(out) || out.headersSent) return undefined;
  return { adapter: nodeAdapter, res: out };
}

/** The context key marking which Barbican layer owns the response. */
const kLayer = '@barbican/core/hono.layer';

/** The context variable the nonce is read from. */
const NONCE_KEY = 'cspNonce';

type Getter = (key: string) => unknown;

/**
 * Makes `c.get('cspNonce')` return `read(…)`, leaving every other variable
 * to Hono's own `get`. Hono defines `get` per context instance, so replacing
 * it keeps the context's shape; the wrapper is the one allocation this
 * costs. A later (inner) Barbican layer wraps again, and its wrapper wins.
 */
function onNonceRead<T>(c: Context, read: (from: T) => string, from: T): void {
  const ctx = c as unknown as { get: Getter };
  const get = ctx.get;
  ctx.get = (key) => (key === NONCE_KEY ? read(from) : get(key));
}

const fromContext = (n: NonceContext): string => n.nonce();

/** The nonce state of a layer that turns Barbican off: reading throws. */
const NO_NONCE = new NonceContext(false, false);

/**
 * Builds Hono middleware from a policy, policy options, or `false` (off).
 *
 * @example
 * ```ts
 * app.use(barbican({ headers: { hsts: { maxAge: 31536000 } } }));
 * ```
 */
export function barbican(
  policy?: Policy | PolicyOptions | false,
  options: BarbicanHonoOptions = {},
): BarbicanHonoMiddleware {
  const built: Policy | false = policy === false ? false : toPolicy(policy);
  const peer = options.peer;
  const middleware: MiddlewareHandler = async (c, next) => {
    // Other runtimes pass no node:http response and pay nothing here.
    const outgoing = outgoingOf(c);
    const node = outgoing === undefined ? undefined : await nodeTargetOf(outgoing);
    if (node !== undefined) return onNode(node, c, next);
    // Each layer marks itself; after the handler, only the innermost one
    // (the most specific route) applies its plan.
    const layer = {};
    const vars = c as unknown as { set(k: string, v: unknown): void; get(k: string): unknown };
    vars.set(kLayer, layer);
    if (built === false) {
      onNonceRead(c, fromContext, NO_NONCE);
      await next();
      return;
    }
    const verdict = judgeRequest(built, c.req.raw, peer?.(c));
    if (verdict.kind === 'respond') return verdictResponse(verdict);
    const plan = verdict.plan;
    const nonce = new NonceContext(verdict.https, plan.nonced.length > 0);
    onNonceRead(c, fromContext, nonce);
    await next();
    nonce.sent = true;
    if (vars.get(kLayer) !== layer) return;
    const res = c.res;
    const out = applyPlanToResponse(plan, res, nonce.value);
    if (out !== res) {
      // Hono's `res` setter copies the old response's headers over a new
      // one; clearing first keeps removed fingerprint headers removed.
      c.res = undefined;
      c.res = out;
    }
  };
  /**
   * Under `@hono/node-server`: the plan goes straight onto the node:http
   * response, as the node adapter does, before the handler runs. The
   * server merges the handler's headers over it when it writes the head,
   * so the handler still wins, and fingerprint headers are stripped there.
   * This skips the Fetch `Headers` API, whose every `set` re-validates
   * strings the policy validated once. Layers run outer to inner, and each
   * replaces the previous one's plan: the innermost decides, as on Fetch.
   */
  const onNode = async (
    { adapter, res }: NodeTarget,
    c: Context,
    next: () => Promise<void>,
  ): Promise<Response | undefined> => {
    if (built === false) {
      adapter.retractPlan(res);
    } else {
      const verdict = judgeRequest(built, c.req.raw, peer?.(c));
      if (verdict.kind === 'respond') return verdictResponse(verdict);
      adapter.applyPlan(verdict.plan, res, verdict.https);
    }
    // The node adapter's lazy nonce: minted on first read, spliced in at
    // writeHead; no nonce (or Barbican off) throws BARBICAN_E_NO_NONCE.
    onNonceRead(c, adapter.nonceOf, res);
    await next();
    return undefined;
  };
  return Object.assign(middleware, {
    policy: built,
    route(overrides: PolicyOptions | false) {
      if (overrides === false) return barbican(false, options);
      return barbican(built === false ? toPolicy(overrides) : built.extend(overrides), options);
    },
  });
}
