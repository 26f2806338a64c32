/**
 * `barbican reports serve|list|learn`: the self-hosted collector for
 * browsers' security reports, its stored reports, and the CSP learned from
 * them. The command only parses arguments and prints; `@barbican/reports`
 * (pg, node:sqlite, the scanner's CSP analysis) is imported when a
 * subcommand runs, so `barbican check` never loads it.
 *
 * @module
 */
import type { Durability, LearnResult, ReportRecord, ReportType } from '@barbican/reports';
import type { Command } from 'commander';
import { BarbicanError } from '../errors.ts';
import { readRegularFile } from '@barbican/core/files';
import { FindingsExit, type Io } from '../io.ts';
import { terminalSafe, toJson } from '../util.ts';

/** Where reports are stored unless `--db` or `BARBICAN_REPORTS_DB` says otherwise. */
export const DEFAULT_DB = 'sqlite:barbican-reports.db';

const UNITS: Readonly<Record<string, number>> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/**
 * `--since`: a duration back from now (`90s`, `30m`, `24h`, `7d`, `2w`) or
 * an ISO date; returns ms since the epoch.
 */
export function parseSince(value: string, now = Date.now()): number {
  const m = /^(\d{1,6})([smhdw])$/.exec(value);
  if (m !== null) return now - Number(m[1]) * (UNITS[m[2] ?? 'd'] ?? 0);
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(date)) return date;
  throw new BarbicanError('BARBICAN_E_USAGE', 'not a duration or date', {
    path: '--since',
    value,
    allowed: 'a number with s, m, h, d or w (7d, 24h), or an ISO date (2025-01-31)',
  });
}

function dbOf(flag: string | undefined): string {
  return flag ?? process.env['BARBICAN_REPORTS_DB'] ?? DEFAULT_DB;
}

function positiveInt(value: string, path: string, min = 0, max = 65535): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BarbicanError('BARBICAN_E_USAGE', 'not a whole number in range', {
      path,
      value,
      allowed: `${min} to ${max}`,
    });
  }
  return n;
}

interface ServeFlags {
  port: string;
  host: string;
  db?: string;
  token?: string;
  site?: string[];
  retention: string;
  trustedProxy?: string[];
  dashboardHost?: string[];
  cert?: string;
  key?: string;
  keepQuery?: boolean;
  clientRate: string;
  siteQuota: string;
  durability: string;
}

/** `--durability`: one of the store's durabilities (passed in: the package is loaded lazily). */
function durabilityOf(value: string, allowed: readonly Durability[]): Durability {
  const d = allowed.find((v) => v === value);
  if (d !== undefined) return d;
  throw new BarbicanError('BARBICAN_E_USAGE', 'not a durability', {
    path: '--durability',
    value,
    allowed: allowed.join(', '),
  });
}

/** `--client-rate 20` → 20/s with a burst of ten seconds' worth; 0 turns the limit off. */
function rateOf(value: string, path: string): { rate: number; burst: number } | false {
  const n = positiveInt(value, path, 0, 1_000_000);
  return n === 0 ? false : { rate: n, burst: n * 10 };
}

/** A PEM certificate chain or key is a few kilobytes; a bundle, a few hundred. */
const MAX_PEM_BYTES = 1024 * 1024;

/** `--cert`/`--key`, through the CLI's one reader of user-named files (a FIFO or /dev/zero is refused at once). */
async function readPem(path: string, flag: string): Promise<string> {
  const bytes = await readRegularFile(path, {
    maxBytes: MAX_PEM_BYTES,
    fail: ({ problem, hint, cause }) =>
      new BarbicanError('BARBICAN_E_USAGE', problem, {
        path: flag,
        value: path,
        ...(hint === undefined ? {} : { hint }),
        ...(cause === undefined ? {} : { cause }),
      }),
  });
  return bytes.toString('utf8');
}

async function tlsOf(flags: ServeFlags): Promise<{ cert: string; key: string } | undefined> {
  if (flags.cert === undefined && flags.key === undefined) return undefined;
  if (flags.cert === undefined || flags.key === undefined) {
    throw new BarbicanError('BARBICAN_E_USAGE', '--cert and --key go together', { path: '--cert' });
  }
  return { cert: await readPem(flags.cert, '--cert'), key: await readPem(flags.key, '--key') };
}

