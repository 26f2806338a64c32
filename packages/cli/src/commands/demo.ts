/**
 * `barbican demo`: the README's main command. Starts a small app protected
 * by the `barbican` preset on loopback (HTTP and HTTPS, with a throw-away CA
 * made in memory), scans it as `barbican scan` would, prints the report and
 * how to scan your own site, then stops.
 *
 * The app is served as `demo.barbican.test`, resolved to 127.0.0.1 by the
 * scanner's own lookup: the core withholds HSTS for `localhost` and IP
 * literals by design, so a real-looking name is needed for the HSTS and
 * preload rules to apply. Nothing leaves the machine.
 *
 * @module
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPolicy, mergeOptions, type PolicyOptions } from '@barbican/core';
import { nonceOf, withBarbican } from '@barbican/core/node';
import {
  createThrowawayCa,
  jsonReport,
  scan,
  staticLookup,
  textReport,
  type ScanResult,
} from '@barbican/scanner';
import type { Command } from 'commander';
import { FindingsExit, type Io } from '../io.ts';
import { startGatewayDemo, type GatewayDemo } from './demo-gateway.ts';
import { holdDemoReports, startDemoReports } from './demo-reports.ts';

/** The demo's host name (`.test` is reserved by RFC 2606, so it is nobody's). */
export const DEMO_HOST = 'demo.barbican.test';

/** Mozilla's intermediate TLS 1.2 suites for ECDSA certificates (guidelines 6.0). */
const DEMO_CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305';

/** A running demo: its URL, the CA that signed it, and how to stop it. */
export interface DemoApp {
  readonly url: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** PEM of the throw-away CA (what `--ca` would be given). */
  readonly ca: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const PAGE = (nonce: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Barbican demo</title></head>
<body>
<h1>Protected by Barbican</h1>
<p id="out">This page's only script runs because it carries this response's CSP nonce.</p>
<script nonce="${nonce}">document.getElementById('out').textContent += ' (script ran)';</script>
</body>
</html>
`;

/**
 * Starts the demo app on two loopback ports: HTTPS with a fresh throw-away
 * CA, and HTTP redirecting to it. Every response goes through
 * `withBarbican` with the `barbican` preset.
 *
 * @example
 * ```ts
 * const app = await startDemo();
 * const result = await scan(app.url, demoScanOptions(app));
 * await app.close();
 * ```
 */
export async function startDemo(extra: PolicyOptions = {}): Promise<DemoApp> {
  const ca = createThrowawayCa('Barbican Demo CA (throw-away)');
  const leaf = ca.issue({ names: [DEMO_HOST] });
  const https = createHttpsServer({
    cert: leaf.cert + ca.cert,
    key: leaf.key,
    minVersion: 'TLSv1.2',
    ciphers: DEMO_CIPHERS,
  });
  const http = createHttpServer();
  const httpsPort = await listen(https);
  const policy = createPolicy(
    mergeOptions(
      {
        preset: 'barbican',
        // Requests for any other Host are refused (DNS rebinding, Host header attacks).
        allowedHosts: [DEMO_HOST],
        sslRedirect: { status: 301, port: httpsPort },
      },
      extra,
    ),
  );
  const app = withBarbican((_req, res) => {
    const nonce = nonceOf(res);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    // A session cookie as it should be: __Host- prefix, Secure, HttpOnly, SameSite.
    res.setHeader('set-cookie', '__Host-session=demo; Path=/; Secure; HttpOnly; SameSite=Lax');
    // The page is per-user (it sets a session): no copy in any cache.
    res.setHeader('cache-control', 'no-store');
    res.end(PAGE(nonce));
  }, policy);
  https.on('request', app);
  http.on('request', app);
  const httpPort = await listen(http);
  return {
    url: `https://${DEMO_HOST}:${httpsPort}/`,
    httpPort,
    httpsPort,
    ca: ca.cert,
    close: async () => {
      https.closeAllConnections();
      http.closeAllConnections();
      await Promise.all([new Promise((r) => https.close(r)), new Promise((r) => http.close(r))]);
    },
  };
}

/** The scan options that reach the demo: its ports, its CA, and its name on 127.0.0.1. */
export function demoScanOptions(app: DemoApp): Parameters<typeof scan>[1] {
  return {
    httpPort: app.httpPort,
    httpsPort: app.httpsPort,
    ca: app.ca,
    lookup: staticLookup({ [DEMO_HOST]: '127.0.0.1' }, { others: 'not-found' }),
  };
}

const NEXT_STEPS = `
Scan your own site the same way:

  barbican scan https://your-site.example
  barbican scan https://staging.internal --https-port 8443 --ca ca.pem
  barbican scan --input urls.txt --json --fail-under A     # in CI: exit 1 below A
  barbican scan https://your-site.example --sarif > barbican.sarif
  barbican scan https://your-site.example --markdown       # for a PR comment

Put any app behind the same policy, TLS and all (docs/gateway.md):

  barbican gateway --upstream http://127.0.0.1:3000

Protect a Node app with the same preset:

  import { withBarbican } from '@barbican/core/node';
  http.createServer(withBarbican(handler, { preset: 'barbican', allowedHosts: ['your-site.example'] }));
`;

/** Registers `barbican demo`. */
export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description(
      'Start a demo app on loopback behind barbican gateway (barbican preset), scan it, print the report, and stop (exit 1 if it is not A+ or has a high finding).',
    )
    .option('--json', 'print the scan result as JSON instead of the text report')
    .option(
      '--middleware',
      'protect the app with the in-app middleware instead of barbican gateway',
    )
    .addHelpText('after', '\nExample:\n  barbican demo        # or: npm start')
    .action(async (flags: { json?: boolean; middleware?: boolean }) => {
      const reports = await startDemoReports();
      const app =
        flags.middleware === true
          ? await startDemo(reports.policy)
          : await startGatewayDemo(DEMO_HOST, reports.policy);
      let result: ScanResult;
      try {
        io.err(
          `barbican demo: serving ${app.url} (HTTP on ${app.httpPort} redirects to it) on 127.0.0.1 with a throw-away CA, ${flags.middleware === true ? 'with the in-app middleware' : 'through barbican gateway'}; scanning…`,
        );
        // Through the gateway, also check the served site against its policy (drift).
        const policy = 'policy' in app ? { policy: (app as GatewayDemo).policy } : {};
        result = await scan(app.url, { ...demoScanOptions(app), ...policy });
      } finally {
        await app.close();
      }
      if (flags.json === true) {
        io.out(jsonReport([result]));
      } else {
        io.out(textReport([result], io.color));
        io.out(NEXT_STEPS);
      }
      await holdDemoReports(io, reports, flags.json !== true);
      const highs = result.findings.filter((f) => f.severity === 'high').length;
      if (result.grade !== 'A+' || highs > 0) {
        io.err(
          `barbican demo: expected A+ with no high finding, got ${result.grade} with ${highs} high`,
        );
        throw new FindingsExit();
      }
    });
}
