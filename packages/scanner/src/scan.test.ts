import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BarbicanError, createPolicy } from '@barbican/core';
import { withBarbican } from '@barbican/core/node';
import type { Finding } from './model.ts';
import { staticLookup } from './retrieve/index.ts';
import { assemble, mergeFindings, scan, scanMany } from './scan.ts';
import type { TlsReport } from './tls/index.ts';
import { createThrowawayCa } from './tls/index.ts';

const GOOD = 'good.barbican.test';
const BAD = 'bad.barbican.test';
const ca = createThrowawayCa('Scan Test CA');
const lookup = staticLookup({ [GOOD]: '127.0.0.1', [BAD]: '127.0.0.1' }, { others: 'not-found' });
const servers: Server[] = [];
const ports = { goodHttp: 0, goodHttps: 0, badHttp: 0, badHttps: 0, closed: 0 };

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

before(async () => {
  const good = ca.issue({ names: [GOOD] });
  const goodHttps = createHttpsServer({
    cert: good.cert + ca.cert,
    key: good.key,
    ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384',
  });
  ports.goodHttps = await listen(goodHttps);
  const app = withBarbican(
    (_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>good</title>');
    },
    createPolicy({
      preset: 'barbican',
      allowedHosts: [GOOD],
      sslRedirect: { status: 301, port: ports.goodHttps },
    }),
  );
  goodHttps.on('request', app);
  ports.goodHttp = await listen(createHttpServer(app));

  // A legacy site: TLS 1.0 and a static-RSA suite allowed, no security
  // headers, a session cookie without flags, and HTTP not redirected.
  const bad = ca.issue({ names: [BAD], keyType: 'rsa' });
  const badHandler = (_req: unknown, res: import('node:http').ServerResponse): void => {
    res.setHeader('content-type', 'text/html');
    res.setHeader('server', 'Apache/2.2.3');
    res.setHeader('set-cookie', 'sessionid=abc');
    res.end('<html><script src="http://cdn.example/x.js"></script></html>');
  };
  const badHttps = createHttpsServer(
    {
      cert: bad.cert + ca.cert,
      key: bad.key,
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:AES128-SHA:@SECLEVEL=0',
    },
    badHandler,
  );
  badHttps.on('tlsClientError', () => {});
  ports.badHttps = await listen(badHttps);
  ports.badHttp = await listen(createHttpServer(badHandler));
  const tmp = createHttpServer();
  ports.closed = await listen(tmp);
  servers.pop();
  await new Promise((r) => tmp.close(r));
});

after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

const SEVERITY = ['high', 'medium', 'low', 'info'];
function sortedBySeverity(findings: readonly Finding[]): boolean {
  return findings.every(
    (f, i) =>
      i === 0 ||
      SEVERITY.indexOf(findings[i - 1]?.severity ?? 'high') <= SEVERITY.indexOf(f.severity),
  );
}

