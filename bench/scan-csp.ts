/**
 * CSP analysis throughput: Barbican's `analyzeCsp` against the installed
 * `csp_evaluator` on the same corpus (`packages/scanner/src/csp/testdata/corpus.json`),
 * one fresh call per policy and nothing kept between calls.
 *
 * What each side computes per policy:
 * - csp_evaluator: `new CspParser(policy).csp`, then
 *   `CspEvaluator#evaluate(STRICTCSP_CHECKS)`, which derives the effective
 *   CSP3 policy and runs STRICTCSP_CHECKS on the parsed policy plus
 *   DEFAULT_CHECKS (its 14 security and parser checks) on the effective one;
 *   the result is its `Finding` objects with their descriptions.
 * - Barbican: `analyzeCsp(policy)` with no options: `parseCsp` with
 *   validation (the CSP3 grammar of every token), every check (CSP
 *   Evaluator's plus reporting, nonce charset, duplicate and invalid-source
 *   checks), the multi-policy combination, the rewritten policy (`fixed`,
 *   proven to parse without errors) and, for each finding, its message and
 *   its concrete fix text.
 *
 * Barbican does strictly more per policy, so the ratio is conservative.
 * Rounds interleave the two and the ratio is the median of per-round ratios
 * (see lib/measure.ts). Called by `bench/scan.ts` (`npm run bench -- scan`).
 *
 * @module
 */
import { analyzeCsp } from '@barbican/scanner';
import { CspEvaluator, STRICTCSP_CHECKS } from 'csp_evaluator/dist/evaluator.js';
import { CspParser } from 'csp_evaluator/dist/parser.js';
import corpus from '../packages/scanner/src/csp/testdata/corpus.json' with { type: 'json' };
import { numberFlag, printRatio, rate, type Samples } from './lib/measure.ts';

/** How long each variant runs per round, in milliseconds. */
const SLICE_MS = 150;

/** Policies analysed per second by `fn` over the corpus, for about `ms` (bounded by a pass cap). */
function throughput(fn: (policy: string) => unknown, ms: number): number {
  const policies = corpus.policies;
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  // Bounded: at most 10 000 passes over the corpus, whatever the clock says.
  for (let pass = 0; pass < 10_000 && elapsed < ms; pass++) {
    for (const p of policies) fn(p);
    done += policies.length;
    elapsed = performance.now() - start;
  }
  return (done / elapsed) * 1000;
}

function evaluator(policy: string): unknown {
  const parsed = new CspParser(policy).csp;
  return new CspEvaluator(parsed).evaluate(STRICTCSP_CHECKS);
}

function barbican(policy: string): unknown {
  return analyzeCsp(policy);
}

/**
 * Runs the CSP benchmark and prints `ratio barbican-csp/csp-evaluator: N`
 * (target ≥ 3). `--csp-rounds N` (default 15, at most 50) sets the rounds.
 *
 * @example
 * ```sh
 * npm run bench -- scan --csp-rounds 15
 * ```
 */
export async function runCspBench(args: readonly string[] = []): Promise<number> {
  const rounds = numberFlag(args, 'csp-rounds', 15, 50);
  // Warm both up so the JIT has seen every code path before measuring.
  throughput(barbican, 100);
  throughput(evaluator, 100);
  const samples: Samples = { 'barbican-csp': [], 'csp-evaluator': [] };
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first so neither always gets the warmer cache.
    const order =
      r % 2 === 0
        ? (['barbican-csp', 'csp-evaluator'] as const)
        : (['csp-evaluator', 'barbican-csp'] as const);
    for (const name of order) {
      samples[name]?.push(throughput(name === 'barbican-csp' ? barbican : evaluator, SLICE_MS));
    }
    await Promise.resolve();
  }
  const ours = samples['barbican-csp'] ?? [];
  const theirs = samples['csp-evaluator'] ?? [];
  console.log(
    `scan-csp: ${corpus.policies.length} policies, ${rounds} rounds; barbican ${rate(ours[ours.length - 1] ?? 0)}/s, csp_evaluator ${rate(theirs[theirs.length - 1] ?? 0)}/s (last round)`,
  );
  printRatio(samples, 'barbican-csp', 'csp-evaluator', { min: 3 });
  return 0;
}