/** Resolves on SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function serve(io: Io, flags: ServeFlags): Promise<void> {
  const { openStore, startCollector, redact, DURABILITIES } = await import('@barbican/reports');
  const db = dbOf(flags.db);
  const retention = positiveInt(flags.retention, '--retention', 0, 36500);
  const tls = await tlsOf(flags);
  const store = await openStore(db, { durability: durabilityOf(flags.durability, DURABILITIES) });
  try {
    const collector = await startCollector({
      store,
      host: flags.host,
      port: positiveInt(flags.port, '--port'),
      token: flags.token ?? process.env['BARBICAN_REPORTS_TOKEN'],
      retentionDays: retention === 0 ? false : retention,
      ...(flags.site === undefined ? {} : { sites: flags.site }),
      ...(flags.trustedProxy === undefined ? {} : { trustedProxies: flags.trustedProxy }),
      ...(flags.dashboardHost === undefined ? {} : { dashboardHosts: flags.dashboardHost }),
      ...(tls === undefined ? {} : { tls }),
      ...(flags.keepQuery === true ? { keepQuery: true } : {}),
      perClient: rateOf(flags.clientRate, '--client-rate'),
      perSite: rateOf(flags.siteQuota, '--site-quota'),
      log: (line) => io.err(line),
    });
    io.out(
      `barbican reports: collecting in ${redact(db)}\n  endpoint:  ${collector.url}/report/<site>\n  dashboard: ${collector.url}/`,
    );
    const signal = await untilSignal();
    io.err(`barbican reports: ${signal}: writing queued reports and stopping`);
    await collector.close();
  } finally {
    await store.close();
  }
}

function recordLine(io: Io, r: ReportRecord): string {
  const c = io.color;
  const t = (v: string | number | null) => (v === null ? '-' : terminalSafe(String(v)));
  const where =
    r.sourceFile === null ? '' : ` at ${t(r.sourceFile)}${r.line === null ? '' : `:${r.line}`}`;
  return `${c.bold(String(r.count).padStart(6))}  ${new Date(r.receivedAt).toISOString()}  ${t(r.site)}  ${c.cyan(r.type)}  ${c.yellow(t(r.directive))}  ${t(r.blockedUrl)}  on ${t(r.url)}${where}`;
}

interface ListFlags {
  db?: string;
  site?: string;
  type?: string;
  since: string;
  limit: string;
  json?: boolean;
}

async function list(io: Io, flags: ListFlags): Promise<void> {
  const { openStore, REPORT_TYPES } = await import('@barbican/reports');
  if (flags.type !== undefined && !(REPORT_TYPES as readonly string[]).includes(flags.type)) {
    throw new BarbicanError('BARBICAN_E_USAGE', 'unknown report type', {
      path: '--type',
      value: flags.type,
      allowed: REPORT_TYPES.join(', '),
    });
  }
  const since = parseSince(flags.since);
  const limit = positiveInt(flags.limit, '--limit', 1, 10_000);
  const store = await openStore(dbOf(flags.db));
  try {
    const records = await store.list({
      site: flags.site,
      type: flags.type as ReportType | undefined,
      since,
      limit,
    });
    if (flags.json === true) io.out(toJson(records));
    else if (records.length === 0) io.out('no reports');
    else io.out(records.map((r) => recordLine(io, r)).join('\n'));
  } finally {
    await store.close();
  }
}

function learnText(io: Io, site: string, r: LearnResult): string {
  const c = io.color;
  const t = terminalSafe;
  const lines = [
    c.bold(
      `Proposed Content-Security-Policy for ${t(site)} (from ${r.reports} CSP violation reports)`,
    ),
    '',
    'Merge into barbican.config.json (or .yaml):',
    toJson(r.config).trimEnd(),
    '',
    c.bold('Header it produces:'),
    `  ${t(r.header)}`,
    '',
    c.bold('Allowed:'),
    ...(r.allowed.length === 0
      ? ['  nothing beyond the barbican preset']
      : r.allowed.map(
          (a) =>
            `  ${a.directive} ${t(a.source)} (${a.count})${a.note === undefined ? '' : `: ${a.note}`}`,
        )),
    '',
    c.bold('Refused:'),
    ...(r.refused.length === 0
      ? ['  nothing']
      : r.refused.map((x) => `  ${x.directive} ${t(x.source)} (${x.count}): ${x.reason}`)),
  ];
  if (r.notes.length > 0) lines.push('', c.bold('Notes:'), ...r.notes.map((n) => `  ${t(n)}`));
  lines.push('', c.bold('Analysis (barbican csp):'));
  lines.push(
    ...(r.findings.length === 0
      ? ['  no findings']
      : r.findings.map(
          (f) =>
            `  ${f.severity === 'high' ? c.red(f.severity) : f.severity} ${f.code}: ${f.message}`,
        )),
  );
  return lines.join('\n');
}

interface LearnFlags {
  db?: string;
  site: string;
  since: string;
  minCount: string;
  reportOnly?: boolean;
  report?: string;
  json?: boolean;
}

async function learn(io: Io, flags: LearnFlags): Promise<void> {
  const { openStore, learnPolicy } = await import('@barbican/reports');
  const since = parseSince(flags.since);
  const minCount = positiveInt(flags.minCount, '--min-count', 1, 1_000_000);
  const store = await openStore(dbOf(flags.db));
  let result: LearnResult;
  try {
    const records = await store.list({
      site: flags.site,
      type: 'csp-violation',
      since,
      limit: 10_000,
    });
    result = learnPolicy(records, {
      minCount,
      reportOnly: flags.reportOnly === true,
      ...(flags.report === undefined ? {} : { report: flags.report }),
    });
  } finally {
    await store.close();
  }
  io.out(flags.json === true ? toJson(result) : learnText(io, flags.site, result));
  if (result.findings.some((f) => f.severity === 'high')) throw new FindingsExit();
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/** Registers `barbican reports` and its subcommands. */
export function registerReports(program: Command, io: Io): void {
  const reports = program
    .command('reports')
    .description(
      'Collect browsers’ security reports (CSP, NEL, COOP, COEP, …), show them, and learn a CSP from them.',
    )
    .addHelpText(
      'after',
      '\nExample:\n  barbican reports serve --port 8700\n  barbican reports learn --site shop --since 7d',
    );
  reports
    .command('serve')
    .description(
      'Run the collector (POST /report/<site>) and the dashboard (/) on one port until Ctrl-C.',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', '8700')
    .option('--host <addr>', 'address to bind; anything but loopback needs a token', '127.0.0.1')
    .option(
      '--db <url>',
      `sqlite:FILE or postgres://… (default $BARBICAN_REPORTS_DB or ${DEFAULT_DB})`,
    )
    .option(
      '--token <token>',
      'dashboard token (default $BARBICAN_REPORTS_TOKEN); required off loopback',
    )
    .option('--site <name>', 'accept reports only for this site (repeatable; default any)', collect)
    .option('--retention <days>', 'delete reports older than this (0 = keep)', '30')
    .option(
      '--trusted-proxy <cidr>',
      'a proxy whose X-Forwarded-For names the client (repeatable)',
      collect,
    )
    .option(
      '--dashboard-host <name>',
      'a host name the dashboard answers to besides localhost (repeatable; needs a token)',
      collect,
    )
    .option('--cert <file>', 'serve HTTPS with this PEM certificate (with --key)')
    .option('--key <file>', 'the PEM private key for --cert')
    .option('--keep-query', 'keep query strings and fragments in stored URLs (default: stripped)')
    .option(
      '--client-rate <n>',
      'requests per second per client (IPv4 address, IPv6 /64); 0 = no limit',
      '20',
    )
    .option('--site-quota <n>', 'stored reports per second per site; 0 = no limit', '500')
    .option(
      '--durability <mode>',
      'what a 2xx survives on SQLite: process (a killed collector) or power (a power cut: an fsync per commit)',
      'process',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  barbican reports serve\n  BARBICAN_REPORTS_TOKEN=$(openssl rand -base64 24) barbican reports serve --host 0.0.0.0 --db postgres://reports@db/reports\n\nThen point a policy at it: report-uri http://127.0.0.1:8700/report/shop',
    )
    .action((flags: ServeFlags) => serve(io, flags));
  reports
    .command('list')
    .description('Print stored reports, de-duplicated with counts, latest first.')
    .option('--db <url>', `sqlite:FILE or postgres://… (default ${DEFAULT_DB})`)
    .option('--site <name>', 'only this site')
    .option('--type <type>', 'only this type (csp-violation, network-error, coop, coep, …)')
    .option('--since <when>', 'received since: 24h, 7d, or an ISO date', '7d')
    .option('--limit <n>', 'at most this many records', '100')
    .option('--json', 'print a JSON array of normalised records')
    .addHelpText(
      'after',
      '\nExample:\n  barbican reports list --site shop --type csp-violation --since 24h --json',
    )
    .action((flags: ListFlags) => list(io, flags));
  reports
    .command('learn')
    .description(
      'Propose a CSP that allows what browsers legitimately reported; list what it refused and why.',
    )
    .requiredOption('--site <name>', 'the site to learn from')
    .option('--db <url>', `sqlite:FILE or postgres://… (default ${DEFAULT_DB})`)
    .option('--since <when>', 'reports received since: 24h, 7d, or an ISO date', '7d')
    .option('--min-count <n>', 'sources seen in fewer reports are refused as one-offs', '2')
    .option('--report-only', 'propose cspReportOnly (try it first) instead of csp')
    .option(
      '--report <url>',
      'keep reporting: add report: <url> (this collector’s /report/<site>) to the fragment',
    )
    .option('--json', 'print the proposal as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 proposed, 1 the proposal has a high finding, 2 usage or database error.\n\nExample:\n  barbican reports learn --site shop --since 7d > csp-fragment.txt',
    )
    .action((flags: LearnFlags) => learn(io, flags));
}
