/**
 * The CLI robustness suite: every command (commands.ts) × every hostile
 * input (inputs.ts) — files that are not files or are absurd, strings with
 * control characters, loopback servers that misbehave, a stdout closed by
 * its reader. Each run must end:
 *
 * - with exit 0, 1 or 2, as documented (0 ok, 1 findings, 2 refused);
 * - without `internal error` and without a stack trace;
 * - when refused, with exactly one line on stderr, `barbican: … [BARBICAN_E_*]`;
 * - with no raw control character in its output (escaped, or JSON-escaped);
 * - with stdout valid JSON whenever the command prints JSON and reports;
 * - within the bounds below: peak RSS, wall time, output size.
 *
 * Cases of one command run in one child process (runner.ts), so a Node
 * start is paid per command, not per case; closed-stdout cases run the real
 * executable, one process each.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createThrowawayCa } from '@barbican/scanner';
import { ROWS, type CommandRow, type Fixtures } from './commands.ts';
import {
  HOSTILE_FILES,
  HOSTILE_TEXTS,
  REFUSED,
  startFixtures,
  type Exit,
  type HostileServer,
} from './inputs.ts';
import type { BatchCase, BatchResult } from './runner.ts';

/** The stated bounds (ARCHITECTURE.md, "Robustness"). */
export const BOUNDS = {
  /** Peak RSS of a whole batch (every case of one command): a normal run is about 120 MiB. */
  rssMiB: 320,
  /** Wall time of one case: network cases use --timeout 1500, so this only fails on a hang. */
  caseSeconds: 20,
  /** Largest stdout of any case. */
  stdoutBytes: 2 * 1024 * 1024,
} as const;

const RUNNER = fileURLToPath(new URL('./runner.ts', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('../../src/barbican.js', import.meta.url));
/** Raw control characters: none may reach a terminal (line breaks aside). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const STACK = /\n\s+at |node:internal|internal error|Unhandled|ERR_[A-Z_]+:/;

/** One planned run: its argv, the answers allowed, and what the row says about JSON. */
interface Case extends BatchCase {
  readonly name: string;
  readonly expect: readonly Exit[];
  readonly json: boolean;
  /** Input size, when output must stay linear in it. */
  readonly inputBytes?: number;
}

function plan(
  row: CommandRow,
  fx: Fixtures,
  files: Map<string, string>,
  servers: readonly HostileServer[],
): Case[] {
  const cases: Case[] = [];
  const json = row.json === 'flag' ? ['--json'] : [];
  const add = (
    name: string,
    argv: string[],
    expect: readonly Exit[],
    inputBytes?: number,
  ): void => {
    cases.push({
      id: cases.length,
      name,
      argv: [...argv, ...json],
      expect,
      json: row.json !== 'never',
      ...(inputBytes === undefined ? {} : { inputBytes }),
    });
  };
  row.files.forEach((slot, s) => {
    for (const input of HOSTILE_FILES) {
      if (
        slot.nonRegularOnly === true &&
        !['/dev/zero', 'a FIFO nobody writes to'].includes(input.name)
      )
        continue;
      const path = files.get(input.name) ?? '';
      add(
        `file slot ${s + 1}: ${input.name}`,
        slot.argv(path, fx),
        slot.expect?.[input.name] ?? input.expect,
      );
    }
  });
  row.texts.forEach((slot, s) => {
    for (const input of HOSTILE_TEXTS) {
      add(
        `text slot ${s + 1}: ${input.name}`,
        slot(input.text, fx),
        input.expect,
        input.text.length,
      );
    }
  });
  row.servers.forEach((slot, s) => {
    for (const server of servers) {
      add(
        `server slot ${s + 1}: ${server.name}`,
        slot.argv(server, fx),
        slot.expect?.(server) ?? server.scan,
      );
    }
  });
  return cases;
}

/** Runs a batch in one child; resolves with each case's result (a missing one: the child died there). */
function runBatch(
  dir: string,
  command: string,
  cases: readonly Case[],
): Promise<{
  results: Map<number, BatchResult>;
  stderr: string;
  exited: boolean;
  lastStarted: number | undefined;
}> {
  const file = join(dir, `cases-${command}.json`);
  writeFileSync(file, JSON.stringify(cases.map(({ id, argv }) => ({ id, argv }))));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUNNER, file], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const results = new Map<number, BatchResult>();
    let lastStarted: number | undefined;
    let stderr = '';
    let buffer = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, nl)) as BatchResult | { start: number };
        buffer = buffer.slice(nl + 1);
        if ('start' in line) lastStarted = line.start;
        else results.set(line.id, line);
      }
    });
    // The whole batch is bounded: every case's bound, plus the Node start.
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      (cases.length * BOUNDS.caseSeconds + 60) * 1000,
    );
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ results, stderr, exited: code === 0, lastStarted });
    });
  });
}

