import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPolicy } from '@barbican/core';
import {
  HOST,
  get,
  getPlain,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './helpers.ts';

describe('gateway: proxying with the policy', () => {
  let up: Upstream;
  let t: TestGateway;
  before(async () => {
    up = await startUpstream();
    t = await startTestGateway(up, {
      policy: { csrf: true },
      gateway: { limits: { requestBody: 1024, urlLength: 200, headerCount: 30 } },
    });
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  it('sends every header the middleware sends for the same policy, HSTS included', async () => {
    const r = await get(t, '/');
    assert.equal(r.status, 200);
    // The barbican preset's CSP has nonces: the gateway hands one to the upstream
    // (X-CSP-Nonce) and the response's CSP carries that same nonce.
    const nonce = r.json<{ headers: Record<string, string> }>().headers['x-csp-nonce'] ?? '';
    assert.match(nonce, /^[a-z0-9+/]{22}==$/i);
    const expected = createPolicy({
      preset: 'barbican',
      allowedHosts: [HOST, 'localhost'],
      csrf: true,
    }).headersFor({ https: true, nonce });
    for (const [name, value] of expected) assert.equal(r.headers[name.toLowerCase()], value, name);
    assert.match(String(r.headers['strict-transport-security']), /max-age=63072000/);
  });

  it('strips fingerprinting headers the upstream sends', async () => {
    const r = await get(t, '/');
    for (const h of ['server', 'x-powered-by', 'x-runtime', 'via'])
      assert.equal(r.headers[h], undefined, h);
  });

  it('overrides a policy header the upstream set, unless told to keep it', async () => {
    up.routes.set('/own-csp', (_req, res) => {
      res.setHeader('content-security-policy', 'default-src *');
      res.setHeader('x-frame-options', 'SAMEORIGIN');
      res.end('x');
    });
    const r = await get(t, '/own-csp');
    assert.notEqual(r.headers['content-security-policy'], 'default-src *');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.rawHeaders.filter((h) => h.toLowerCase() === 'x-frame-options').length, 1);
  });

  it('forwards the path and query as received, and the client Host', async () => {
    const r = await get(t, '/a/b?c=d&e=%20');
    const echo = r.json<{ url: string; headers: Record<string, string> }>();
    assert.equal(echo.url, '/a/b?c=d&e=%20');
    assert.equal(echo.headers['host'], HOST);
  });

  it('drops hop-by-hop headers and any header Connection names', async () => {
    const r = await get(t, '/', {
      headers: {
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': '1',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic eA==',
      },
    });
    const h = r.json<{ headers: Record<string, string> }>().headers;
    for (const name of ['x-secret-hop', 'keep-alive', 'te', 'proxy-authorization'])
      assert.equal(h[name], undefined, name);
  });

  it('replaces X-Forwarded-* and Forwarded sent by an untrusted peer with its own', async () => {
    const r = await get(t, '/', {
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=6.6.6.6;host=evil.example',
        'x-real-ip': '6.6.6.6',
      },
    });
    const h = r.json<{ headers: Record<string, string> }>().headers;
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'https');
    assert.equal(h['x-forwarded-host'], HOST);
    assert.equal(h['forwarded'], `for=127.0.0.1;proto=https;host=${HOST}`);
    assert.equal(h['x-real-ip'], undefined);
  });

  it('sends a request id upstream and never lets the client choose it', async () => {
    const r = await get(t, '/', { headers: { 'x-request-id': 'forged' } });
    const id = r.json<{ headers: Record<string, string> }>().headers['x-request-id'];
    assert.match(String(id), /^[0-9a-f]{8}-[0-9a-z]+$/);
  });

  it('streams request and response bodies', async () => {
    up.routes.set('/echo', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
    });
    const body = Buffer.alloc(900, 7);
    const r = await get(t, '/echo', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, body);
  });

  it('redirects plain HTTP to HTTPS with the policy headers, except ACME challenges', async () => {
    const r = await getPlain(t, '/x?y=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, `https://${HOST}:${t.httpsPort}/x?y=1`);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['strict-transport-security'], undefined);
    const post = await getPlain(t, '/form', {}, 'POST');
    assert.equal(post.status, 308);
    const acme = await getPlain(t, '/.well-known/acme-challenge/token123');
    assert.equal(acme.status, 200);
    assert.equal(
      acme.json<{ headers: Record<string, string> }>().headers['x-forwarded-proto'],
      'http',
    );
  });

  it('refuses a host not on allowedHosts, without reaching the upstream', async () => {
    const before = up.seen.length;
    const r = await get(t, '/', { headers: { host: 'evil.example' } });
    assert.equal(r.status, 400);
    assert.equal(up.seen.length, before);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  it('refuses a cross-site POST (CSRF origin check) and lets a same-origin one through', async () => {
    const bad = await get(t, '/form', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: 'a=1',
    });
    assert.equal(bad.status, 403);
    const self = `${HOST}:${t.httpsPort}`;
    const good = await get(t, '/form', {
      method: 'POST',
      headers: { host: self, origin: `https://${self}` },
      body: 'a=1',
    });
    assert.equal(good.status, 200);
  });

  it('answers 405 with Allow for a method not on the list', async () => {
    const r = await get(t, '/', { method: 'TRACE' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
  });

  for (const path of [
    '/a/../admin',
    '/a/%2e%2e/admin',
    '/a%2fb',
    '/a%5cb',
    '/a\\b',
    '/./a',
    '/a?x=%00',
    '/a%00b',
    '/a/..',
  ]) {
    it(`refuses the unsafe path ${path} and never forwards it`, async () => {
      const before = up.seen.length;
      const r = await get(t, path);
      assert.equal(r.status, 400);
      assert.equal(up.seen.length, before);
    });
  }

  it('answers 414 for a request-target over the limit', async () => {
    const r = await get(t, `/${'a'.repeat(300)}`);
    assert.equal(r.status, 414);
  });

  it('answers 431 for more header fields than the limit', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 40; i++) headers[`x-h${i}`] = 'v';
    const r = await get(t, '/', { headers });
    assert.equal(r.status, 431);
  });

  it('answers 413 for a declared body over the limit, before reading it', async () => {
    const r = await get(t, '/echo', { method: 'POST', body: Buffer.alloc(2000) });
    assert.equal(r.status, 413);
  });

  it('answers 413 for a chunked body that grows over the limit', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      import('node:https')
        .then(({ request }) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: t.httpsPort,
              path: '/echo',
              method: 'POST',
              agent: false,
              ca: t.pki.ca.cert,
              servername: HOST,
              headers: { host: HOST },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.write(Buffer.alloc(800));
          req.write(Buffer.alloc(800));
          req.end();
        })
        .catch(reject);
    });
    assert.equal(r, 413);
  });

  it('logs each request as one JSON line without cookies, authorization or query secrets', async () => {
    await get(t, '/logged?token=s3cret&page=2', {
      headers: { cookie: 'session=abc', authorization: 'Bearer xyz' },
    });
    await new Promise((r) => setImmediate(r));
    const line = t.access.find((a) => String(a['target']).startsWith('/logged'));
    assert.ok(line);
    assert.equal(line['target'], '/logged?token=[redacted]&page=2');
    const text = JSON.stringify(t.access);
    assert.doesNotMatch(text, /abc|xyz|s3cret/);
    assert.equal(line['status'], 200);
    assert.equal(line['host'], HOST);
  });
});

