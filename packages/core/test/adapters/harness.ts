/**
 * The adapter matrix: one small factory per framework, each serving the same
 * routes through the real framework on 127.0.0.1 (HTTP and HTTPS), so the
 * behaviour suite can run every case through every adapter.
 *
 * Routes (identical in every app):
 * - `/plain`         200 text
 * - `/fingerprint`   the handler sets `X-Powered-By` and `Server`
 * - `/override`      the handler sets `X-Frame-Options: handler`
 * - `/route`         route-level overrides {@link ROUTE_OVERRIDES}
 * - `/route-handler` route-level overrides, and the handler sets `X-Frame-Options: handler`
 * - `/off`           route-level `false`
 * - `/nonce`         `<script nonce="…">`, the nonce read the framework's way;
 *                    `error:<code>` when reading it throws a `BarbicanError`
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates, type TLSSocket } from 'node:tls';
import express4 from 'express4';
import express5 from 'express';
import Fastify from 'fastify';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import Koa from 'koa';
import { barbican as expressBarbican } from '../../src/adapters/express.ts';
import { barbicanPlugin } from '../../src/adapters/fastify.ts';
import { secureFetch, type BarbicanContext } from '../../src/adapters/fetch.ts';
import { barbican as honoBarbican } from '../../src/adapters/hono.ts';
import { barbican as koaBarbican, type KoaContextLike } from '../../src/adapters/koa.ts';
import { nonceOf, protectNode, retractPlan, withBarbican } from '../../src/adapters/node.ts';
import type { Policy, PolicyOptions } from '../../src/policy/index.ts';
import { nextBuild, startNext, tlsFront, type NextServer } from './next-server.ts';

/** What `/route` and `/route-handler` merge over the global policy. */
export const ROUTE_OVERRIDES: PolicyOptions = { headers: { xFrameOptions: 'SAMEORIGIN' } };

/** The value handlers set to prove their header wins. */
export const HANDLER_VALUE = 'handler';

/** TLS material for the HTTPS servers. */
export interface Tls {
  key: string;
  cert: string;
}

/** A running app. */
export interface Running {
  url: string;
  close(): Promise<void>;
}

/** One adapter under test. */
export interface AdapterFactory {
  name: string;
  start(policy: Policy, tls: Tls | undefined, onCall: () => void): Promise<Running>;
}

/**
 * A self-signed certificate for 127.0.0.1, generated now with `openssl` in a
 * temporary directory, and trusted by this process's `fetch`.
 */
export function makeTls(): Tls {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tls = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
    setDefaultCACertificates([...getCACertificates('default'), tls.cert]);
    return tls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a Node host hands a Fetch app besides the Request (as @hono/node-server does). */
interface NodeEnv {
  incoming: IncomingMessage;
}

/** The `/nonce` page: the nonce on a script, or the code of the error reading it threw. */
function page(nonce: () => string): string {
  try {
    return `<script nonce="${nonce()}"></script>`;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return `error:${code}`;
  }
}

async function listen(listener: RequestListener, tls: Tls | undefined): Promise<Running> {
  const server: Server =
    tls === undefined ? createHttpServer(listener) : createHttpsServer(tls, listener);
  return listenServer(server, tls !== undefined);
}

async function listenServer(server: Server, secure: boolean): Promise<Running> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Copies the request headers as received (repeated names stay repeated). */
function rawHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
  }
  return headers;
}

/**
 * The URL a Node→Fetch bridge gives the Request, the way Next's
 * `fromNodeNextRequest` does: an absolute-form target is the URL; otherwise
 * the Host header is its authority. A Host that cannot form a URL (userinfo that
 * Fetch refuses, spaces, an unbracketed IPv6, a bad port) gets a reserved
 * placeholder authority (RFC 6761 `.invalid`) instead of an exception, and
 * the raw Host header still goes through: the adapter, not the bridge,
 * decides to answer 400, as it does on every other runtime.
 */
