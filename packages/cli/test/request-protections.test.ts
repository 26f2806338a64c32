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

const run = promisify(execFile);
const BIN = new URL('../src/bin.ts', import.meta.url).pathname;
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
