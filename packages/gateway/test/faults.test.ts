/**
 * Upstream and client faults: each gets the right status (502/504, never
 * 500), a generic page with a request id that is also in the access log,
 * and the gateway keeps serving.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as h2connect, constants as h2constants } from 'node:http2';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  HOST,
  get,
  startTestGateway,
  startUpstream,
  statusOf,
  type TestGateway,
  type Upstream,
} from './helpers.ts';

/** A TCP server that answers every connection with `reply` (then closes, unless `keep`). */
async function rawUpstream(
  onConnection: (s: Socket) => void,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function lastAccess(t: TestGateway): Promise<Record<string, unknown> | undefined> {
  return new Promise((r) => setImmediate(() => r(t.access.at(-1))));
}

describe('gateway faults: upstream side', () => {
  let up: Upstream;
  let t: TestGateway;
  before(async () => {
    up = await startUpstream();
    up.routes.set('/reset-mid-body', (_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000, 97));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    up.routes.set('/slow-headers', (_req, res) => {
      setTimeout(() => res.end('late'), 3000);
    });
    up.routes.set('/huge-headers', (_req, res) => {
      res.setHeader('x-big', 'b'.repeat(40_000));
      res.end('x');
    });
    up.routes.set('/error-500', (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html', server: 'gunicorn/21' });
      res.end(
        '<pre>Traceback (most recent call last):\n  File "/srv/app/views.py", line 42, in index\nSECRET_KEY=abc</pre>',
      );
    });
    up.routes.set('/not-found', (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such page');
    });
    t = await startTestGateway(up, {
      gateway: { timeouts: { upstreamHeaders: 500, shutdown: 500 } },
    });
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  it('replaces an upstream 500 with the generic page: no stack trace, no server name, a request id', async () => {
    const r = await get(t, '/error-500');
    assert.equal(r.status, 500);
    assert.doesNotMatch(r.text(), /Traceback|views\.py|SECRET_KEY/);
    assert.equal(r.headers.server, undefined);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    const id = /Request id: <code>([^<]+)<\/code>/.exec(r.text())?.[1];
    assert.ok(id !== undefined);
    const line = await lastAccess(t);
    assert.equal(line?.['id'], id);
    assert.equal(line['status'], 500);
  });

  it('passes statuses that are not intercepted (404) with the upstream body', async () => {
    const r = await get(t, '/not-found');
    assert.equal(r.status, 404);
    assert.equal(r.text(), 'no such page');
    assert.equal(r.headers['x-frame-options'], 'DENY');
  });

  it('answers 504 when the upstream sends no headers in time', async () => {
    const r = await get(t, '/slow-headers');
    assert.equal(r.status, 504);
    assert.match(r.text(), /Something went wrong/);
    assert.match(r.text(), new RegExp(`<code>${String(r.headers['x-request-id'])}</code>`));
    assert.equal((await lastAccess(t))?.['reason'], 'upstream headers-timeout');
  });

  it('answers 502 for response headers over the limit', async () => {
    const r = await get(t, '/huge-headers');
    assert.equal(r.status, 502);
  });

  it('cuts the response when the upstream resets mid-body (the client sees it incomplete)', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: t.httpsPort,
          path: '/reset-mid-body',
          ca: t.pki.ca.cert,
          servername: HOST,
          headers: { host: HOST },
          agent: false,
        },
        (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(`complete ${n}`));
          res.on('error', () => resolve(`cut after ${n}`));
          res.on('aborted', () => resolve(`cut after ${n}`));
        },
      );
      req.on('error', () => resolve('cut'));
      req.end();
    });
    assert.match(outcome, /^cut/);
  });

  it('keeps serving after all of that', async () => {
    const r = await get(t, '/');
    assert.equal(r.status, 200);
  });

  it('never shows a stack trace, a version or an upstream address in any error', async () => {
    for (const path of ['/error-500', '/slow-headers', '/huge-headers']) {
      const r = await get(t, path);
      assert.doesNotMatch(r.text(), /127\.0\.0\.1|:\d{4,5}|node|undici|Error:|at /i, path);
    }
  });
});

