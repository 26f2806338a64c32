/**
 * Drift over the network: real servers on loopback, real TLS, the real
 * middleware as the reference. A site served by `withBarbican(policy)` with
 * the policy's own TLS settings has no drift; a site that differs is caught
 * difference by difference; a site that misbehaves under probing costs
 * bounded time and never crashes the scan.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as NetServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { driftCodes, loopback, page } from '../../test/drift/helpers.ts';
import { createPolicy, nodeTlsOptions, type Policy, type PolicyOptions } from '@barbican/core';
import { nonceOf, withBarbican } from '@barbican/core/node';
import { MISSING_PAGE, probeDrift } from './index.ts';
import type { ScanResult } from '../model.ts';
import { staticLookup } from '../retrieve/index.ts';
import { scan } from '../scan.ts';
import { createThrowawayCa, probeSuites, SUITE_PROBE_LIMITS } from '../tls/index.ts';

const NAME = 'drift.barbican.test';
const ca = createThrowawayCa('Drift Test CA');
const leaf = ca.issue({ names: [NAME, '127.0.0.1'] });
const lookup = staticLookup({ [NAME]: '127.0.0.1' }, { others: 'not-found' });
const net = loopback();
const listen = (server: NetServer): Promise<number> => net.listen(server);

after(() => net.close());

/**
 * A site served by the middleware: HTTPS with the policy's own TLS settings
 * (`nodeTlsOptions`), HTTP on its own port. `options` may use the HTTPS
 * port (`sslRedirect.port`), so they are built once it is known.
 */
async function middlewareSite(
  options: (httpsPort: number) => PolicyOptions,
  handler: RequestListener = page,
  front: (app: RequestListener) => RequestListener = (app) => app,
): Promise<{ policy: Policy; httpsPort: number; httpPort: number }> {
  const https = createHttpsServer({ cert: leaf.cert + ca.cert, key: leaf.key });
  https.on('tlsClientError', () => {});
  const httpsPort = await listen(https);
  const policy = createPolicy(options(httpsPort));
  const { options: tls } = nodeTlsOptions(policy.tls, process.versions.openssl);
  https.setSecureContext({ ...tls, cert: leaf.cert + ca.cert, key: leaf.key });
  const app = front(withBarbican(handler, policy));
  https.on('request', app);
  const httpPort = await listen(createHttpServer(app));
  return { policy, httpsPort, httpPort };
}

async function scanBoth(
  host: string,
  site: { policy: Policy; httpsPort: number; httpPort: number },
): Promise<[ScanResult, ScanResult]> {
  const url = `https://${host}:${site.httpsPort}/`;
  const opts = { httpPort: site.httpPort, ca: ca.cert, lookup };
  return [await scan(url, { ...opts, policy: site.policy }), await scan(url, opts)];
}

describe('drift against the middleware: zero, and the same grade', () => {
  const cases: readonly [string, string, (port: number) => PolicyOptions, RequestListener?][] = [
    [
      'barbican preset, host list, redirect, intermediate TLS',
      NAME,
      (port) => ({ preset: 'barbican', allowedHosts: [NAME], sslRedirect: { port } }),
    ],
    [
      'the same on an IP literal (the engine withholds HSTS there)',
      '127.0.0.1',
      (port) => ({ preset: 'barbican', allowedHosts: ['127.0.0.1'], sslRedirect: { port } }),
    ],
    [
      'strict preset, 308, modern TLS',
      NAME,
      (port) => ({
        preset: 'strict',
        allowedHosts: [NAME],
        badHostStatus: 421,
        sslRedirect: { port, status: 308 },
        tls: { profile: 'modern' },
      }),
    ],
    [
      'a nonce CSP the page reads, and a report collector',
      NAME,
      () => ({
        preset: 'barbican',
        allowedHosts: [NAME],
        headers: { csp: { nonce: true } },
        report: { endpoint: 'https://collector.example/report/shop' },
      }),
      (_req, res) => {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(`<!doctype html><title>n</title><script nonce="${nonceOf(res)}">1</script>`);
      },
    ],
    [
      'no host list and no redirect',
      NAME,
      () => ({ preset: 'owasp', ignoreWarnings: ['BARBICAN_W_NO_ALLOWED_HOSTS'] }),
    ],
  ];
  for (const [name, host, options, handler] of cases) {
    it(name, async () => {
      const site = await middlewareSite(options, handler);
      const [withPolicy, without] = await scanBoth(host, site);
      assert.deepEqual(driftCodes(withPolicy), []);
      assert.equal(withPolicy.drift?.count, 0);
      assert.equal(withPolicy.drift.complete, true);
      assert.equal(withPolicy.grade, without.grade);
      assert.equal(withPolicy.score, without.score);
      assert.equal(without.drift, undefined);
      assert.ok(withPolicy.drift.handshakes <= SUITE_PROBE_LIMITS.maxSuites);
      assert.ok(withPolicy.drift.requests <= 4);
    });
  }
});

