import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createPolicy } from '@barbican/core';
import { run } from '../src/cli.ts';
import { memoryIo } from '../src/io.ts';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/import/', import.meta.url));
const ANSI = /\u001b\[/;

/** Runs the real bin with node 24 (process.execPath runs this test). */
function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, FORCE_COLOR: '1', ...opts.env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'barbican-cli-'));
const good = join(dir, 'good.json');
writeFileSync(good, '{"preset": "barbican", "headers": {"hsts": {"maxAge": 300}}}');
const bad = join(dir, 'bad.yaml');
writeFileSync(bad, 'headers:\n  hsts:\n    maxage: 300\n');

describe('barbican check (real process)', () => {
  it('exit 0 with warnings listed on stdout for a valid config; warnings do not fail', () => {
    const r = cli(['check', '--config', good]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /valid policy/);
    assert.match(r.stdout, /BARBICAN_W_HSTS_SHORT/);
    assert.equal(r.stderr, '');
  });

  it('exit 2 with the located error on stderr and nothing on stdout for an invalid one', () => {
    const r = cli(['check', '--config', bad]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /bad\.yaml:3:\d+: headers\.hsts\.maxage: unknown option/);
    assert.match(r.stderr, /Did you mean "maxAge"/);
  });

  it('--json is parseable, colourless, and reports invalid configs too', () => {
    const ok = cli(['check', '--config', good, '--json']);
    assert.doesNotMatch(ok.stdout, ANSI);
    const report = JSON.parse(ok.stdout) as { valid: boolean; warnings: { code: string }[] };
    assert.equal(report.valid, true);
    assert.equal(report.warnings[0]?.code, 'BARBICAN_W_HSTS_SHORT');
    const ko = cli(['check', '--config', bad, '--json']);
    assert.equal(ko.code, 2);
    const err = JSON.parse(ko.stdout) as { valid: boolean; error: { code: string } };
    assert.equal(err.valid, false);
    assert.equal(err.error.code, 'BARBICAN_E_UNKNOWN_OPTION');
  });

  it('discovers barbican.config.yaml in the working directory', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'barbican-cwd-'));
    assert.equal(cli(['check'], { cwd }).code, 2, 'no config: usage error');
    writeFileSync(join(cwd, 'barbican.config.yaml'), 'preset: strict\n');
    const r = cli(['check', '--json'], { cwd });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /barbican\.config\.yaml/);
  });
});

describe('barbican headers', () => {
  it('prints exactly {status, headers, warnings} with only the policy’s headers', () => {
    const r = cli(['headers', '--preset', 'barbican', '--json']);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, ANSI);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report), ['status', 'headers', 'warnings']);
    assert.equal(report.status, 200);
    const expected = Object.fromEntries(
      createPolicy({ preset: 'barbican' })
        .headersFor({ https: true })
        .map(([n, v]) => [n.toLowerCase(), v]),
    );
    assert.deepEqual(report.headers, expected);
    assert.ok(!('content-type' in (report.headers as object)));
  });

  it('HSTS is not sent for an http:// URL', async () => {
    const io = memoryIo();
    assert.equal(await run(['headers', '--url', 'http://app.example/', '--json'], io), 0);
    const headers = (JSON.parse(io.stdout) as { headers: Record<string, string> }).headers;
    assert.ok(!('strict-transport-security' in headers));
  });

  it('refuses hostile -H, --url and --method with exit 2', async () => {
    for (const args of [
      ['-H', 'X-A: b\r\nSet-Cookie: x'],
      ['-H', 'no colon'],
      ['-H', 'Bad Name: v'],
      ['--url', 'javascript:alert(1)'],
      ['--url', 'not a url'],
      ['-X', 'GET /'],
      ['--preset', 'nope'],
    ]) {
      const io = memoryIo();
      assert.equal(await run(['headers', ...args], io), 2, args.join(' '));
      assert.equal(io.stdout, '');
      assert.notEqual(io.stderr, '');
    }
  });
});

describe('barbican import (real process)', () => {
  it('config on stdout, one LOSSY line per lossy option on stderr, exit 0', () => {
    const r = cli(['import', '--from', 'krakend', join(fixtures, 'krakend-legacy.json')]);
    assert.equal(r.code, 0);
    const config = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.doesNotThrow(() => createPolicy(config));
    const lossy = r.stderr.split('\n').filter((l) => l.includes('BARBICAN_W_IMPORT_LOSSY'));
    assert.ok(lossy.length >= 5);
    assert.equal(new Set(lossy).size, lossy.length);
  });

  it('exit 2 on CR/LF inside a value, wrong types and unknown sources', () => {
    const crlf = cli(['import', '--from', 'krakend', join(fixtures, 'krakend-crlf.json')]);
    assert.equal(crlf.code, 2);
    assert.equal(crlf.stdout, '');
    assert.match(crlf.stderr, /BARBICAN_E_UNSAFE_VALUE/);
    assert.equal(
      cli(['import', '--from', 'krakend', join(fixtures, 'krakend-wrong-type.json')]).code,
      2,
    );
    assert.equal(cli(['import', '--from', 'nginx', good]).code, 2);
    assert.equal(cli(['import', good]).code, 2, '--from is mandatory');
  });
});

describe('CLI contract', () => {
  const commands = ['check', 'headers', 'schema', 'import'];

  it('--help on every command has an example and exits 0', async () => {
    for (const c of [...commands, undefined]) {
      const io = memoryIo();
      const code = await run(c === undefined ? ['--help'] : [c, '--help'], io);
      assert.equal(code, 0, c);
      assert.match(io.stdout, /Examples?:\n\s+barbican /, c ?? 'barbican');
    }
  });

  it('--version prints the version in the CLI package.json and exits 0', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const r = cli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${manifest.version}\n`);
  });

  it('NO_COLOR turns colour off even when forced on a pipe', () => {
    const coloured = cli(['check', '--config', good], { env: { FORCE_COLOR: '1' } });
    const plain = cli(['check', '--config', good], { env: { NO_COLOR: '1' } });
    assert.doesNotMatch(plain.stdout, ANSI);
    assert.doesNotMatch(coloured.stdout, ANSI, 'not a TTY: no colour either');
  });

  it('unknown commands and options are usage errors (exit 2) on stderr', async () => {
    for (const args of [['frobnicate'], ['check', '--nope']]) {
      const io = memoryIo();
      assert.equal(await run(args, io), 2);
      assert.equal(io.stdout, '');
      // One line with the stable code and where to look, not the whole help.
      assert.match(
        io.stderr,
        /^barbican: unknown (command|option) .*--help \[BARBICAN_E_USAGE\]\n$/,
      );
    }
  });

  it('in-process runs do not touch process.exitCode', async () => {
    const before = process.exitCode;
    await run(['check', '--config', bad], memoryIo());
    assert.equal(process.exitCode, before);
  });
});
