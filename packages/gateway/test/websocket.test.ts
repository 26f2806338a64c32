import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import {
  HOST,
  startTestGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './helpers.ts';

function open(t: TestGateway, path: string, headers: Record<string, string> = {}): WebSocket {
  // ws hands TLS options to https.request, which takes servername (its types omit it).
  const options = { ca: t.pki.ca.cert, servername: HOST, headers: { host: HOST, ...headers } };
  return new WebSocket(`wss://127.0.0.1:${t.httpsPort}${path}`, options);
}

/** Resolves with the HTTP status when the upgrade is refused, or 101 when it opens. */
function outcome(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => resolve(0));
  });
}

describe('gateway: WebSocket pass-through', () => {
  let up: Upstream;
  let wss: WebSocketServer;
  let t: TestGateway;
  const handshakes: Record<string, unknown>[] = [];
  before(async () => {
    up = await startUpstream();
    wss = new WebSocketServer({ noServer: true });
    up.server.on('upgrade', (req, socket, head) => {
      handshakes.push({ ...req.headers });
      if (req.url === '/private') {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\nServer: Jetty\r\n\r\nnope');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data, binary) => ws.send(data, { binary }));
      });
    });
    t = await startTestGateway(up);
  });
  after(async () => {
    await t.close();
    wss.close();
    await up.close();
  });

  it('echoes text and binary frames through the gateway', async () => {
    const ws = open(t, '/chat');
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const replies: string[] = [];
    const got = new Promise<void>((resolve) => {
      ws.on('message', (d: Buffer) => {
        replies.push(d.toString());
        if (replies.length === 2) resolve();
      });
    });
    ws.send('hello');
    ws.send(Buffer.from([1, 2, 3]));
    await got;
    assert.deepEqual(replies, ['hello', '\u0001\u0002\u0003']);
    ws.close();
    const seen = handshakes.at(-1);
    assert.equal(seen?.['x-forwarded-proto'], 'https');
    assert.equal(seen['host'], HOST);
    assert.ok(typeof seen['sec-websocket-key'] === 'string');
  });

  it('refuses an upgrade for a host not on allowedHosts before the upstream sees it', async () => {
    const n = handshakes.length;
    assert.equal(await outcome(open(t, '/chat', { host: 'evil.example' })), 400);
    assert.equal(handshakes.length, n);
  });

  it('relays the upstream refusing the upgrade (401), without its server name', async () => {
    const ws = open(t, '/private');
    const res = await new Promise<{ status: number; server: unknown; frame: unknown }>(
      (resolve) => {
        ws.once('unexpected-response', (_req, r) => {
          r.resume();
          resolve({
            status: r.statusCode ?? 0,
            server: r.headers.server,
            frame: r.headers['x-frame-options'],
          });
        });
      },
    );
    assert.deepEqual(res, { status: 401, server: undefined, frame: 'DENY' });
  });

  it('refuses upgrades other than websocket', async () => {
    const { raw, statusOf } = await import('./helpers.ts');
    const out = await raw(
      t.httpsPort,
      `GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`,
      { tls: t.pki },
    );
    assert.equal(statusOf(out), 400);
  });
});
