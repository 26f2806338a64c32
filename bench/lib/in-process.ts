/**
 * The in-process side of `npm run bench -- adapters`: Fetch handlers called
 * directly, no sockets. Each call builds its own Request (as a runtime
 * does), with a Host header, for `https://app.example/`.
 *
 * - `hono-fetch`: the benchmark's Hono app (`hono-apps.ts`) through `app.fetch`;
 * - `fetch`: a plain Fetch handler; hand-written = a wrapper that sets the
 *   precomputed headers on the handler's Response; Barbican = `secureFetch`;
 *   no plugin exists for a plain handler;
 * - `next`: Next.js middleware, called as Next calls it, with a
 *   `NextRequest`; bare = `NextResponse.next()`, hand-written = the
 *   documented Next nonce pattern with `NextResponse.next({ headers, request })`;
 *   no security plugin exists for Next.
 *
 * @module
 */
import { NextRequest, NextResponse } from 'next/server.js';
import { secureFetch } from '@barbican/core/fetch';
import { barbicanMiddleware } from '@barbican/core/next';
import { BODY, honoApp, type Variant } from './hono-apps.ts';
import {
  FETCH_URL,
  handWritten,
  hostAllowed,
  newNonce,
  scenarioPolicy,
  splice,
  type Scenario,
} from './scenarios.ts';

export const IN_PROCESS_FRAMEWORKS = ['hono-fetch', 'fetch', 'next'] as const;
export type InProcessFramework = (typeof IN_PROCESS_FRAMEWORKS)[number];

/** Serves one request with this Host header, building the Request the way a runtime would. */
export type Call = (host: string) => Promise<Response> | Response;

const init = (host: string): { headers: Record<string, string> } => ({ headers: { host } });
const TEXT = 'text/plain; charset=utf-8';
const refuse = (): Response => new Response('Bad Request', { status: 400 });

/** The plain Fetch app: reads the nonce when it has one, answers text. */
function app(nonce: (() => string) | undefined): Response {
  if (nonce !== undefined && nonce().length === 0) throw new Error('fetch: no nonce');
  return new Response(BODY, { headers: { 'content-type': TEXT } });
}

function fetchCall(variant: Variant, scenario: Scenario): Call | undefined {
  const hw = handWritten(scenario, true);
  const request = (host: string): Request => new Request(FETCH_URL, init(host));
  switch (variant) {
    case 'bare':
      return (host) => {
        request(host);
        return app(undefined);
      };
    case 'plugin':
      return undefined;
    case 'hand-written': {
      const nonced = hw.nonced;
      // A wrapper around an async handler, as a Fetch security layer is.
      const handler = (nonce: string | undefined): Promise<Response> =>
        Promise.resolve(app(nonce === undefined ? undefined : () => nonce));
      const wrapped = async (req: Request): Promise<Response> => {
        if (hw.checkHost && !hostAllowed(req.headers.get('host'))) return refuse();
        const nonce = nonced === undefined ? undefined : newNonce();
        const res = await handler(nonce);
        const h = res.headers;
        for (let i = 0; i < hw.fixed.length; i++) h.set(hw.fixed[i]![0], hw.fixed[i]![1]);
        if (nonced !== undefined && nonce !== undefined) h.set(nonced.name, splice(nonced, nonce));
        return res;
      };
      return (host) => wrapped(request(host));
    }
    case 'barbican': {
      const reads = scenario === 'guards';
      const secured = secureFetch(
        (_req, ctx) => app(reads ? () => ctx.nonce() : undefined),
        scenarioPolicy(scenario),
      );
      return (host) => secured(request(host));
    }
  }
}

function nextCall(variant: Variant, scenario: Scenario): Call | undefined {
  const request = (host: string): NextRequest => new NextRequest(FETCH_URL, init(host));
  switch (variant) {
    case 'bare':
      return (host) => {
        request(host);
        return NextResponse.next();
      };
    case 'plugin':
      return undefined;
    case 'hand-written': {
      // Next needs the nonce for its own scripts: minted on every request.
      const hw = handWritten(scenario, true, { eagerNonce: true });
      const fixed = Object.fromEntries(hw.fixed);
      const nonced = hw.nonced;
      const middleware = (req: NextRequest): Response => {
        if (nonced === undefined) return NextResponse.next({ headers: fixed });
        if (hw.checkHost && !hostAllowed(req.headers.get('host'))) return refuse();
        const nonce = newNonce();
        const value = splice(nonced, nonce);
        const forwarded = new Headers(req.headers);
        forwarded.set('x-nonce', nonce);
        forwarded.set(nonced.name, value);
        return NextResponse.next({
          headers: { ...fixed, [nonced.name]: value },
          request: { headers: forwarded },
        });
      };
      return (host) => middleware(request(host));
    }
    case 'barbican': {
      const middleware = barbicanMiddleware(scenarioPolicy(scenario));
      return (host) => middleware(request(host));
    }
  }
}

/** The call for one framework and variant, or undefined when the framework has no such variant. */
export function inProcessCall(
  fw: InProcessFramework,
  variant: Variant,
  scenario: Scenario,
): Call | undefined {
  switch (fw) {
    case 'hono-fetch': {
      const hono = honoApp(variant, scenario, true);
      return (host) => hono.fetch(new Request(FETCH_URL, init(host)));
    }
    case 'fetch':
      return fetchCall(variant, scenario);
    case 'next':
      return nextCall(variant, scenario);
  }
}
