/**
 * `npm run bench -- reports [--rounds N] [--duration S] [--connections N]
 * [--pipelining N] [--backends sqlite,postgres] [--durability process,power]
 * [--payloads legacy,batch10] [--cpu-prof DIR]`: sustained report ingest.
 *
 * The collector (`@barbican/reports`) on SQLite (once per durability) and on
 * PostgreSQL, side by side with a do-nothing node:http endpoint that reads
 * the body and answers 204 — the HTTP limit of this machine. Each in its
 * own child process, every one loaded by autocannon on loopback with the
 * same connections, pipelining, duration and bodies, in interleaved rounds:
 * a legacy `application/csp-report` (one report per POST) and a Reporting
 * API batch of 10 (`application/reports+json`). Every report is unique
 * (autocannon's `[<id>]`), so every one is a new row: the worst case for
 * storage. The collector's rate limits stay on, set too high to trigger.
 *
 * Every 2xx is an ack with the durability the variant names (`sqlite`:
 * `process`, the default: survives SIGKILL; `sqlite-power`: survives a
 * power cut, an fsync per group commit; PostgreSQL: the server's
 * `synchronous_commit`). After the run each database must hold at least as
 * many reports as were acknowledged, or the run fails. (It may hold a few
 * more: requests in flight when a round's time is up are stored, but
 * autocannon stops counting their answers.)
 *
 * Besides req/s, every round reads each server's CPU time (the whole
 * process and its main thread) and the load generator's: CPU per request
 * moves far less than req/s on a shared machine.
 *
 * @module
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { DURABILITIES, openStore, type Durability } from '@barbican/reports';
import { postgresUrl } from '../scripts/services.ts';
import { cpuTimesOf, start, stop, withChildren, type Running } from './lib/children.ts';
import {
  median,
  numberFlag,
  printRatio,
  rate,
  sleep,
  stringFlag,
  UsageError,
  type Samples,
} from './lib/measure.ts';

export const description =
  'report ingest on SQLite (each durability) and PostgreSQL vs a do-nothing 204 endpoint (legacy and batches of 10)';

const BACKENDS = ['sqlite', 'postgres'] as const;
type Backend = (typeof BACKENDS)[number];

const DOC = 'https://shop.example/checkout';
const POLICY =
  "default-src 'self'; img-src 'self'; report-uri https://collector.example/report/shop";

/** One legacy report, unique per request. */
const LEGACY = JSON.stringify({
  'csp-report': {
    'document-uri': DOC,
    referrer: '',
    'violated-directive': 'img-src',
    'effective-directive': 'img-src',
    'original-policy': POLICY,
    disposition: 'enforce',
    'blocked-uri': 'https://cdn.example/[<id>].png',
    'line-number': 12,
    'column-number': 7,
    'source-file': DOC,
    'status-code': 200,
    'script-sample': '',
  },
});

/** A Reporting API batch of 10 reports, unique per request. */
const BATCH = JSON.stringify(
  Array.from({ length: 10 }, (_, i) => ({
    type: 'csp-violation',
    age: 120 + i,
    url: DOC,
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36',
    body: {
      documentURL: DOC,
      effectiveDirective: 'img-src',
      blockedURL: `https://cdn.example/[<id>]/${i}.png`,
      originalPolicy: POLICY,
      disposition: 'report',
      sourceFile: DOC,
      lineNumber: 12,
      columnNumber: 7 + i,
      statusCode: 200,
      referrer: '',
      sample: '',
    },
  })),
);

const PAYLOADS = {
  legacy: { contentType: 'application/csp-report', body: LEGACY, reports: 1 },
  batch10: { contentType: 'application/reports+json', body: BATCH, reports: 10 },
} as const;
type Payload = keyof typeof PAYLOADS;

/** The collector variant the ratio target is claimed on: SQLite with the default durability. */
const TARGET_LABEL = 'sqlite';
const TARGET = { min: 0.6 };