/** Checks one case's result against the contract. */
function checkCase(c: Case, r: BatchResult | undefined): void {
  assert.ok(r !== undefined, 'the case finished (the batch process did not die or hang in it)');
  assert.ok(
    c.expect.includes(r.code as Exit),
    `exit ${r.code}, expected ${c.expect.join(' or ')}; stderr: ${r.stderr}`,
  );
  assert.doesNotMatch(r.stderr, STACK, 'no internal error, no stack trace');
  assert.doesNotMatch(r.stderr, RAW_CONTROL, 'stderr: control characters escaped');
  assert.doesNotMatch(r.stdout, RAW_CONTROL, 'stdout: control characters escaped');
  if (r.code === 2) {
    assert.match(
      r.stderr,
      /^barbican: [^\n]*\[BARBICAN_E_[A-Z0-9_]+\]\n$/,
      `one line on stderr: ${r.stderr}`,
    );
  }
  if (c.json && r.code !== 2) JSON.parse(r.stdout);
  if (c.json && r.code === 2 && r.stdout !== '') JSON.parse(r.stdout);
  assert.ok(r.stdout.length <= BOUNDS.stdoutBytes, `stdout ${r.stdout.length} bytes`);
  if (c.inputBytes !== undefined) {
    // Linear in the input: a few times its size at most (the rewrite prints it once).
    assert.ok(
      r.stdout.length <= 4 * c.inputBytes + 64 * 1024,
      `stdout ${r.stdout.length} bytes for ${c.inputBytes} of input`,
    );
  }
  assert.ok(r.ms <= BOUNDS.caseSeconds * 1000, `${Math.round(r.ms)} ms`);
  assert.ok(r.maxRssKb <= BOUNDS.rssMiB * 1024, `peak RSS ${Math.round(r.maxRssKb / 1024)} MiB`);
}

let fx: Fixtures;
let servers: readonly HostileServer[] = [];
let stop = (): void => undefined;
const files = new Map<string, string>();

before(async () => {
  const started = await startFixtures();
  stop = started.stop;
  servers = started.servers;
  const ca = createThrowawayCa('Robustness Keys');
  const leaf = ca.issue({ names: ['k.example'] });
  const key = join(started.dir, 'key.pem');
  writeFileSync(key, leaf.key);
  const cert = join(started.dir, 'cert.pem');
  writeFileSync(cert, leaf.cert);
  const config = join(started.dir, 'barbican.config.json');
  writeFileSync(config, '{"preset": "strict"}');
  const krakend = join(started.dir, 'krakend.json');
  writeFileSync(
    krakend,
    JSON.stringify({ version: 3, extra_config: { 'security/http': { frame_deny: true } } }),
  );
  fx = { dir: started.dir, config, key, cert, krakend, closedPort: started.closedPort };
  for (const input of HOSTILE_FILES) files.set(input.name, input.make(started.dir));
});

after(() => stop());

for (const row of ROWS) {
  describe(`barbican ${row.command} under hostile input`, () => {
    let cases: Case[] = [];
    let batch: Awaited<ReturnType<typeof runBatch>>;
    before(async () => {
      cases = plan(row, fx, files, servers);
      batch = await runBatch(fx.dir, row.command, cases);
    });

    it('every case ends within the contract and the bounds', () => {
      const failures: string[] = [];
      for (const c of cases) {
        try {
          checkCase(c, batch.results.get(c.id));
        } catch (error) {
          failures.push(
            `${c.name} (barbican ${c.argv.map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a)).join(' ')}): ${(error as Error).message}`,
          );
        }
      }
      if (process.env.BARBICAN_ROBUSTNESS_STATS !== undefined) {
        // The measured bounds, for benchmarks notes: BARBICAN_ROBUSTNESS_STATS=1.
        const all = [...batch.results.values()];
        process.stderr.write(
          `${row.command}: ${cases.length} cases, peak RSS ${Math.round(Math.max(...all.map((r) => r.maxRssKb)) / 1024)} MiB, slowest ${Math.round(Math.max(...all.map((r) => r.ms)))} ms, largest stdout ${Math.max(...all.map((r) => r.stdout.length))} B\n`,
        );
      }
      assert.deepEqual(
        failures,
        [],
        batch.lastStarted === undefined
          ? ''
          : `last case started: ${batch.lastStarted}; child stderr: ${batch.stderr}`,
      );
    });

    it('leaves no handle open: the process exits by itself after the last case', () => {
      assert.equal(batch.exited, true, `child stderr: ${batch.stderr}`);
      assert.equal(batch.stderr, '');
    });

    it('keeps its exit code, silently, when stdout is closed by the reader', async () => {
      const r = await closedStdout(row.output.argv(fx));
      assert.equal(r.code, row.output.code, r.stderr);
      assert.doesNotMatch(r.stderr, STACK);
      assert.doesNotMatch(r.stderr, /EPIPE/);
    });
  });
}

/** Runs the real executable with stdout's read end closed before anything is written. */
function closedStdout(argv: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LAUNCHER, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BOUNDS.caseSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the robustness table', () => {
  it('has a row for every command the CLI registers', async () => {
    const { buildProgram } = await import('../../src/cli.ts');
    const { memoryIo } = await import('../../src/io.ts');
    const registered = buildProgram(memoryIo()).commands.map((c) => c.name());
    // demo takes no input; it is run by its own tests.
    const missing = registered.filter(
      (name) => name !== 'demo' && !ROWS.some((r) => r.command === name),
    );
    assert.deepEqual(missing, [], 'add a row to test/robustness/commands.ts');
  });

  it('covers every hostile input class with REFUSED as the answer for files', () => {
    assert.ok(HOSTILE_FILES.every((f) => f.expect === REFUSED));
    assert.ok(HOSTILE_FILES.length >= 8 && HOSTILE_TEXTS.length >= 2);
  });
});
