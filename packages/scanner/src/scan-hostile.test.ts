/**
 * Scanning servers that fight back: redirect loops and `file:` Locations,
 * HTTPS that never answers, credentials in the URL, and `--no-private`.
 * Every server here is a real one on loopback.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
} from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BarbicanError } from '@barbican/core';
import { jsonReport, markdownReport, sarifReport, textReport } from './report/index.ts';
import { fetchOnce, staticLookup } from './retrieve/index.ts';
import { isPublicAddress, publicOnlyLookup } from './retrieve/public-only.ts';
import { scan, scanFailure, scanMany } from './scan.ts';
import type { TlsReport } from './tls/index.ts';
import { month99Leaf } from '../test/tls/certs.ts';
import type { LookupFunction } from 'node:net';

const servers: (Server | TcpServer)[] = [];
const port = { loop: 0, file: 0, page: 0, silent: 0 };

async function listen(server: Server | TcpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

before(async () => {
  port.loop = await listen(
    createServer((req, res) => res.writeHead(302, { location: `${req.url ?? '/'}x` }).end()),
  );
  port.file = await listen(
    createServer((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end()),
  );
  port.page = await listen(
    createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>ok')),
  );
  // Accepts TCP and never says a word: HTTPS that hangs.
  port.silent = await listen(createTcpServer(() => undefined));
});

after(() => {
  for (const s of servers) s.close();
});

const quick = { timeoutMs: 1500, skipTls: true } as const;

async function failure(url: string, opts: Parameters<typeof scan>[1]): Promise<BarbicanError> {
  const error = await scan(url, opts).then(
    () => assert.fail('graded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof BarbicanError);
  return error;
}

describe('scan refuses to grade a chain with no page at its end', () => {
  it('an endless redirect chain: BARBICAN_E_SCAN_REDIRECTS, not a grade F', async () => {
    const e = await failure(`http://127.0.0.1:${port.loop}/`, { ...quick, httpsPort: port.loop });
    assert.equal(e.code, 'BARBICAN_E_SCAN_FAILED');
    assert.match(e.message, /BARBICAN_E_SCAN_REDIRECTS: more than 10 redirects/);
  });

  it('a file: Location is not followed, and says so', async () => {
    const e = await failure(`http://127.0.0.1:${port.file}/`, { ...quick, httpsPort: port.file });
    assert.match(e.message, /BARBICAN_E_SCAN_REDIRECTS: .* redirects to a non-HTTP URL \(file:\)/);
  });
});

describe('scan says why HTTPS failed when it grades HTTP', () => {
  it('in errors, and as a high fetch.https-failed finding in every format', async () => {
    const r = await scan(`http://127.0.0.1:${port.page}/`, {
      ...quick,
      httpsPort: port.silent,
    });
    assert.deepEqual(r.errors.length, 1);
    assert.match(
      r.errors[0] ?? '',
      /^BARBICAN_E_SCAN_TIMEOUT: https:\/\/127\.0\.0\.1:\d+\/: no response/,
    );
    const f = r.findings.find((x) => x.code === 'fetch.https-failed');
    assert.equal(f?.severity, 'high');
    for (const text of [textReport([r]), markdownReport([r]), sarifReport([r]), jsonReport([r])]) {
      assert.match(text, /BARBICAN_E_SCAN_TIMEOUT/);
    }
  });
});

describe('credentials in URLs are sent, never printed', () => {
  it('url, finalUrl, errors and failure messages show *** instead', async () => {
    const r = await scan(`http://ci:hunter2@127.0.0.1:${port.page}/`, {
      ...quick,
      httpsPort: port.silent,
    });
    assert.equal(r.url, `http://***@127.0.0.1:${port.page}/`);
    assert.doesNotMatch(jsonReport([r]), /hunter2/);
    const [dead] = await scanMany([`http://ci:hunter2@127.0.0.1:${port.loop}/`], {
      ...quick,
      httpsPort: port.loop,
    });
    assert.ok(dead instanceof BarbicanError);
    assert.doesNotMatch(dead.message, /hunter2/);
    assert.doesNotMatch(JSON.stringify(scanFailure('http://a:hunter2@x/', dead)), /hunter2/);
  });
});

describe('--no-private (publicOnly)', () => {
  it('classifies addresses as IANA special-purpose registries do', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a9fe:a9fe',
      '2002:c0a8:0101::1',
      '224.0.0.1',
      '255.255.255.255',
    ]) {
      assert.equal(isPublicAddress(a), false, a);
    }
    for (const a of ['93.184.215.14', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPublicAddress(a), true, a);
    }
  });

  it('refuses a private literal before connecting: the URL, and any redirect hop', async () => {
    const e = await failure(`http://127.0.0.1:${port.page}/`, { ...quick, publicOnly: true });
    assert.equal(e.code, 'BARBICAN_E_SCAN_PRIVATE');
    // A redirect hop is one fetchOnce: the metadata address is refused, not fetched.
    const hop = await fetchOnce(
      'http://169.254.169.254/latest/meta-data/',
      { publicOnly: true },
      {},
    );
    assert.ok('error' in hop);
    assert.match(
      hop.error,
      /^BARBICAN_E_SCAN_PRIVATE: .*169\.254\.169\.254 is not a public address/,
    );
  });

  it('refuses a name whose DNS answer holds any private address (rebinding)', async () => {
    const mixed: LookupFunction = (_host, options, callback) => {
      const cb = (typeof options === 'function' ? options : callback) as (
        e: null,
        a: { address: string; family: number }[],
      ) => void;
      cb(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ]);
    };
    for (const inner of [mixed, staticLookup({ 'rebind.test': '127.0.0.1' })]) {
      const answer = await new Promise<Error | null>((resolve) => {
        publicOnlyLookup(inner)('rebind.test', {}, (err: Error | null) => resolve(err));
      });
      assert.match(
        String(answer),
        /rebind\.test resolves to (10\.0\.0\.7|127\.0\.0\.1), not a public address/,
      );
    }
    const e = await failure(`http://localhost:${port.page}/`, {
      ...quick,
      publicOnly: true,
      lookup: staticLookup({ localhost: '127.0.0.1' }, { others: 'not-found' }),
    });
    assert.match(
      e.message,
      /BARBICAN_E_SCAN_PRIVATE: http:\/\/localhost:\d+\/: localhost resolves to 127\.0\.0\.1/,
    );
  });
});

describe('a certificate whose notAfter is month 99', () => {
  it('is read as malformed (notAfter null) and reported as tls.cert.invalid-date', async () => {
    const { cert, key } = month99Leaf();
    const server = createHttpsServer({ cert, key }, (_req, res) => res.end('ok'));
    server.on('tlsClientError', () => undefined);
    const tlsPort = await listen(server);
    const r = await scan(`https://127.0.0.1:${tlsPort}/`, {
      httpPort: port.silent,
      timeoutMs: 1500,
      insecure: true,
    });
    const tls = r.tls as TlsReport;
    assert.equal(tls.chain[0]?.notAfter, null);
    assert.equal(tls.daysToExpiry, null);
    assert.ok(r.findings.some((f) => f.code === 'tls.cert.invalid-date' && f.severity === 'high'));
    assert.match(textReport([r]), /the leaf has no valid expiry date/);
  });
});