interface Options {
  rounds: number;
  duration: number;
  connections: number;
  pipelining: number;
  warmup: number;
  backends: readonly Backend[];
  durabilities: readonly Durability[];
  payloads: readonly Payload[];
  cpuProf: string | undefined;
}

/** A `--name a,b` list flag, each value checked against `allowed`. */
function listFlag<T extends string>(
  args: readonly string[],
  name: string,
  allowed: readonly T[],
): T[] {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const raw = i === -1 ? undefined : (args[i]!.split('=')[1] ?? args[i + 1]);
  const values = (raw ?? allowed.join(',')).split(',').map((s) => s.trim());
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v))
      throw new UsageError(`--${name}: unknown "${v}"; one of ${allowed.join(', ')}`);
  }
  return values as T[];
}

function options(args: readonly string[]): Options {
  return {
    rounds: numberFlag(args, 'rounds', 3, 30),
    duration: numberFlag(args, 'duration', 3, 10),
    // A collector's clients are many browsers, each posting now and then:
    // many connections, no pipelining (browsers do not pipeline). The
    // do-nothing endpoint gets exactly the same load.
    connections: numberFlag(args, 'connections', 100, 1000),
    pipelining: numberFlag(args, 'pipelining', 1, 20),
    warmup: 1,
    backends: listFlag(args, 'backends', BACKENDS),
    durabilities: listFlag(args, 'durability', DURABILITIES),
    payloads: listFlag(args, 'payloads', Object.keys(PAYLOADS) as Payload[]),
    cpuProf: stringFlag(args, 'cpu-prof'),
  };
}

/** A throw-away PostgreSQL database on the services cluster; dropped by the returned function. */
async function postgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = await postgresUrl();
  const name = `barbican_bench_reports_${process.pid}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await run(`CREATE DATABASE ${name}`);
  return {
    url: admin.replace(/\/[^/?]*(\?.*)?$/, `/${name}`),
    drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Median time of a 4 KiB write plus `fdatasync` in `dir`, in ms: what a `power` commit waits for. */
function syncLatency(dir: string): number {
  const file = join(dir, 'sync-probe');
  const fd = openSync(file, 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < 15; i++) {
      writeSync(fd, Buffer.alloc(4096, i));
      const t0 = performance.now();
      fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return median(times);
}

interface Loaded {
  readonly ok: number;
  readonly perSecond: number;
  /** Server CPU per acknowledged request (µs): whole process, main thread. */
  readonly cpu: number;
  readonly mainCpu: number;
  /** The load generator's CPU per request (µs). */
  readonly clientCpu: number;
}

async function load(r: Running, payload: Payload, seconds: number, o: Options): Promise<Loaded> {
  const p = PAYLOADS[payload];
  const cpu0 = await cpuTimesOf(r);
  const client0 = process.cpuUsage();
  const result = await autocannon({
    url: `${r.url}report/shop`,
    method: 'POST',
    headers: { 'content-type': p.contentType },
    body: p.body,
    idReplacement: true,
    connections: o.connections,
    pipelining: o.pipelining,
    duration: seconds,
    timeout: 10,
  });
  const client = process.cpuUsage(client0);
  const cpu1 = await cpuTimesOf(r);
  if (result.errors + result.timeouts + result.non2xx > 0) {
    throw new Error(
      `${r.label} ${payload}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
    );
  }
  const ok = result['2xx'];
  const per = (us: number) => us / Math.max(1, ok);
  return {
    ok,
    perSecond: ok / (result.duration || seconds),
    cpu: per(cpu1.total - cpu0.total),
    mainCpu: per(cpu1.main - cpu0.main),
    clientCpu: per(client.user + client.system),
  };
}

/** Reports the database holds (the hourly counters, written in the same transaction as the rows). */
async function storedReports(db: string): Promise<number> {
  const store = await openStore(db);
  try {
    return (await store.timeline({ since: 0 })).reduce((n, p) => n + p.count, 0);
  } finally {
    await store.close();
  }
}

/** One collector child to start: its label, database and durability. */
interface Variant {
  readonly label: string;
  readonly db: string;
  readonly durability: Durability;
  readonly note: string;
}

