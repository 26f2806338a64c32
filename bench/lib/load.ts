/**
 * Interleaved load rounds against child servers (autocannon in this
 * process): every round visits each server in turn with the same duration,
 * so a burst from elsewhere on the machine lands on a whole round.
 *
 * @module
 */
import autocannon from 'autocannon';
import { cpuOf, type Running } from './children.ts';
import { median, numberFlag, rate, sleep, type Samples } from './measure.ts';

/** How hard and how long to load each server. */
export interface LoadOptions {
  readonly rounds: number;
  /** Seconds per server per round. */
  readonly duration: number;
  readonly connections: number;
  readonly pipelining: number;
  /** A hard cap per run on top of the duration. */
  readonly maxRequests: number;
  /** Fixed offered load in req/s, or Infinity for as fast as the server answers. */
  readonly rate: number;
  /** Seconds of warm-up load per server (JIT, sockets) before the rounds. */
  readonly warmup: number;
}

/** Reads the load flags, with the caller's defaults for rounds and duration. */
export function loadFlags(
  args: readonly string[],
  defaults: { rounds: number; duration: number; warmup: number },
): LoadOptions {
  return {
    rounds: numberFlag(args, 'rounds', defaults.rounds, 30),
    duration: numberFlag(args, 'duration', defaults.duration, 10),
    connections: numberFlag(args, 'connections', 50, 200),
    pipelining: numberFlag(args, 'pipelining', 10, 20),
    maxRequests: numberFlag(args, 'max-requests', 2_000_000, 5_000_000),
    // A fixed offered load: every server then does the same work at the same
    // pace, and server CPU per request compares the variants without the
    // confound of batching (a faster server batches more per syscall).
    rate: numberFlag(args, 'rate', Infinity, 100_000),
    warmup: defaults.warmup,
  };
}

/** One line describing the load, for the output. */
export function describeLoad(o: LoadOptions): string {
  return (
    `load: autocannon, ${o.connections} connections, pipelining ${o.pipelining}, ` +
    `${o.rounds} rounds × ${o.duration} s per variant` +
    (Number.isFinite(o.rate) ? `, fixed rate ${o.rate} req/s` : ', as fast as the server answers')
  );
}

/** Per-server samples: req/s and requests per second of server CPU. */
export interface LoadSamples {
  readonly samples: Samples;
  readonly perCpu: Samples;
}

/** Warms every server up, then runs the interleaved rounds. Any error or non-2xx fails the run. */
export async function interleave(
  running: readonly Running[],
  o: LoadOptions,
): Promise<LoadSamples> {
  const load = (url: string, seconds: number) =>
    autocannon({
      ...(Number.isFinite(o.rate) ? { overallRate: o.rate } : {}),
      url,
      connections: o.connections,
      pipelining: o.pipelining,
      duration: seconds,
      maxOverallRequests: o.maxRequests,
      timeout: 10,
    });
  for (const r of running) await load(r.url, o.warmup);
  const samples: Samples = {};
  const perCpu: Samples = {};
  for (let round = 0; round < o.rounds; round++) {
    for (const r of running) {
      const cpu0 = await cpuOf(r);
      const result = await load(r.url, o.duration);
      const cpu = (await cpuOf(r)) - cpu0;
      if (result.errors + result.timeouts + result.non2xx > 0) {
        throw new Error(
          `${r.label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
        );
      }
      (samples[r.label] ??= []).push(result.requests.total / (result.duration || o.duration));
      // Requests per second of server CPU: throughput if the server had a core to itself.
      (perCpu[r.label] ??= []).push((result.requests.total * 1e6) / Math.max(1, cpu));
      await sleep(100);
    }
  }
  return { samples, perCpu };
}

/** Prints one line per server: median req/s, and the rounds. */
export function printRates(labels: readonly string[], s: LoadSamples, width = 20): void {
  for (const label of labels) {
    const x = s.samples[label]!;
    const c = s.perCpu[label]!;
    console.log(
      `${label.padEnd(width)} ${rate(median(x)).padStart(9)} req/s  ${rate(median(c)).padStart(9)} req/cpu-s  (rounds: ${x.map(rate).join(', ')})`,
    );
  }
}
