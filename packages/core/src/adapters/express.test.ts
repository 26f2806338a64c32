import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Policy } from '../policy/index.ts';
import { barbican } from './express.ts';

describe('Express adapter', () => {
  const closers: (() => void)[] = [];
  after(() => closers.forEach((c) => c()));

  it('hands a request-time failure to next(err) instead of throwing', async () => {
    // A policy whose every field access fails: the engine throws inside the middleware.
    const broken = new Proxy(
      { [Symbol.for('barbican.policy')]: true },
      {
        get(target, key) {
          if (key === Symbol.for('barbican.policy')) return true;
          throw new Error(`broken policy: ${String(key)}`);
        },
      },
    ) as unknown as Policy;
    const app = express();
    app.use(barbican(broken));
    app.get('/', (_req, res) => res.send('app ran'));
    app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).send(`handled: ${err.message}`);
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => server.close());
    const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(r.status, 500);
    assert.match(await r.text(), /^handled: broken policy/);
  });

  it('res.locals.cspNonce under a policy without a nonce: a teaching error, hidden from copies', async () => {
    const app = express();
    app.use('/own', (_req, res, next) => {
      res.locals['cspNonce'] = 'app-minted';
      next();
    });
    const security = barbican({ headers: { csp: { nonce: false } } });
    app.use(security);
    app.get('/read', (_req, res) => {
      const copy = { ...res.locals };
      const keys: string[] = [];
      for (const k in res.locals) keys.push(k);
      try {
        res.send(String(res.locals['cspNonce']));
      } catch (e) {
        res.send(
          `${(e as { code?: string }).code ?? 'no code'} ${JSON.stringify(copy)} ${keys.join()}`,
        );
      }
    });
    app.get('/own', (_req, res) => res.send(String(res.locals['cspNonce'])));
    app.get('/assign', (_req, res) => {
      res.locals['cspNonce'] = 'assigned';
      res.send(String(res.locals['cspNonce']));
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => server.close());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    assert.equal(await (await fetch(`${base}/read`)).text(), 'BARBICAN_E_NO_NONCE {} ');
    assert.equal(await (await fetch(`${base}/own`)).text(), 'app-minted');
    assert.equal(await (await fetch(`${base}/assign`)).text(), 'assigned');
  });

  it('validates the policy once, at start-up', () => {
    assert.throws(() => barbican({ headers: { xFrameOptions: 'ALLOW-FROM https://a.example' } }), {
      code: 'BARBICAN_E_FRAME_ALLOW_FROM',
    });
  });
});