describe('scan', () => {
  it('grades a site behind the barbican preset A+ with no high finding', async () => {
    const r = await scan(`https://${GOOD}/`, {
      httpPort: ports.goodHttp,
      httpsPort: ports.goodHttps,
      ca: ca.cert,
      lookup,
    });
    assert.equal(r.grade, 'A+');
    assert.ok(r.score >= 100);
    assert.equal(r.finalUrl, `https://${GOOD}:${ports.goodHttps}/`);
    assert.deepEqual(
      r.findings.filter((f) => f.severity === 'high'),
      [],
    );
    assert.equal(r.tests.redirection?.result, 'redirection-to-https');
    assert.equal(r.tests['strict-transport-security']?.pass, true);
    const tls = r.tls as TlsReport;
    assert.equal(tls.verified, true);
    assert.equal(tls.protocols.TLSv1, false);
    assert.ok(sortedBySeverity(r.findings));
    assert.equal(r.insecure, undefined);
  });

  it('finds what a reviewer would on a legacy site, worst first', async () => {
    const r = await scan(`https://${BAD}/`, {
      httpPort: ports.badHttp,
      httpsPort: ports.badHttps,
      ca: ca.cert,
      lookup,
    });
    assert.equal(r.grade, 'F');
    assert.equal(r.tests['content-security-policy']?.result, 'csp-not-implemented');
    assert.equal(r.tests.redirection?.pass, false);
    const tls = r.tls as TlsReport;
    assert.equal(tls.protocols.TLSv1, true);
    assert.ok(tls.weakCiphersAccepted.includes('AES128-SHA'));
    assert.ok(r.findings.some((f) => f.severity === 'high'));
    assert.ok(
      r.findings.some((f) => f.header === 'tls'),
      'TLS findings from the probe',
    );
    assert.ok(r.findings.some((f) => f.header === 'set-cookie'));
    assert.equal(r.preload.eligible, false);
    assert.ok(sortedBySeverity(r.findings));
    const keys = r.findings.map((f) =>
      JSON.stringify([f.code, f.header, f.directive ?? '', f.value ?? '']),
    );
    assert.equal(new Set(keys).size, keys.length, 'no duplicate findings');
  });

  it('marks --insecure results', async () => {
    const r = await scan(`https://${GOOD}/`, {
      httpPort: ports.goodHttp,
      httpsPort: ports.goodHttps,
      lookup,
      insecure: true,
    });
    assert.equal(r.insecure, true);
    assert.equal((r.tls as TlsReport).verified, false, 'the TLS report still tells the truth');
  });

  it('throws BARBICAN_E_SCAN_FAILED when nothing answers', async () => {
    await assert.rejects(
      scan(`https://127.0.0.1:${ports.closed}/`, { httpPort: ports.closed, timeoutMs: 2000 }),
      (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_SCAN_FAILED',
    );
  });

  it('rejects a non-HTTP URL as a usage error', async () => {
    await assert.rejects(
      scan('ftp://example.test/'),
      (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_USAGE',
    );
  });
});

describe('scanMany', () => {
  it('keeps input order, puts errors in place, and probes TLS once per host:port', async () => {
    const tlsCache = new Map<string, Promise<TlsReport>>();
    const urls = [
      `https://${GOOD}/a`,
      `https://127.0.0.1:${ports.closed}/`,
      `https://${GOOD}/b`,
      `https://${GOOD}/c`,
    ];
    const seen: number[] = [];
    const results = await scanMany(
      urls,
      {
        httpPort: ports.goodHttp,
        httpsPort: ports.goodHttps,
        ca: ca.cert,
        lookup,
        tlsCache,
        timeoutMs: 2000,
      },
      2,
      (done) => seen.push(done),
    );
    assert.equal(results.length, 4);
    assert.ok(results[1] instanceof BarbicanError);
    const ok = [results[0], results[2], results[3]];
    assert.deepEqual(
      ok.map((r) => (r instanceof BarbicanError || r === undefined ? '' : r.url)),
      [urls[0], urls[2], urls[3]],
    );
    assert.deepEqual(seen, [1, 2, 3, 4]);
    // The closed-port URL probes its own port (it overrides nothing): two keys.
    assert.equal(tlsCache.size, 2);
  });
});

describe('mergeFindings', () => {
  const f = (code: string, severity: Finding['severity'], value?: string): Finding => ({
    code,
    severity,
    header: 'x',
    message: code,
    fix: 'fix',
    spec: '',
    ...(value === undefined ? {} : { value }),
  });

  it('drops exact repeats and sorts by severity, keeping order within one', () => {
    const merged = mergeFindings([
      [f('a', 'low'), f('b', 'high')],
      [f('a', 'low'), f('a', 'low', 'other'), f('c', 'high'), f('d', 'info')],
    ]);
    assert.deepEqual(
      merged.map((x) => `${x.code}:${x.severity}${x.value === undefined ? '' : `:${x.value}`}`),
      ['b:high', 'c:high', 'a:low', 'a:low:other', 'd:info'],
    );
  });
});

describe('assemble', () => {
  it('refuses to grade a 500 as Observatory does', () => {
    assert.throws(
      () =>
        assemble(
          {
            url: 'https://x.test/',
            http: { responses: [] },
            https: { responses: [{ url: 'https://x.test/', status: 500, headers: [] }] },
          },
          undefined,
        ),
      /only 2xx, 3xx, 401 and 403 are graded/,
    );
  });
});
