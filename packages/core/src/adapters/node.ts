/**
 * node:http / node:https adapter, and the shared Node step used by the
 * Express, Koa and Fastify adapters.
 *
 * Per request it copies the precomputed header strings (see node-headers.ts) and,
 * only when the policy needs it, hooks `writeHead` to splice in a lazily
 * minted nonce and strip fingerprinting headers the application set later.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { withBarbican } from '@barbican/core/node';
 * createServer(withBarbican((req, res) => res.end('hi'), { preset: 'barbican' })).listen(8080);
 * ```
 * @module
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { evaluateRequest } from '../engine.ts';
import { BarbicanError } from '../errors.ts';
import { createNonce, noNonceError } from '../nonce.ts';
import type { RequestFacts, ResponsePlan, Verdict } from '../plan.ts';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { stripHeaders, writePlanHeaders } from './node-headers.ts';
import { toPolicy } from './policy-input.ts';

export { toPolicy };

/**
 * Per-response state: the plan last applied (so a route-level layer can
 * replace it), the lazily minted nonce, and the `writeHead` that the hook
 * wraps. One symbol property, so a response object changes shape once.
 */
const kState = Symbol('barbican.state');

interface State {
  plan: ResponsePlan;
  nonce: string | undefined;
  /** The wrapped `writeHead`; undefined when the plan needs no hook. */
  original: ServerResponse['writeHead'] | undefined;
  https: boolean;
}

type Res = ServerResponse & { [kState]?: State | undefined };

class NodeFacts implements RequestFacts {
  readonly req: IncomingMessage;
  constructor(req: IncomingMessage) {
    this.req = req;
  }
  get method(): string {
    return this.req.method ?? 'GET';
  }
  get target(): string {
    return this.req.url ?? '/';
  }
  headerValues(name: string): readonly string[] {
    // rawHeaders keeps duplicates that `req.headers` would join or drop,
    // which host validation needs to see (two Host headers = reject).
    const raw = this.req.rawHeaders;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      if ((raw[i] ?? '').toLowerCase() === name) out.push(raw[i + 1] ?? '');
    }
    return out;
  }
  get peer(): string | undefined {
    return this.req.socket.remoteAddress;
  }
  get tls(): boolean {
    return (this.req.socket as Partial<TLSSocket>).encrypted === true;
  }
}

/**
 * True when `value` is a node:http (HTTP/1) response, whose headers
 * {@link applyPlan} can write directly; used by the Hono adapter under
 * `@hono/node-server`. HTTP/2 compatibility responses keep their headers
 * elsewhere and are not accepted.
 *
 * @example
 * ```ts
 * if (isNodeResponse(c.env.outgoing)) applyPlan(plan, c.env.outgoing, https);
 * ```
 */
export function isNodeResponse(value: unknown): value is ServerResponse {
  return value instanceof ServerResponse;
}

/** Reads the request's verdict from the policy (exported for framework adapters). */
export function judge(policy: Policy, req: IncomingMessage): Verdict {
  return evaluateRequest(policy, new NodeFacts(req));
}

/**
 * Applies `policy` to a Node response. Returns `false` when Barbican answered
 * the request itself (the application must not run), `true` otherwise.
 */
export function protectNode(policy: Policy, req: IncomingMessage, res: ServerResponse): boolean {
  const verdict = judge(policy, req);
  if (verdict.kind === 'respond') {
    sendVerdict(res, verdict);
    return false;
  }
  applyPlan(verdict.plan, res, verdict.https);
  return true;
}

/** Sends a `respond` verdict on a Node response. */
export function sendVerdict(res: ServerResponse, verdict: Verdict & { kind: 'respond' }): void {
  res.statusCode = verdict.status;
  for (const [name, value] of verdict.headers) res.setHeader(name, value);
  res.setHeader('Content-Length', Buffer.byteLength(verdict.body));
  res.end(verdict.body);
}

/**
 * Copies a plan's headers onto `res` and arms the late hook when needed.
 *
 * Re-entrant: when a plan was already applied (a global middleware, then a
 * route-level one), the new plan replaces it: headers only the old plan set
 * are removed, and a nonce already minted is kept.
 */
