/**
 * `npm run bench -- scan`: the scanner's benchmarks, one after the other:
 * CSP analysis throughput against `csp_evaluator` (`bench/scan-csp.ts`,
 * when present) and the 500-endpoint loopback scan
 * (`bench/scan-endpoints.ts`). Flags are passed to both.
 *
 * @module
 */
import { existsSync } from 'node:fs';

export const description =
  'scanner: CSP analysis vs csp_evaluator, then a scan of 500 loopback endpoints';

/** Runs both benchmarks; the exit code is the worst of theirs. */
export async function run(args: readonly string[]): Promise<number> {
  let code = 0;
  // scan-csp.ts is written alongside; skip it (and say so) until it exists.
  if (existsSync(new URL('./scan-csp.ts', import.meta.url))) {
    // A variable specifier: the module may not exist yet when this typechecks.
    const specifier = './scan-csp.ts';
    const csp = (await import(specifier)) as {
      runCspBench: (a?: readonly string[]) => Promise<unknown>;
    };
    const result = await csp.runCspBench(args);
    code = Math.max(code, typeof result === 'number' ? result : 0);
  } else {
    console.log('scan-csp: bench/scan-csp.ts not present, skipped');
  }
  const endpoints = await import('./scan-endpoints.ts');
  code = Math.max(code, await endpoints.run(args));
  return code;
}
