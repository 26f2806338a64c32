/**
 * `barbican scan`: grade live URLs as MDN Observatory does, plus CSP,
 * HSTS preload, reviewer and TLS findings, each with its fix.
 *
 * Report on stdout in one format (text, `--json`, `--sarif`, `--markdown`);
 * progress and per-URL failures on stderr. With `--policy FILE`, every
 * difference between what the site serves and the policy is a `drift.*`
 * finding. Exit 1 when a grade is below `--fail-under` or anything drifts,
 * 2 for usage or config errors and URLs that could not be scanned.
 *
 * @module
 */
import { escapeControl } from '@barbican/core';
import {
  isScanFailure,
  isScanResult,
  jsonReport,
  markdownReport,
  sarifReport,
  scanFailure,
  scanMany,
  scanTarget,
  textReport,
  type ScanOptions,
  type ScanOutcome,
} from '@barbican/scanner';
import type { Policy } from '@barbican/core';
import { readRegularFile } from '@barbican/core/files';
import { Option, type Command } from 'commander';
import { readCaFile } from '../ca.ts';
import { loadPolicy } from '../config.ts';
import { BarbicanError } from '../errors.ts';
import { FindingsExit, ReportedError, type Io } from '../io.ts';
import { TARGETS } from './export.ts';

/** Observatory's grades, best first. */
export const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'];

/** True when `grade` is worse than `threshold` (both from {@link GRADES}). */
export function gradeBelow(grade: string, threshold: string): boolean {
  return GRADES.indexOf(grade) > GRADES.indexOf(threshold);
}

/** The options commander hands to the action. */
interface ScanFlags {
  input?: string;
  json?: boolean;
  sarif?: boolean;
  markdown?: boolean;
  failUnder?: string;
  httpPort?: string;
  httpsPort?: string;
  ca?: string;
  insecure?: boolean;
  concurrency?: string;
  timeout?: string;
  /** False with --no-private (commander's negated flag). */
  private?: boolean;
  policy?: string;
  target?: string;
  targetVersion?: string;
  opensslVersion?: string;
}

function usage(
  path: string,
  value: string | undefined,
  problem: string,
  hint: string,
): BarbicanError {
  return new BarbicanError('BARBICAN_E_USAGE', problem, {
    path,
    ...(value === undefined ? {} : { value }),
    hint,
  });
}

function intOption(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw usage(
      flag,
      value,
      `expected a whole number from ${min} to ${max}`,
      `e.g. ${flag} ${min}`,
    );
  }
  return n;
}

/** A URL list of 16 MiB is a few hundred thousand URLs: more than any scan should take. */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Reads URLs from `--input`: one per line; blank lines and `#` comments skipped. */
async function readInput(file: string): Promise<string[]> {
  const bytes = await readRegularFile(file, {
    maxBytes: MAX_INPUT_BYTES,
    fail: ({ problem, hint }) =>
      usage('--input', file, `the URL list ${problem}`, hint ?? 'Pass a text file'),
  });
  if (bytes.includes(0)) {
    throw usage(
      '--input',
      file,
      'the URL list is a binary file',
      'Pass a text file, one URL per line',
    );
  }
  const urls: string[] = [];
  bytes
    .toString('utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      checkUrl(line, `${file}:${i + 1}`);
      urls.push(line);
    });
  return urls;
}

/**
 * Every URL is checked before the first request: one bad line of a list is
 * one usage error naming it, not a failed scan per line.
 */
function checkUrl(url: string, where: string): void {
  try {
    scanTarget(url);
  } catch (error) {
    if (!(error instanceof BarbicanError)) throw error;
    throw new BarbicanError('BARBICAN_E_USAGE', `${where}: ${error.detail}`);
  }
}

/**
 * Turns flags into scan options, validating every value first (usage
 * errors exit 2 before any request is sent).
 */
