/**
 * `npm run bench -- step`: the per-response step alone, no sockets.
 *
 * Each iteration builds a real `http.ServerResponse` over a real
 * `IncomingMessage`, runs the security step and `writeHead` (where
 * Barbican's late hook runs: nonce splice and header stripping), exactly as
 * a server would before serialising the head. "baseline" does only the
 * construction and `writeHead`, so the cost of the step itself is visible.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { createPolicy } from '@barbican/core';
import { nonceOf, protectNode } from '@barbican/core/node';
import { median, numberFlag, printRatio, rate, type Samples } from './lib/measure.ts';
import { BENCH_HOST, guardsPolicy } from './lib/variants.ts';

export const description =
  'per-response step (no sockets): Barbican vs a hand-written setHeader loop';

type Step = (req: IncomingMessage) => ServerResponse;

/** Keeps results observable so the optimiser cannot drop the work. */
let sink: ServerResponse | undefined;

function steps(): Record<string, Step> {
  const policy = createPolicy();
  const headers = policy.headersFor({ https: false });
  const out: Record<string, Step> = {
    baseline(req) {
      const res = new ServerResponse(req);
      res.writeHead(200);
      return res;
    },
    'hand-written-step'(req) {
      const res = new ServerResponse(req);
      for (let i = 0; i < headers.length; i++) {
        const h = headers[i]!;
        res.setHeader(h[0], h[1]);
      }
      res.writeHead(200);
      return res;
    },
    'barbican-step'(req) {
      const res = new ServerResponse(req);
      protectNode(policy, req, res);
      res.writeHead(200);
      return res;
    },
  };
  const gp = guardsPolicy();
  // The guarded limit, as in core: host compared by hand, nonce from randomBytes.
  const fixed = gp.http.set;
  const csp = gp.http.nonced[0]!;
  out['hand-written+guards-step'] = (req) => {
    const res = new ServerResponse(req);
    const host = req.headers.host;
    if (host === BENCH_HOST || (host?.startsWith(`${BENCH_HOST}:`) ?? false)) {
      for (let i = 0; i < fixed.length; i++) {
        const h = fixed[i]!;
        res.setHeader(h[0], h[1]);
      }
      res.setHeader(csp.name, csp.parts.join(randomBytes(16).toString('base64')));
    }
    res.writeHead(200);
    return res;
  };
  out['barbican+guards-step'] = (req) => {
    const res = new ServerResponse(req);
    if (protectNode(gp, req, res)) nonceOf(res);
    res.writeHead(200);
    return res;
  };
  return out;
}

/** Runs the interleaved rounds and prints ops/s and ratios. */
export async function runStep(args: readonly string[]): Promise<void> {
  const rounds = numberFlag(args, 'step-rounds', 40, 200);
  const batch = numberFlag(args, 'step-batch', 5_000, 1_000_000);
  const budgetMs = numberFlag(args, 'step-seconds', 10, 60) * 1000;

  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  req.headers = { host: BENCH_HOST };
  req.rawHeaders = ['Host', BENCH_HOST];

  const all = steps();
  const names = Object.keys(all);
  for (const name of names) {
    // Warm-up so every variant is optimised before it is timed.
    const step = all[name]!;
    for (let i = 0; i < batch; i++) sink = step(req);
  }
  const samples: Samples = {};
  // The same batches timed by process CPU rather than the wall clock: when
  // neighbours take the CPU away mid-batch, wall time grows but CPU time not.
  const cpuSamples: Samples = {};
  const deadline = Date.now() + budgetMs;
  for (let round = 0; round < rounds && Date.now() < deadline; round++) {
    for (const name of names) {
      const step = all[name]!;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < batch; i++) sink = step(req);
      const ns = Number(process.hrtime.bigint() - t0);
      const c = process.cpuUsage(c0);
      (samples[name] ??= []).push((batch * 1e9) / ns);
      (cpuSamples[name] ??= []).push((batch * 1e6) / Math.max(1, c.user + c.system));
    }
    // Let the event loop breathe (and GC) between rounds, as a server would.
    await new Promise((r) => setImmediate(r));
  }
  if (sink === undefined) throw new Error('unreachable');

  console.log(`per-response step, ${samples[names[0]!]!.length} rounds × ${batch} responses:`);
  for (const name of names) {
    console.log(`${name.padEnd(26)} ${rate(median(samples[name]!)).padStart(11)} ops/s`);
  }
  printRatio(samples, 'barbican-step', 'hand-written-step');
  if ('barbican+guards-step' in samples)
    printRatio(samples, 'barbican+guards-step', 'hand-written+guards-step');
  printRatio(cpuSamples, 'barbican-step', 'hand-written-step', undefined, ' (cpu time)');
  if ('barbican+guards-step' in cpuSamples)
    printRatio(
      cpuSamples,
      'barbican+guards-step',
      'hand-written+guards-step',
      undefined,
      ' (cpu time)',
    );
  // Net of constructing the response and writing its head: the step alone.
  const net = (name: string) =>
    samples[name]!.map((ops, i) => 1e9 / ops - 1e9 / samples.baseline![i]!);
  const hand = net('hand-written-step');
  const barb = net('barbican-step');
  console.log(
    `step cost net of baseline: hand-written ${median(hand).toFixed(0)} ns, barbican ${median(barb).toFixed(0)} ns`,
  );
}

export async function run(args: readonly string[]): Promise<number> {
  await runStep(args);
  return 0;
}
