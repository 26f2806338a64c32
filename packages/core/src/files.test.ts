import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BarbicanError } from './barbican-error.ts';
import { readRegularFile, type ReadLimits } from './files.ts';

const dir = mkdtempSync(join(tmpdir(), 'barbican-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const limits = (maxBytes: number): ReadLimits => ({
  maxBytes,
  fail: ({ problem, hint }) =>
    new BarbicanError('BARBICAN_E_USAGE', problem, hint === undefined ? {} : { hint }),
});

async function refusal(file: string, maxBytes = 1024): Promise<string> {
  const started = performance.now();
  const error = await readRegularFile(file, limits(maxBytes)).then(
    () => assert.fail(`${file} was read`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof BarbicanError);
  assert.equal(error.code, 'BARBICAN_E_USAGE');
  assert.ok(performance.now() - started < 2000, 'refused at once');
  return error.message;
}

describe('readRegularFile', () => {
  it('reads a regular file within the limit', async () => {
    const file = join(dir, 'ok.txt');
    writeFileSync(file, 'hello');
    assert.equal((await readRegularFile(file, limits(5))).toString(), 'hello');
  });

  it('refuses devices, FIFOs and directories without reading them', async () => {
    assert.match(await refusal('/dev/zero'), /a character device, not a regular file/);
    assert.match(await refusal('/dev/urandom'), /character device/);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Nobody writes to it: a blocking open would hang here forever.
    assert.match(await refusal(fifo), /a FIFO \(named pipe\)/);
    assert.match(await refusal(dir), /a directory/);
  });

  it('refuses a file over the limit by its size, and one that lies about it by reading', async () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'x'.repeat(2048));
    assert.match(await refusal(big), /is 2048 bytes; at most 1024 bytes are read/);
    // procfs reports size 0 for files that are not empty.
    assert.match(await refusal('/proc/self/maps', 16), /larger than the limit/);
  });

  it('says why a missing or unreadable file cannot be read', async () => {
    assert.match(await refusal(join(dir, 'nope')), /cannot be read.*does not exist/);
  });
});
