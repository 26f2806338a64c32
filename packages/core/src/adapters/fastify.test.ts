import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { barbicanPlugin } from './fastify.ts';

describe('Fastify plugin', () => {
  it('rejects a bad route override when the route is registered, not per request', async () => {
    const app = Fastify();
    await app.register(barbicanPlugin, { policy: { preset: 'barbican' } });
    assert.throws(
      () =>
        app.get(
          '/bad',
          { config: { barbican: { headers: { xFrameOptions: 'ALLOW-FROM https://a.example' } } } },
          () => 'never',
        ),
      { code: 'BARBICAN_E_FRAME_ALLOW_FROM' },
    );
    await app.close();
  });

  it('exposes reply.cspNonce in the scope it was registered in (not encapsulated)', async () => {
    const app = Fastify();
    await app.register(barbicanPlugin, {
      policy: {
        headers: { csp: { directives: { 'default-src': ["'self'"] }, nonce: true } },
      },
    });
    app.get('/', (_req, reply) => reply.cspNonce);
    const r = await app.inject({ url: '/' });
    assert.equal(r.statusCode, 200);
    assert.ok(r.body.length >= 22);
    assert.ok(String(r.headers['content-security-policy']).includes(`'nonce-${r.body}'`));
    await app.close();
  });
});
