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
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createPolicy } from '@barbican/core';
import { helmetEquivalent } from './lib/equivalents.ts';
import { median, numberFlag, printRatio, rate, sleep, type Samples } from './lib/measure.ts';
import { guardsPolicy, NODE_VARIANTS, type NodeVariant } from './lib/variants.ts';
import { runStep } from './step.ts';

export const description =
  'node:http req/s: hand-written limit vs Barbican vs helmet (+ guards), then the per-response step';

const SERVER = fileURLToPath(new URL('./lib/server.ts', import.meta.url));

interface Running {
  readonly variant: NodeVariant;
  readonly child: ChildProcess;
  readonly url: string;
}

/** Every child ever forked, so that even one that never reported a port is killed. */
const children: ChildProcess[] = [];

/** Forks one server and waits for its port (bounded: 15 s). */
function start(variant: NodeVariant): Promise<Running> {
  const child = fork(SERVER, [variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${variant}: server did not start within 15 s`));
    }, 15_000);
    child.once('message', (m: { port?: number; error?: string }) => {
      clearTimeout(timer);
      if (m.port === undefined) reject(new Error(`${variant}: ${m.error ?? 'no port'}`));
      else resolve({ variant, child, url: `http://127.0.0.1:${m.port}/` });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${variant}: server exited with ${code}`));
    });
  }).finally(() => child.removeAllListeners('exit')) as Promise<Running>;
}

/** The server's CPU time so far, in microseconds (bounded wait: 5 s). */
function cpuOf(r: Running): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      r.child.off('message', onMessage);
      reject(new Error(`${r.variant}: no CPU report within 5 s`));
    }, 5_000);
    function onMessage(m: { cpu?: number }): void {
      if (m.cpu === undefined) return;
      clearTimeout(timer);
      r.child.off('message', onMessage);
      resolve(m.cpu);
    }
    r.child.on('message', onMessage);
    r.child.send('cpu');
  });
}

/** The response headers a server sends, lower-cased, minus the ones that differ per response. */
async function headersOf(url: string): Promise<Map<string, string>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  await res.text();
  const out = new Map<string, string>();
  // Nonces differ per response by design.
  for (const [n, v] of res.headers)
    if (n !== 'date') out.set(n, v.replace(/'nonce-[A-Za-z0-9+/=]+'/g, "'nonce-…'"));
  return out;
}

