/**
 * Next.js 16 adapter: a middleware (`proxy.ts`, formerly `middleware.ts`)
 * helper and a `headers()` export for `next.config.js`.
 *
 * Next is not a dependency: the helper returns a standard `Response` that
 * speaks Next's middleware protocol, exactly what `NextResponse.next()`
 * builds (a test compares the two against the installed Next).
 *
 * Precedence: Next copies the middleware's response headers onto the final
 * response before the page renders, so a header the page or route handler
 * sets wins (global < route < handler). Per-route policies: pick a
 * middleware by path (see {@link barbicanMiddleware}).
 *
 * What Next's middleware cannot do: remove headers set while rendering (by
 * Next or by a route handler). Turn `X-Powered-By` off with
 * `poweredByHeader: false` in `next.config.js`. And it cannot see what
 * `next start` drops or answers before it runs: a second Host header, or a
 * target that is absolute-form or holds `//` or `\` (Next answers 308).
 * The engine-level tests and `test/adapters` run against a real `next start`
 * and pin each of these.
 *
 * @example
 * ```ts
 * // proxy.ts (Next 16) or middleware.ts
 * import { barbicanMiddleware } from '@barbican/core/next';
 * export const proxy = barbicanMiddleware({ preset: 'barbican' });
 *
 * // app/page.tsx: read the nonce in a server component
 * import { headers } from 'next/headers';
 * import { nonceFrom } from '@barbican/core/next';
 * const nonce = nonceFrom(await headers());
 * ```
 * @module
 */
import { evaluateRequest } from '../engine.ts';
import { createNonce, noNonceError } from '../nonce.ts';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { applyPlanToResponse, FetchFacts, verdictResponse } from './fetch.ts';
import { toPolicy } from './policy-input.ts';

/** Options of {@link barbicanMiddleware}. */
export interface BarbicanNextOptions {
  /** The request header that carries the nonce to server components. Default `x-nonce`. */
  nonceHeader?: string;
  /**
   * How to read the client's socket address (for trusted-proxy checks).
   * `NextRequest` has none since Next 15, and `next start` keeps a
   * client-sent `X-Forwarded-For` as it is (it fills in the socket address
   * only when the header is absent), so neither can be trusted. When Next
   * is reachable only through your proxy, say so: `next start -H 127.0.0.1`
   * behind a proxy on the same host is `peer: () => '127.0.0.1'`. Default:
   * unknown, so forwarded headers are never trusted.
   */
  peer?: (request: Request) => string | undefined;
}

/**
 * A `NextRequest` as the engine sees it. `next start` builds `request.url`
 * from its own host name, so the target is the URL's path and query (see
 * {@link FetchFacts}). It also builds the URL's scheme from the socket *or*
 * from the client's `X-Forwarded-Proto` (`https` when that header merely
 * contains "https", in resolve-routes), so an `https:` URL is the client's
 * word whenever that header says https: then the socket counts as plain,
 * and the engine trusts the header only from a trusted proxy. Without the
 * header, an `https:` URL means Next's own socket was TLS (a custom HTTPS
 * server or `next dev --experimental-https`).
 */
class NextFacts extends FetchFacts {
  constructor(request: Request, peer: string | undefined) {
    super(request, peer, false);
  }
  override get tls(): boolean {
    if (!this.request.url.startsWith('https:')) return false;
    const proto = this.request.headers.get('x-forwarded-proto');
    return proto === null || !proto.includes('https');
  }
}

/** Sets Next's request-override protocol on `out`: the app sees exactly `forwarded`. */
function overrideRequestHeaders(out: Headers, forwarded: Headers): void {
  // `NextResponse.next({ request: { headers } })`: the app sees the request
  // headers listed in x-middleware-override-headers, with the values from
  // x-middleware-request-*.
  const keys: string[] = [];
  for (const [key, value] of forwarded) {
    out.set(`x-middleware-request-${key}`, value);
    keys.push(key);
  }
  out.set('x-middleware-override-headers', keys.join(','));
}

/**
 * A Next middleware/proxy function: takes the `NextRequest` (any `Request`
 * works) and returns a `Response` Next understands.
 */
export type BarbicanNextMiddleware = (request: Request) => Response;

/**
 * Builds a Next.js middleware (Next 16 `proxy`) that sets the policy's
 * headers. When the CSP uses a nonce, one is minted per request and passed
 * to the app in the `x-nonce` request header, and in the request's
 * `Content-Security-Policy` header, from which Next reads it for its own
 * scripts (the documented Next pattern).
 *
 * For per-route policies, choose a middleware by path; each is compiled
 * once, at module load:
 *
 * @example
 * ```ts
 * const site = barbicanMiddleware(policy);
 * const embed = barbicanMiddleware(policy.extend({ headers: { xFrameOptions: 'SAMEORIGIN' } }));
 * export function proxy(request: NextRequest) {
 *   return request.nextUrl.pathname.startsWith('/embed') ? embed(request) : site(request);
 * }
 * ```
 */