export function applyPlan(plan: ResponsePlan, res: Res, https: boolean): void {
  const nonce = res[kState] === undefined ? undefined : retract(res, plan);
  writePlanHeaders(plan, res);
  if (plan.nonced.length === 0 && plan.removeList.length === 0) {
    res[kState] = { plan, nonce, original: undefined, https };
    return;
  }
  // Nonces and header removal happen at writeHead, the last moment before
  // the head is serialised: whatever the application set by then is seen.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called later with `this` = res
  res[kState] = { plan, nonce, original: res.writeHead, https };
  res.writeHead = writeHeadHook;
}

/**
 * Undoes what {@link applyPlan} did on `res` (a route that turns Barbican
 * off): removes the headers the plan set and unhooks `writeHead`. Must run
 * before the application sets its own headers.
 */
export function retractPlan(res: ServerResponse): void {
  if ((res as Res)[kState] !== undefined) retract(res, undefined);
}

/** Removes the previous plan's headers that `next` does not set; returns its nonce. */
function retract(res: Res, next: ResponsePlan | undefined): string | undefined {
  const st = res[kState];
  if (st === undefined) return undefined;
  res[kState] = undefined;
  const prev = st.plan;
  for (const [name] of prev.set) if (!plans(next, name)) res.removeHeader(name);
  for (const h of prev.nonced) if (!plans(next, h.name)) res.removeHeader(h.name);
  if (st.original !== undefined) res.writeHead = st.original;
  return st.nonce;
}

function plans(plan: ResponsePlan | undefined, name: string): boolean {
  if (plan === undefined) return false;
  for (const [n] of plan.set) if (n === name) return true;
  for (const h of plan.nonced) if (h.name === name) return true;
  return false;
}

function writeHeadHook(this: Res, ...args: unknown[]): ServerResponse {
  const st = this[kState];
  if (st?.original === undefined) throw new Error('barbican: writeHead hook without state');
  finalize(this, st);
  // Headers passed straight to writeHead bypass setHeader: filter them too.
  const last = args.length - 1;
  if (last >= 1 && st.plan.removeList.length > 0)
    args[last] = filterHeaders(args[last], st.plan.remove);
  return (st.original as (...a: unknown[]) => ServerResponse).apply(this, args);
}

function finalize(res: Res, st: State): void {
  for (const h of st.plan.nonced) {
    res.setHeader(h.name, st.nonce === undefined ? h.value : h.parts.join(st.nonce));
  }
  if (st.plan.removeList.length > 0) stripHeaders(res, st.plan.remove);
}

function filterHeaders(headers: unknown, remove: ReadonlySet<string>): unknown {
  if (Array.isArray(headers)) {
    // Flat [name, value, name, value] or [[name, value]] forms.
    if (headers.length > 0 && Array.isArray(headers[0])) {
      const pairs = headers as [string, unknown][];
      return pairs.some(([n]) => remove.has(n.toLowerCase()))
        ? pairs.filter(([n]) => !remove.has(n.toLowerCase()))
        : headers;
    }
    let hit = false;
    for (let i = 0; i < headers.length && !hit; i += 2)
      hit = remove.has(String(headers[i]).toLowerCase());
    if (!hit) return headers;
    const out: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!remove.has(String(headers[i]).toLowerCase())) out.push(headers[i], headers[i + 1]);
    }
    return out;
  }
  if (typeof headers === 'object' && headers !== null) {
    // Frameworks (Fastify, @hono/node-server) pass their header object on
    // every response: copy it only when it holds a header to strip.
    let hit = false;
    for (const n in headers) if ((hit = remove.has(n.toLowerCase()))) break;
    if (!hit) return headers;
    const out: OutgoingHttpHeaders = {};
    for (const [n, v] of Object.entries(headers as OutgoingHttpHeaders)) {
      if (!remove.has(n.toLowerCase())) out[n] = v;
    }
    return out;
  }
  return headers;
}