export async function run(args: readonly string[]): Promise<number> {
  const rounds = numberFlag(args, 'rounds', 8, 30);
  const duration = numberFlag(args, 'duration', 2, 10);
  const connections = numberFlag(args, 'connections', 50, 200);
  const pipelining = numberFlag(args, 'pipelining', 10, 20);
  // A hard cap per run on top of the duration: at most this many requests.
  const maxRequests = numberFlag(args, 'max-requests', 2_000_000, 5_000_000);
  // Optional fixed offered load (req/s): every server then does the same work
  // at the same pace, and server CPU per request compares the variants without
  // the confound of batching (a faster server batches more per syscall).
  const rate_ = numberFlag(args, 'rate', Infinity, 100_000);

  const guards = guardsPolicy();
  const variants = NODE_VARIANTS.filter((v) => !v.endsWith('+guards') || 'policy' in guards);
  if (!('policy' in guards)) {
    console.log(
      `skipping barbican+guards: createPolicy does not accept ${guards.missing.join('; ')}`,
    );
  }
  const policy = createPolicy();
  const helmetMap = helmetEquivalent(policy.headersFor({ https: false }));
  for (const note of helmetMap.notes) console.log(`helmet note: ${note}`);

  const running: Running[] = [];
  const stopAll = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill();
  };
  // Ctrl-C: stop the servers, then exit as interrupted (a SIGINT listener
  // would otherwise keep the load running).
  const onSigint = (): void => {
    stopAll();
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    for (const v of variants) running.push(await start(v));

    // Same headers everywhere, or the comparison is meaningless: show the diff.
    // Guarded variants are compared with the hand-written guarded limit.
    const references = new Map<string, Map<string, string>>();
    for (const r of running) {
      if (r.variant.startsWith('hand-written')) references.set(r.variant, await headersOf(r.url));
    }
    for (const r of running) {
      if (r.variant.startsWith('hand-written')) continue;
      const refName = r.variant.endsWith('+guards') ? 'hand-written+guards' : 'hand-written';
      const reference = references.get(refName)!;
      const got = await headersOf(r.url);
      const diff = [...new Set([...reference.keys(), ...got.keys()])]
        .filter((n) => reference.get(n) !== got.get(n))
        .map((n) => `${n}: ${got.get(n) ?? '(absent)'} vs ${reference.get(n) ?? '(absent)'}`);
      if (diff.length > 0)
        console.log(`headers of ${r.variant} differ from ${refName}: ${diff.join('; ')}`);
    }

    const load = (url: string, seconds: number) =>
      autocannon({
        ...(Number.isFinite(rate_) ? { overallRate: rate_ } : {}),
        url,
        connections,
        pipelining,
        duration: seconds,
        maxOverallRequests: maxRequests,
        timeout: 10,
      });

    console.log(
      `load: autocannon, ${connections} connections, pipelining ${pipelining}, ${rounds} rounds × ${duration} s per variant` +
        (Number.isFinite(rate_)
          ? `, fixed rate ${rate_} req/s`
          : ', as fast as the server answers'),
    );
    for (const r of running) await load(r.url, 1); // warm-up: JIT, sockets
    const samples: Samples = {};
    const perCpu: Samples = {};
    for (let round = 0; round < rounds; round++) {
      for (const r of running) {
        const cpu0 = await cpuOf(r);
        const result = await load(r.url, duration);
        const cpu = (await cpuOf(r)) - cpu0;
        if (result.errors + result.timeouts + result.non2xx > 0) {
          throw new Error(
            `${r.variant}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
          );
        }
        (samples[r.variant] ??= []).push(result.requests.total / (result.duration || duration));
        // Requests per second of server CPU: throughput if the server had a core to itself.
        (perCpu[r.variant] ??= []).push((result.requests.total * 1e6) / cpu);
        await sleep(100);
      }
    }

    console.log('');
    for (const r of running) {
      const s = samples[r.variant]!;
      console.log(
        `${r.variant.padEnd(20)} ${rate(median(s)).padStart(9)} req/s  (rounds: ${s.map(rate).join(', ')})`,
      );
    }
    // At a fixed rate every server answers the same req/s by construction:
    // only the CPU each request cost tells the variants apart.
    const fixed = Number.isFinite(rate_);
    const compare = (table: Samples, suffix: string): boolean => {
      let ok = printRatio(table, 'barbican', 'hand-written', { min: 0.95 }, suffix);
      ok = printRatio(table, 'barbican', 'helmet', { min: 1.2 }, suffix) && ok;
      printRatio(table, 'helmet', 'hand-written', undefined, suffix);
      // Against the stricter limit (one writeHead with the precomputed list).
      printRatio(table, 'barbican', 'hand-written-writehead', undefined, suffix);
      printRatio(table, 'helmet', 'hand-written-writehead', undefined, suffix);
      if ('policy' in guards) {
        // Against the limit that does the same work (host check, nonce CSP) by hand…
        ok =
          printRatio(table, 'barbican+guards', 'hand-written+guards', { min: 0.95 }, suffix) && ok;
        // …and against the plain limit, which does neither.
        printRatio(table, 'barbican+guards', 'hand-written', undefined, suffix);
        printRatio(table, 'barbican+guards', 'helmet', undefined, suffix);
      }
      return ok;
    };
    const met = fixed ? compare(perCpu, ' (server cpu)') : compare(samples, '');
    // The same comparisons per unit of server CPU: steadier under outside load.
    if (!fixed) compare(perCpu, ' (server cpu)');
    // A benchmark on a shared machine is evidence, not a gate: report, exit 0.
    console.log(met ? 'targets: all met' : 'targets: MISSED (see above)');
    console.log('');
  } finally {
    stopAll();
    process.removeListener('SIGINT', onSigint);
  }
  await runStep(args);
  return 0;
}
