/**
 * `npm run bench -- <name> [flags]`: runs `bench/<name>.ts`.
 *
 * Benchmarks are not tests: they are run by hand (or by a perf job) and
 * print ratios, `ratio <what>: <n.nn>`, one per line, for scripts to read.
 * Exit codes follow the CLI contract: 0 ran (or listed, when no name is
 * given), 1 failed, 2 usage error (unknown name, bad flag).
 *
 * A benchmark is any `bench/<name>.ts` exporting `description` and `run`, so
 * adding one needs no registration here. Modules are loaded only when listed
 * or run, so listing starts no servers.
 *
 * @module
 */
import { readdirSync } from 'node:fs';

interface Benchmark {
  readonly description: string;
  run(args: readonly string[]): Promise<number>;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** `bench/*.ts` except this dispatcher and type declarations. */
function candidates(): string[] {
  return readdirSync(new URL('.', import.meta.url))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -'.ts'.length))
    .filter((n) => NAME.test(n))
    .sort();
}

async function load(name: string): Promise<Benchmark | undefined> {
  const mod = (await import(`./${name}.ts`)) as Partial<Benchmark>;
  return typeof mod.run === 'function' && typeof mod.description === 'string'
    ? (mod as Benchmark)
    : undefined;
}

async function list(out: (line: string) => void): Promise<void> {
  out('Usage: npm run bench -- <name> [--flag value ...]\n\nBenchmarks:');
  for (const name of candidates()) {
    try {
      const b = await load(name);
      if (b !== undefined) out(`  ${name.padEnd(16)} ${b.description}`);
    } catch (error) {
      // One broken benchmark must not hide the others.
      out(
        `  ${name.padEnd(16)} (cannot load: ${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  out('\nSee docs/benchmarks.md for flags and recorded numbers.');
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h') {
  // Asking for the list is not an error.
  await list((l) => console.log(l));
} else {
  const bench = candidates().includes(name) ? await load(name) : undefined;
  if (bench === undefined) {
    console.error(`unknown benchmark "${name}"\n`);
    await list((l) => console.error(l));
    process.exitCode = 2;
  } else {
    try {
      process.exitCode = await bench.run(args);
    } catch (error) {
      const { UsageError } = await import('./lib/measure.ts');
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = error instanceof UsageError ? 2 : 1;
    }
  }
}