/**
 * The request's CSP nonce, minted on first read (128 random bits, base64).
 * Throws `BARBICAN_E_NO_NONCE` when the response's policy puts no nonce in
 * its CSP (or Barbican is off for it): the page would carry a nonce no
 * header allows. Throws `BARBICAN_E_NONCE_LATE` when first read after the
 * headers were sent: the header could no longer carry it.
 *
 * @example
 * ```ts
 * res.end(`<script nonce="${nonceOf(res)}">boot()</script>`);
 * ```
 */
export function nonceOf(res: ServerResponse): string {
  const st = (res as Res)[kState];
  // A plan with nonced headers always has the writeHead hook armed (applyPlan).
  if (st === undefined || st.plan.nonced.length === 0) throw noNonceError();
  if (st.nonce === undefined) {
    if (res.headersSent) {
      throw new BarbicanError(
        'BARBICAN_E_NONCE_LATE',
        'the CSP nonce was first read after the response headers were sent',
        { hint: 'Read the nonce before writing the body (e.g. when rendering the template)' },
      );
    }
    st.nonce = createNonce();
  }
  return st.nonce;
}

const kRes = Symbol('barbican.res');

function readNonce(this: { [kRes]: ServerResponse }): string {
  return nonceOf(this[kRes]);
}

// One shared descriptor: exposing the nonce allocates no closure per request.
const nonceDescriptor: PropertyDescriptor = {
  configurable: true,
  // Enumerable, so template engines that copy `res.locals` see it.
  enumerable: true,
  get: readNonce,
};

/**
 * What `target[key]` is when the policy has no nonce: reading it throws
 * `BARBICAN_E_NO_NONCE`. Not enumerable, so view engines that copy
 * `res.locals` do not trip over it; assigning a value replaces it (an app
 * that mints its own nonce keeps working). One per key, made once.
 */
const noNonceDescriptors = new Map<string, PropertyDescriptor>();

function noNonceDescriptor(key: string): PropertyDescriptor {
  let d = noNonceDescriptors.get(key);
  if (d === undefined) {
    d = {
      configurable: true,
      enumerable: false,
      get(): never {
        throw noNonceError();
      },
      set(this: object, value: unknown): void {
        Object.defineProperty(this, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
    };
    noNonceDescriptors.set(key, d);
  }
  return d;
}

/**
 * Defines `target[key]` as the response's nonce (what `res.locals.cspNonce`
 * and Koa's `ctx.state.cspNonce` are): a lazy getter for {@link nonceOf}
 * when the plan applied to `res` carries a nonce; otherwise a property that
 * throws `BARBICAN_E_NO_NONCE` when read, instead of a silent `undefined`.
 * Call it after {@link applyPlan} (or {@link retractPlan}).
 *
 * @example
 * ```ts
 * exposeNonce(res.locals, 'cspNonce', res); // res.locals.cspNonce → nonceOf(res)
 * ```
 */
export function exposeNonce(target: object, key: string, res: ServerResponse): void {
  const st = (res as Res)[kState];
  if (st !== undefined && st.plan.nonced.length > 0) {
    (target as { [kRes]?: ServerResponse })[kRes] = res;
    Object.defineProperty(target, key, nonceDescriptor);
    return;
  }
  // No nonce: keep a value the app set itself; replace Barbican's own getter
  // (a route layer without a nonce, or Barbican turned off for the route).
  if (Object.hasOwn(target, key) && Object.getOwnPropertyDescriptor(target, key)?.get !== readNonce)
    return;
  Object.defineProperty(target, key, noNonceDescriptor(key));
}

/**
 * Wraps a node:http request listener.
 *
 * @example
 * ```ts
 * http.createServer(withBarbican((req, res) => res.end('ok'))).listen(3000);
 * ```
 */
export function withBarbican<Req extends IncomingMessage, R extends ServerResponse>(
  listener: (req: Req, res: R) => void,
  policy?: Policy | PolicyOptions,
): (req: Req, res: R) => void {
  const built = toPolicy(policy);
  return (req, res) => {
    if (protectNode(built, req, res)) listener(req, res);
  };
}
