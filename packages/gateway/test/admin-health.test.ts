/**
 * The admin listener (token, endpoints), active health checks, a custom
 * error page, and the options that change what goes upstream.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HOST, get, makePki, startTestGateway, startUpstream, type Upstream } from './helpers.ts';

function admin(
  port: number,
  path: string,
  token?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    ).on('error', reject);
  });
}

describe('gateway admin listener', () => {
  let up: Upstream;
  const pki = makePki();
  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
    pki.cleanup();
  });

  it('requires the bearer token when one is configured, compared exactly', async () => {
    const token = 'a'.repeat(40);
    writeFileSync(join(pki.dir, 'admin.token'), `${token}\n`, { mode: 0o600 });
    const t = await startTestGateway(up, { gateway: { adminTokenFile: 'admin.token' } }, pki);
    try {
      assert.equal((await admin(t.adminPort, '/healthz')).status, 401);
      assert.equal((await admin(t.adminPort, '/healthz', 'a'.repeat(39))).status, 401);
      const ok = await admin(t.adminPort, '/healthz', token);
      assert.equal(ok.status, 200);
      assert.deepEqual(JSON.parse(ok.body), { status: 'ok', upstreams: { healthy: 1, total: 1 } });
      await get(t, '/');
      const metrics = await admin(t.adminPort, '/metrics', token);
      assert.match(metrics.body, /# TYPE barbican_gateway_requests_total counter/);
      assert.match(metrics.body, /barbican_gateway_requests_total\{status="200"\} 1/);
      assert.match(metrics.body, /barbican_gateway_request_duration_seconds_bucket/);
      assert.equal((await admin(t.adminPort, '/nope', token)).status, 404);
    } finally {
      await t.close();
    }
  });

  it('refuses an admin listener off loopback without a token, and a short token', async () => {
    await assert.rejects(
      startTestGateway(up, { gateway: { adminListen: '0.0.0.0:0' } }, pki),
      (e: Error & { code?: string }) =>
        e.code === 'BARBICAN_E_GATEWAY_ADMIN' && /gateway\.adminListen/.test(e.message),
    );
    writeFileSync(join(pki.dir, 'short.token'), 'short');
    await assert.rejects(
      startTestGateway(up, { gateway: { adminTokenFile: 'short.token' } }, pki),
      (e: Error & { code?: string }) =>
        e.code === 'BARBICAN_E_GATEWAY_ADMIN' && /too short/.test(e.message),
    );
  });
});

describe('gateway active health checks', () => {
  it('takes an upstream whose health path fails out of rotation, and /healthz says so', async () => {
    const good = await startUpstream();
    const bad = await startUpstream();
    bad.routes.set('/health', (_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const t = await startTestGateway([bad.url, good.url], {
      gateway: { healthCheck: { path: '/health', interval: 100, failures: 1, cooldown: 60_000 } },
    });
    try {
      const deadline = Date.now() + 5000;
      let health = '';
      while (Date.now() < deadline) {
        health = (await admin(t.adminPort, '/healthz')).body;
        if (health.includes('"healthy":1')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(JSON.parse(health), { status: 'ok', upstreams: { healthy: 1, total: 2 } });
      const before = bad.seen.filter((s) => s.url !== '/health').length;
      for (let i = 0; i < 6; i++) assert.equal((await get(t, `/p${i}`)).status, 200);
      assert.equal(bad.seen.filter((s) => s.url !== '/health').length, before);
    } finally {
      await t.close();
      await good.close();
      await bad.close();
    }
  });
});

describe('gateway options that change the exchange', () => {
  let up: Upstream;
  const pki = makePki();
  before(async () => {
    up = await startUpstream();
    up.routes.set('/boom', (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('java.lang.NullPointerException at com.example.Shop');
    });
  });
  after(async () => {
    await up.close();
    pki.cleanup();
  });

  it('serves errors.page with the status and request id filled in', async () => {
    writeFileSync(
      join(pki.dir, 'oops.html'),
      '<p>Error {{status}} ({{statusText}}), ref {{requestId}}</p>\n',
    );
    const t = await startTestGateway(up, { policy: { errors: { page: 'oops.html' } } }, pki);
    try {
      const r = await get(t, '/boom');
      assert.equal(r.status, 503);
      assert.equal(
        r.text(),
        `<p>Error 503 (Service Unavailable), ref ${String(r.headers['x-request-id'])}</p>\n`,
      );
    } finally {
      await t.close();
    }
  });

  it('passes an upstream error through when errors.intercept is false', async () => {
    const t = await startTestGateway(up, { policy: { errors: { intercept: false } } }, pki);
    try {
      const r = await get(t, '/boom');
      assert.equal(r.status, 503);
      assert.match(r.text(), /NullPointerException/);
      assert.equal(r.headers['x-frame-options'], 'DENY');
    } finally {
      await t.close();
    }
  });

  it('sends the upstream its own Host with preserveHost: false, and no request id when turned off', async () => {
    const t = await startTestGateway(
      up,
      { gateway: { preserveHost: false, requestIdHeader: false } },
      pki,
    );
    try {
      const h = (await get(t, '/')).json<{ headers: Record<string, string> }>().headers;
      assert.equal(h['host'], `127.0.0.1:${up.port}`);
      assert.equal(h['x-forwarded-host'], HOST);
      assert.equal(h['x-request-id'], undefined);
    } finally {
      await t.close();
    }
  });

  it('lets a configured method through and refuses the defaults it drops', async () => {
    const t = await startTestGateway(
      up,
      { gateway: { methods: ['GET', 'HEAD', 'PROPFIND'] } },
      pki,
    );
    try {
      assert.equal((await get(t, '/', { method: 'PROPFIND' })).status, 200);
      const del = await get(t, '/', { method: 'DELETE' });
      assert.equal(del.status, 405);
      assert.equal(del.headers.allow, 'GET, HEAD, PROPFIND');
    } finally {
      await t.close();
    }
  });
});
