import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PROBE_ORIGIN, headerValues } from '../model.ts';
import { followChain, retrieve, staticLookup } from './index.ts';
import { createThrowawayCa } from '../tls/index.ts';

const ca = createThrowawayCa('Retrieve Test CA');
const leaf = ca.issue({ names: ['site.test', '127.0.0.1'] });
const servers: (Server | HttpServer)[] = [];
const lookup = staticLookup({ 'site.test': '127.0.0.1' });

async function listen(server: Server | HttpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let httpsPort = 0;
let httpPort = 0;
let hostilePort = 0;
let hugePort = 0;
let resetPort = 0;
let plainOnTlsPort = 0;
let closedPort = 0;
const seenOrigins: (string | undefined)[] = [];

before(async () => {
  httpsPort = await listen(
    createHttpsServer({ cert: leaf.cert + ca.cert, key: leaf.key }, (req, res) => {
      seenOrigins.push(req.headers.origin);
      if (req.headers.origin !== undefined) {
        res.setHeader('access-control-allow-origin', req.headers.origin);
      }
      res.setHeader('set-cookie', ['a=1; Secure', 'b=2; Secure']);
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>ok</title>');
    }),
  );
  httpPort = await listen(
    createHttpServer((req, res) => {
      res.writeHead(301, { location: `https://site.test:${httpsPort}${req.url ?? '/'}` }).end();
    }),
  );
  hostilePort = await listen(
    createHttpServer((req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/loop/')) {
        const n = Number(url.slice(6));
        res.writeHead(302, { location: `/loop/${n + 1}` }).end();
      } else if (url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html>'); // …and never more
      } else if (url === '/big') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('x'.repeat(5000));
      } else if (url === '/bad-location') {
        res.writeHead(302, { location: 'http://[::1' }).end();
      } else if (url === '/silent') {
        // no response at all
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
    }),
  );
  hugePort = await listen(
    createTcpServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.end(`HTTP/1.1 200 OK\r\nX-Huge: ${'a'.repeat(100_000)}\r\n\r\n`);
      });
    }),
  );
  resetPort = await listen(
    createTcpServer((socket) => {
      socket.once('data', () => socket.resetAndDestroy());
    }),
  );
  plainOnTlsPort = await listen(
    createTcpServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    }),
  );
  const tmp = createTcpServer();
  closedPort = await listen(tmp);
  servers.pop();
  await new Promise((r) => tmp.close(r));
});

after(() => {
  for (const s of servers) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    s.close();
  }
});

