/**
 * The floor of `npm run bench -- gateway`: the cheapest reverse proxy the
 * gateway's mandated stack allows (issue 9: node:http, node:https,
 * node:http2 and an undici keep-alive `Pool`), doing the same visible work
 * as the bench's nginx and the gateway and nothing else.
 *
 * Why it exists: profiles put Barbican's own code at a small share of the
 * gateway's CPU per request, the rest being node:http's server and undici.
 * This proxy measures that bound in the benchmark itself: no proxy built on
 * this stack can beat it, so `ratio floor/nginx` is the ceiling for the
 * gateway's `ratio gateway/nginx`, and `ratio gateway/floor` is the share of
 * the floor that Barbican's hardening keeps.
 *
 * Per request it copies the request header list minus the hop-by-hop fields
 * undici refuses or must not forward (and the client's `Host` and
 * `X-Forwarded-For/Proto`), sets `Host`, `X-Forwarded-For` and
 * `X-Forwarded-Proto`, dispatches to the pool with the request body
 * streamed, answers with a precomputed copy of the policy's headers plus the
 * upstream's minus the hidden and hop-by-hop ones, streams the response
 * body with backpressure, and aborts the upstream request when the client
 * goes away (what keeps a pool from filling with dead requests; nginx and
 * the gateway do it too). No checks, no logging, no metrics, no ids.
 *
 * Listeners: plain HTTP (node:http), TLS HTTP/1.1 (node:https, ALPN
 * `http/1.1`) and HTTP/2 (node:http2 secure server, `allowHTTP1`), the TLS
 * ones with the gateway's certificate and TLS options. With more than one
 * worker, node:cluster forks them as the gateway does; the primary only
 * supervises.
 *
 * Run: `node bench/lib/floor-proxy.ts '<FloorOptions as JSON>'`; it prints
 * `floor ready` on stdout once every worker listens, and stops on SIGTERM.
 *
 * @module
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';

/** What the bench tells the floor proxy (JSON on the command line). */
export interface FloorOptions {
  /** The upstream origin, `http://127.0.0.1:PORT`. */
  readonly upstream: string;
  /** undici `Pool` options per worker (the gateway's connection count and keep-alive). */
  readonly pool: Pool.Options;
  /** Worker processes: 1 serves in this process; more are forked with node:cluster. */
  readonly workers: number;
  /** Loopback ports: plain HTTP/1.1, TLS HTTP/1.1, TLS HTTP/2 (and HTTP/1.1). */
  readonly ports: { readonly http: number; readonly https: number; readonly h2: number };
  /** PEM files: the certificate chain and its key. */
  readonly cert: string;
  readonly key: string;
  /** Protocols, suites, groups and ticket settings (core's `nodeTlsOptions`, as the gateway uses them). */
  readonly tls: SecureContextOptions;
  /** The policy's response headers as flat `[name, value, …]` lists, for plain HTTP and for HTTPS. */
  readonly headers: { readonly http: readonly string[]; readonly https: readonly string[] };
  /** Upstream response headers to hide (lower-case names), beside the hop-by-hop ones. */
  readonly hide: readonly string[];
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/** Hop-by-hop fields (RFC 9110 §7.6.1): never forwarded, either way (HTTP/2 refuses them). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
];

/** Request fields not copied upstream: hop-by-hop, the ones undici refuses, and the ones set here. */
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  'expect',
  'http2-settings',
  'host',
  'x-forwarded-for',
  'x-forwarded-proto',
]);

/** One request; also its undici dispatch handler (one object per request). */
class Exchange implements Dispatcher.DispatchHandler {
  readonly res: AnyResponse;
  readonly listener: Listener;
  controller: Dispatcher.DispatchController | undefined;
  done = false;

  constructor(res: AnyResponse, listener: Listener) {
    this.res = res;
    this.listener = listener;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The client left while the request waited for a pool connection.
    if (this.done) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.done) {
      controller.abort(new Error('client closed the connection'));
      return;
    }
    if (status < 200) return;
    const out: (string | string[])[] = this.listener.headers.slice();
    const drop = this.listener.drop;
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined && !drop.has(name)) out.push(name, value);
    }
    // The upstream's Date is passed on; Node adds one only when it sent none.
    this.res.sendDate = headers['date'] === undefined;
    (this.res as ServerResponse).writeHead(status, out as string[]);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // A response closed under us never drains: pausing would hold the
    // upstream connection for ever (a pool of them, after an h2load run).
    if (this.done) {
      controller.abort(new Error('client closed the connection'));
      return;
    }
    if (!(this.res as ServerResponse).write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.done = true;
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, _error: Error): void {
    if (this.done) return;
    this.done = true;
    const res = this.res;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    (res as ServerResponse).writeHead(502, this.listener.headers as string[]);
    res.end();
  }

  readonly onClose = (): void => {
    if (this.done) return;
    this.done = true;
    this.controller?.abort(new Error('client closed the connection'));
  };
}

