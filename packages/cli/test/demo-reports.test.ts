import assert from 'node:assert/strict';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import { DEMO_HOST, startDemo } from '../src/commands/demo.ts';
import { holdDemoReports, startDemoReports } from '../src/commands/demo-reports.ts';
import { memoryIo } from '../src/io.ts';

/** The demo page's response headers, over HTTPS with the demo's CA. */
function headersOf(
  port: number,
  ca: string,
): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername: DEMO_HOST,
        ca,
        headers: { host: `${DEMO_HOST}:${port}` },
      },
      (res) => {
        res.resume();
        resolve(res.headers);
      },
    )
      .on('error', reject)
      .end();
  });
}

describe('barbican demo: the report collector', () => {
  it('points the demo app’s report-only headers at a running collector, whose dashboard shows what arrives', async () => {
    const reports = await startDemoReports();
    const app = await startDemo(reports.policy);
    try {
      const h = await headersOf(app.httpsPort, app.ca);
      const ro = String(h['content-security-policy-report-only']);
      assert.match(ro, new RegExp(`report-uri ${reports.endpoint.replace(/[.?]/g, '\\$&')}`));
      assert.match(ro, /require-trusted-types-for 'script'/);
      assert.match(String(h['cross-origin-embedder-policy-report-only']), /report-to="coep"/);
      assert.match(
        String(h['reporting-endpoints']),
        /coep="http:\/\/127\.0\.0\.1:\d+\/report\/demo"/,
      );
      assert.doesNotMatch(
        String(h['content-security-policy']),
        /report-uri http:/,
        'the enforced CSP names no http: source',
      );
      const res = await fetch(reports.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/csp-report' },
        body: JSON.stringify({
          'csp-report': {
            'document-uri': `https://${DEMO_HOST}/`,
            'effective-directive': 'require-trusted-types-for',
            'blocked-uri': 'trusted-types-sink',
          },
        }),
      });
      assert.equal(res.status, 204);
      const page = await (await fetch(reports.dashboard)).text();
      assert.match(page, /require-trusted-types-for/);
    } finally {
      await app.close();
      const io = memoryIo();
      await holdDemoReports(io, reports, true); // not a terminal: prints and stops at once
      assert.match(io.stdout, /dashboard: http:\/\/127\.0\.0\.1:\d+\/\?site=demo/);
    }
    await assert.rejects(fetch(reports.dashboard), 'the collector stopped');
  });
});
