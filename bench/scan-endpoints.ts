/**
 * `npm run bench -- scan-endpoints [--endpoints N] [--concurrency N]`: the
 * wall time of `barbican scan` over N loopback endpoints (default 500).
 *
 * One HTTP server and one HTTPS server (throw-away CA) protected by the
 * `barbican` preset serve N paths; `scanMany` scans them all, so each URL
 * costs its HTTP chain (redirect + final), HTTPS request and CORS request,
 * while the TLS probe is shared per host:port, as `barbican scan` shares it.
 * Loopback only: the host name resolves to 127.0.0.1 through the scanner's
 * own lookup.
 *
 * @module
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPolicy } from '@barbican/core';
import { withBarbican } from '@barbican/core/node';
import { createThrowawayCa, scanMany, staticLookup } from '@barbican/scanner';
import { numberFlag } from './lib/measure.ts';

export const description = 'barbican scan of N loopback endpoints (default 500): wall time';

const HOST = 'bench.barbican.test';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Runs the benchmark; resolves to an exit code. */
export async function run(args: readonly string[]): Promise<number> {
  const endpoints = numberFlag(args, 'endpoints', 500, 5000);
  const concurrency = numberFlag(args, 'concurrency', 16, 64);
  const ca = createThrowawayCa('Barbican Bench CA');
  const leaf = ca.issue({ names: [HOST] });
  const https = createHttpsServer({ cert: leaf.cert + ca.cert, key: leaf.key });
  const http = createHttpServer();
  const httpsPort = await listen(https);
  const app = withBarbican(
    (req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>${req.url ?? '/'}</title><p>endpoint</p>`);
    },
    createPolicy({
      preset: 'barbican',
      allowedHosts: [HOST],
      sslRedirect: { status: 301, port: httpsPort },
    }),
  );
  https.on('request', app);
  http.on('request', app);
  const httpPort = await listen(http);
  const urls = Array.from(
    { length: endpoints },
    (_, i) => `https://${HOST}:${httpsPort}/endpoint/${i}`,
  );
  try {
    const start = performance.now();
    const results = await scanMany(
      urls,
      {
        httpPort,
        httpsPort,
        ca: ca.cert,
        lookup: staticLookup({ [HOST]: '127.0.0.1' }, { others: 'not-found' }),
      },
      concurrency,
    );
    const seconds = (performance.now() - start) / 1000;
    const failed = results.filter((r) => r instanceof Error).length;
    const grades = new Map<string, number>();
    for (const r of results) {
      if (!(r instanceof Error)) grades.set(r.grade, (grades.get(r.grade) ?? 0) + 1);
    }
    console.log(
      `scan-endpoints: ${endpoints} endpoints, concurrency ${concurrency}: ${seconds.toFixed(2)} s wall time; failed ${failed}; grades ${[...grades].map(([g, n]) => `${g}×${n}`).join(' ')}`,
    );
    console.log(`ratio scan-endpoints/second: ${(endpoints / seconds).toFixed(2)}`);
    return failed === 0 ? 0 : 1;
  } finally {
    https.closeAllConnections();
    http.closeAllConnections();
    https.close();
    http.close();
  }
}