export async function scanOptions(flags: ScanFlags): Promise<ScanOptions> {
  const httpPort = intOption('--http-port', flags.httpPort, 1, 65535);
  const httpsPort = intOption('--https-port', flags.httpsPort, 1, 65535);
  const timeoutMs = intOption('--timeout', flags.timeout, 100, 600_000);
  const ca = flags.ca === undefined ? undefined : await readCaFile(flags.ca);
  return {
    ...(httpPort === undefined ? {} : { httpPort }),
    ...(httpsPort === undefined ? {} : { httpsPort }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(ca === undefined ? {} : { ca }),
    ...(flags.insecure === true ? { insecure: true } : {}),
    ...(flags.private === false ? { publicOnly: true } : {}),
  };
}

/** `--target` and its version flags need what they qualify; checked before any request. */
function checkTargetFlags(flags: ScanFlags): void {
  if (flags.target !== undefined && flags.policy === undefined)
    throw usage(
      '--target',
      flags.target,
      '--target needs --policy: it says which losses of the policy to expect',
      `barbican scan https://example.com --policy barbican.config.yaml --target ${flags.target}`,
    );
  for (const [flag, value] of [
    ['--target-version', flags.targetVersion],
    ['--openssl-version', flags.opensslVersion],
  ] as const)
    if (value !== undefined && flags.target === undefined)
      throw usage(flag, value, `${flag} needs --target`, `--target nginx ${flag} ${value}`);
}

/**
 * The losses `barbican export` declares for `--target` and this policy:
 * what the drift check then expects. Loads `@barbican/export` only here.
 */
async function declaredLosses(
  policy: Policy,
  flags: ScanFlags,
): Promise<NonNullable<ScanOptions['losses']> | undefined> {
  if (flags.target === undefined) return undefined;
  const { exportPolicy, declaredLosses } = await import('@barbican/export');
  return declaredLosses(
    exportPolicy(policy, flags.target, {
      ...(flags.targetVersion === undefined ? {} : { targetVersion: flags.targetVersion }),
      ...(flags.opensslVersion === undefined ? {} : { opensslVersion: flags.opensslVersion }),
    }),
  );
}

/** The output formats; text is the default. */
type Format = 'text' | 'json' | 'sarif' | 'markdown';

/**
 * Formats outcomes in the chosen format. JSON, SARIF and Markdown keep a
 * failed URL in its place; text shows results only (failures are on stderr).
 */
export function formatResults(outcomes: readonly ScanOutcome[], format: Format, io: Io): string {
  switch (format) {
    case 'json':
      return jsonReport(outcomes);
    case 'sarif':
      return sarifReport(outcomes);
    case 'markdown':
      return markdownReport(outcomes);
    case 'text':
      return textReport(outcomes.filter(isScanResult), io.color);
  }
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/** Registers `barbican scan`. */
export function registerScan(program: Command, io: Io): void {
  program
    .command('scan')
    .description(
      'Grade URLs as MDN Observatory does, with CSP, HSTS preload, cookie, CORS and TLS findings and a fix for each.',
    )
    .argument('[urls...]', 'URLs (or host names) to scan')
    .option('-i, --input <file>', 'read more URLs from a file, one per line (# comments)')
    .option('--json', 'print one JSON object per URL (an array for several)')
    .option('--sarif', 'print SARIF 2.1.0 for code-scanning dashboards')
    .option('--markdown', 'print Markdown for pull-request comments')
    .option('--fail-under <grade>', `exit 1 when a grade is below this (${GRADES.join(' ')})`)
    .option('--http-port <n>', 'port for the http:// requests (default 80)')
    .option('--https-port <n>', 'port for the https:// requests and the TLS probe (default 443)')
    .option('--ca <file>', 'trust this PEM CA (private CA) instead of the system roots')
    .option(
      '--insecure',
      'read responses even when the certificate does not verify; marks the result',
    )
    .option('--concurrency <n>', 'URLs scanned at once (default 4)')
    .option('--timeout <ms>', 'per-request timeout in milliseconds (default 10000)')
    .option(
      '--no-private',
      'refuse private, loopback and link-local addresses (cloud metadata too), after DNS and in redirects: for URL lists you do not control',
    )
    .option(
      '--policy <file>',
      'also report every difference from this policy (barbican.config.json/.yaml): drift; exit 1 on any',
    )
    .addOption(
      new Option(
        '--target <target>',
        'with --policy: the site runs `barbican export --target` output; what that target declared lost is an expected loss, not drift',
      ).choices(TARGETS),
    )
    .option('--target-version <version>', "with --target: the target's version (as for export)")
    .option(
      '--openssl-version <version>',
      'with --target: the OpenSSL the server uses (nginx, apache, haproxy; default 3.0)',
    )
    .addHelpText(
      'after',
      "\nExamples:\n  barbican scan https://example.com\n  barbican scan --input urls.txt --json --fail-under B\n  barbican scan https://staging.internal --https-port 8443 --ca ca.pem --sarif > scan.sarif\n  barbican scan https://example.com --policy barbican.config.yaml   # drift: exit 1 on any difference\n  barbican scan https://example.com --policy barbican.config.yaml --target nginx   # nginx's declared losses are not drift\n  barbican scan --no-private --input untrusted-urls.txt --json",
    )
    .action(async (urls: string[], flags: ScanFlags) => {
      const format = chosenFormat(flags);
      urls.forEach((url, i) => checkUrl(url, `URL ${i + 1}`));
      const all = [...urls, ...(flags.input === undefined ? [] : await readInput(flags.input))];
      if (all.length === 0) {
        throw usage(
          'urls',
          undefined,
          'no URL to scan',
          'barbican scan https://example.com (or --input FILE)',
        );
      }
      checkTargetFlags(flags);
      // The policy is read and built before any request: a bad file exits 2
      // with the config error, as `barbican check` would print it.
      const policy = flags.policy === undefined ? undefined : await loadPolicy(flags.policy);
      const losses = policy === undefined ? undefined : await declaredLosses(policy.policy, flags);
      const opts = {
        ...(await scanOptions(flags)),
        ...(policy === undefined ? {} : { policy: policy.policy }),
        ...(losses === undefined ? {} : { losses }),
      };
      const concurrency = intOption('--concurrency', flags.concurrency, 1, 64) ?? 4;
      // A bar only where a human watches: many URLs and stderr a terminal.
      const settled = await scanMany(all, opts, concurrency, (done, total) => {
        if (all.length > 1) io.progress?.(progressBar(done, total));
      });
      if (all.length > 1) io.progress?.('\n');
      const outcomes = settled.map((o, i) =>
        o instanceof BarbicanError ? scanFailure(all[i] ?? '', o) : o,
      );
      if (format !== 'text' || outcomes.some(isScanResult)) {
        io.out(formatResults(outcomes, format, io));
      }
      exitFor(outcomes, flags.failUnder, policy?.file, io);
    });
}

/** Validates the format flags and --fail-under before anything is fetched. */
function chosenFormat(flags: ScanFlags): Format {
  const formats = (['json', 'sarif', 'markdown'] as const).filter((f) => flags[f] === true);
  if (formats.length > 1) {
    throw usage(
      `--${formats.join(', --')}`,
      undefined,
      'choose one output format',
      'Pass only one of --json, --sarif, --markdown',
    );
  }
  if (flags.failUnder !== undefined && !GRADES.includes(flags.failUnder)) {
    throw usage('--fail-under', flags.failUnder, 'not a grade', `One of ${GRADES.join(', ')}`);
  }
  return formats[0] ?? 'text';
}

/**
 * One stderr line per URL that could not be scanned (and a count when
 * several were asked for), then exit 2; else exit 1 when a grade is under
 * --fail-under or the site drifts from --policy; else 0.
 */
function exitFor(
  outcomes: readonly ScanOutcome[],
  failUnder: string | undefined,
  policyFile: string | undefined,
  io: Io,
): void {
  const failures = outcomes.filter(isScanFailure);
  for (const f of failures) io.err(`barbican: ${escapeControl(f.error.message)}`);
  if (failures.length > 0) {
    if (outcomes.length > 1) {
      io.err(
        `barbican: ${failures.length} of ${outcomes.length} URLs could not be scanned; the others are in the report [BARBICAN_E_SCAN_FAILED]`,
      );
    }
    throw new ReportedError();
  }
  const results = outcomes.filter(isScanResult);
  const below = failUnder !== undefined && results.some((r) => gradeBelow(r.grade, failUnder));
  if (below) io.err(`barbican: scan: a grade is below ${failUnder}`);
  const drift = results.reduce((n, r) => n + (r.drift?.count ?? 0), 0);
  if (policyFile !== undefined && drift > 0) {
    io.err(
      `barbican: scan: ${drift} difference(s) from ${escapeControl(policyFile)} (drift.* findings)`,
    );
  }
  if (below || drift > 0) throw new FindingsExit();
}
