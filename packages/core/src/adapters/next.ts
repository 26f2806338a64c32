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
 * What Next's middleware cannot do: remove headers Next adds while
 * rendering. Turn `X-Powered-By` off with `poweredByHeader: false` in
 * `next.config.js`.
 *
 * @example
 * ```ts
 * // proxy.ts (Next 16) or middleware.ts
 * import { barbicanMiddleware } from '@barbican/core/next';
 * export const proxy = barbicanMiddleware({ preset: 'barbican' });
 *
 * // app/page.tsx: read the nonce in a server component
 * import { headers } from 'next/headers';
 * const nonce = (await headers()).get('x-nonce');
 * ```
 * @module
 */
import { evaluateRequest } from '../engine.ts';
import { createNonce } from '../nonce.ts';
import type { Policy, PolicyOptions } from '../policy/index.ts';
import { applyPlanToResponse, FetchFacts, verdictResponse } from './fetch.ts';
import { toPolicy } from './policy-input.ts';

/** Options of {@link barbicanMiddleware}. */
export interface BarbicanNextOptions {
  /** The request header that carries the nonce to server components. Default `x-nonce`. */
  nonceHeader?: string;
  /**
   * How to read the client's socket address (for trusted-proxy checks);
   * `NextRequest` has none since Next 15. Default: unknown, so forwarded
   * headers are never trusted.
   */
  peer?: (request: Request) => string | undefined;
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
    // Next builds request.url from its own host name, not from Host (see
    // FetchFacts): the target is the URL's path and query.
    const verdict = evaluateRequest(built, new FetchFacts(request, peer?.(request), false));
    if (verdict.kind === 'respond') return verdictResponse(verdict);
    const plan = verdict.plan;
    // `NextResponse.next()`: continue to the app.
    const headers = new Headers({ 'x-middleware-next': '1' });
    let nonce: string | undefined;
    if (plan.nonced.length > 0) {
      nonce = createNonce();
      // `NextResponse.next({ request: { headers } })`: the app sees the
      // request headers listed in x-middleware-override-headers, with the
      // values from x-middleware-request-*.
      const forwarded = new Headers(request.headers);
      forwarded.set(nonceHeader, nonce);
      for (const h of plan.nonced) forwarded.set(h.name, h.parts.join(nonce));
      const keys: string[] = [];
      for (const [key, value] of forwarded) {
        headers.set(`x-middleware-request-${key}`, value);
        keys.push(key);
      }
      headers.set('x-middleware-override-headers', keys.join(','));
    }
    return applyPlanToResponse(plan, new Response(null, { headers }), nonce);
  };
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
