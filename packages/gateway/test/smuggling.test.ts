/**
 * Request-smuggling probes over raw sockets (reference notes §2): every
 * ambiguous framing is refused before the upstream sees a byte, on the TLS
 * listener and on the plain one, and the gateway keeps serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  HOST,
  get,
  raw,
  startTestGateway,
  startUpstream,
  statusOf,
  type TestGateway,
  type Upstream,
} from './helpers.ts';

const H = `Host: ${HOST}\r\n`;

/** [name, raw request, expected status]; nginx 1.22 answers in brackets where it differs. */
const PROBES: readonly (readonly [string, string, number])[] = [
  [
    'CL and TE together',
    `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    'two different Content-Length',
    `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
    400,
  ],
  [
    'two equal Content-Length',
    `POST / HTTP/1.1\r\n${H}Content-Length: 2\r\nContent-Length: 2\r\n\r\nab`,
    400,
  ],
  ['Content-Length list', `POST / HTTP/1.1\r\n${H}Content-Length: 2, 2\r\n\r\nab`, 400],
  ['space before the colon', `GET / HTTP/1.1\r\nHost : ${HOST}\r\n\r\n`, 400],
  ['obs-fold', `GET / HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`, 400],
  ['no Host', `GET / HTTP/1.1\r\n\r\n`, 400],
  ['two Host headers', `GET / HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`, 400],
  // nginx: 501; Node 20 passed it as 200.
  [
    'Transfer-Encoding: xchunked',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    'Transfer-Encoding: chunked, identity',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
    400,
  ],
  // Node accepts these; the gateway must not.
  [
    'Transfer-Encoding: identity, chunked',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    'two Transfer-Encoding headers',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  [
    'Transfer-Encoding in HTTP/1.0',
    `POST / HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    400,
  ],
  // nginx: 200.
  ['bare LF line endings', `GET / HTTP/1.1\n${H.replace('\r\n', '\n')}\n`, 400],
  ['NUL in a header value', `GET / HTTP/1.1\r\n${H}X: a\0b\r\n\r\n`, 400],
  [
    'bare LF inside a chunk extension',
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1;a\nx\r\n0\r\n\r\n`,
    400,
  ],
  ['negative Content-Length', `POST / HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, 400],
  ['Content-Length with a sign', `POST / HTTP/1.1\r\n${H}Content-Length: +2\r\n\r\nab`, 400],
  [
    'absolute-form target naming another host',
    `GET http://other.test/ HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
    400,
  ],
  ['target not in origin or absolute form', `GET evil.test/x HTTP/1.1\r\n${H}\r\n`, 400],
  // nginx: 400.
  ['a 20 KB header', `GET / HTTP/1.1\r\n${H}X: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  [
    'an Expect other than 100-continue',
    `POST / HTTP/1.1\r\n${H}Expect: foo\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab`,
    417,
  ],
];

describe('gateway: request smuggling probes over raw sockets', () => {
  let up: Upstream;
  let t: TestGateway;
  before(async () => {
    up = await startUpstream();
    // No HTTPS redirect on the plain listener, so a probe there meets the same checks.
    t = await startTestGateway(up, { policy: { sslRedirect: false } });
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  for (const [name, request, status] of PROBES) {
    it(`${name}: ${status} over TLS and over plain HTTP, upstream untouched`, async () => {
      const before = up.seen.length;
      const overTls = await raw(t.httpsPort, request, { tls: t.pki });
      assert.equal(statusOf(overTls), status, overTls.slice(0, 200));
      const plain = await raw(t.httpPort, request);
      assert.equal(statusOf(plain), status, plain.slice(0, 200));
      assert.equal(up.seen.length, before, 'the upstream saw the request');
      // The refusal carries the policy's headers (Node's bare 400 would not).
      if (status !== 417) assert.match(overTls, /x-frame-options: DENY/i);
    });
  }

  it('a well-formed request on the same kind of socket still passes', async () => {
    const out = await raw(t.httpsPort, `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, {
      tls: t.pki,
    });
    assert.equal(statusOf(out), 200);
    const chunked = await raw(
      t.httpsPort,
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
      { tls: t.pki },
    );
    assert.equal(statusOf(chunked), 200);
    assert.match(chunked, /"bytes":3/);
  });

  it('a pipelined request after a refused one is never parsed as a request', async () => {
    const before = up.seen.length;
    const out = await raw(
      t.httpsPort,
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n${H}\r\n`,
      { tls: t.pki },
    );
    assert.equal(statusOf(out), 400);
    assert.equal(out.match(/HTTP\/1\.1 /g)?.length, 1, out);
    assert.equal(up.seen.length, before, JSON.stringify(up.seen.slice(before).map((s) => s.url)));
  });

  it('keeps serving after every probe', async () => {
    const r = await get(t, '/');
    assert.equal(r.status, 200);
  });
});
