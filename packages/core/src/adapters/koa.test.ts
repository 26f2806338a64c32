import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import Koa from 'koa';
import { barbican } from './koa.ts';

describe('Koa adapter', () => {
  const closers: (() => void)[] = [];
  after(() => closers.forEach((c) => c()));

  it("keeps the policy's headers on Koa's error page", async () => {
    const app = new Koa();
    app.silent = true;
    app.use(barbican({ preset: 'barbican' }));
    app.use((ctx) => {
      ctx.set('X-Powered-By', 'Koa');
      ctx.throw(418, 'teapot');
    });
    const cb = app.callback();
    const server = createServer((req, res) => void cb(req, res)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => server.close());
    const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(r.status, 418);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('x-powered-by'), null);
  });
});