describe('gateway faults: unreachable and broken upstreams', () => {
  it('answers 502 with the error page when the upstream is down', async () => {
    const dead = await rawUpstream(() => undefined);
    const url = dead.url;
    await dead.close();
    const t = await startTestGateway(url);
    try {
      const r = await get(t, '/');
      assert.equal(r.status, 502);
      assert.match(r.text(), /Something went wrong/);
      assert.doesNotMatch(r.text(), new RegExp(url.split(':')[2] ?? 'x'));
      assert.equal((await lastAccess(t))?.['reason'], 'upstream connect');
    } finally {
      await t.close();
    }
  });

  it('answers 502 for a garbage response', async () => {
    const garbage = await rawUpstream((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'));
    const t = await startTestGateway(garbage.url);
    try {
      const r = await get(t, '/');
      assert.equal(r.status, 502);
      assert.equal((await lastAccess(t))?.['reason'], 'upstream garbage');
    } finally {
      await t.close();
      await garbage.close();
    }
  });

  it('answers 502 when the upstream resets before answering', async () => {
    const rst = await rawUpstream((s) => s.once('data', () => s.resetAndDestroy()));
    const t = await startTestGateway(rst.url);
    try {
      const r = await get(t, '/');
      assert.equal(r.status, 502);
    } finally {
      await t.close();
      await rst.close();
    }
  });

  it('fails over to the next upstream when one refuses connections, then takes it out', async () => {
    const dead = await rawUpstream(() => undefined);
    const deadUrl = dead.url;
    await dead.close();
    const up = await startUpstream();
    const t = await startTestGateway([deadUrl, up.url], {
      gateway: { healthCheck: { failures: 1, cooldown: 60_000 } },
    });
    try {
      for (let i = 0; i < 6; i++) assert.equal((await get(t, `/r${i}`)).status, 200);
      const health = await new Promise<string>((resolve, reject) => {
        import('node:http')
          .then(({ get: hget }) =>
            hget(`http://127.0.0.1:${t.adminPort}/healthz`, (res) => {
              let b = '';
              res.on('data', (c: Buffer) => (b += c.toString()));
              res.on('end', () => resolve(b));
            }).on('error', reject),
          )
          .catch(reject);
      });
      assert.deepEqual(JSON.parse(health), { status: 'ok', upstreams: { healthy: 1, total: 2 } });
    } finally {
      await t.close();
      await up.close();
    }
  });
});

describe('gateway faults: client side', () => {
  let up: Upstream;
  let t: TestGateway;
  before(async () => {
    up = await startUpstream();
    up.routes.set('/upload', (req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => res.end('ok'));
      req.on('error', () => undefined);
    });
    t = await startTestGateway(up, {
      gateway: { timeouts: { clientHeaders: 1000, shutdown: 500 } },
    });
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  it('survives a client that aborts mid-upload', async () => {
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: t.httpsPort,
        path: '/upload',
        method: 'POST',
        ca: t.pki.ca.cert,
        servername: HOST,
        headers: { host: HOST, 'content-length': String(10_000_000) },
        agent: false,
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(200_000));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await get(t, '/')).status, 200);
    const line = t.access.find((a) => a['target'] === '/upload');
    assert.equal(line?.['status'], 499);
  });

  it('logs a hostile user agent inert: a C1 byte is escaped, other text kept', async () => {
    // obs-text (RFC 9110 §5.5): Node lets bytes 0x80-0xff through, read as
    // Latin-1, so 0x9b arrives as U+009B, a C1 CSI that JSON.stringify keeps raw.
    const ua = 'evil\u009b[2J\u00e9';
    const socket = tlsConnect({ port: t.httpsPort, ca: t.pki.ca.cert, servername: HOST });
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('secureConnect', () => {
        socket.write(
          Buffer.from(
            `GET /ua HTTP/1.1\r\nHost: ${HOST}\r\nUser-Agent: ${ua}\r\nConnection: close\r\n\r\n`,
            'latin1',
          ),
        );
      });
      socket.on('data', () => undefined);
      socket.on('end', resolve);
    });
    await new Promise((r) => setImmediate(r));
    const raw = t.accessText
      .join('')
      .split('\n')
      .find((l) => l.includes('"/ua"'));
    assert.ok(raw !== undefined, 'the request was logged');
    assert.doesNotMatch(raw, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    assert.match(raw, /evil\\u009b\[2Jé/);
    // The same value, once parsed: escaping changes the text, not the data.
    assert.equal(t.access.find((a) => a['target'] === '/ua')?.['userAgent'], ua);
  });

  it('answers 408 to a slowloris client and keeps serving others meanwhile', async () => {
    const started = Date.now();
    const slow = new Promise<string>((resolve) => {
      let out = '';
      const s = tlsConnect(
        {
          host: '127.0.0.1',
          port: t.httpsPort,
          servername: HOST,
          ca: t.pki.ca.cert,
          ALPNProtocols: ['http/1.1'],
        },
        () => {
          s.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n`);
          const drip = setInterval(() => s.write('X-Drip: 1\r\n'), 200);
          s.on('close', () => {
            clearInterval(drip);
            resolve(out);
          });
        },
      );
      s.setEncoding('latin1');
      s.on('data', (d: string) => (out += d));
      s.on('error', () => undefined);
    });
    assert.equal((await get(t, '/')).status, 200);
    const out = await slow;
    assert.equal(statusOf(out), 408);
    assert.ok(Date.now() - started < 4000, 'closed within the header timeout (+ check interval)');
  });
});

describe('gateway faults: HTTP/2 clients that go away', () => {
  for (const how of ['cancel each stream', 'drop the connection'] as const) {
    it(`aborts the upstream requests when the client ${how.replace('each', 'its')}, so it cannot exhaust the pool`, async () => {
      const up = await startUpstream();
      let aborted = 0;
      up.routes.set('/endless', (req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 1);
        const timer = setInterval(() => res.write(chunk), 20);
        res.on('close', () => {
          clearInterval(timer);
          aborted++;
        });
        req.resume();
      });
      // Two upstream connections: two stuck requests would wedge the gateway.
      const t = await startTestGateway(up, { gateway: { limits: { upstreamConnections: 2 } } });
      const session = h2connect(`https://127.0.0.1:${t.httpsPort}`, {
        ca: t.pki.ca.cert,
        servername: HOST,
      });
      session.on('error', () => undefined);
      try {
        // Read nothing: HTTP/2 flow control stops the gateway's writes (it pauses the upstream).
        const streams = Array.from({ length: 2 }, () => {
          const stream = session.request({ ':path': '/endless', ':authority': HOST });
          stream.on('error', () => undefined);
          return new Promise<typeof stream>((resolve) =>
            stream.once('response', () => resolve(stream)),
          );
        });
        const opened = await Promise.all(streams);
        await new Promise((r) => setTimeout(r, 300));
        if (how === 'cancel each stream')
          for (const s of opened) s.close(h2constants.NGHTTP2_CANCEL);
        else session.socket.destroy();
        const deadline = Date.now() + 5000;
        while (aborted < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.equal(aborted, 2, 'every upstream request was aborted');
        assert.equal((await get(t, '/')).status, 200);
      } finally {
        session.destroy();
        await t.close();
        await up.close();
      }
    });
  }

  it('drops requests still queued for an upstream connection when their client is gone', async () => {
    const up = await startUpstream();
    up.routes.set('/slow', (_req, res) => setTimeout(() => res.end('slow'), 600));
    const t = await startTestGateway(up, { gateway: { limits: { upstreamConnections: 1 } } });
    const session = h2connect(`https://127.0.0.1:${t.httpsPort}`, {
      ca: t.pki.ca.cert,
      servername: HOST,
    });
    session.on('error', () => undefined);
    try {
      // The first request holds the only upstream connection; the next ones queue behind it.
      for (const path of ['/slow', '/a', '/b', '/c']) {
        session
          .request({ ':path': path, ':authority': HOST })
          .on('error', () => undefined)
          .resume();
      }
      await new Promise((r) => setTimeout(r, 200));
      session.socket.destroy();
      await new Promise((r) => setTimeout(r, 800));
      const r = await Promise.race([
        get(t, '/after'),
        new Promise<never>((_r, reject) =>
          setTimeout(() => reject(new Error('the gateway is wedged')), 4000),
        ),
      ]);
      assert.equal(r.status, 200);
    } finally {
      session.destroy();
      await t.close();
      await up.close();
    }
  });
});
