/**
 * `npm run bench -- <name> [flags]`: runs `bench/<name>.ts`.
 *
 * Benchmarks are not tests: they are run by hand (or by a perf job) and
 * print ratios, `ratio <what>: <n.nn>`, one per line, for scripts to read.
 * Exit codes follow the CLI contract: 0 ran (or listed, when no name is
 * given), 1 failed, 2 usage error (unknown name, bad flag).
 *
 * @module
 */

interface Benchmark {
  readonly description: string;
  run(args: readonly string[]): Promise<number>;
}

/** Known benchmarks, loaded lazily so listing them starts no servers. */
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  core: () => import('./core.ts'),
  step: () => import('./step.ts'),
  fetch: () => import('./fetch.ts'),
};

async function list(): Promise<void> {
  console.log('Usage: npm run bench -- <name> [--flag value ...]\n\nBenchmarks:');
  for (const [name, load] of Object.entries(BENCHMARKS)) {
    console.log(`  ${name.padEnd(8)} ${(await load()).description}`);
  }
  console.log('\nSee docs/benchmarks.md for flags and recorded numbers.');
}

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : BENCHMARKS[name];
if (load === undefined) {
  if (name !== undefined && name !== '--help' && name !== '-h')
    console.error(`unknown benchmark "${name}"\n`);
  await list();
  // Asking for the list (no name, --help) is not an error; a wrong name is.
  process.exitCode = name === undefined || name === '--help' || name === '-h' ? 0 : 2;
} else {
  try {
    process.exitCode = await (await load()).run(args);
  } catch (error) {
    const { UsageError } = await import('./lib/measure.ts');
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