describe('drift against a site that differs', () => {
  it('reports each difference: a header changed and one missing, HSTS on HTTP, an extra suite, extra groups and TLS 1.1, an unlisted host served', async () => {
    const policy = createPolicy({ preset: 'barbican', allowedHosts: [NAME] });
    const headers = policy
      .headersFor({ https: true })
      .filter(([n]) => n !== 'X-Frame-Options')
      .map(([n, v]): [string, string] => [
        n,
        n === 'Referrer-Policy' ? 'no-referrer-when-downgrade' : v,
      ]);
    // No host check at all: the unlisted host gets the page.
    const handler: RequestListener = (_req, res) => {
      for (const [n, v] of headers) res.setHeader(n, v);
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>x</title>');
    };
    const https = createHttpsServer(
      {
        cert: leaf.cert + ca.cert,
        key: leaf.key,
        minVersion: 'TLSv1.1',
        ciphers: `${policy.tls.ciphers.join(':')}:ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0`,
      },
      handler,
    );
    https.on('tlsClientError', () => {});
    const httpsPort = await listen(https);
    const httpPort = await listen(createHttpServer(handler));
    const r = await scan(`https://${NAME}:${httpsPort}/`, {
      httpPort,
      ca: ca.cert,
      lookup,
      policy,
    });
    assert.deepEqual(driftCodes(r).sort(), [
      // The HTTPS CSP sent over HTTP too: the HTTP plan's has no upgrade-insecure-requests.
      'drift.header.different http content-security-policy',
      'drift.header.different http referrer-policy',
      'drift.header.different https referrer-policy',
      'drift.header.missing http x-frame-options',
      'drift.header.missing https x-frame-options',
      'drift.host.accepted http host',
      'drift.host.accepted https host',
      'drift.hsts.over-http http strict-transport-security',
      'drift.tls.cipher.accepted tls ECDHE-ECDSA-AES128-SHA',
      // Node's default groups (OpenSSL's) beyond the policy's four.
      'drift.tls.curve.accepted tls X448',
      'drift.tls.curve.accepted tls ffdhe2048',
      'drift.tls.curve.accepted tls ffdhe3072',
      'drift.tls.curve.accepted tls secp521r1',
      'drift.tls.protocol.accepted tls TLSv1.1',
    ]);
    const referrer = r.findings.find((f) => f.header === 'referrer-policy');
    assert.equal(referrer?.value, 'no-referrer-when-downgrade');
    assert.equal(r.drift?.count, 14);
  });
});

