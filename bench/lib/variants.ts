/**
 * The node:http request listeners under test. Every variant answers with the
 * same body through the same `hello` handler; only the security step differs.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import helmet from 'helmet';
import { createPolicy, type Policy } from '@barbican/core';
import { nonceOf, withBarbican } from '@barbican/core/node';
import { helmetEquivalent } from './equivalents.ts';

export type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The variants, in the order rounds visit them. */
export const NODE_VARIANTS = [
  'hand-written',
  'hand-written-writehead',
  'barbican',
  'helmet',
  'hand-written+guards',
  'barbican+guards',
] as const;
export type NodeVariant = (typeof NODE_VARIANTS)[number];

const BODY = 'hello world';

/** The application: a hello world that sets nothing security-related itself. */
function hello(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(BODY);
}

/** The host autocannon sends; the guards variant allows exactly it. */
export const BENCH_HOST = '127.0.0.1';

/**
 * The "guards" variant's policy: allowed hosts, an HTTPS redirect the
 * benchmark path is exempt from (the exemption check still runs per
 * request: the benchmark speaks plain HTTP on loopback), and a nonce CSP.
 * A policy core refuses fails the run: a broken option must not turn into a
 * benchmark that quietly measures less.
 */
export function guardsPolicy(): Policy {
  return createPolicy({
    allowedHosts: [BENCH_HOST],
    sslRedirect: { exempt: ['/'] },
    headers: { csp: { directives: { 'script-src': ["'self'"] }, nonce: true } },
  });
}

/** Builds the listener for one variant. Everything is computed once, here. */
export function buildListener(variant: NodeVariant): Listener {
  const policy = createPolicy();
  switch (variant) {
    case 'hand-written': {
      // The limit: the same strings, precomputed, copied with setHeader.
      const headers = policy.headersFor({ https: false });
      return (req, res) => {
        for (let i = 0; i < headers.length; i++) {
          const h = headers[i]!;
          res.setHeader(h[0], h[1]);
        }
        hello(req, res);
      };
    }
    case 'hand-written-writehead': {
      // The stricter limit: one writeHead call with the whole precomputed
      // list (Content-Type included), never touching Node's header map.
      // Read this way, "writes the same headers by hand from a precomputed
      // list" is the fastest a hand-written server can be.
      const flat: string[] = [];
      for (const [n, v] of policy.headersFor({ https: false })) flat.push(n, v);
      flat.push('Content-Type', 'text/plain; charset=utf-8');
      return (_req, res) => {
        res.writeHead(200, flat);
        res.end(BODY);
      };
    }
    case 'barbican':
      return withBarbican(hello, policy);
    case 'helmet': {
      const { options, leftovers } = helmetEquivalent(policy.headersFor({ https: false }));
      const mw = helmet(options);
      return (req, res) => {
        // As connect calls it: a `next` callback per request.
        mw(req, res, (err) => {
          if (err !== undefined) {
            res.statusCode = 500;
            res.end();
            return;
          }
          for (const [n, v] of leftovers) res.setHeader(n, v);
          hello(req, res);
        });
      };
    }
    case 'hand-written+guards': {
      // The limit for the guards variant: the same checks and headers as a
      // careful developer would write them by hand (host compared with the
      // allowed one, a nonce from randomBytes, the CSP spliced around it).
      const plan = guardsPolicy().http;
      const fixed = plan.set;
      const csp = plan.nonced[0];
      if (csp === undefined || plan.nonced.length !== 1)
        throw new Error('guards: expected one nonce header');
      const prefix = `${BENCH_HOST}:`;
      return (req, res) => {
        const host = req.headers.host;
        if (host !== BENCH_HOST && !(host?.startsWith(prefix) ?? false)) {
          res.statusCode = 400;
          res.end();
          return;
        }
        for (let i = 0; i < fixed.length; i++) {
          const h = fixed[i]!;
          res.setHeader(h[0], h[1]);
        }
        res.setHeader(csp.name, csp.parts.join(randomBytes(16).toString('base64')));
        hello(req, res);
      };
    }
    case 'barbican+guards': {
      // A page that uses its nonce reads it, so the nonce is minted per request.
      return withBarbican((req, res) => {
        nonceOf(res);
        hello(req, res);
      }, guardsPolicy());
    }
  }
}
