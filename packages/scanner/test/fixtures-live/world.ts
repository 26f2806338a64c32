/**
 * One pair of loopback servers (HTTP and HTTPS, 127.0.0.1, port 0) that
 * plays every site spec of `../observatory/cases.json` over the network.
 *
 * Routing is by host name. Case `i` owns the hosts of its spec with a `c<i>.`
 * label in front (`example.com` → `c17.example.com`, `www.example.com` →
 * `c17.www.example.com`), resolved to 127.0.0.1 by the scanner's `lookup`
 * option. A prefix label, rather than a fresh domain, keeps what the graders
 * derive from a host name: the registrable domain (SRI's same-site test),
 * cookie `Domain` matching, and host equality along a redirect route.
 *
 * Each hop of the spec's chains (as `retrievalOf` builds them) becomes a route
 * `scheme://host/path → response`; `Location` headers are rewritten to the
 * case's hosts and the servers' ports, so the scanner follows every redirect
 * for real. Requests carrying an `Origin` get the spec's CORS answer, with the
 * probe origin reflected from the request rather than copied from the data.
 * A case without any HTTP route hangs up on HTTP requests; a case without any
 * HTTPS route refuses the TLS handshake (SNI); a case with `verified: false`
 * is served a certificate from a CA the scanner does not trust.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsHttpServer } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { PROBE_ORIGIN, type CapturedResponse, type Retrieval } from '../../src/model.ts';
import { staticLookup } from '../../src/retrieve/index.ts';
import { createThrowawayCa } from '../../src/tls/index.ts';
import { retrievalOf, type SiteSpec } from '../observatory/fixtures.ts';

/** A response to play: status, header lines in order, body. */
interface Route {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string | undefined;
}

/** One case as the servers play it. */
interface Played {
  readonly spec: SiteSpec;
  /** `scheme//host/path?query` (no port) → response. */
  readonly routes: Map<string, Route>;
  /** URLs two chains of the spec answer differently; the explicit chain won. */
  readonly conflicts: string[];
}

/** What a test needs to scan one case. */
export interface LiveCase {
  readonly index: number;
  readonly spec: SiteSpec;
  /** The URL to scan, e.g. `https://c17.example.com/`. */
  readonly url: string;
  /** The spec's injected preload list, on the case's hosts. */
  readonly preloaded: (host: string) => boolean;
  /** The retrieval `retrievalOf` builds, on the case's hosts and ports. */
  readonly expected: Retrieval;
  /** URLs where the spec's two chains disagree (see {@link Played.conflicts}). */
  readonly conflicts: readonly string[];
}

/** The running servers and how to reach them. */
export interface World {
  readonly cases: readonly LiveCase[];
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The trusted test CA (PEM), for `retrieve`'s `ca`. */
  readonly ca: string;
  readonly lookup: LookupFunction;
  /** Origins received by CORS requests, per case index. */
  readonly origins: Map<number, string[]>;
  close(): Promise<void>;
}

const PREFIX = /^c(\d+)\./;

/** `example.com` → `c17.example.com`. */
export function caseHost(index: number, host: string): string {
  return `c${index}.${host}`;
}

/** Moves a spec URL onto case `index`'s hosts and the servers' ports. */
function mapUrl(url: string, index: number, ports: { http: number; https: number }): string {
  const u = new URL(url);
  u.hostname = caseHost(index, u.hostname);
  u.port = String(u.protocol === 'https:' ? ports.https : ports.http);
  return u.href;
}

/** The route key of a URL: scheme, host and path without the port. */
function routeKey(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}${u.pathname}${u.search}`;
}

function play(spec: SiteSpec, index: number, ports: { http: number; https: number }): Played {
  const r = retrievalOf(spec);
  const routes = new Map<string, Route>();
  const conflicts: string[] = [];
  const add = (responses: readonly CapturedResponse[], explicit: boolean): void => {
    for (const resp of responses) {
      const key = routeKey(mapUrl(resp.url, index, ports));
      const route: Route = {
        status: resp.status,
        headers: resp.headers.map(([n, v]) => [
          n,
          n === 'location' ? rewriteLocation(v, index, ports) : v,
        ]),
        body: resp.body,
      };
      const old = routes.get(key);
      if (old !== undefined && JSON.stringify(old) !== JSON.stringify(route)) {
        conflicts.push(key);
        if (!explicit) continue;
      }
      routes.set(key, route);
    }
  };
  // A chain the spec wrote out beats one `retrievalOf` defaulted.
  const httpExplicit = Array.isArray(spec.http);
  const httpsExplicit = Array.isArray(spec.https);
  const order: [readonly CapturedResponse[], boolean][] = [
    [r.http.responses, httpExplicit],
    [r.https.responses, httpsExplicit],
  ];
  if (httpsExplicit && !httpExplicit) order.reverse();
  for (const [responses, explicit] of order) add(responses, explicit);
  return { spec, routes, conflicts };
}

function rewriteLocation(value: string, index: number, ports: { http: number; https: number }) {
  if (!/^https?:\/\//i.test(value)) return value; // relative: the client resolves it
  return mapUrl(value, index, ports);
}

/** `retrievalOf(spec)` with every URL on the case's hosts and ports. */
function expectedRetrieval(
  spec: SiteSpec,
  index: number,
  ports: { http: number; https: number },
): Retrieval {
  const r = retrievalOf(spec);
  const move = (resp: CapturedResponse): CapturedResponse => ({
    ...resp,
    url: mapUrl(resp.url, index, ports),
    headers: resp.headers.map(([n, v]) => [
      n,
      n === 'location' ? rewriteLocation(v, index, ports) : v,
    ]),
  });
  return {
    ...r,
    url: `https://${caseHost(index, new URL(r.url).hostname)}/`,
    http: { responses: r.http.responses.map(move) },
    https: { responses: r.https.responses.map(move) },
    ...(r.cors === undefined ? {} : { cors: move(r.cors) }),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function send(res: ServerResponse, route: Route): void {
  const flat: string[] = [];
  for (const [n, v] of route.headers) flat.push(n, v);
  res.writeHead(route.status, flat);
  res.end(route.body ?? '');
}

