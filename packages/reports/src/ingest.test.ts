import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore, ReportStore, type WriteBatch } from './index.ts';
import { chunked, legacy, post, running, type Running } from '../test/helpers.ts';

describe('ingest endpoint', () => {
  let r: Running;
  before(async () => {
    r = await running({ sites: { shop: { hosts: ['shop.example'] }, blog: {} } });
  });
  after(() => r.stop());

  it('answers the Reporting API CORS preflight', async () => {
    const res = await fetch(`${r.collector.url}/report/shop`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.equal(res.headers.get('access-control-allow-headers'), 'Content-Type');
  });

  it('stores a report and acknowledges it with 204', async () => {
    const res = await post(r.collector.url, 'shop', legacy({ 'line-number': 41 }));
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const [rec] = await r.store.list({ site: 'shop' });
    assert.equal(rec?.line, 41);
    assert.equal(rec.client, '127.0.0.0');
  });

  for (const [name, init, status, code] of [
    ['GET', { method: 'GET' }, 405, 'BARBICAN_E_REPORT_METHOD'],
    ['PUT', { method: 'PUT', body: '{}' }, 405, 'BARBICAN_E_REPORT_METHOD'],
    [
      'a text/plain body',
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: legacy() },
      415,
      'BARBICAN_E_REPORT_MEDIA_TYPE',
    ],
    [
      'a gzip body',
      {
        method: 'POST',
        headers: { 'content-type': 'application/csp-report', 'content-encoding': 'gzip' },
        body: legacy(),
      },
      415,
      'BARBICAN_E_REPORT_MEDIA_TYPE',
    ],
    [
      'not JSON',
      {
        method: 'POST',
        headers: { 'content-type': 'application/csp-report' },
        body: '{"csp-report":',
      },
      400,
      'BARBICAN_E_REPORT_JSON',
    ],
    [
      'invalid UTF-8',
      {
        method: 'POST',
        headers: { 'content-type': 'application/csp-report' },
        body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      },
      400,
      'BARBICAN_E_REPORT_ENCODING',
    ],
    [
      'a JSON string',
      { method: 'POST', headers: { 'content-type': 'application/csp-report' }, body: '"hi"' },
      400,
      'BARBICAN_E_REPORT_SHAPE',
    ],
    [
      'a report without document-uri',
      {
        method: 'POST',
        headers: { 'content-type': 'application/csp-report' },
        body: '{"csp-report":{"blocked-uri":"inline"}}',
      },
      400,
      'BARBICAN_E_REPORT_SHAPE',
    ],
    [
      'an empty batch',
      { method: 'POST', headers: { 'content-type': 'application/reports+json' }, body: '[]' },
      400,
      'BARBICAN_E_REPORT_SHAPE',
    ],
  ] as const) {
    it(`refuses ${name} with ${status} and ${code}`, async () => {
      const res = await fetch(`${r.collector.url}/report/shop`, init);
      assert.equal(res.status, status);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.match(await res.text(), new RegExp(`^${code}: `));
    });
  }

  it('refuses sites that are malformed or not on the allow-list with 404', async () => {
    for (const site of ['other', '..%2f', '-x', 'a'.repeat(65), '']) {
      const res = await post(r.collector.url, site, legacy());
      assert.equal(res.status, 404, site);
      assert.match(res.text, /^BARBICAN_E_REPORT_SITE/);
    }
  });

  it('refuses bodies over the cap with 413, by Content-Length and while streaming', async () => {
    const big = legacy({ 'script-sample': 'x'.repeat(70 * 1024) });
    assert.equal((await post(r.collector.url, 'shop', big)).status, 413);
    assert.equal(await chunked(r.collector.url, 'shop', 5 * 1024 * 1024), 413);
    const batch = JSON.stringify(
      new Array(101).fill({ type: 'coep', url: 'https://shop.example/', body: { type: 'corp' } }),
    );
    const res = await post(r.collector.url, 'shop', batch, 'application/reports+json');
    assert.equal(res.status, 413);
    assert.match(res.text, /at most 100/);
  });

  it('counts noise without storing it: extensions, foreign hosts, unknown types', async () => {
    const before = (await r.store.list({ site: 'shop', limit: 1000 })).length;
    assert.equal(
      (await post(r.collector.url, 'shop', legacy({ 'blocked-uri': 'chrome-extension://x/y.js' })))
        .status,
      204,
    );
    assert.equal(
      (await post(r.collector.url, 'shop', legacy({ 'document-uri': 'https://copy.example/' })))
        .status,
      204,
    );
    assert.equal(
      (
        await post(
          r.collector.url,
          'shop',
          '[{"type":"crash","url":"https://shop.example/","body":{}}]',
          'application/reports+json',
        )
      ).status,
      204,
    );
    await r.collector.queue.drain();
    assert.equal((await r.store.list({ site: 'shop', limit: 1000 })).length, before);
    const drops = Object.fromEntries(
      (await r.store.drops({ site: 'shop' })).map((d) => [d.reason, d.count]),
    );
    assert.deepEqual(drops, { extension: 1, 'foreign-host': 1, 'unknown-type': 1 });
  });
});

