/**
 * The servers `bench/reports.ts` loads, in a child process: the collector
 * on SQLite or PostgreSQL, the do-nothing node:http endpoint that reads
 * the body and answers 204 (the HTTP limit of this machine), and the floor:
 * the least any collector that stores reports durably must do.
 *
 * @module
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { DURABILITIES, openStore, startCollector, type Durability } from '@barbican/reports';

/** The collector's limits stay in the path, set high enough never to trigger. */
const NO_LIMIT = { rate: 1e9, burst: 1e9 };

/** Starts variant `noop` or `collector` (with `db` and a durability); resolves the port. */
export async function listenReports(args: readonly string[]): Promise<number> {
  const [variant = '', db = '', durability = 'process'] = args;
  if (variant === 'noop') {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(204, { 'access-control-allow-origin': '*' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }
  if (variant === 'floor') return listenFloor(db);
  if (variant !== 'collector') throw new Error(`unknown reports variant ${variant}`);
  if (!(DURABILITIES as readonly string[]).includes(durability))
    throw new Error(`unknown durability ${durability}`);
  const store = await openStore(db, { durability: durability as Durability });
  const collector = await startCollector({
    store,
    perClient: NO_LIMIT,
    perSite: NO_LIMIT,
    retentionDays: false,
  });
  return collector.port;
}

type Fields = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What the floor keeps of one report: its type, page and blocked URL. */
function floorRow(item: unknown): [string, string, string] {
  const r = (item ?? {}) as Fields;
  const legacy = r['csp-report'] as Fields | undefined;
  const body = (legacy ?? r['body'] ?? {}) as Fields;
  return [
    text(r['type']) || 'csp-violation',
    text(legacy?.['document-uri'] ?? r['url']),
    text(body['blocked-uri'] ?? body['blockedURL']),
  ];
}

/**
 * The floor: node:http, `JSON.parse` of the body, and one plain row per
 * report (three columns, no unique key, no validation, no normalising, no
 * de-duplication) appended in a group commit on the same SQLite settings
 * as the collector's default (WAL, synchronous=NORMAL) before the 204. It
 * is not a collector; it is the bound of the collector's design on this
 * machine: whatever the collector does on top of it costs on top of it.
 */
async function listenFloor(db: string): Promise<number> {
  const file = db.replace(/^sqlite:/, '');
  const conn = new DatabaseSync(file);
  conn.exec('PRAGMA journal_mode = WAL');
  conn.exec('PRAGMA synchronous = NORMAL');
  conn.exec('CREATE TABLE IF NOT EXISTS floor (type TEXT, url TEXT, blocked TEXT)');
  const insert = conn.prepare('INSERT INTO floor (type, url, blocked) VALUES (?, ?, ?)');
  let rows: [string, string, string][] = [];
  let waiting: ServerResponse[] = [];
  const commit = () => {
    const [batch, answer] = [rows, waiting];
    [rows, waiting] = [[], []];
    conn.exec('BEGIN IMMEDIATE');
    for (const row of batch) insert.run(...row);
    conn.exec('COMMIT');
    for (const res of answer) res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const item of Array.isArray(json) ? json : [json]) rows.push(floorRow(item));
      if (waiting.push(res) === 1) setImmediate(commit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
