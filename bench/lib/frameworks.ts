/**
 * The socket side of `npm run bench -- adapters`: one app per framework,
 * variant and scenario, each listening on 127.0.0.1 in its own child process
 * (`server.ts adapters <framework> <variant> <scenario>`).
 *
 * Every app answers `GET /` with the same body the framework's usual way;
 * only the security layer differs:
 * - `bare`: nothing;
 * - `plugin`: the framework's own security plugin configured from the
 *   policy's headers (helmet, @fastify/helmet, koa-helmet, Hono
 *   `secureHeaders()`), plus, in the guards scenario, a hand-written Host
 *   check (no plugin has one) and the plugin's own nonce mechanism;
 * - `hand-written`: the precomputed headers by the fastest means the
 *   framework offers (see each builder);
 * - `barbican`: the Barbican adapter for that framework.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import express5 from 'express';
import express4 from 'express4';
import Fastify, { type FastifyPluginAsync, type FastifyReply } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import Koa from 'koa';
import koaHelmet from 'koa-helmet';
import { barbican as expressBarbican } from '@barbican/core/express';
import { barbicanPlugin } from '@barbican/core/fastify';
import { barbican as koaBarbican } from '@barbican/core/koa';
import { nonceOf, withBarbican } from '@barbican/core/node';
import { helmetEquivalent, replaceNonce } from './equivalents.ts';
import { BODY, honoApp, type Variant } from './hono-apps.ts';
import {
  handWritten,
  hostAllowed,
  newNonce,
  NONCE_MARK,
  scenarioPolicy,
  splice,
  type Scenario,
} from './scenarios.ts';

/**
 * @fastify/helmet, loaded without its types: they declare `reply.cspNonce`
 * as `{ script, style }` and Barbican's Fastify adapter declares it as a
 * string, and both declarations cannot live in one type-checked program.
 */
async function fastifyHelmet(): Promise<FastifyPluginAsync<Record<string, unknown>>> {
  const name: string = '@fastify/helmet';
  const mod = (await import(name)) as { default: FastifyPluginAsync<Record<string, unknown>> };
  return mod.default;
}

/** Frameworks served over sockets, in the order the benchmark runs them. */
export const SOCKET_FRAMEWORKS = [
  'node',
  'express4',
  'express5',
  'fastify',
  'koa',
  'hono-node',
] as const;
export type SocketFramework = (typeof SOCKET_FRAMEWORKS)[number];

const TEXT = 'text/plain; charset=utf-8';

/** Where helmet-based variants keep the request's nonce (helmet's documented `res.locals.cspNonce`). */
type NonceRes = ServerResponse & { locals?: { cspNonce?: string } };

const nonceFromLocals = (res: ServerResponse): string | undefined =>
  (res as NonceRes).locals?.cspNonce;

function mustHaveNonce(nonce: unknown, where: string): void {
  if (typeof nonce !== 'string') throw new Error(`${where}: the handler found no nonce`);
}

/**
 * helmet 8 options for the scenario's plain-HTTP headers; with a nonce, the
 * CSP directives that carry it read `res.locals.cspNonce` per request.
 */
function helmetFor(scenario: Scenario): {
  options: HelmetOptions;
  leftovers: readonly (readonly [string, string])[];
  nonce: boolean;
} {
  const hw = handWritten(scenario, false);
  const { options, leftovers } = helmetEquivalent(hw.marked);
  const csp = options.contentSecurityPolicy as { directives?: Record<string, unknown[]> } | false;
  if (hw.nonced !== undefined && csp !== false && csp.directives !== undefined) {
    csp.directives = replaceNonce(
      csp.directives,
      NONCE_MARK,
      () => (_req: IncomingMessage, res: ServerResponse) => `'nonce-${nonceFromLocals(res) ?? ''}'`,
    );
  }
  return { options, leftovers, nonce: hw.nonced !== undefined };
}