describe('drift on error answers', () => {
  it('finds the headers a server adds to its pages but not to its 404s', async () => {
    // A front server answering unknown paths itself, the middleware behind
    // it for the page: nginx's add_header without `always` behaves so.
    const site = await middlewareSite(
      () => ({ preset: 'barbican', allowedHosts: [NAME] }),
      page,
      (app) => (req, res) => {
        if (req.url !== MISSING_PAGE) return app(req, res);
        res
          .writeHead(404, { 'content-type': 'text/html' })
          .end('<!doctype html><title>404</title>');
      },
    );
    const [r] = await scanBoth(NAME, site);
    const codes = driftCodes(r);
    assert.ok(codes.includes('drift.header.missing https x-frame-options'), codes.join('\n'));
    assert.ok(codes.includes('drift.header.missing http x-content-type-options'), codes.join('\n'));
    assert.ok(
      codes.every((c) => c.startsWith('drift.header.missing ')),
      codes.join('\n'),
    );
    const xfo = r.findings.find((f) => f.header === 'x-frame-options' && f.directive === 'https');
    assert.match(
      xfo?.message ?? '',
      /^the 404 answer to https:\/\/.*\/barbican-drift-probe-missing-page does not send X-Frame-Options/,
    );
    assert.equal(r.drift?.requests, 4, 'the unlisted host and the missing page, over each scheme');
  });

  it('finds a redirect to HTTPS that drops the path', async () => {
    let port = 0;
    const site = await middlewareSite(
      (httpsPort) => {
        port = httpsPort;
        return { preset: 'barbican', allowedHosts: [NAME], sslRedirect: { port } };
      },
      page,
      // The home page redirects as the policy says; any other path goes home.
      (app) => (req, res) => {
        const plain = !(req.socket as { encrypted?: boolean }).encrypted;
        if (!plain || req.url === '/') return app(req, res);
        res.writeHead(301, { location: `https://${NAME}:${port}/` }).end();
      },
    );
    const [r] = await scanBoth(NAME, site);
    assert.deepEqual(driftCodes(r), ['drift.redirect.location redirects']);
    const f = r.findings.find((x) => x.code === 'drift.redirect.location');
    assert.match(f?.message ?? '', /barbican-drift-probe-missing-page redirects to/);
  });

  it('reports once what the page and its 404 both lack', async () => {
    const site = await middlewareSite(
      () => ({ preset: 'barbican', allowedHosts: [NAME] }),
      page,
      (app) => (req, res) => {
        // Every answer, the page's and the missing page's, without X-Frame-Options.
        const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
        res.writeHead = (...args: unknown[]) => {
          res.removeHeader('x-frame-options');
          return writeHead(...args);
        };
        app(req, res);
      },
    );
    const [r] = await scanBoth(NAME, site);
    const xfo = r.findings.filter((f) => f.header === 'x-frame-options' && f.directive === 'https');
    assert.equal(xfo.length, 1, xfo.map((f) => f.message).join('\n'));
    assert.doesNotMatch(xfo[0]?.message ?? '', /404 answer/);
  });
});

describe('drift against a site that misbehaves under probing', () => {
  /** Accepts connections and never says a word. */
  async function silent(): Promise<number> {
    const server = createTcpServer(() => {});
    return listen(server);
  }
  /** Answers every connection with bytes that are neither TLS nor HTTP, then hangs up. */
  async function garbage(): Promise<number> {
    const server = createTcpServer((s) => {
      s.on('error', () => {});
      s.end(Buffer.from('\u0016\u0003\u0001\u00ff\u00ffgarbage\r\n\r\n\u001b[31m'));
    });
    return listen(server);
  }

  it('bounds single-suite probing of a server that never answers', async () => {
    const port = await silent();
    const started = Date.now();
    const suites = Array.from({ length: 12 }, () => ({
      suite: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      protocol: 'TLSv1.2' as const,
    }));
    const r = await probeSuites('127.0.0.1', port, suites, { timeoutMs: 200, budgetMs: 300 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2_000, `${elapsed} ms`);
    assert.ok(r.results.every((x) => x.outcome === 'failed'));
    assert.equal(r.complete, false, 'the budget ran out before all 12 were started');
  });

  it('never crashes and stays bounded on garbage and silence', async () => {
    const policy = createPolicy({ preset: 'barbican', allowedHosts: [NAME], sslRedirect: true });
    const [garbagePort, silentPort] = [await garbage(), await silent()];
    const started = Date.now();
    for (const [httpsPort, httpPort] of [
      [garbagePort, silentPort],
      [silentPort, garbagePort],
    ] as const) {
      const url = `https://${NAME}:${httpsPort}/`;
      await assert.rejects(
        scan(url, { httpPort, ca: ca.cert, lookup, policy, timeoutMs: 300 }),
        /BARBICAN_E_SCAN_FAILED|no response/,
      );
      const evidence = await probeDrift(
        policy,
        {
          url,
          https: { responses: [], error: 'BARBICAN_E_SCAN_CONNECT: x' },
          http: { responses: [], error: 'BARBICAN_E_SCAN_TIMEOUT: y' },
        },
        undefined,
        { httpPort, ca: ca.cert, lookup, timeoutMs: 300 },
      );
      assert.equal(evidence.exchanges.length, 4);
      assert.ok(evidence.exchanges.every((x) => x.response === undefined));
    }
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `${elapsed} ms`);
  });
});
