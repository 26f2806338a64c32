import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseCsp } from '@barbican/core/parsers';
import { run } from '../cli.ts';
import { memoryIo } from '../io.ts';

const bin = fileURLToPath(new URL('../bin.ts', import.meta.url));
const ANSI = /\u001b\[/;
const WEAK = "script-src 'self' 'unsafe-inline'; object-src 'none'";
const STRICT =
  "script-src 'nonce-r4nd0mN0nc3Base64==' 'strict-dynamic' https: 'unsafe-inline'; object-src 'none'; base-uri 'none'";

describe('barbican csp', () => {
  it('--json prints exactly {findings, fixed}, colourless, exit 1 on a high finding', async () => {
    const io = memoryIo({ color: true });
    const code = await run(['csp', WEAK, '--json'], io);
    assert.equal(code, 1);
    assert.doesNotMatch(io.stdout, ANSI);
    const report = JSON.parse(io.stdout) as {
      findings: { code: string; directive?: string; value?: string; fix: string }[];
      fixed: string;
    };
    assert.deepEqual(Object.keys(report), ['findings', 'fixed']);
    const inline = report.findings.find((f) => f.code === 'csp.script-src.unsafe-inline');
    assert.equal(inline?.directive, 'script-src');
    assert.equal(inline.value, "'unsafe-inline'");
    const errors = parseCsp(report.fixed, { validate: true })
      .policies.flatMap((p) => p.problems)
      .filter((p) => p.severity === 'error');
    assert.deepEqual(errors, []);
  });

  it('exit 0 for a strict policy under the default --fail-on high; 1 with --fail-on info', async () => {
    assert.equal(await run(['csp', STRICT], memoryIo()), 0);
    assert.equal(await run(['csp', STRICT, '--fail-on', 'info'], memoryIo()), 1);
  });

  it('text output groups by severity, shows each fix and the rewritten policy', async () => {
    const io = memoryIo();
    await run(['csp', WEAK], io);
    assert.match(io.stdout, /^HIGH \(\d+\)/m);
    assert.match(io.stdout, /fix: /);
    assert.match(io.stdout, /Rewritten policy:\n {2}script-src 'nonce-/);
    assert.ok(io.stdout.indexOf('HIGH') < io.stdout.indexOf('LOW'));
  });

  it('--report-only labels findings with the report-only header', async () => {
    const io = memoryIo();
    await run(['csp', WEAK, '--report-only', '--json'], io);
    const report = JSON.parse(io.stdout) as { findings: { header: string }[] };
    assert.ok(report.findings.length > 0);
    assert.ok(report.findings.every((f) => f.header === 'content-security-policy-report-only'));
  });

  it('usage errors exit 2: bad --fail-on, missing policy', async () => {
    const io = memoryIo();
    assert.equal(await run(['csp', WEAK, '--fail-on', 'severe'], io), 2);
    assert.match(io.stderr, /--fail-on/);
    assert.equal(await run(['csp'], memoryIo()), 2);
  });

  it('--help shows an example (real process, colour forced, NO_COLOR respected)', () => {
    const r = spawnSync(process.execPath, [bin, 'csp', '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:\n {2}barbican csp "/);
    const colored = spawnSync(process.execPath, [bin, 'csp', WEAK], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(colored.status, 1);
    assert.doesNotMatch(colored.stdout, ANSI);
  });
});