/** What differs between listeners: the scheme and the policy's header list for it. */
interface Listener {
  readonly proto: 'http' | 'https';
  readonly headers: readonly string[];
  readonly drop: ReadonlySet<string>;
}

/** The request listener of one listener kind. */
function handler(pool: Pool, listener: Listener): (req: AnyRequest, res: AnyResponse) => void {
  return (req, res) => {
    const raw = req.rawHeaders;
    const headers: string[] = [];
    let host: string | undefined;
    let body = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      const value = raw[i + 1] as string;
      // HTTP/2 pseudo-headers; `:authority` stands for Host.
      if (name.charCodeAt(0) === 0x3a) {
        if (name === ':authority') host ??= value;
        continue;
      }
      const lower = name.toLowerCase();
      if (lower === 'host') host = value;
      else if (lower === 'content-length' || lower === 'transfer-encoding') body = true;
      if (!REQUEST_DROP.has(lower)) headers.push(name, value);
    }
    if (host !== undefined) headers.push('host', host);
    headers.push(
      'x-forwarded-for',
      req.socket.remoteAddress ?? 'unknown',
      'x-forwarded-proto',
      listener.proto,
    );
    const h2 = req.httpVersionMajor === 2;
    if (h2) body = !(req as Http2ServerRequest).stream.endAfterHeaders;
    const ex = new Exchange(res, listener);
    res.once('close', ex.onClose);
    pool.dispatch(
      { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: body ? req : null },
      ex,
    );
  };
}

/** Starts the three listeners in this process; resolves once all listen. */
async function serve(o: FloorOptions): Promise<void> {
  const pool = new Pool(o.upstream, o.pool);
  const drop = new Set([...HOP_BY_HOP, ...o.hide.map((h) => h.toLowerCase())]);
  const plain = handler(pool, { proto: 'http', headers: o.headers.http, drop });
  const secure = handler(pool, { proto: 'https', headers: o.headers.https, drop });
  const tls = { ...o.tls, cert: readFileSync(o.cert), key: readFileSync(o.key) };
  const servers = [
    [createHttpServer(plain), o.ports.http],
    [createHttpsServer({ ...tls, ALPNProtocols: ['http/1.1'] }, secure), o.ports.https],
    [
      createSecureServer({ ...tls, allowHTTP1: true, ALPNProtocols: ['h2', 'http/1.1'] }, secure),
      o.ports.h2,
    ],
  ] as const;
  await Promise.all(
    servers.map(
      ([server, port]) =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', resolve);
        }),
    ),
  );
}

/** Forks the workers and reports ready once each has said so. */
function supervise(o: FloorOptions): void {
  let ready = 0;
  for (let i = 0; i < o.workers; i++) {
    const worker = cluster.fork();
    worker.on('message', (m: unknown) => {
      if (m === 'ready' && ++ready === o.workers) console.log('floor ready');
    });
    worker.once('exit', (code) => {
      // A worker that dies leaves the floor short of capacity: stop loudly, not silently.
      if (!stopping) {
        console.error(`floor: a worker exited (code ${code})`);
        stop(1);
      }
    });
  }
}

let stopping = false;

function stop(code: number): void {
  stopping = true;
  for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  process.exit(code);
}

// Workers run this file as their main module too (cluster.fork re-runs it with the same argument).
if (import.meta.main) {
  const o = JSON.parse(process.argv[2] ?? '{}') as FloorOptions;
  if (cluster.isPrimary && o.workers > 1) {
    process.once('SIGTERM', () => stop(0));
    supervise(o);
  } else {
    // Exit with a code, as nginx and the gateway do, rather than die of the signal.
    process.once('SIGTERM', () => process.exit(0));
    serve(o).then(
      () => {
        if (cluster.isWorker) process.send?.('ready');
        else console.log('floor ready');
      },
      (error: unknown) => {
        console.error(`floor: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  }
}
