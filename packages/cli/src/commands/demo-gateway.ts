/**
 * The demo app behind `barbican gateway`: the main job (`npm start`) runs a
 * plain app with no Barbican code at all — it even announces its software —
 * and puts the gateway in front of it: TLS from a throw-away CA, plain HTTP
 * redirecting, the `barbican` preset's headers, a CSP nonce handed to the
 * app, fingerprinting headers stripped. The scan then grades what the
 * gateway serves.
 *
 * Kept apart from demo.ts so that the demo command's own edits stay small.
 *
 * @module
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicy, mergeOptions, type Policy, type PolicyOptions } from '@barbican/core';
import { createThrowawayCa } from '@barbican/scanner';

/** A running demo (the shape of demo.ts's `DemoApp`). */
export interface GatewayDemo {
  readonly url: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** PEM of the throw-away CA. */
  readonly ca: string;
  /** The policy the gateway enforces, redirect port included: what `scan --policy` compares against. */
  readonly policy: Policy;
  close(): Promise<void>;
}

/** The request header the gateway sends the CSP nonce in (its default). */
const NONCE_HEADER = 'x-csp-nonce';

const PAGE = (nonce: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Barbican demo</title></head>
<body>
<h1>Protected by barbican gateway</h1>
<p id="out">This app has no security code. Its only script runs because it carries the CSP nonce the gateway handed it for this response.</p>
<script nonce="${nonce}">document.getElementById('out').textContent += ' (script ran)';</script>
</body>
</html>
`;

/** The app as many are: no headers of its own, and it says what it runs on. */
function plainApp(): Server {
  return createServer((req, res) => {
    const nonce = req.headers[NONCE_HEADER];
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('x-powered-by', 'Express');
    res.setHeader('server', 'demo-app/1.0 (Node.js)');
    // A session cookie as it should be: __Host- prefix, Secure, HttpOnly, SameSite.
    res.setHeader('set-cookie', '__Host-session=demo; Path=/; Secure; HttpOnly; SameSite=Lax');
    res.setHeader('cache-control', 'no-store');
    res.end(PAGE(typeof nonce === 'string' ? nonce : ''));
  });
}

/**
 * Starts the plain app and the gateway in front of it, both on loopback,
 * serving `host` over HTTPS (and HTTP redirecting to it). `extra` is merged
 * over the demo's policy (the demo's report collector adds its headers so).
 *
 * @example
 * ```ts
 * const app = await startGatewayDemo(DEMO_HOST);
 * const result = await scan(app.url, demoScanOptions(app));
 * await app.close();
 * ```
 */
export async function startGatewayDemo(
  host: string,
  extra: PolicyOptions = {},
): Promise<GatewayDemo> {
  const { startGateway } = await import('@barbican/gateway');
  const dir = await mkdtemp(join(tmpdir(), 'barbican-demo-'));
  const ca = createThrowawayCa('Barbican Demo CA (throw-away)');
  const leaf = ca.issue({ names: [host] });
  await writeFile(join(dir, 'cert.pem'), leaf.cert + ca.cert);
  await writeFile(join(dir, 'key.pem'), leaf.key, { mode: 0o600 });
  const app = plainApp();
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appPort = (app.address() as AddressInfo).port;
  const closeApp = (): Promise<void> => {
    app.closeAllConnections();
    return new Promise((r) => app.close(() => r()));
  };
  try {
    const options = mergeOptions(
      {
        preset: 'barbican',
        allowedHosts: [host],
        headers: { csp: { nonce: true } },
        tls: { certificates: [{ cert: 'cert.pem', key: 'key.pem' }] },
      },
      extra,
    );
    const gw = await startGateway(
      {
        policy: options as Record<string, unknown>,
        gateway: {
          upstream: `http://127.0.0.1:${appPort}`,
          listen: '127.0.0.1:0',
          httpListen: '127.0.0.1:0',
          adminListen: false,
          workers: 1,
          watch: false,
          accessLog: false,
          timeouts: { shutdown: 1000 },
        },
        baseDir: dir,
      },
      { events: () => undefined },
    );
    const { https, http } = gw.addresses;
    return {
      policy: createPolicy(mergeOptions(options, { sslRedirect: { port: https.port } })),
      url: `https://${host}:${https.port}/`,
      httpsPort: https.port,
      httpPort: http?.port ?? 0,
      ca: ca.cert,
      close: async () => {
        await gw.close();
        await closeApp();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await closeApp();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