function variants(o: Options, dir: string, pgUrl: string | undefined): Variant[] {
  const out: Variant[] = [];
  if (o.backends.includes('sqlite')) {
    for (const d of o.durabilities) {
      out.push({
        label: d === 'process' ? 'sqlite' : `sqlite-${d}`,
        db: `sqlite:${join(dir, `reports-${d}.db`)}`,
        durability: d,
        note:
          d === 'process'
            ? 'SQLite, durability process (WAL synchronous=NORMAL: an ack survives SIGKILL)'
            : 'SQLite, durability power (WAL synchronous=FULL: an ack survives a power cut)',
      });
    }
  }
  if (pgUrl !== undefined) {
    out.push({
      label: 'postgres',
      db: pgUrl,
      durability: 'power',
      note: "PostgreSQL, the server's synchronous_commit (on: an ack survives a power cut)",
    });
  }
  return out;
}

/** Per payload, per server: one sample per round. */
interface Measured {
  perSecond: Record<Payload, Samples>;
  perCpu: Record<Payload, Samples>;
  cpu: Record<Payload, Samples>;
  mainCpu: Record<Payload, Samples>;
  clientCpu: Record<Payload, Samples>;
  acked: Record<string, number>;
}

async function measure(servers: readonly Running[], o: Options): Promise<Measured> {
  const empty = () => ({ legacy: {}, batch10: {} }) as Record<Payload, Samples>;
  const m: Measured = {
    perSecond: empty(),
    perCpu: empty(),
    cpu: empty(),
    mainCpu: empty(),
    clientCpu: empty(),
    acked: {},
  };
  const count = (s: Running, payload: Payload, l: Loaded) => {
    m.acked[s.label] = (m.acked[s.label] ?? 0) + l.ok * PAYLOADS[payload].reports;
  };
  for (const payload of o.payloads) {
    for (const s of servers) count(s, payload, await load(s, payload, o.warmup, o));
  }
  for (let round = 0; round < o.rounds; round++) {
    for (const payload of o.payloads) {
      for (const s of servers) {
        const l = await load(s, payload, o.duration, o);
        count(s, payload, l);
        (m.perSecond[payload][s.label] ??= []).push(l.perSecond);
        (m.perCpu[payload][s.label] ??= []).push(1e6 / Math.max(1, l.cpu));
        (m.cpu[payload][s.label] ??= []).push(l.cpu);
        (m.mainCpu[payload][s.label] ??= []).push(l.mainCpu);
        (m.clientCpu[payload][s.label] ??= []).push(l.clientCpu);
        await sleep(100);
      }
    }
  }
  return m;
}

/**
 * The server CPU per request the target leaves on this machine: to serve
 * `TARGET.min` × noop's rate with every core busy, server and load
 * generator together may spend the cores' time over that rate. Printed
 * with what the floor with the collector's row and the target variant
 * spend, so a missed target says whether any work could have met it.
 */
function printBudget(m: Measured, payload: Payload): void {
  const noop = m.perSecond[payload]['noop'];
  const client = m.clientCpu[payload][TARGET_LABEL];
  if (noop === undefined || client === undefined) return;
  const cores = availableParallelism();
  const budgets = noop.map((rps, i) => (cores * 1e6) / (TARGET.min * rps) - client[i]!);
  const spent = ['floor-row', TARGET_LABEL]
    .filter((l) => m.cpu[payload][l] !== undefined)
    .map((l) => `${l} ${median(m.cpu[payload][l]!).toFixed(0)}`)
    .join(', ');
  console.log(
    `budget ${payload}: ${TARGET.min}× noop on ${cores} cores leaves ≤ ${median(budgets).toFixed(0)} µs of server CPU per request, every core busy (rounds ${Math.min(...budgets).toFixed(0)}–${Math.max(...budgets).toFixed(0)}); spent: ${spent}`,
  );
}

