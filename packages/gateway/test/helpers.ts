/**
 * Test helpers: a scriptable upstream, a gateway on loopback with a
 * throw-away CA, HTTPS and raw-socket clients. Every server listens on port
 * 0 of 127.0.0.1 and is closed by the test that made it.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  Agent,
  request as httpsRequest,
  type RequestOptions as HttpsRequestOptions,
} from 'node:https';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { createThrowawayCa, type ThrowawayCa } from '@barbican/scanner/ca';
import { startGateway, type RunningGateway, type StartOptions } from '../src/index.ts';

/** The host name the test gateway serves (not localhost, so HSTS applies). */
export const HOST = 'app.test';

/** A CA and a leaf for HOST written to a temp dir. */
export interface TestPki {
  readonly dir: string;
  readonly ca: ThrowawayCa;
  readonly certFile: string;
  readonly keyFile: string;
  /** Issues another leaf and writes it to `name`-cert.pem / `name`-key.pem. */
  issue(
    names: string[],
    file: string,
    keyType?: 'ec' | 'rsa',
  ): { certFile: string; keyFile: string };
  cleanup(): void;
}

/** Makes a throw-away CA and a leaf for HOST (and localhost) on disk. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-gw-test-'));
  const ca = createThrowawayCa('Barbican gateway test CA');
  const issue = (names: string[], file: string, keyType: 'ec' | 'rsa' = 'ec') => {
    const leaf = ca.issue({ names, keyType });
    const certFile = join(dir, `${file}-cert.pem`);
    const keyFile = join(dir, `${file}-key.pem`);
    writeFileSync(certFile, leaf.cert + ca.cert);
    writeFileSync(keyFile, leaf.key, { mode: 0o600 });
    return { certFile, keyFile };
  };
  const main = issue([HOST, 'localhost'], 'main');
  return {
    dir,
    ca,
    ...main,
    issue,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What the upstream saw of one request. */
export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly bodyBytes: number;
}

/** A route of the scriptable upstream: full control over the response. */
export type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  body: () => Promise<Buffer>,
) => void;

/** A node:http upstream whose routes a test sets; records what reached it. */
export interface Upstream {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  readonly seen: Seen[];
  routes: Map<string, Route>;
  close(): Promise<void>;
}

/**
 * Starts an upstream. Unknown paths answer 200 with a JSON echo of the
 * request (method, url, headers) and `Server`/`X-Powered-By` fingerprints.
 */
export async function startUpstream(): Promise<Upstream> {
  const seen: Seen[] = [];
  const routes = new Map<string, Route>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes.get(path);
    let bytes = 0;
    const chunks: Buffer[] = [];
    const body = (): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
      });
    const record = (): void => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        bodyBytes: bytes,
      });
    };
    if (route !== undefined) {
      record();
      route(req, res, body);
      return;
    }
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      record();
      const text = JSON.stringify({
        method: req.method,
        url: req.url,
        headers: req.headers,
        bytes,
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        server: 'Apache/2.4.1 (Unix)',
        'x-powered-by': 'PHP/8.3',
        'x-runtime': '0.01',
        via: '1.1 internal-cache',
      });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    routes,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Options for {@link startTestGateway}. */
export interface TestGatewayOptions {
  readonly policy?: Record<string, unknown>;
  readonly gateway?: Record<string, unknown>;
  readonly start?: StartOptions;
}

/** A gateway for a test, with what it logged. */
export interface TestGateway {
  readonly gw: RunningGateway;
  readonly pki: TestPki;
  readonly httpsPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  readonly agent: Agent;
  readonly events: Record<string, unknown>[];
  readonly access: Record<string, unknown>[];
  /** The access log as written (before parsing): what a terminal would show. */
  readonly accessText: string[];
  close(): Promise<void>;
}

/** Starts a one-process gateway for HOST in front of `upstream`, on loopback ports. */
export async function startTestGateway(
  upstream: Upstream | string | readonly string[],
  opts: TestGatewayOptions = {},
  pki: TestPki = makePki(),
): Promise<TestGateway> {
  const events: Record<string, unknown>[] = [];
  const access: Record<string, unknown>[] = [];
  const accessText: string[] = [];
  const upstreams =
    typeof upstream === 'string'
      ? [upstream]
      : Array.isArray(upstream)
        ? upstream
        : [(upstream as Upstream).url];
  const gw = await startGateway(
    {
      policy: {
        preset: 'barbican',
        allowedHosts: [HOST, 'localhost'],
        tls: { certificates: [{ cert: pki.certFile, key: pki.keyFile }] },
        ...opts.policy,
      },
      gateway: {
        upstreams,
        listen: '127.0.0.1:0',
        httpListen: '127.0.0.1:0',
        adminListen: '127.0.0.1:0',
        workers: 1,
        watch: false,
        timeouts: { shutdown: 1000 },
        ...opts.gateway,
      },
      baseDir: pki.dir,
    },
    {
      events: (level, message, fields) => events.push({ level, message, ...fields }),
      accessLog: (text) => {
        accessText.push(text);
        for (const line of text.split('\n'))
          if (line !== '') access.push(JSON.parse(line) as Record<string, unknown>);
        return true;
      },
      ...opts.start,
    },
  );
  const agent = new Agent({ ca: pki.ca.cert, keepAlive: true, servername: HOST });
  return {
    gw,
    pki,
    httpsPort: gw.addresses.https.port,
    httpPort: gw.addresses.http?.port ?? 0,
    adminPort: gw.addresses.admin?.port ?? 0,
    agent,
    events,
    access,
    accessText,
    close: async () => {
      agent.destroy();
      await gw.close();
    },
  };
}

/** A finished response. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
  text(): string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of test JSON
  json<T = Record<string, unknown>>(): T;
}

function collect(res: IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        rawHeaders: res.rawHeaders,
        body,
        text: () => body.toString('utf8'),
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as above
        json: <T>() => JSON.parse(body.toString('utf8')) as T,
      });
    });
  });
}

/** An HTTPS request to the test gateway (Host: HOST unless given). */
export function get(
  t: TestGateway,
  path: string,
  options: HttpsRequestOptions & { body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: t.httpsPort,
        path,
        agent: t.agent,
        servername: HOST,
        ...options,
        headers: { host: HOST, ...(options.headers as Record<string, string> | undefined) },
      },
      (res) => void collect(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A plain-HTTP request to the gateway's redirect listener. */
export function getPlain(
  t: TestGateway,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: t.httpPort, path, method, headers: { host: HOST, ...headers } },
      (res) => void collect(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends raw bytes over TLS (or plain TCP) and returns everything the
 * gateway wrote back until it closed or `ms` passed.
 */
export function raw(
  port: number,
  bytes: string | Buffer,
  opts: { tls?: TestPki; ms?: number } = {},
): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const socket: Socket =
      opts.tls === undefined
        ? netConnect(port, '127.0.0.1', () => socket.write(bytes))
        : tlsConnect(
            {
              host: '127.0.0.1',
              port,
              servername: HOST,
              ca: opts.tls.ca.cert,
              ALPNProtocols: ['http/1.1'],
            },
            () => socket.write(bytes),
          );
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (out += d));
    const done = (): void => {
      clearTimeout(timer);
      resolve(out);
    };
    socket.on('close', done);
    socket.on('error', done);
    const timer = setTimeout(() => {
      socket.destroy();
    }, opts.ms ?? 3000);
  });
}

/** The status code of the first response in raw output (0 when none). */
export function statusOf(rawReply: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(rawReply);
  return m === null ? 0 : Number(m[1]);
}