describe('retrieve', () => {
  it('follows HTTP → HTTPS, records every hop with raw duplicate headers, and probes CORS', async () => {
    const r = await retrieve('https://site.test/path?q=1', {
      httpPort,
      httpsPort,
      ca: ca.cert,
      lookup,
    });
    assert.deepEqual(
      r.http.responses.map((x) => [x.url, x.status]),
      [
        [`http://site.test:${httpPort}/path?q=1`, 301],
        [`https://site.test:${httpsPort}/path?q=1`, 200],
      ],
    );
    assert.equal(r.http.error, undefined);
    const final = r.https.responses[0];
    assert.ok(final);
    assert.equal(final.verified, true);
    assert.deepEqual(headerValues(final, 'set-cookie'), ['a=1; Secure', 'b=2; Secure']);
    assert.match(final.body ?? '', /<title>ok<\/title>/);
    assert.equal(r.cors?.url, `https://site.test:${httpsPort}/path?q=1`);
    assert.deepEqual(headerValues(r.cors, 'access-control-allow-origin'), [PROBE_ORIGIN]);
    assert.ok(seenOrigins.includes(PROBE_ORIGIN));
    assert.equal(r.insecure, undefined);
  });

  it('records an untrusted chain as unverified, and --insecure as insecure', async () => {
    const plain = await retrieve(`https://site.test:${httpsPort}/`, {
      httpPort: closedPort,
      lookup,
    });
    assert.equal(plain.https.responses[0]?.verified, false);
    assert.match(plain.http.error ?? '', /^BARBICAN_E_SCAN_CONNECT: .*connection refused/);
    const insecure = await retrieve(`https://site.test:${httpsPort}/`, {
      httpPort: closedPort,
      lookup,
      insecure: true,
    });
    assert.equal(insecure.insecure, true);
    assert.equal(insecure.https.responses[0]?.verified, true);
  });

  it('stops endless redirects after the hop limit', async () => {
    const chain = await followChain(`http://127.0.0.1:${hostilePort}/loop/0`, { maxRedirects: 10 });
    assert.equal(chain.responses.length, 11);
    assert.match(chain.error ?? '', /^BARBICAN_E_SCAN_REDIRECTS: more than 10 redirects/);
  });

  it('ends the chain on an unparseable Location', async () => {
    const chain = await followChain(`http://127.0.0.1:${hostilePort}/bad-location`);
    assert.equal(chain.responses.length, 1);
    assert.match(chain.error ?? '', /^BARBICAN_E_SCAN_REDIRECTS: .*invalid Location/);
  });

  it('refuses a huge response head', async () => {
    const chain = await followChain(`http://127.0.0.1:${hugePort}/`);
    assert.deepEqual(chain.responses, []);
    assert.match(chain.error ?? '', /^BARBICAN_E_SCAN_RESPONSE: .*larger than 32768 bytes/);
  });

  it('cuts off a slow body but keeps its headers', async () => {
    const chain = await followChain(`http://127.0.0.1:${hostilePort}/slow`, { timeoutMs: 300 });
    assert.equal(chain.responses[0]?.status, 200);
    assert.equal(chain.responses[0].body, '<html>');
    assert.match(chain.error ?? '', /^BARBICAN_E_SCAN_TIMEOUT: .*body was still arriving/);
  });

  it('times out a server that never answers', async () => {
    const chain = await followChain(`http://127.0.0.1:${hostilePort}/silent`, { timeoutMs: 300 });
    assert.deepEqual(chain.responses, []);
    assert.match(chain.error ?? '', /^BARBICAN_E_SCAN_TIMEOUT: .*no response within 300 ms/);
  });

  it('bounds the kept HTML body', async () => {
    const chain = await followChain(`http://127.0.0.1:${hostilePort}/big`, { maxBodyBytes: 1000 });
    assert.equal(chain.responses[0]?.body?.length, 1000);
    assert.equal(chain.error, undefined);
  });

  it('does not read non-HTML bodies', async () => {
    const chain = await followChain(`http://127.0.0.1:${hostilePort}/data`);
    assert.equal(chain.responses[0]?.status, 200);
    assert.equal(chain.responses[0].body, undefined);
  });

  it('survives a connection reset', async () => {
    const chain = await followChain(`http://127.0.0.1:${resetPort}/`);
    assert.deepEqual(chain.responses, []);
    assert.match(chain.error ?? '', /^BARBICAN_E_SCAN_RESPONSE: .*reset the connection/);
  });

  it('reports plain HTTP on the HTTPS port as a TLS failure', async () => {
    const chain = await followChain(`https://127.0.0.1:${plainOnTlsPort}/`, { timeoutMs: 2000 });
    assert.deepEqual(chain.responses, []);
    assert.match(chain.error ?? '', /^BARBICAN_E_SCAN_CONNECT: .*TLS handshake failed/);
  });

  it('runs the hstspreload www check: TLS on www must verify too', async () => {
    const r = await retrieve(`https://site.test:${httpsPort}/`, {
      httpPort: closedPort,
      ca: ca.cert,
      lookup: staticLookup({ 'site.test': '127.0.0.1', 'www.site.test': '127.0.0.1' }),
      probeWww: true,
    });
    // The certificate does not cover www.site.test.
    assert.deepEqual(r.www, { tlsOk: false });
    const none = await retrieve(`https://site.test:${httpsPort}/`, {
      httpPort: closedPort,
      ca: ca.cert,
      lookup: staticLookup({ 'site.test': '127.0.0.1', 'www.site.test': '127.0.0.1' }),
    });
    assert.equal(none.www, undefined, 'not probed unless asked');
  });
});