function bridgeUrl(req: IncomingMessage, scheme: string): string {
  const target = req.url ?? '/';
  if (/^https?:\/\//i.test(target)) return target;
  try {
    const url = new URL(`${scheme}://${req.headers.host ?? ''}${target}`);
    // Fetch refuses a Request URL with credentials.
    if (url.username === '' && url.password === '') return url.href;
  } catch {
    // Falls through to the placeholder.
  }
  return new URL(`${scheme}://host.invalid${target.startsWith('/') ? target : '/'}`).href;
}

/** Serves a Fetch handler from node:http(s), the way Node-hosted Fetch runtimes do. */
function fromFetch(
  handler: (request: Request, env: NodeEnv) => Promise<Response> | Response,
): RequestListener {
  return (req, res) => {
    const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
    void (async () => {
      try {
        const request = new Request(bridgeUrl(req, secure ? 'https' : 'http'), {
          method: req.method ?? 'GET',
          headers: rawHeaders(req),
        });
        const response = await handler(request, { incoming: req });
        const flat: string[] = [];
        for (const [name, value] of response.headers) flat.push(name, value);
        res.writeHead(response.status, flat);
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (err) {
        res.statusCode = 500;
        res.end(String(err));
      }
    })();
  };
}

/** The app's handlers, written once against node's `res` (Express, node, Next shim). */
function nodeRoutes(
  path: string,
  res: ServerResponse,
  nonce: () => string,
  onCall: () => void,
): void {
  onCall();
  res.setHeader('Content-Type', 'text/html');
  switch (path) {
    case '/fingerprint':
      res.setHeader('X-Powered-By', 'PHP/8.3');
      res.setHeader('Server', 'Apache/2.4');
      break;
    case '/override':
    case '/route-handler':
      res.setHeader('X-Frame-Options', HANDLER_VALUE);
      break;
    case '/nonce':
      res.end(page(nonce));
      return;
  }
  res.end('ok');
}

const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0] ?? '/';

const nodeHttp: AdapterFactory = {
  name: 'node:http',
  start(policy, tls, onCall) {
    const route = policy.extend(ROUTE_OVERRIDES);
    return listen(
      withBarbican((req, res) => {
        const path = pathOf(req);
        // Route-level: a second protectNode replaces the global plan.
        if (path === '/route' || path === '/route-handler') {
          if (!protectNode(route, req, res)) return;
        }
        if (path === '/off') retractPlan(res);
        nodeRoutes(path, res, () => nonceOf(res), onCall);
      }, policy),
      tls,
    );
  },
};

function expressFactory(name: string, createApp: typeof express5): AdapterFactory {
  return {
    name,
    start(policy, tls, onCall) {
      const app = createApp();
      const security = expressBarbican(policy);
      app.use(security);
      const handler = (req: IncomingMessage, res: ServerResponse & { locals: object }): void => {
        nodeRoutes(pathOf(req), res, () => (res.locals as { cspNonce: string }).cspNonce, onCall);
      };
      app.get('/route', security.route(ROUTE_OVERRIDES), handler);
      app.get('/route-handler', security.route(ROUTE_OVERRIDES), handler);
      app.get('/off', security.route(false), handler);
      // app.use, not a wildcard path: the wildcard syntax differs between 4 and 5.
      app.use(handler);
      return listen(app, tls);
    },
  };
}

const fastify: AdapterFactory = {
  name: 'fastify',
  async start(policy, tls, onCall) {
    const app = Fastify({
      serverFactory: (listener) =>
        tls === undefined ? createHttpServer(listener) : createHttpsServer(tls, listener),
    });
    await app.register(barbicanPlugin, { policy });
    const handler = (path: string) => (_req: unknown, reply: import('fastify').FastifyReply) => {
      onCall();
      void reply.type('text/html');
      if (path === '/fingerprint')
        void reply.header('X-Powered-By', 'PHP/8.3').header('Server', 'Apache/2.4');
      if (path === '/override' || path === '/route-handler')
        void reply.header('X-Frame-Options', HANDLER_VALUE);
      return path === '/nonce' ? page(() => reply.cspNonce) : 'ok';
    };
    // Every method, every path (the hostile table POSTs to arbitrary paths).
    app.all('/route', { config: { barbican: ROUTE_OVERRIDES } }, handler('/route'));
    app.all('/route-handler', { config: { barbican: ROUTE_OVERRIDES } }, handler('/route-handler'));
    app.all('/off', { config: { barbican: false } }, handler('/off'));
    app.all('/*', (req, reply) => handler(req.url.split('?')[0] ?? '/')(req, reply));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return {
      url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
      close: () => app.close(),
    };
  },
};

const koa: AdapterFactory = {
  name: 'koa',
  start(policy, tls, onCall) {
    const app = new Koa();
    const security = koaBarbican(policy);
    const route = security.route(ROUTE_OVERRIDES);
    const off = security.route(false);
    const handler = (ctx: KoaContextLike & { path: string }): Promise<void> => {
      onCall();
      ctx.set('Content-Type', 'text/html');
      if (ctx.path === '/fingerprint') {
        ctx.set('X-Powered-By', 'PHP/8.3');
        ctx.set('Server', 'Apache/2.4');
      }
      if (ctx.path === '/override' || ctx.path === '/route-handler')
        ctx.set('X-Frame-Options', HANDLER_VALUE);
      ctx.body = ctx.path === '/nonce' ? page(() => ctx.state.cspNonce as string) : 'ok';
      return Promise.resolve();
    };
    app.use(security);
    app.use((ctx) => {
      const c = ctx as unknown as KoaContextLike & { path: string };
      const next = () => handler(c);
      if (c.path === '/route' || c.path === '/route-handler') return route(c, next);
      if (c.path === '/off') return off(c, next);
      return handler(c);
    });
    const callback = app.callback();
    return listen((req, res) => void callback(req, res), tls);
  },
};

/**
 * Hono, served two ways: through the generic Node→Fetch bridge above (the
 * adapter's Fetch path, as on Workers, Deno or Bun), and by
 * `@hono/node-server` (which hands the app the node:http response, so the
 * adapter writes the policy there).
 */
function honoFactory(name: string, serve: (app: Hono) => RequestListener): AdapterFactory {
  return {
    name,
    start(policy, tls, onCall) {
      const app = new Hono();
      const security = honoBarbican(policy, {
        peer: (c) => (c.env as NodeEnv).incoming.socket.remoteAddress,
      });
      app.use(security);
      app.use('/route', security.route(ROUTE_OVERRIDES));
      app.use('/route-handler', security.route(ROUTE_OVERRIDES));
      app.use('/off', security.route(false));
      app.all('*', (c) => {
        onCall();
        if (c.req.path === '/fingerprint') {
          c.header('X-Powered-By', 'PHP/8.3');
          c.header('Server', 'Apache/2.4');
        }
        if (c.req.path === '/override' || c.req.path === '/route-handler')
          c.header('X-Frame-Options', HANDLER_VALUE);
        return c.html(c.req.path === '/nonce' ? page(() => c.get('cspNonce')) : 'ok');
      });
      return listen(serve(app), tls);
    },
  };
}

const hono = honoFactory('hono', (app) => fromFetch((request, env) => app.fetch(request, env)));

const honoNodeServer = honoFactory('hono node-server', (app) => {
  // Without replacing the process's global Request/Response with the
  // server's lightweight ones: every adapter shares this test process. (The
  // adapters benchmark serves Hono with the default, and checks its headers.)
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  return (req, res) => void listener(req, res);
});

const fetchWrapper: AdapterFactory = {
  name: 'fetch',
  start(policy, tls, onCall) {
    const app = (request: Request, nonce: () => string): Response => {
      onCall();
      const path = new URL(request.url).pathname;
      const headers = new Headers({ 'Content-Type': 'text/html' });
      if (path === '/fingerprint') {
        headers.set('X-Powered-By', 'PHP/8.3');
        headers.set('Server', 'Apache/2.4');
      }
      if (path === '/override' || path === '/route-handler')
        headers.set('X-Frame-Options', HANDLER_VALUE);
      return new Response(path === '/nonce' ? page(nonce) : 'ok', { headers });
    };
    // Per-route policies with the Fetch wrapper: wrap each route's handler.
    const peer = (_req: Request, env: NodeEnv): string | undefined =>
      env.incoming.socket.remoteAddress;
    const handler = (req: Request, ctx: BarbicanContext, _env: NodeEnv): Response =>
      app(req, () => ctx.nonce());
    const site = secureFetch(handler, policy, peer);
    const route = secureFetch(handler, policy.extend(ROUTE_OVERRIDES), peer);
    return listen(
      fromFetch((request, env) => {
        const path = new URL(request.url).pathname;
        if (path === '/route' || path === '/route-handler') return route(request, env);
        if (path === '/off') return app(request, () => '');
        return site(request, env);
      }),
      tls,
    );
  },
};

/**
 * Next.js: the app in `next-app/` built with the installed `next build` and
 * served by a real `next start` on 127.0.0.1, one process per policy (see
 * next-server.ts). `next start` speaks plain HTTP only, so the HTTPS server
 * is a TLS terminator in front of it that adds `X-Forwarded-Proto: https`,
 * as a deployment's proxy does; the app's `peer` says every client is on
 * loopback (it listens on 127.0.0.1), so the policy's trusted proxies apply.
 * The route handler reports each call to a counter here before it answers.
 */
const next: AdapterFactory = {
  name: 'next',
  async start(policy, tls, onCall) {
    const dir = await nextBuild();
    const counter = await listen((_req, res) => {
      onCall();
      res.writeHead(204).end();
    }, undefined);
    let server: NextServer;
    try {
      server = await startNext(
        dir,
        { policy: policy.options, route: ROUTE_OVERRIDES },
        counter.url,
      );
    } catch (error) {
      await counter.close();
      throw error;
    }
    const front = tls === undefined ? undefined : await tlsFront(server.port, tls);
    return {
      url: front?.url ?? server.url,
      close: async () => {
        await Promise.all([front?.close(), server.close(), counter.close()]);
      },
    };
  },
};

/** Every adapter the behaviour suite runs through. */
export const ADAPTERS: readonly AdapterFactory[] = [
  nodeHttp,
  expressFactory('express 4', express4 as unknown as typeof express5),
  expressFactory('express 5', express5),
  fastify,
  koa,
  hono,
  honoNodeServer,
  fetchWrapper,
  next,
];