describe('gateway: options per header, nonces, trusted proxies', () => {
  let up: Upstream;
  let t: TestGateway;
  before(async () => {
    up = await startUpstream();
    up.routes.set('/page', (req, res) => {
      res.setHeader('content-type', 'text/html');
      res.setHeader('referrer-policy', 'no-referrer');
      res.end(`<script nonce="${String(req.headers['x-csp-nonce'])}"></script>`);
    });
    t = await startTestGateway(up, {
      policy: {
        headers: { csp: { nonce: true } },
        trustedProxies: ['loopback'],
      },
      gateway: { keepUpstreamHeaders: ['Referrer-Policy'] },
    });
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  it('keeps the upstream value of a header named in keepUpstreamHeaders', async () => {
    const r = await get(t, '/page');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    const other = await get(t, '/');
    assert.equal(other.headers['referrer-policy'], 'strict-origin-when-cross-origin');
  });

  it('mints a CSP nonce per request and hands it to the upstream', async () => {
    const a = await get(t, '/page');
    const b = await get(t, '/page');
    const na = /nonce="([^"]+)"/.exec(a.text())?.[1];
    const nb = /nonce="([^"]+)"/.exec(b.text())?.[1];
    assert.ok(na !== undefined && nb !== undefined && na !== nb);
    assert.match(
      String(a.headers['content-security-policy']),
      new RegExp(`'nonce-${na.replace(/[+/]/g, '\\$&')}'`),
    );
  });

  it('never forwards a nonce the client sent', async () => {
    const r = await get(t, '/page', { headers: { 'x-csp-nonce': 'attacker' } });
    assert.doesNotMatch(r.text(), /attacker/);
  });

  it('appends to the chain of a trusted proxy (loopback here)', async () => {
    const r = await get(t, '/', {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
    });
    const h = r.json<{ headers: Record<string, string> }>().headers;
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  });
});