/** node:http. Hand-written: one `writeHead` with the whole precomputed list (never touching the header map). */
function nodeListener(variant: Variant, scenario: Scenario) {
  const guards = scenario === 'guards';
  const hello = (_req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('Content-Type', TEXT);
    res.end(BODY);
  };
  const refuse = (res: ServerResponse): void => {
    res.statusCode = 400;
    res.end();
  };
  switch (variant) {
    case 'bare':
      return hello;
    case 'plugin': {
      const { options, leftovers } = helmetFor(scenario);
      const mw = helmet(options);
      return (req: IncomingMessage, res: ServerResponse) => {
        if (guards) {
          if (!hostAllowed(req.headers.host)) return refuse(res);
          (res as NonceRes).locals = { cspNonce: newNonce() };
        }
        mw(req, res, () => {
          for (const [n, v] of leftovers) res.setHeader(n, v);
          if (guards) mustHaveNonce(nonceFromLocals(res), 'node plugin');
          hello(req, res);
        });
      };
    }
    case 'hand-written': {
      const hw = handWritten(scenario, false);
      const flat: string[] = [];
      for (const [n, v] of hw.fixed) flat.push(n, v);
      // As `end(body)` after setHeader would: a known length, not chunked.
      flat.push('Content-Type', TEXT, 'Content-Length', String(Buffer.byteLength(BODY)));
      const nonced = hw.nonced;
      return (req: IncomingMessage, res: ServerResponse) => {
        if (nonced === undefined) {
          res.writeHead(200, flat);
        } else {
          if (!hostAllowed(req.headers.host)) return refuse(res);
          res.writeHead(200, [...flat, nonced.name, splice(nonced, newNonce())]);
        }
        res.end(BODY);
      };
    }
    case 'barbican':
      return withBarbican((req, res) => {
        if (guards) nonceOf(res);
        hello(req, res);
      }, scenarioPolicy(scenario));
  }
}

/** Express 4 or 5. Hand-written: one middleware with a `res.setHeader` loop, `x-powered-by` disabled. */
function expressApp(create: typeof express5, variant: Variant, scenario: Scenario) {
  const app = create();
  const guards = scenario === 'guards';
  switch (variant) {
    case 'bare':
      break;
    case 'plugin': {
      const { options, leftovers } = helmetFor(scenario);
      if (guards) {
        app.use((req, res, next) => {
          if (!hostAllowed(req.headers.host)) return void res.status(400).end();
          res.locals.cspNonce = newNonce();
          next();
        });
      }
      app.use(helmet(options));
      if (leftovers.length > 0) {
        app.use((_req, res, next) => {
          for (const [n, v] of leftovers) res.setHeader(n, v);
          next();
        });
      }
      break;
    }
    case 'hand-written': {
      const hw = handWritten(scenario, false);
      const fixed = hw.fixed;
      const nonced = hw.nonced;
      app.disable('x-powered-by');
      app.use((req, res, next) => {
        if (hw.checkHost && !hostAllowed(req.headers.host)) return void res.status(400).end();
        for (let i = 0; i < fixed.length; i++) res.setHeader(fixed[i]![0], fixed[i]![1]);
        if (nonced !== undefined) {
          const nonce = newNonce();
          res.locals.cspNonce = nonce;
          res.setHeader(nonced.name, splice(nonced, nonce));
        }
        next();
      });
      break;
    }
    case 'barbican':
      app.use(expressBarbican(scenarioPolicy(scenario)));
      break;
  }
  app.get('/', (_req, res) => {
    if (guards && variant !== 'bare') mustHaveNonce(res.locals.cspNonce, `express ${variant}`);
    res.send(BODY);
  });
  return app;
}

/**
 * Fastify 5. Hand-written: one global `onRequest` hook calling
 * `reply.headers()` with a precomputed object (Fastify's own header path).
 */