export function barbicanMiddleware(
  policy?: Policy | PolicyOptions,
  options: BarbicanNextOptions = {},
): BarbicanNextMiddleware {
  const built = toPolicy(policy);
  const nonceHeader = (options.nonceHeader ?? 'x-nonce').toLowerCase();
  const peer = options.peer;
  return (request) => {
    const verdict = evaluateRequest(built, new NextFacts(request, peer?.(request)));
    if (verdict.kind === 'respond') return verdictResponse(verdict);
    const plan = verdict.plan;
    // `NextResponse.next()`: continue to the app.
    const headers = new Headers({ 'x-middleware-next': '1' });
    let nonce: string | undefined;
    if (plan.nonced.length > 0) {
      // Minted per request, not lazily: the page renders after this returns,
      // and Next itself reads the nonce from the request's CSP for its own
      // scripts (without it, App Router pages cannot hydrate under the CSP).
      nonce = createNonce();
      const forwarded = new Headers(request.headers);
      forwarded.set(nonceHeader, nonce);
      for (const h of plan.nonced) forwarded.set(h.name, h.parts.join(nonce));
      overrideRequestHeaders(headers, forwarded);
    } else if (request.headers.has(nonceHeader)) {
      // No nonce in the policy: a client-sent x-nonce must not reach the
      // page as if Barbican had minted it (nonceFrom would return it).
      const forwarded = new Headers(request.headers);
      forwarded.delete(nonceHeader);
      overrideRequestHeaders(headers, forwarded);
    }
    return applyPlanToResponse(plan, new Response(null, { headers }), nonce);
  };
}

/**
 * The request's CSP nonce in a server component or route handler: the value
 * {@link barbicanMiddleware} put in the `x-nonce` request header. Throws
 * `BARBICAN_E_NO_NONCE` when there is none (the policy's CSP has no nonce,
 * or the middleware did not run for this path), instead of rendering
 * `nonce=""` that the browser would block.
 *
 * @param headers What `await headers()` (from `next/headers`) or `request.headers` returns.
 * @param nonceHeader The middleware's `nonceHeader` option, if you changed it.
 * @example
 * ```tsx
 * import { headers } from 'next/headers';
 * import { nonceFrom } from '@barbican/core/next';
 * export default async function Page() {
 *   const nonce = nonceFrom(await headers());
 *   return <script nonce={nonce}>hello()</script>;
 * }
 * ```
 */
export function nonceFrom(
  headers: { get(name: string): string | null },
  nonceHeader = 'x-nonce',
): string {
  const nonce = headers.get(nonceHeader);
  if (nonce === null || nonce === '') {
    throw noNonceError(
      `Set headers.csp.nonce in the policy given to barbicanMiddleware, and make sure proxy.ts runs for this path (its matcher) with nonceHeader "${nonceHeader}"`,
    );
  }
  return nonce;
}

/** One entry of the array `headers()` returns in `next.config.js`. */
export interface NextHeaderRule {
  source: string;
  headers: { key: string; value: string }[];
}

/** Options of {@link nextHeaders}. */
export interface NextHeadersOptions {
  /** The path pattern. Default `/:path*` (every path). */
  source?: string;
  /**
   * Which plan to export. `next.config.js` cannot see the scheme, so it sends
   * the same headers over HTTP and HTTPS. Default `true` (the HTTPS plan,
   * with HSTS): right when Next is only reached over HTTPS, as behind a TLS
   * proxy or on Vercel; browsers ignore HSTS over plain HTTP (RFC 6797 §8.1).
   */
  https?: boolean;
}

/**
 * The policy's static headers in the shape `next.config.js`'s `headers()`
 * returns. Only static values can be expressed there: a nonce-bearing CSP is
 * left out (use {@link barbicanMiddleware} for it), the scheme cannot be
 * checked, request checks cannot answer, and no header can be removed.
 *
 * @example
 * ```js
 * // next.config.js
 * import { nextHeaders } from '@barbican/core/next';
 * export default {
 *   poweredByHeader: false,
 *   async headers() { return nextHeaders({ preset: 'barbican' }); },
 * };
 * ```
 */
export function nextHeaders(
  policy?: Policy | PolicyOptions,
  options: NextHeadersOptions = {},
): NextHeaderRule[] {
  const built = toPolicy(policy);
  const plan = options.https === false ? built.http : built.https;
  return [
    {
      source: options.source ?? '/:path*',
      headers: plan.set.map(([key, value]) => ({ key, value })),
    },
  ];
}
