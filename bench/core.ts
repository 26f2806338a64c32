/**
 * `npm run bench -- core`: node:http servers under load, side by side.
 *
 * Each variant runs in its own child process; autocannon runs here. Rounds
 * visit the variants in turn (A, B, C, D, A, B, C, D, …) with the same
 * duration, so a load spike from elsewhere on the machine lands on every
 * variant alike. Then the per-response step is measured without sockets.
 *
 * @module
 */
import { createPolicy } from '@barbican/core';
import { headersOf, start, withChildren, type Running } from './lib/children.ts';
import { helmetEquivalent } from './lib/equivalents.ts';
import { describeLoad, interleave, loadFlags, printRates } from './lib/load.ts';
import { printRatio, type Samples } from './lib/measure.ts';
import { guardsPolicy, NODE_VARIANTS } from './lib/variants.ts';
import { runStep } from './step.ts';

export const description =
  'node:http req/s: hand-written limit vs Barbican vs helmet (+ guards), then the per-response step';

export async function run(args: readonly string[]): Promise<number> {
  const load = loadFlags(args, { rounds: 8, duration: 2, warmup: 1 });

  // Fails here, before any server starts, if core refuses the guards policy.
  guardsPolicy();
  const variants = NODE_VARIANTS;
  const policy = createPolicy();
  const helmetMap = helmetEquivalent(policy.headersFor({ https: false }));
  for (const note of helmetMap.notes) console.log(`helmet note: ${note}`);

  await withChildren(async () => {
    const running: Running[] = [];
    for (const v of variants) running.push(await start(v, ['core', v]));

    // Same headers everywhere, or the comparison is meaningless: show the diff.
    // Guarded variants are compared with the hand-written guarded limit.
    const references = new Map<string, Map<string, string>>();
    for (const r of running) {
      if (r.label.startsWith('hand-written'))
        references.set(r.label, (await headersOf(r.url)).headers);
    }
    for (const r of running) {
      if (r.label.startsWith('hand-written')) continue;
      const refName = r.label.endsWith('+guards') ? 'hand-written+guards' : 'hand-written';
      const reference = references.get(refName)!;
      const got = (await headersOf(r.url)).headers;
      const diff = [...new Set([...reference.keys(), ...got.keys()])]
        .filter((n) => reference.get(n) !== got.get(n))
        .map((n) => `${n}: ${got.get(n) ?? '(absent)'} vs ${reference.get(n) ?? '(absent)'}`);
      if (diff.length > 0)
        console.log(`headers of ${r.label} differ from ${refName}: ${diff.join('; ')}`);
    }

    console.log(describeLoad(load));
    const { samples, perCpu } = await interleave(running, load);
    console.log('');
    printRates(
      running.map((r) => r.label),
      { samples, perCpu },
    );
    // At a fixed rate every server answers the same req/s by construction:
    // only the CPU each request cost tells the variants apart.
    const fixed = Number.isFinite(load.rate);
    const compare = (table: Samples, suffix: string): boolean => {
      let ok = printRatio(table, 'barbican', 'hand-written', { min: 0.95 }, suffix);
      ok = printRatio(table, 'barbican', 'helmet', { min: 1.2 }, suffix) && ok;
      printRatio(table, 'helmet', 'hand-written', undefined, suffix);
      // Against the stricter limit (one writeHead with the precomputed list).
      printRatio(table, 'barbican', 'hand-written-writehead', undefined, suffix);
      printRatio(table, 'helmet', 'hand-written-writehead', undefined, suffix);
      // Against the limit that does the same work (host check, nonce CSP) by hand…
      ok = printRatio(table, 'barbican+guards', 'hand-written+guards', { min: 0.95 }, suffix) && ok;
      // …and against the plain limit, which does neither.
      printRatio(table, 'barbican+guards', 'hand-written', undefined, suffix);
      printRatio(table, 'barbican+guards', 'helmet', undefined, suffix);
      return ok;
    };
    const met = fixed ? compare(perCpu, ' (server cpu)') : compare(samples, '');
    // The same comparisons per unit of server CPU: steadier under outside load.
    if (!fixed) compare(perCpu, ' (server cpu)');
    // A benchmark on a shared machine is evidence, not a gate: report, exit 0.
    console.log(met ? 'targets: all met' : 'targets: MISSED (see above)');
    console.log('');
  });
  await runStep(args);
  return 0;
}
