/**
 * Test helpers: the CLI run in-process with captured output, and a temp
 * directory of files removed after the test file.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { run } from '../src/cli.ts';
import { memoryIo } from '../src/io.ts';

/** What one in-process run printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `barbican ...args` in-process, colourless. */
export async function cli(...args: string[]): Promise<CliRun> {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** A temp directory removed after the test file; `file(name, text)` writes into it. */
export function tempFiles(prefix: string): {
  dir: string;
  file: (name: string, text: string) => string;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}
