import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { nonceOf, withBarbican } from './node.ts';

async function serve(listener: RequestListener): Promise<{ url: string; close: () => void }> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

describe('node:http adapter', () => {
  const closers: (() => void)[] = [];
  after(() => closers.forEach((c) => c()));

  it('sets the policy headers and strips fingerprinting headers set by the app, even via writeHead', async () => {
    const s = await serve(
      withBarbican((_req, res) => {
        res.setHeader('X-Powered-By', 'PHP/5.4');
        res.writeHead(200, { Server: 'Apache/2.2', 'Content-Type': 'text/plain' });
        res.end('ok');
      }),
    );
    closers.push(s.close);
    const r = await fetch(s.url);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('x-powered-by'), null);
    assert.equal(r.headers.get('server'), null);
    assert.equal(r.headers.get('content-type'), 'text/plain');
    // Plain HTTP: no HSTS.
    assert.equal(r.headers.get('strict-transport-security'), null);
  });

  it('lets the handler override a policy header (policy < handler)', async () => {
    const s = await serve(
      withBarbican((_req, res) => {
        res.setHeader('X-Frame-Options', 'SAMEORIGIN');
        res.end();
      }),
    );
    closers.push(s.close);
    const r = await fetch(s.url);
    assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN');
  });

  it('refuses a nonce first read after the headers were sent', async () => {
    let error: unknown;
    const s = await serve(
      withBarbican((_req, res) => {
        res.writeHead(200);
        try {
          nonceOf(res);
        } catch (e) {
          error = e;
        }
        res.end();
      }),
    );
    closers.push(s.close);
    await (await fetch(s.url)).text();
    assert.equal((error as { code?: string }).code, 'BARBICAN_E_NONCE_LATE');
  });
});
