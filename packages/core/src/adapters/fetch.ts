/**
 * Fetch API adapter: `(Request) => Response` for Cloudflare Workers, Deno,
 * Bun, Node's `Request`/`Response`, and anything else built on them.
 *
 * The handler runs first; its headers win over the policy's (precedence:
 * policy < handler). Immutable responses (from `fetch()` or
 * `Response.redirect()`) are copied once so their headers can be set.
 *
 * @example
 * ```ts
 * import { secureFetch } from '@barbican/core/fetch';
 * export default { fetch: secureFetch((req, ctx) => new Response(`<p nonce="${ctx.nonce()}">`)) };
 * ```
 * @module
 */
import { evaluateRequest } from '../engine.ts';
import { BarbicanError } from '../errors.ts';
import { createNonce, noNonceError } from '../nonce.ts';
import type { NonceHeader, RequestFacts, ResponsePlan, Verdict } from '../plan.ts';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { toPolicy } from './policy-input.ts';

/** Per-request helpers handed to the wrapped handler. */
export interface BarbicanContext {
  /**
   * The request's CSP nonce, minted on first call. Throws
   * `BARBICAN_E_NO_NONCE` when the policy puts no nonce in its CSP, and
   * `BARBICAN_E_NONCE_LATE` when first called after the handler returned.
   */
  nonce(): string;
  /** The effective scheme Barbican decided on. */
  readonly https: boolean;
}

export type FetchHandler<Extra extends unknown[]> = (
  request: Request,
  barbican: BarbicanContext,
  ...extra: Extra
) => Response | Promise<Response>;

/**
 * A Fetch `Request` as the engine sees it. The Fetch API has no
 * request-target: `request.url` is built by the runtime. How it was built
 * decides what the target is.
 *
 * - `urlFromHost: true` (Workers, Deno, Bun, Node bridges such as
 *   `@hono/node-server`): the runtime writes the URL from the Host header for
 *   an origin-form target, and takes an absolute-form target as the URL
 *   (RFC 9112 §3.2.2: its authority wins over Host). So when the URL's
 *   authority is the Host header, the target is the URL's path and query;
 *   when it differs, the client sent absolute-form (or the runtime had no
 *   usable Host), and the whole URL goes to the engine, which refuses an
 *   authority that disagrees with Host: the app routes on `request.url`, so
 *   a host it never validated must not reach it.
 * - `urlFromHost: false` (Next.js): the runtime builds the URL from its own
 *   host name (Next turns `127.0.0.1` into `localhost`), so the URL says
 *   nothing about the client's target: always path and query.
 *
 * The host is always the Host header; without one (HTTP/2 `:authority`) the
 * engine falls back to the URL's authority.
 *
 * @example
 * ```ts
 * evaluateRequest(policy, new FetchFacts(request, peer, true));
 * ```
 */
export class FetchFacts implements RequestFacts {
  readonly request: Request;
  readonly peer: string | undefined;
  readonly #urlFromHost: boolean;
  constructor(request: Request, peer: string | undefined, urlFromHost = true) {
    this.request = request;
    this.peer = peer;
    this.#urlFromHost = urlFromHost;
  }
  get method(): string {
    return this.request.method;
  }
  get target(): string {
    const url = this.request.url;
    // A serialised http(s) URL: scheme "://" authority path [query] [fragment].
    // String slicing, not `new URL()`: this runs on every request.
    const start = url.indexOf('://') + 3;
    let end = url.indexOf('/', start);
    if (end === -1) end = url.length;
    if (this.#urlFromHost) {
      const host = this.request.headers.get('host');
      // URL serialisation lower-cases the host; anything subtler (default
      // ports, IPv6 spelling) goes to the engine's full comparison.
      if (host === null || url.slice(start, end) !== host.toLowerCase()) return url;
    }
    const hash = url.indexOf('#', end);
    const path = hash === -1 ? url.slice(end) : url.slice(end, hash);
    return path === '' ? '/' : path;
  }
  headerValues(name: string): readonly string[] {
    const v = this.request.headers.get(name);
    return v === null ? [] : [v];
  }
  get tls(): boolean {
    // The Fetch API exposes no socket; the URL's scheme is what the runtime
    // (or the platform in front of it) terminated.
    return this.request.url.startsWith('https:');
  }
}

/**
 * The per-request state behind `ctx.nonce()`, shared with the Hono adapter's
 * lazy `c.get('cspNonce')`: the nonce is minted on first read, never when the
 * policy has none, and never after the response left.
 */
