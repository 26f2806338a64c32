import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createThrowawayCa, type ScanFailure, type ScanResult } from '@barbican/scanner';
import { run } from '../cli.ts';
import { memoryIo } from '../io.ts';

const dir = mkdtempSync(join(tmpdir(), 'barbican-scan-cli-'));
const caFile = join(dir, 'ca.pem');
const listFile = join(dir, 'urls.txt');
const servers: Server[] = [];
let httpPort = 0;
let httpsPort = 0;
let closedPort = 0;

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

before(async () => {
  const ca = createThrowawayCa('CLI Test CA');
  const leaf = ca.issue({ names: ['127.0.0.1'] });
  writeFileSync(caFile, ca.cert);
  const handler = (_req: unknown, res: import('node:http').ServerResponse): void => {
    res.setHeader('content-type', 'text/html');
    res.setHeader('x-content-type-options', 'nosniff');
    res.end('<!doctype html><title>t</title>');
  };
  httpsPort = await listen(
    createHttpsServer({ cert: leaf.cert + ca.cert, key: leaf.key }, handler),
  );
  httpPort = await listen(
    createHttpServer((req, res) => {
      res.writeHead(301, { location: `https://127.0.0.1:${httpsPort}${req.url ?? '/'}` }).end();
    }),
  );
  const tmp = createHttpServer();
  closedPort = await listen(tmp);
  servers.pop();
  await new Promise((r) => tmp.close(r));
  writeFileSync(listFile, `# staging\nhttps://127.0.0.1:${httpsPort}/b\n\n`);
});

after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({ color: true });
  const code = await run(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

const target = (): string[] => [
  `https://127.0.0.1:${httpsPort}/a`,
  '--http-port',
  String(httpPort),
  '--ca',
  caFile,
];

describe('barbican scan', () => {
  it('prints help with an example', async () => {
    const r = await cli('scan', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /Examples:\n {2}barbican scan https:\/\/example\.com/);
    assert.match(r.out, /--fail-under <grade>/);
  });

  for (const [name, args, pattern] of [
    ['no URL', [], /no URL to scan/],
    ['two formats', ['https://x.test', '--json', '--sarif'], /choose one output format/],
    ['a bad grade', ['https://x.test', '--fail-under', 'Z'], /not a grade/],
    ['a bad port', ['https://x.test', '--https-port', '70000'], /1 to 65535/],
    ['a missing CA file', ['https://x.test', '--ca', join(dir, 'nope.pem')], /cannot be read/],
    ['a CA file without a certificate', ['https://x.test', '--ca', listFile], /not PEM/],
    ['a non-HTTP URL', ['ftp://x.test'], /only http and https/],
  ] as const) {
    it(`exits 2 for ${name}`, async () => {
      const r = await cli('scan', ...args);
      assert.equal(r.code, 2);
      assert.match(r.err, pattern);
      assert.equal(r.out, '');
    });
  }

  it('prints one JSON object for one URL, never coloured', async () => {
    const r = await cli('scan', ...target(), '--json');
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /\x1b\[/);
    const result = JSON.parse(r.out) as ScanResult;
    assert.equal(result.url, `https://127.0.0.1:${httpsPort}/a`);
    assert.equal(result.tests.redirection?.result, 'redirection-to-https');
    assert.equal(typeof result.score, 'number');
    assert.ok(Array.isArray(result.findings));
    assert.deepEqual(Object.keys(result.preload), ['eligible', 'errors', 'warnings']);
    assert.equal((result.tls as { verified: boolean }).verified, true);
  });

  it('prints an array for several URLs, including those from --input', async () => {
    const r = await cli('scan', ...target(), '--input', listFile, '--json', '--concurrency', '2');
    assert.equal(r.code, 0, r.err);
    const results = JSON.parse(r.out) as ScanResult[];
    assert.deepEqual(
      results.map((x) => x.url),
      [`https://127.0.0.1:${httpsPort}/a`, `https://127.0.0.1:${httpsPort}/b`],
    );
  });

  it('exits 1 below --fail-under, after printing the report', async () => {
    // An IP literal gets no HSTS from a careful server, so no A+.
    const r = await cli('scan', ...target(), '--fail-under', 'A+');
    assert.equal(r.code, 1);
    assert.match(r.out, /Grade /);
    assert.match(r.err, /below A\+/);
    const ok = await cli('scan', ...target(), '--fail-under', 'F');
    assert.equal(ok.code, 0);
  });

  it('prints SARIF and Markdown', async () => {
    const sarif = await cli('scan', ...target(), '--sarif');
    assert.equal((JSON.parse(sarif.out) as { version: string }).version, '2.1.0');
    const md = await cli('scan', ...target(), '--markdown');
    assert.match(md.out, /^### Barbican scan: /);
  });

  it('reports a URL that cannot be scanned on stderr and exits 2, still printing the rest', async () => {
    // No port flags: each URL's own port for its scheme, the default for the
    // other (nothing answers on loopback 80/443 here, or it is just graded).
    const good = `https://127.0.0.1:${httpsPort}/a`;
    const dead = `https://127.0.0.1:${closedPort}/`;
    const r = await cli('scan', good, dead, '--ca', caFile, '--timeout', '2000', '--json');
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      new RegExp(
        `^barbican: ${dead}: no response to grade over HTTPS or HTTP.*\\[BARBICAN_E_SCAN_FAILED\\]$`,
        'm',
      ),
    );
    assert.doesNotMatch(r.err, /\[BARBICAN_E_SCAN_FAILED\] \[BARBICAN_E_SCAN_FAILED\]/);
    assert.match(r.err, /1 of 2 URLs could not be scanned/);
    // The shape depends on the URLs asked for, not on which answered.
    const printed = JSON.parse(r.out) as [ScanResult, ScanFailure];
    assert.equal(printed[0].url, good);
    assert.deepEqual(Object.keys(printed[1]), ['url', 'error']);
    assert.equal(printed[1].error.code, 'BARBICAN_E_SCAN_FAILED');
  });

  it('marks --insecure in the text report', async () => {
    const r = await cli(
      'scan',
      `https://127.0.0.1:${httpsPort}/`,
      '--http-port',
      String(httpPort),
      '--insecure',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /--insecure/);
  });
});

describe('barbican demo', () => {
  it('serves the barbican preset on loopback, grades it A+ with no high finding, and says what next', async () => {
    const r = await cli('demo');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Grade .*A\+/);
    assert.match(r.out, /0 high/);
    assert.match(r.out, /barbican scan https:\/\/your-site\.example/);
    assert.match(r.err, /serving https:\/\/demo\.barbican\.test:\d+\//);
  });

  it('prints the demo scan as JSON with --json', async () => {
    const r = await cli('demo', '--json');
    assert.equal(r.code, 0, r.err);
    const result = JSON.parse(r.out) as ScanResult;
    assert.equal(result.grade, 'A+');
    assert.equal(result.tests['strict-transport-security']?.pass, true);
  });
});
