/**
 * The robustness suite's child process: runs a batch of CLI invocations
 * in-process, one after the other, as `bin.ts` would, and reports each on
 * file descriptor 3 as one JSON line: exit code, stdout, stderr, wall time
 * and the process's peak RSS so far (`getrusage`'s ru_maxrss).
 *
 * A batch per command keeps the suite fast (one Node start per command,
 * not per case); a case that crashes the process, leaks an unhandled error
 * or hangs ends the batch, and the suite sees which case it was.
 *
 * Usage: `node runner.ts CASES.json`, with fd 3 open for writing.
 *
 * @module
 */
import { readFileSync, writeSync } from 'node:fs';
import { run } from '../../src/cli.ts';
import { memoryIo } from '../../src/io.ts';

/** One invocation to run. */
export interface BatchCase {
  readonly id: number;
  readonly argv: readonly string[];
}

/** What one invocation did. */
export interface BatchResult {
  readonly id: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident set size of the batch process so far, in KiB. */
  readonly maxRssKb: number;
}

if (import.meta.main) {
  const cases = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as BatchCase[];
  for (const c of cases) {
    // Announce the case first: if it kills the process, the suite knows which.
    writeSync(3, `${JSON.stringify({ start: c.id })}\n`);
    const io = memoryIo();
    const started = performance.now();
    const code = await run([...c.argv], io);
    const result: BatchResult = {
      id: c.id,
      code,
      stdout: io.stdout,
      stderr: io.stderr,
      ms: performance.now() - started,
      maxRssKb: process.resourceUsage().maxRSS,
    };
    writeSync(3, `${JSON.stringify(result)}\n`);
  }
}
