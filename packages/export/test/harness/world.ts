/**
 * The test world for the real-server proofs: a throw-away CA and
 * certificate on disk, a tiny upstream app, the same app behind the
 * Barbican middleware (the "twin" every exported server is compared with),
 * and an HTTP(S) client that sends exactly the Host and SNI it is told.
 *
 * Everything listens on loopback, on ports the kernel picks.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeTlsOptions, type Policy } from '@barbican/core';
import { withBarbican } from '@barbican/core/node';
import { createThrowawayCa } from '@barbican/scanner';

/** The host name the certificate is for and the policies allow. */
export const APP_HOST = 'app.test';

/** What the tiny app answers, by the end of the path: `ok` 200, `missing` 404, `fail` 502. */
export function appHandler(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const status = path.endsWith('/missing') ? 404 : path.endsWith('/fail') ? 502 : 200;
  res.statusCode = status;
  // Fingerprints the policies strip (or, for presets that keep them, pass on).
  res.setHeader('Server', 'tiny/1.0');
  res.setHeader('X-Powered-By', 'Express');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  if (path.endsWith('/dup')) {
    // The app sets headers the policy sets too: a proxy must not send both.
    res.setHeader('X-Content-Type-Options', 'app-value');
    res.setHeader('Referrer-Policy', 'unsafe-url');
  }
  res.end(status === 200 ? `ok ${path}\n` : `upstream says ${status}\n`);
}

/** A running HTTP(S) server and how to stop it. */
export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Certificate files in a temporary directory, and the CA to trust. */
export interface Pki {
  readonly dir: string;
  readonly ca: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Leaf + CA, for servers that take one PEM. */
  readonly cert: string;
  readonly key: string;
  /** Leaf, CA and key in one file (HAProxy's `crt`). */
  readonly bundleFile: string;
}

/**
 * A throw-away CA and a leaf for {@link APP_HOST}, written to a new
 * temporary directory (readable by the servers' unprivileged workers).
 */
export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-export-'));
  chmodSync(dir, 0o755);
  const ca = createThrowawayCa('Barbican export test CA');
  const leaf = ca.issue({ names: [APP_HOST] });
  const cert = leaf.cert + ca.cert;
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const bundleFile = join(dir, 'bundle.pem');
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, leaf.key, { mode: 0o644 });
  writeFileSync(bundleFile, cert + leaf.key, { mode: 0o644 });
  return { dir, ca: ca.cert, certFile, keyFile, cert, key: leaf.key, bundleFile };
}

/** Removes a temporary directory made by {@link createPki} or the tests. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The tiny upstream the exported servers proxy to. */
export async function startUpstream(): Promise<Listening> {
  return listen(createHttpServer(appHandler));
}

/**
 * The same app behind the middleware, over HTTP and HTTPS. `use(policy)`
 * switches the policy between presets without restarting, its TLS section
 * included (as the gateway applies it), so that the twin is a fair
 * reference for `barbican scan --policy` too.
 */
export async function startTwin(pki: Pki): Promise<{
  readonly http: Listening;
  readonly https: Listening;
  use(policy: Policy): void;
  close(): Promise<void>;
}> {
  let current: (req: IncomingMessage, res: ServerResponse) => void = appHandler;
  const dispatch = (req: IncomingMessage, res: ServerResponse) => current(req, res);
  const http = await listen(createHttpServer(dispatch));
  const tlsServer = createHttpsServer({ cert: pki.cert, key: pki.key }, dispatch);
  // The scanner's refused handshakes are expected, not errors.
  tlsServer.on('tlsClientError', () => undefined);
  const https = await listen(tlsServer);
  return {
    http,
    https,
    use(policy) {
      current = withBarbican(appHandler, policy);
      const { options } = nodeTlsOptions(policy.tls, process.versions.openssl);
      tlsServer.setSecureContext({ ...options, cert: pki.cert, key: pki.key });
    },
    close: async () => {
      await http.close();
      await https.close();
    },
  };
}

/** A response as the tests compare it: lower-case names, values in order. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string[]>>;
  readonly body: string;
}

/** A request to send. */
export interface Ask {
  readonly tls: boolean;
  readonly port: number;
  readonly path: string;
  readonly method?: string;
  /** The Host header (default {@link APP_HOST}). */
  readonly host?: string;
  /** TLS SNI name (default {@link APP_HOST}). */
  readonly servername?: string;
}

/** Sends one request (no keep-alive, 10 s timeout) and reads the whole answer. */
export function ask(pki: Pki, a: Ask): Promise<Answer> {
  const options = {
    host: '127.0.0.1',
    port: a.port,
    path: a.path,
    method: a.method ?? 'GET',
    headers: { host: a.host ?? APP_HOST, connection: 'close' },
    agent: false as const,
    timeout: 10_000,
    ...(a.tls ? { ca: pki.ca, servername: a.servername ?? APP_HOST } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (a.tls ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string[]> = {};
        const raw = res.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) {
          const n = (raw[i] ?? '').toLowerCase();
          (headers[n] ??= []).push(raw[i + 1] ?? '');
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString() });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout asking ${a.path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Framing headers that differ between any two HTTP implementations. */
const FRAMING = new Set([
  'date',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

/**
 * The headers to compare: framing dropped, and the names the export declared
 * it cannot control on this target (e.g. `server` for nginx).
 */
export function comparable(answer: Answer, ignore: ReadonlySet<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [n, v] of Object.entries(answer.headers)) {
    if (!FRAMING.has(n) && !ignore.has(n)) out[n] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes `files` into `dir`. */
export function writeFiles(dir: string, files: readonly { path: string; content: string }[]): void {
  for (const f of files) writeFileSync(join(dir, f.path), f.content);
}

/**
 * True when a TLS handshake with SNI {@link APP_HOST} succeeds offering only
 * `ciphers` (OpenSSL names) at `version`.
 */
export function handshake(
  pki: Pki,
  port: number,
  version: 'TLSv1.2' | 'TLSv1.3',
  ciphers?: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: APP_HOST,
      ca: pki.ca,
      minVersion: version,
      maxVersion: version,
      ...(ciphers === undefined ? {} : { ciphers }),
    });
    socket.setTimeout(10_000, () => socket.destroy());
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}
