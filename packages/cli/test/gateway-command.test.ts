/**
 * `barbican gateway` from the shell: the quick start (no config file, one
 * --upstream) makes a self-signed certificate on first run, reuses it after,
 * prints what runs and what to set next, serves HTTPS, and stops on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { memoryIo } from '../src/io.ts';
import { run } from '../src/cli.ts';

const BIN = new URL('../src/bin.ts', import.meta.url).pathname;

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  stderr(): string;
}

function startCli(cwd: string, args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'gateway', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start-up summary:\n${err}`));
    }, 30_000);
    child.stderr.on('data', () => {
      const m = /HTTPS {2}https:\/\/[^:]+:(\d+)\//.exec(err);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ child, port: Number(m[1]), stderr: () => err });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${err}`));
    });
  });
}

async function stop(s: Started): Promise<number | null> {
  const exited = once(s.child, 'exit') as Promise<[number | null]>;
  s.child.kill('SIGTERM');
  return (await exited)[0];
}

describe('barbican gateway (quick start)', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const cwd = mkdtempSync(join(tmpdir(), 'barbican-gw-cli-'));
  before(async () => {
    upstream = createServer((_req, res) => {
      res.setHeader('x-powered-by', 'Express');
      res.end('hello from the app');
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(() => {
    upstream.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('starts with the barbican preset and a first-run certificate, and says what to set next', async () => {
    const s = await startCli(cwd, [
      '--upstream',
      upstreamUrl,
      '--listen',
      '127.0.0.1:0',
      '--http-listen',
      '127.0.0.1:0',
      '--admin-listen',
      'off',
      '--workers',
      '1',
    ]);
    try {
      const err = s.stderr();
      assert.match(err, /no config file: quick start with preset barbican, 1 worker/);
      assert.match(err, /made a self-signed certificate for localhost, 127\.0\.0\.1, ::1/);
      assert.match(err, /Next: .*barbican\.config\.yaml/);
      assert.match(err, /allowedHosts: \[your-site\.example\]/);
      const dir = join(cwd, '.barbican', 'gateway');
      assert.equal(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600);
      const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
      const reply = await new Promise<{
        status: number;
        body: string;
        headers: Record<string, unknown>;
      }>((resolve, reject) => {
        get(
          {
            host: '127.0.0.1',
            port: s.port,
            path: '/',
            ca,
            servername: 'localhost',
            headers: { host: 'localhost' },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => (body += d));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body, headers: res.headers }),
            );
          },
        ).on('error', reject);
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'hello from the app');
      assert.equal(reply.headers['x-powered-by'], undefined);
      assert.equal(reply.headers['x-frame-options'], 'DENY');
    } finally {
      assert.equal(await stop(s), 0);
    }
  });

  it('reuses the certificate on the next run', async () => {
    const s = await startCli(cwd, [
      '--upstream',
      upstreamUrl,
      '--listen',
      '127.0.0.1:0',
      '--http-listen',
      'off',
      '--admin-listen',
      'off',
      '--workers',
      '1',
    ]);
    try {
      assert.match(s.stderr(), /using a self-signed certificate/);
    } finally {
      await stop(s);
    }
  });

  it('without a config file or --upstream, exits 2 with what to do', async () => {
    const io = memoryIo();
    const prev = process.cwd();
    process.chdir(cwd);
    try {
      assert.equal(await run(['gateway'], io), 2);
    } finally {
      process.chdir(prev);
    }
    assert.match(
      io.stderr,
      /--upstream: no config file and no --upstream.*barbican gateway --upstream http:\/\/127\.0\.0\.1:3000/,
    );
  });

  it('has --help with an example', async () => {
    const io = memoryIo();
    assert.equal(await run(['gateway', '--help'], io), 0);
    assert.match(
      io.stdout,
      /Examples:\n {2}barbican gateway --upstream http:\/\/127\.0\.0\.1:3000/,
    );
  });

  it('npm start (barbican demo) serves the demo app through the gateway and grades it A+', async () => {
    const io = memoryIo();
    assert.equal(await run(['demo', '--json'], io), 0, io.stderr);
    assert.match(io.stderr, /through barbican gateway/);
    const result = JSON.parse(io.stdout) as {
      grade: string;
      findings: { severity: string; code: string }[];
      drift?: { count: number };
    };
    // scan --policy against the policy the gateway enforces: zero drift.
    assert.equal(result.drift?.count, 0);
    assert.equal(result.grade, 'A+');
    assert.deepEqual(
      result.findings.filter((f) => f.severity === 'high'),
      [],
    );
    // The app announces Express and its own server name; the gateway strips both.
    assert.ok(!result.findings.some((f) => /fingerprint|x-powered-by|server/i.test(f.code)));
  });
});

describe('barbican check and schema with a gateway section', () => {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-gw-check-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('validates the section and lists its warnings', async () => {
    const file = write(
      'ok.yaml',
      'preset: barbican\nallowedHosts: [shop.example]\ngateway:\n  upstream: http://127.0.0.1:3000\n  rateLimit: { requests: 100 }\n',
    );
    const io = memoryIo();
    assert.equal(await run(['check', '--config', file, '--json'], io), 0, io.stderr);
    const report = JSON.parse(io.stdout) as { sections: string[]; warnings: { code: string }[] };
    assert.deepEqual(report.sections, ['gateway']);
    const codes = report.warnings.map((w) => w.code);
    assert.ok(codes.includes('BARBICAN_W_GATEWAY_SELF_SIGNED'), codes.join());
    assert.ok(codes.includes('BARBICAN_W_GATEWAY_RATE_LIMIT_PER_PROCESS'), codes.join());
  });

  it('reports a typo in the section with file, line and option', async () => {
    const file = write(
      'typo.yaml',
      'preset: barbican\nallowedHosts: [shop.example]\ngateway:\n  upstream: http://127.0.0.1:3000\n  workres: 2\n',
    );
    const io = memoryIo();
    assert.equal(await run(['check', '--config', file], io), 2);
    assert.match(io.stderr, /typo\.yaml:5:\d+: gateway\.workres: unknown option.*"workers"/);
  });

  it('reports a plain-HTTP redirect that would trust the Host header', async () => {
    const file = write(
      'redirect.yaml',
      'preset: barbican\ngateway:\n  upstream: http://127.0.0.1:3000\n',
    );
    const io = memoryIo();
    assert.equal(await run(['check', '--config', file], io), 2);
    assert.match(
      io.stderr,
      /gateway\.httpListen: .*unvalidated Host header.*\[BARBICAN_E_OPEN_REDIRECT\]/,
    );
  });

  it('suggests gateway for a misspelt section name', async () => {
    const file = write(
      'gatway.yaml',
      'preset: barbican\ngatway:\n  upstream: http://127.0.0.1:3000\n',
    );
    const io = memoryIo();
    assert.equal(await run(['check', '--config', file], io), 2);
    assert.match(io.stderr, /gatway: unknown option.*"gateway"/);
  });

  it('includes the gateway section in barbican schema', async () => {
    const io = memoryIo();
    assert.equal(await run(['schema'], io), 0);
    const schema = JSON.parse(io.stdout) as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
    };
    const gateway = schema.properties['gateway']?.properties ?? {};
    assert.ok('upstream' in gateway && 'rateLimit' in gateway);
  });
});
