/**
 * Rate limiting: per client IP, 429 with Retry-After; in memory, and in
 * Redis shared by two gateway processes; Redis stopped mid-test (the test's
 * own Redis, never the shared one) with the store failing open and closed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { redisUrl, startRedis, stopServices } from '../../../scripts/services.ts';
import { clientKey } from '../src/rate-limit.ts';
import {
  HOST,
  get,
  makePki,
  startTestGateway,
  startUpstream,
  type TestPki,
  type Upstream,
} from './helpers.ts';
import { spawnGateway } from './spawn.ts';

function status(
  port: number,
  pki: TestPki,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca: pki.ca.cert,
        servername: HOST,
        headers: { host: HOST, ...headers },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Waits, if needed, so that the next `seconds` do not cross a window boundary. */
async function awayFromBoundary(windowSeconds: number, seconds: number): Promise<void> {
  const ms = windowSeconds * 1000;
  const left = ms - (Date.now() % ms);
  if (left < seconds * 1000) await new Promise((r) => setTimeout(r, left + 50));
}

describe('rate limit keys', () => {
  it('counts IPv4 per address and IPv6 per /64', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  });
});

describe('rate limit in memory', () => {
  let up: Upstream;
  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
  });

  it('answers 429 with Retry-After past the limit, with the policy headers', async () => {
    await awayFromBoundary(60, 5);
    const t = await startTestGateway(up, { gateway: { rateLimit: { requests: 3, window: 60 } } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await get(t, '/')).status, 200);
      const r = await get(t, '/');
      assert.equal(r.status, 429);
      const retry = Number(r.headers['retry-after']);
      assert.ok(retry >= 1 && retry <= 60, String(retry));
      assert.equal(r.headers['x-frame-options'], 'DENY');
    } finally {
      await t.close();
    }
  });

  it('keys on the client behind a trusted proxy, not on the proxy or a spoofed header', async () => {
    await awayFromBoundary(60, 5);
    const t = await startTestGateway(up, {
      policy: { trustedProxies: ['loopback'] },
      gateway: { rateLimit: { requests: 2, window: 60 } },
    });
    try {
      const as = (ip: string) => get(t, '/', { headers: { 'x-forwarded-for': ip } });
      assert.equal((await as('198.51.100.1')).status, 200);
      assert.equal((await as('198.51.100.1')).status, 200);
      assert.equal((await as('198.51.100.1')).status, 429);
      assert.equal((await as('198.51.100.2')).status, 200);
    } finally {
      await t.close();
    }
  });

  it('ignores X-Forwarded-For from an untrusted peer (one bucket per socket address)', async () => {
    await awayFromBoundary(60, 5);
    const t = await startTestGateway(up, { gateway: { rateLimit: { requests: 2, window: 60 } } });
    try {
      const as = (ip: string) => get(t, '/', { headers: { 'x-forwarded-for': ip } });
      assert.equal((await as('198.51.100.1')).status, 200);
      assert.equal((await as('198.51.100.2')).status, 200);
      assert.equal((await as('198.51.100.3')).status, 429);
    } finally {
      await t.close();
    }
  });
});

describe('rate limit in Redis', () => {
  let up: Upstream;
  const pki = makePki();
  before(async () => {
    up = await startUpstream();
  });
  after(async () => {
    await up.close();
    pki.cleanup();
  });

  it('shares the limit between two gateway processes', async () => {
    const store = await redisUrl();
    const keyPrefix = `barbican:test:${randomBytes(6).toString('hex')}:`;
    const config = {
      preset: 'barbican',
      allowedHosts: [HOST],
      tls: { certificates: [{ cert: pki.certFile, key: pki.keyFile }] },
      gateway: {
        upstream: up.url,
        listen: '127.0.0.1:0',
        httpListen: false,
        adminListen: false,
        workers: 1,
        watch: false,
        rateLimit: { requests: 6, window: 60, store, keyPrefix },
      },
    };
    const a = await spawnGateway(mkdtempSync(join(tmpdir(), 'barbican-gw-a-')), config);
    const b = await spawnGateway(mkdtempSync(join(tmpdir(), 'barbican-gw-b-')), config);
    try {
      await awayFromBoundary(60, 10);
      const results: number[] = [];
      for (let i = 0; i < 5; i++) {
        results.push((await status(a.httpsPort, pki)).status);
        results.push((await status(b.httpsPort, pki)).status);
      }
      assert.deepEqual(results.filter((s) => s === 200).length, 6, results.join(' '));
      assert.deepEqual(results.slice(6), [429, 429, 429, 429]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('keeps serving when its Redis stops (fail open, logged), or answers 503 (fail closed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'barbican-gw-redis-'));
    const store = await startRedis(dir);
    let stopped = false;
    const open = await startTestGateway(
      up,
      { gateway: { rateLimit: { requests: 1000, window: 60, store } } },
      pki,
    );
    const closed = await startTestGateway(
      up,
      { gateway: { rateLimit: { requests: 1000, window: 60, store, onStoreError: 'closed' } } },
      pki,
    );
    try {
      assert.equal((await get(open, '/')).status, 200);
      assert.equal((await get(closed, '/')).status, 200);
      stopServices(dir);
      stopped = true;
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 3; i++) assert.equal((await get(open, '/')).status, 200);
      const r = await get(closed, '/');
      assert.equal(r.status, 503);
      assert.match(r.text(), /Something went wrong/);
      const logged = open.events.filter((e) => e['code'] === 'BARBICAN_E_GATEWAY_RATE_LIMIT_STORE');
      assert.ok(
        logged.length >= 1 && logged.length <= 2,
        `${logged.length} store errors logged (rate-limited)`,
      );
    } finally {
      if (!stopped) stopServices(dir);
      await open.close();
      await closed.close();
    }
  });
});