/** Prints each payload's table and ratio lines; false when the target is missed. */
function report(servers: readonly Running[], labels: readonly string[], m: Measured, o: Options) {
  let met = true;
  const us = (x: number) => `${x.toFixed(0)} µs`;
  for (const payload of o.payloads) {
    const n = PAYLOADS[payload].reports;
    console.log(`\n${payload} (${n} report${n === 1 ? '' : 's'} per request):`);
    console.log(
      `  ${'server'.padEnd(13)} ${'req/s'.padStart(8)}  ${'cpu/req'.padStart(8)} ${'(main)'.padStart(8)}  ${'client'.padStart(8)}  rounds (req/s)`,
    );
    for (const s of servers) {
      const at = (k: 'perSecond' | 'cpu' | 'mainCpu' | 'clientCpu') =>
        median(m[k][payload][s.label]!);
      console.log(
        `  ${s.label.padEnd(13)} ${rate(at('perSecond')).padStart(8)}  ${us(at('cpu')).padStart(8)} ${`(${us(at('mainCpu'))})`.padStart(8)}  ${us(at('clientCpu')).padStart(8)}  ${m.perSecond[payload][s.label]!.map(rate).join(', ')}`,
      );
    }
    for (const floor of ['floor', 'floor-row']) {
      printRatio(m.perSecond[payload], floor, 'noop', undefined, ` ${payload}`);
      printRatio(m.perCpu[payload], floor, 'noop', undefined, ` ${payload} (server cpu)`);
    }
    for (const label of labels) {
      const target = label === TARGET_LABEL ? TARGET : undefined;
      met = printRatio(m.perSecond[payload], label, 'noop', target, ` ${payload}`) && met;
      printRatio(m.perCpu[payload], label, 'noop', undefined, ` ${payload} (server cpu)`);
    }
    printBudget(m, payload);
  }
  return met;
}

export async function run(args: readonly string[]): Promise<number> {
  const o = options(args);
  if (o.cpuProf !== undefined) process.env.BENCH_CPU_PROF = o.cpuProf;
  const dir = mkdtempSync(join(tmpdir(), 'barbican-bench-reports-'));
  const pgDb = o.backends.includes('postgres') ? await postgresDatabase() : undefined;
  const vs = variants(o, dir, pgDb?.url);
  try {
    return await withChildren(async () => {
      const servers = [
        await start('noop', ['reports', 'noop']),
        await start('floor', ['reports', 'floor', `sqlite:${join(dir, 'floor.db')}`]),
        await start('floor-row', ['reports', 'floor-row', `sqlite:${join(dir, 'floor-row.db')}`]),
      ];
      for (const v of vs)
        servers.push(await start(v.label, ['reports', 'collector', v.db, v.durability]));
      console.log(
        `load: autocannon on loopback, the same for every server: ${o.connections} connections, pipelining ${o.pipelining}, ${o.rounds} rounds × ${o.duration} s per server and body (after ${o.warmup} s warm-up); every report unique`,
      );
      console.log(
        `disk: a 4 KiB write + fdatasync takes ${syncLatency(dir).toFixed(2)} ms (median)`,
      );
      for (const v of vs) console.log(`${v.label}: ${v.note}`);
      console.log(
        `cpu/req: the server process's CPU per acknowledged request (main thread in parentheses); client: the load generator's`,
      );
      const m = await measure(servers, o);
      stop(servers);
      const met = report(
        servers,
        vs.map((v) => v.label),
        m,
        o,
      );
      console.log(`\ntarget: ${TARGET_LABEL}/noop ≥ ${TARGET.min} (SQLite, default durability)`);
      await sleep(500); // let the children exit and release the database
      for (const v of vs) {
        const stored = await storedReports(v.db);
        const acked = m.acked[v.label] ?? 0;
        const ok = stored >= acked;
        console.log(
          `${v.label}: ${acked} reports acknowledged, ${stored} in the database${ok ? '' : ' — ACKNOWLEDGED REPORTS MISSING'}`,
        );
        if (!ok) return 1;
      }
      return met ? 0 : 1;
    });
  } finally {
    await pgDb?.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
