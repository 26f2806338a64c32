import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy } from '../policy/index.ts';
import { FetchFacts, secureFetch } from './fetch.ts';
import { barbicanMiddleware } from './next.ts';

const req = (url: string, host?: string, init: RequestInit = {}): Request => {
  const headers = new Headers(init.headers);
  if (host !== undefined) headers.set('host', host);
  return new Request(url, { ...init, headers });
};

describe('FetchFacts: the request-target of a Fetch request', () => {
  it('is the path and query when the runtime built the URL from Host', () => {
    assert.equal(
      new FetchFacts(req('http://app.example/x?y=1', 'app.example'), undefined).target,
      '/x?y=1',
    );
    assert.equal(new FetchFacts(req('http://app.example/', 'APP.Example'), undefined).target, '/');
    assert.equal(
      new FetchFacts(req('http://app.example/x#frag', 'app.example'), undefined).target,
      '/x',
    );
  });

  it('is the whole URL when its authority is not the Host header (absolute-form)', () => {
    const r = req('http://evil.example/x', 'app.example');
    assert.equal(new FetchFacts(r, undefined).target, 'http://evil.example/x');
  });

  it('is the whole URL without a Host header (HTTP/2 :authority), so the engine uses its authority', async () => {
    assert.equal(
      new FetchFacts(req('https://app.example/a'), undefined).target,
      'https://app.example/a',
    );
    const handler = secureFetch(() => new Response('ok'), { allowedHosts: ['app.example'] });
    assert.equal((await handler(req('https://app.example/a'))).status, 200);
    assert.equal((await handler(req('https://evil.example/a'))).status, 400);
  });

  it('is always the path and query when the runtime builds the URL from its own host (Next)', () => {
    const r = req('http://localhost:3000/x?q', '127.0.0.1:3000');
    assert.equal(new FetchFacts(r, undefined, false).target, '/x?q');
  });
});

describe('secureFetch: host checks through the Fetch path', () => {
  const policy = createPolicy({ allowedHosts: ['app.example', 'evil.example'] });
  const handler = secureFetch(() => new Response('ok'), policy);

  it('serves an allowed Host whose URL the runtime built from it', async () => {
    assert.equal((await handler(req('http://app.example/x', 'app.example'))).status, 200);
    // URL canonicalisation (default port, IPv6 spelling) is compared as hosts, not strings.
    assert.equal((await handler(req('http://app.example/x', 'app.example:80'))).status, 200);
  });

  it('refuses a URL authority that differs from Host, even when both are allowed', async () => {
    const res = await handler(req('http://evil.example/x', 'app.example'));
    assert.equal(res.status, 400);
  });
});

describe('barbicanMiddleware: Next rewrites the URL host', () => {
  it('checks Host, not the localhost Next put in the URL', () => {
    const mw = barbicanMiddleware({ allowedHosts: ['127.0.0.1'] });
    const ok = mw(req('http://localhost:3000/x', '127.0.0.1:3000'));
    assert.equal(ok.headers.get('x-middleware-next'), '1');
    const bad = mw(req('http://localhost:3000/x', 'evil.example'));
    assert.equal(bad.status, 400);
  });
});
