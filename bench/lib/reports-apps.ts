/**
 * The servers `bench/reports.ts` loads, in a child process: the collector
 * on SQLite or PostgreSQL, the do-nothing node:http endpoint that reads
 * the body and answers 204 (the HTTP limit of this machine), and two
 * floors: the least any collector that stores reports durably must do, and
 * the least that stores them as this collector's table holds them.
 *
 * @module
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import {
  DAY_MS,
  DURABILITIES,
  fingerprint,
  openStore,
  startCollector,
  type Durability,
  type NormalizedReport,
} from '@barbican/reports';

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
  if (variant === 'floor-row') return listenRowFloor(db);
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
function listenFloor(db: string): Promise<number> {
  return listenAppender(
    db,
    ['CREATE TABLE IF NOT EXISTS floor (type TEXT, url TEXT, blocked TEXT)'],
    'INSERT INTO floor (type, url, blocked) VALUES (?, ?, ?)',
    floorRow,
  );
}

type Bound = string | number | null;

/**
 * A floor server: node:http, `JSON.parse` of each body, `toRow` of each
 * report, and every row gathered in one turn of the event loop appended
 * in one transaction (WAL, synchronous=NORMAL, the collector's default)
 * before the 204s.
 */
async function listenAppender(
  db: string,
  setup: readonly string[],
  insertSql: string,
  toRow: (item: unknown, receivedAt: number) => Bound[],
): Promise<number> {
  const conn = new DatabaseSync(db.replace(/^sqlite:/, ''));
  conn.exec('PRAGMA journal_mode = WAL');
  conn.exec('PRAGMA synchronous = NORMAL');
  for (const sql of setup) conn.exec(sql);
  const insert = conn.prepare(insertSql);
  let rows: Bound[][] = [];
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
      const now = Date.now();
      for (const item of Array.isArray(json) ? json : [json]) rows.push(toRow(item, now));
      if (waiting.push(res) === 1) setImmediate(commit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The columns of the collector's report table (schema version 2), in the order {@link reportRow} binds them. */
const REPORT_COLUMNS = `fingerprint, day, site, type, url, directive, blocked_url, blocked_host,
  source_file, line, col, disposition, sample, status_code, policy, details, user_agent, client,
  count, first_received_at, last_received_at, first_generated_at, last_generated_at`;

/**
 * One report's row as the collector's table holds it, its fields taken as
 * they come: no validation, normalising or bounds (the bench's reports are
 * well-formed), and the blocked host a constant (finding it is normalising).
 * The fingerprint is the collector's own.
 */
function reportRow(item: unknown, receivedAt: number): Bound[] {
  const r = (item ?? {}) as Fields;
  const legacy = r['csp-report'] as Fields | undefined;
  const b = (legacy ?? r['body'] ?? {}) as Fields;
  const age = num(r['age']);
  const disposition = str(b['disposition']);
  const report: NormalizedReport = {
    type: 'csp-violation',
    url: str(legacy?.['document-uri'] ?? r['url']),
    directive: str(b['effective-directive'] ?? b['effectiveDirective']),
    blockedUrl: str(b['blocked-uri'] ?? b['blockedURL']),
    blockedHost: 'cdn.example',
    sourceFile: str(b['source-file'] ?? b['sourceFile']),
    line: num(b['line-number'] ?? b['lineNumber']),
    column: num(b['column-number'] ?? b['columnNumber']),
    disposition: disposition === 'enforce' || disposition === 'report' ? disposition : null,
    sample: str(b['script-sample'] ?? b['sample']),
    statusCode: num(b['status-code'] ?? b['statusCode']),
    policy: str(b['original-policy'] ?? b['originalPolicy']),
    details: {},
    userAgent: str(r['user_agent']),
    age,
  };
  const generated = age === null ? null : receivedAt - age;
  return [
    fingerprint('shop', report),
    Math.floor(receivedAt / DAY_MS),
    'shop',
    report.type,
    report.url,
    report.directive,
    report.blockedUrl,
    report.blockedHost,
    report.sourceFile,
    report.line,
    report.column,
    report.disposition,
    report.sample,
    report.statusCode,
    report.policy,
    '{}',
    report.userAgent,
    '127.0.0.0',
    1,
    receivedAt,
    receivedAt,
    generated,
    generated,
  ];
}

/**
 * The floor with the collector's row: node:http, `JSON.parse`, and each
 * report appended as a row of the collector's own table (created by its
 * migrations: 23 columns, two indexes) with its SHA-256 fingerprint, in a
 * group commit on the same SQLite settings before the 204. No validation,
 * normalising, de-duplication, hourly counters or queue: the bound of any
 * collector that stores the fields the issue names. What `floor-row`
 * spends beyond `floor` is what storing those fields costs; what the
 * collector spends beyond `floor-row` is what its checks cost.
 */
async function listenRowFloor(db: string): Promise<number> {
  await (await openStore(db)).close();
  const params = REPORT_COLUMNS.split(',').map(() => '?');
  return listenAppender(
    db,
    [],
    `INSERT INTO barbican_reports (${REPORT_COLUMNS}) VALUES (${params.join(', ')})`,
    reportRow,
  );
}
