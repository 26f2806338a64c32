/**
 * `npm run bench -- reports [--rounds N] [--duration S] [--connections N]
 * [--pipelining N] [--backends sqlite,postgres]`: sustained report ingest.
 *
 * The collector (`@barbican/reports`) on SQLite and on PostgreSQL, side by
 * side with a do-nothing node:http endpoint that reads the body and answers
 * 204 — the HTTP limit of this machine. Each in its own child process,
 * loaded by autocannon on loopback in interleaved rounds with two bodies:
 * a legacy `application/csp-report` (one report per POST) and a Reporting
 * API batch of 10 (`application/reports+json`). Every report is unique
 * (autocannon's `[<id>]`), so every one is a new row: the worst case for
 * storage. The collector's rate limits stay on, set too high to trigger.
 *
 * Every 2xx is a durable ack (the commit, with SQLite's WAL synced, returned
 * before the answer): after the run the database must hold at least as many
 * reports as were acknowledged, or the run fails. (It may hold a few more:
 * requests in flight when a run's time is up are stored, but autocannon
 * stops counting their answers.)
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openStore } from '@barbican/reports';
import { postgresUrl } from '../scripts/services.ts';
import { cpuOf, start, stop, withChildren, type Running } from './lib/children.ts';
import {
  median,
  numberFlag,
  printRatio,
  rate,
  sleep,
  UsageError,
  type Samples,
} from './lib/measure.ts';

export const description =
  'report ingest on SQLite and PostgreSQL vs a do-nothing 204 endpoint (legacy and batches of 10)';

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

interface Options {
  rounds: number;
  duration: number;
  connections: number;
  pipelining: number;
  warmup: number;
  backends: readonly Backend[];
}

function options(args: readonly string[]): Options {
  const i = args.findIndex((a) => a === '--backends' || a.startsWith('--backends='));
  const raw = i === -1 ? undefined : (args[i]!.split('=')[1] ?? args[i + 1]);
  const backends = (raw ?? BACKENDS.join(',')).split(',').map((s) => s.trim());
  for (const b of backends) {
    if (!(BACKENDS as readonly string[]).includes(b))
      throw new UsageError(`--backends: unknown "${b}"; one of ${BACKENDS.join(', ')}`);
  }
  return {
    rounds: numberFlag(args, 'rounds', 3, 30),
    duration: numberFlag(args, 'duration', 3, 10),
    connections: numberFlag(args, 'connections', 32, 200),
    // Browsers do not pipeline: one report per request per connection.
    pipelining: numberFlag(args, 'pipelining', 1, 20),
    warmup: 1,
    backends: backends as Backend[],
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

interface Loaded {
  readonly ok: number;
  readonly perSecond: number;
  readonly perCpu: number;
}

async function load(r: Running, payload: Payload, seconds: number, o: Options): Promise<Loaded> {
  const p = PAYLOADS[payload];
  const cpu0 = await cpuOf(r);
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
  const cpu = (await cpuOf(r)) - cpu0;
  if (result.errors + result.timeouts + result.non2xx > 0) {
    throw new Error(
      `${r.label} ${payload}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
    );
  }
  const ok = result['2xx'];
  return {
    ok,
    perSecond: ok / (result.duration || seconds),
    perCpu: (ok * 1e6) / Math.max(1, cpu),
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

export async function run(args: readonly string[]): Promise<number> {
  const o = options(args);
  const dir = mkdtempSync(join(tmpdir(), 'barbican-bench-reports-'));
  const pgDb = o.backends.includes('postgres') ? await postgresDatabase() : undefined;
  const dbs: Partial<Record<Backend, string>> = {
    ...(o.backends.includes('sqlite') ? { sqlite: `sqlite:${join(dir, 'reports.db')}` } : {}),
    ...(pgDb === undefined ? {} : { postgres: pgDb.url }),
  };
  try {
    return await withChildren(async () => {
      const servers = [await start('noop', ['reports', 'noop'])];
      for (const b of o.backends)
        servers.push(await start(b, ['reports', 'collector', dbs[b] ?? '']));
      console.log(
        `load: autocannon on loopback, ${o.connections} connections, pipelining ${o.pipelining}, ${o.rounds} rounds × ${o.duration} s per server and body; every report unique; SQLite WAL synchronous=FULL`,
      );
      const acked: Record<string, number> = {};
      const samples: Record<Payload, Samples> = { legacy: {}, batch10: {} };
      const perCpu: Record<Payload, Samples> = { legacy: {}, batch10: {} };
      for (const payload of Object.keys(PAYLOADS) as Payload[]) {
        for (const s of servers)
          acked[s.label] =
            (acked[s.label] ?? 0) +
            (await load(s, payload, o.warmup, o)).ok * PAYLOADS[payload].reports;
      }
      for (let round = 0; round < o.rounds; round++) {
        for (const payload of Object.keys(PAYLOADS) as Payload[]) {
          for (const s of servers) {
            const l = await load(s, payload, o.duration, o);
            acked[s.label] = (acked[s.label] ?? 0) + l.ok * PAYLOADS[payload].reports;
            (samples[payload][s.label] ??= []).push(l.perSecond);
            (perCpu[payload][s.label] ??= []).push(l.perCpu);
            await sleep(100);
          }
        }
      }
      stop(servers);
      let met = true;
      for (const payload of Object.keys(PAYLOADS) as Payload[]) {
        console.log(
          `\n${payload} (${PAYLOADS[payload].reports} report${PAYLOADS[payload].reports === 1 ? '' : 's'} per request):`,
        );
        for (const s of servers) {
          const x = samples[payload][s.label]!;
          console.log(
            `  ${s.label.padEnd(9)} ${rate(median(x)).padStart(8)} req/s  ${rate(median(perCpu[payload][s.label]!)).padStart(8)} req/cpu-s  (rounds: ${x.map(rate).join(', ')})`,
          );
        }
        for (const b of o.backends) {
          met =
            printRatio(
              samples[payload],
              b,
              'noop',
              b === 'sqlite' ? { min: 0.6 } : undefined,
              ` ${payload}`,
            ) && met;
        }
      }
      await sleep(500); // let the children exit and release the database
      for (const b of o.backends) {
        const stored = await storedReports(dbs[b]!);
        const ok = stored >= (acked[b] ?? 0);
        console.log(
          `${b}: ${acked[b]} reports acknowledged, ${stored} in the database${ok ? '' : ' — ACKNOWLEDGED REPORTS MISSING'}`,
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