/** Starts the servers for `specs` (case index = position in the list). */
export async function startWorld(specs: readonly SiteSpec[]): Promise<World> {
  const trusted = createThrowawayCa('Barbican Live Fixtures CA');
  const untrusted = createThrowawayCa('Barbican Untrusted CA');
  const played: Played[] = [];
  const origins = new Map<number, string[]>();

  const caseOf = (host: string | undefined): Played | undefined => {
    const m = PREFIX.exec(host ?? '');
    return m === null ? undefined : played[Number(m[1])];
  };

  const handler =
    (scheme: 'http:' | 'https:') =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      const index = Number(PREFIX.exec(host)?.[1] ?? -1);
      const c = played[index];
      if (c === undefined) {
        res.writeHead(421, { 'x-fixture': 'unknown host' }).end();
        return;
      }
      const origin = req.headers.origin;
      const key = `${scheme}//${host}${req.url ?? '/'}`;
      const route = c.routes.get(key);
      if (origin !== undefined && route !== undefined) {
        const seen = origins.get(index) ?? [];
        seen.push(origin);
        origins.set(index, seen);
        if (c.spec.cors !== undefined) {
          // The spec's CORS answer; a probe-origin value is echoed from the request.
          send(res, {
            status: 200,
            headers: c.spec.cors.map(([n, v]) => [
              n.toLowerCase(),
              v === PROBE_ORIGIN ? origin : v,
            ]),
            body: undefined,
          });
          return;
        }
      }
      if (route !== undefined) {
        send(res, route);
        return;
      }
      const anyRoute = [...c.routes.keys()].some((k) => k.startsWith(scheme));
      if (!anyRoute) {
        // The spec says this scheme does not answer: hang up.
        req.socket.destroy();
        return;
      }
      res.writeHead(404, { 'x-fixture': `no route for ${key}` }).end();
    };

  const httpServer = createHttpServer(handler('http:'));
  // Ports are needed to rewrite Location headers, so listen before building routes.
  const contexts = new Map<string, SecureContext>();
  const httpsServer = createTlsHttpServer({
    SNICallback: (servername, cb) => {
      const name = servername.toLowerCase();
      const c = caseOf(name);
      const hasHttps =
        c !== undefined && [...c.routes.keys()].some((k) => k.startsWith(`https://${name}/`));
      if (c === undefined || !hasHttps) {
        cb(new Error(`no HTTPS for ${servername}`), undefined);
        return;
      }
      const issuer = c.spec.verified === false ? untrusted : trusted;
      const key = `${issuer === trusted ? 't' : 'u'}:${name}`;
      let ctx = contexts.get(key);
      if (ctx === undefined) {
        const leaf = issuer.issue({ names: [name] });
        ctx = createSecureContext({ cert: leaf.cert + issuer.cert, key: leaf.key });
        contexts.set(key, ctx);
      }
      cb(null, ctx);
    },
  });
  httpsServer.on('request', handler('https:'));
  httpsServer.on('tlsClientError', () => {});
  const ports = { http: await listen(httpServer), https: await listen(httpsServer) };

  const table: Record<string, string> = {};
  const cases: LiveCase[] = specs.map((spec, index) => {
    const p = play(spec, index, ports);
    played.push(p);
    for (const key of p.routes.keys()) table[new URL(key).hostname] = '127.0.0.1';
    const host = spec.host ?? 'example.com';
    table[caseHost(index, host)] = '127.0.0.1';
    const preloadedHosts = new Set((spec.preloaded ?? []).map((h) => caseHost(index, h)));
    return {
      index,
      spec,
      url: `https://${caseHost(index, host)}/`,
      preloaded: (h: string) => preloadedHosts.has(h),
      expected: expectedRetrieval(spec, index, ports),
      conflicts: p.conflicts,
    };
  });

  return {
    cases,
    httpPort: ports.http,
    httpsPort: ports.https,
    ca: trusted.cert,
    lookup: staticLookup(table, { others: 'not-found' }),
    origins,
    async close() {
      for (const s of [httpServer, httpsServer]) s.closeAllConnections();
      await Promise.all(
        [httpServer, httpsServer].map(
          (s) => new Promise<void>((resolve) => s.close(() => resolve())),
        ),
      );
    },
  };
}