export class NonceContext implements BarbicanContext {
  readonly https: boolean;
  readonly #nonced: boolean;
  /** The nonce, once read; undefined = the response carries the nonce-free value. */
  value: string | undefined;
  /** Set once the response was built: a first read after that is too late. */
  sent = false;
  /**
   * @param https The scheme the engine decided on.
   * @param nonced Whether the plan puts a nonce anywhere (`plan.nonced.length > 0`).
   */
  constructor(https: boolean, nonced: boolean) {
    this.https = https;
    this.#nonced = nonced;
  }
  nonce(): string {
    if (this.value === undefined) {
      if (!this.#nonced) throw noNonceError();
      if (this.sent) {
        throw new BarbicanError(
          'BARBICAN_E_NONCE_LATE',
          'the CSP nonce was first read after the response was returned',
          { hint: 'Read the nonce while building the response body' },
        );
      }
      this.value = createNonce();
    }
    return this.value;
  }
}

/**
 * Reads the request's verdict from the policy: the Fetch-side twin of the
 * node adapter's `judge`, used by the Hono and Next adapters.
 *
 * @example
 * ```ts
 * const verdict = judgeRequest(policy, request);
 * if (verdict.kind === 'respond') return verdictResponse(verdict);
 * ```
 */
export function judgeRequest(policy: Policy, request: Request, peer?: string): Verdict {
  return evaluateRequest(policy, new FetchFacts(request, peer));
}

/**
 * The Response for a `respond` verdict (e.g. 400 for a disallowed host).
 *
 * @example
 * ```ts
 * if (verdict.kind === 'respond') return verdictResponse(verdict);
 * ```
 */
export function verdictResponse(verdict: Verdict & { kind: 'respond' }): Response {
  return new Response(verdict.body, {
    status: verdict.status,
    headers: verdict.headers.map(([n, v]): [string, string] => [n, v]),
  });
}

/**
 * Applies a plan to a finished Response; returns the same Response when its
 * headers are mutable, else a copy. Headers the handler set are kept.
 */
export function applyPlanToResponse(
  plan: ResponsePlan,
  response: Response,
  nonce: string | undefined,
): Response {
  let res = response;
  try {
    setAll(plan, res.headers, nonce);
  } catch {
    // Immutable headers (Response.redirect, fetch): copy once, then set.
    res = new Response(response.body, response);
    setAll(plan, res.headers, nonce);
  }
  return res;
}

/** A plan as the Fetch path writes it: lower-case names computed once per plan. */
interface FetchPlan {
  readonly set: readonly {
    readonly name: string;
    readonly lower: string;
    readonly value: string;
  }[];
  readonly nonced: readonly (NonceHeader & { readonly lower: string })[];
}

/** Plans are built once per policy, so this holds a few entries for the process's life. */
const fetchPlans = new WeakMap<ResponsePlan, FetchPlan>();

function fetchPlanOf(plan: ResponsePlan): FetchPlan {
  let fp = fetchPlans.get(plan);
  if (fp === undefined) {
    fp = {
      set: plan.set.map(([name, value]) => ({ name, lower: name.toLowerCase(), value })),
      nonced: plan.nonced.map((h) => ({ ...h, lower: h.name.toLowerCase() })),
    };
    fetchPlans.set(plan, fp);
  }
  return fp;
}

function setAll(plan: ResponsePlan, headers: Headers, nonce: string | undefined): void {
  // One pass over the handful of headers the handler set, not one Headers
  // call per policy name: every Headers call re-validates its name, and the
  // remove list alone has ~90 names (`npm run bench -- fetch` keeps the
  // ratio to Hono honest). A plain array: a response carries a few headers,
  // and `includes` on a short list beats building a Set per response.
  const present: string[] = [];
  for (const name of headers.keys()) present.push(name);
  if (plan.removeList.length > 0) {
    for (const name of present) if (plan.remove.has(name)) headers.delete(name);
  }
  const fp = fetchPlanOf(plan);
  for (const h of fp.set) if (!present.includes(h.lower)) headers.set(h.name, h.value);
  for (const h of fp.nonced) {
    if (!present.includes(h.lower))
      headers.set(h.name, nonce === undefined ? h.value : h.parts.join(nonce));
  }
}

/**
 * Wraps a Fetch handler so every response carries the policy.
 *
 * @param peer Optional: how to read the client's socket address in your runtime
 *   (e.g. Deno's `info.remoteAddr.hostname`), used for trusted-proxy checks.
 */
export function secureFetch<Extra extends unknown[] = []>(
  handler: FetchHandler<Extra>,
  policy?: Policy | PolicyOptions,
  peer?: (request: Request, ...extra: Extra) => string | undefined,
): (request: Request, ...extra: Extra) => Promise<Response> {
  const built = toPolicy(policy);
  return async (request, ...extra) => {
    const verdict = judgeRequest(built, request, peer?.(request, ...extra));
    if (verdict.kind === 'respond') return verdictResponse(verdict);
    const ctx = new NonceContext(verdict.https, verdict.plan.nonced.length > 0);
    const response = await handler(request, ctx, ...extra);
    ctx.sent = true;
    return applyPlanToResponse(verdict.plan, response, ctx.value);
  };
}