describe('ingest limits', () => {
  it('answers 204 over the per-client bucket without reading the body, and counts it', async () => {
    const r = await running({ perClient: { rate: 0.001, burst: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await post(r.collector.url, 'shop', legacy({ 'line-number': i }))).status);
      assert.deepEqual(statuses, [204, 204, 204, 204, 204]);
      await r.collector.queue.drain();
      assert.equal((await r.store.list({ site: 'shop' })).length, 3);
      assert.deepEqual(await r.store.drops({ site: 'shop' }), [
        { site: 'shop', reason: 'ip-rate', count: 2 },
      ]);
    } finally {
      await r.stop();
    }
  });

  it('answers 429 with Retry-After over the per-site quota when configured to', async () => {
    const r = await running({ perSite: { rate: 0.001, burst: 2 }, overLimitStatus: 429 });
    try {
      assert.equal((await post(r.collector.url, 'shop', legacy())).status, 204);
      assert.equal((await post(r.collector.url, 'shop', legacy())).status, 204);
      const res = await post(r.collector.url, 'shop', legacy());
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '60');
      assert.equal(
        (await post(r.collector.url, 'blog', legacy())).status,
        204,
        'another site has its own quota',
      );
    } finally {
      await r.stop();
    }
  });

  it('reads the client from X-Forwarded-For only when the peer is a trusted proxy', async () => {
    const r = await running({ trustedProxies: ['loopback'], token: 'a-token-of-sixteen-or-more' });
    try {
      await post(r.collector.url, 'shop', legacy(), 'application/csp-report', {
        'x-forwarded-for': '198.51.100.23',
      });
      assert.equal((await r.store.list({}))[0]?.client, '198.51.100.0');
    } finally {
      await r.stop();
    }
    const untrusted = await running({});
    try {
      await post(untrusted.collector.url, 'shop', legacy(), 'application/csp-report', {
        'x-forwarded-for': '198.51.100.23',
      });
      assert.equal((await untrusted.store.list({}))[0]?.client, '127.0.0.0');
    } finally {
      await untrusted.stop();
    }
  });

  it('does not acknowledge what it could not write: 503 with Retry-After', async () => {
    class FailingStore extends ReportStore {
      override write(_batch: WriteBatch): Promise<void> {
        return Promise.reject(new Error('disk full'));
      }
    }
    const inner = await openStore('sqlite::memory:');
    const lines: string[] = [];
    const r = await running({
      store: Object.setPrototypeOf(inner, FailingStore.prototype) as ReportStore,
      log: (l) => lines.push(l),
    });
    try {
      const res = await post(r.collector.url, 'shop', legacy());
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '30');
      assert.match(res.text, /^BARBICAN_E_REPORTS_BUSY/);
      assert.match(lines.join('\n'), /disk full/);
    } finally {
      await r.stop();
    }
  });

  it('answers 503 at once when too many reports wait for a commit', async () => {
    const r = await running({ maxPending: 0 });
    try {
      const res = await post(r.collector.url, 'shop', legacy());
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
    } finally {
      await r.stop();
    }
  });
});