async function fastifyServer(variant: Variant, scenario: Scenario): Promise<Server> {
  const app = Fastify();
  const guards = scenario === 'guards';
  const nonceOfReply = new WeakMap<FastifyReply, string>();
  switch (variant) {
    case 'bare':
      break;
    case 'plugin': {
      const hw = handWritten(scenario, false);
      const { options, leftovers } = helmetEquivalent(hw.marked);
      const csp = options.contentSecurityPolicy as { directives?: Record<string, unknown[]> };
      // @fastify/helmet adds its own nonces (script and style) with enableCSPNonces.
      if (guards && csp.directives !== undefined)
        csp.directives = replaceNonce(csp.directives, NONCE_MARK, undefined);
      if (guards) {
        app.addHook('onRequest', (request, reply, done) => {
          if (!hostAllowed(request.headers.host)) return void reply.code(400).send();
          done();
        });
      }
      await app.register(await fastifyHelmet(), { ...options, enableCSPNonces: guards });
      if (leftovers.length > 0) {
        app.addHook('onRequest', (_request, reply, done) => {
          for (const [n, v] of leftovers) void reply.header(n, v);
          done();
        });
      }
      break;
    }
    case 'hand-written': {
      const hw = handWritten(scenario, false);
      const fixed = Object.fromEntries(hw.fixed);
      const nonced = hw.nonced;
      app.addHook('onRequest', (request, reply, done) => {
        if (hw.checkHost && !hostAllowed(request.headers.host)) return void reply.code(400).send();
        void reply.headers(fixed);
        if (nonced !== undefined) {
          const nonce = newNonce();
          nonceOfReply.set(reply, nonce);
          void reply.header(nonced.name, splice(nonced, nonce));
        }
        done();
      });
      break;
    }
    case 'barbican':
      await app.register(barbicanPlugin, { policy: scenarioPolicy(scenario) });
      break;
  }
  app.get('/', (_request, reply) => {
    if (guards && variant !== 'bare') {
      const r = reply as unknown as { cspNonce: string | { script: string } };
      const nonce =
        variant === 'hand-written'
          ? nonceOfReply.get(reply)
          : typeof r.cspNonce === 'string'
            ? r.cspNonce
            : r.cspNonce.script;
      mustHaveNonce(nonce, `fastify ${variant}`);
    }
    return BODY;
  });
  await app.ready();
  return app.server;
}

/** Koa 3. Hand-written: one middleware with a `ctx.set` loop. */
function koaApp(variant: Variant, scenario: Scenario): Koa {
  const app = new Koa();
  // Koa logs every client reset; autocannon resets its sockets when a round ends.
  app.silent = true;
  const guards = scenario === 'guards';
  switch (variant) {
    case 'bare':
      break;
    case 'plugin': {
      const { options, leftovers } = helmetFor(scenario);
      if (guards) {
        app.use((ctx, next) => {
          if (!hostAllowed(ctx.req.headers.host)) {
            ctx.status = 400;
            return;
          }
          (ctx.res as NonceRes).locals = { cspNonce: newNonce() };
          return next();
        });
      }
      app.use(koaHelmet(options));
      if (leftovers.length > 0) {
        app.use((ctx, next) => {
          for (const [n, v] of leftovers) ctx.set(n, v);
          return next();
        });
      }
      break;
    }
    case 'hand-written': {
      const hw = handWritten(scenario, false);
      const fixed = hw.fixed;
      const nonced = hw.nonced;
      app.use((ctx, next) => {
        if (hw.checkHost && !hostAllowed(ctx.req.headers.host)) {
          ctx.status = 400;
          return;
        }
        for (let i = 0; i < fixed.length; i++) ctx.set(fixed[i]![0], fixed[i]![1]);
        if (nonced !== undefined) {
          const nonce = newNonce();
          ctx.state.cspNonce = nonce;
          ctx.set(nonced.name, splice(nonced, nonce));
        }
        return next();
      });
      break;
    }
    case 'barbican':
      app.use(koaBarbican(scenarioPolicy(scenario)));
      break;
  }
  app.use((ctx) => {
    if (guards && variant !== 'bare') {
      const nonce =
        variant === 'plugin'
          ? nonceFromLocals(ctx.res)
          : (ctx.state as { cspNonce?: unknown }).cspNonce;
      mustHaveNonce(nonce, `koa ${variant}`);
    }
    ctx.body = BODY;
  });
  return app;
}

async function serverFor(
  fw: SocketFramework,
  variant: Variant,
  scenario: Scenario,
): Promise<Server> {
  switch (fw) {
    case 'node':
      return createServer(nodeListener(variant, scenario));
    case 'express4':
      return createServer(expressApp(express4 as unknown as typeof express5, variant, scenario));
    case 'express5':
      return createServer(expressApp(express5, variant, scenario));
    case 'fastify':
      return fastifyServer(variant, scenario);
    case 'koa': {
      const callback = koaApp(variant, scenario).callback();
      return createServer((req, res) => void callback(req, res));
    }
    case 'hono-node': {
      const listener = getRequestListener(honoApp(variant, scenario, false).fetch);
      return createServer((req, res) => void listener(req, res));
    }
  }
}

/** Builds the app and listens on 127.0.0.1; resolves with the port. */
export async function listenApp(
  fw: SocketFramework,
  variant: Variant,
  scenario: Scenario,
): Promise<number> {
  const server = await serverFor(fw, variant, scenario);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}
