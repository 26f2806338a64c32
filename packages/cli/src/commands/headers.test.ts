/**
 * `barbican headers` shows request protections: a bad host's 400, the HTTPS
 * redirect's status and Location, and trusted-proxy behaviour via --peer.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { run as runCli } from '../cli.ts';
import { memoryIo } from '../io.ts';

const run = promisify(execFile);
const BIN = new URL('../bin.ts', import.meta.url).pathname;
let dir = '';
let config = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'barbican-req-'));
  config = join(dir, 'barbican.config.json');
  await writeFile(
    config,
    JSON.stringify({
      allowedHosts: ['app.example'],
      sslRedirect: true,
      trustedProxies: ['10.0.0.0/8'],
    }),
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function headers(
  ...args: string[]
): Promise<{ status: number; headers: Record<string, string> }> {
  const { stdout } = await run(
    process.execPath,
    [BIN, 'headers', '--config', config, '--json', ...args],
    {
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  return JSON.parse(stdout) as { status: number; headers: Record<string, string> };
}

describe('barbican headers with request protections', () => {
  it('prints 400 for a host outside allowedHosts', async () => {
    assert.equal((await headers('--url', 'http://evil.example/')).status, 400);
  });
  it('prints the redirect status and location for plain HTTP', async () => {
    const r = await headers('--url', 'http://app.example/x?y=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers['location'], 'https://app.example/x?y=1');
    const post = await headers('--url', 'http://app.example/x', '-X', 'POST');
    assert.equal(post.status, 308);
  });
  it('--peer decides whether X-Forwarded-Proto is believed', async () => {
    const xfp = ['--url', 'http://app.example/', '-H', 'X-Forwarded-Proto: https'];
    const untrusted = await headers(...xfp, '--peer', '203.0.113.7');
    assert.equal(untrusted.status, 301);
    const trusted = await headers(...xfp, '--peer', '10.1.2.3');
    assert.equal(trusted.status, 200);
    assert.ok(trusted.headers['strict-transport-security'] !== undefined);
  });
});

describe('barbican check: a production config without allowedHosts', () => {
  /** Writes `policy` to a config file and runs `barbican check --json` on it in-process. */
  async function check(name: string, policy: object): Promise<{ code: number; codes: string[] }> {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(policy));
    const io = memoryIo();
    const code = await runCli(['check', '--config', file, '--json'], io);
    const report = JSON.parse(io.stdout) as { warnings: { code: string }[] };
    return { code, codes: report.warnings.map((w) => w.code) };
  }

  it('warns BARBICAN_W_NO_ALLOWED_HOSTS, and still exits 0 (warnings do not fail)', async () => {
    const r = await check('no-hosts.json', { preset: 'strict' });
    assert.equal(r.code, 0);
    assert.ok(r.codes.includes('BARBICAN_W_NO_ALLOWED_HOSTS'), r.codes.join());
  });

  it('is quiet with a host list or an explicit "*", and in development', async () => {
    for (const [name, policy] of [
      ['hosts.json', { allowedHosts: ['app.example'] }],
      ['any.json', { allowedHosts: ['*'] }],
      ['dev.json', { development: true }],
    ] as const) {
      const r = await check(name, policy);
      assert.equal(r.code, 0);
      assert.ok(!r.codes.includes('BARBICAN_W_NO_ALLOWED_HOSTS'), `${name}: ${r.codes.join()}`);
    }
  });

  it('the text report names the code and the fix', async () => {
    const file = join(dir, 'no-hosts.yaml');
    await writeFile(file, 'preset: barbican\n');
    const io = memoryIo();
    assert.equal(await runCli(['check', '--config', file], io), 0);
    assert.match(
      io.stdout,
      /allowedHosts: no allowedHosts: .*\["\*"\].*\[BARBICAN_W_NO_ALLOWED_HOSTS\]/,
    );
  });
});
