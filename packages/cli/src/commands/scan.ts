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
import { readFile } from 'node:fs/promises';
import {
  jsonReport,
  markdownReport,
  sarifReport,
  scanMany,
  textReport,
  type ScanOptions,
  type ScanResult,
} from '@barbican/scanner';
import type { Policy } from '@barbican/core';
import { Option, type Command } from 'commander';
import { loadPolicy } from '../config.ts';
import { FindingsExit, type Io } from '../io.ts';
import { BarbicanError } from '../errors.ts';
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

/** Reads URLs from `--input`: one per line; blank lines and `#` comments skipped. */
async function readInput(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usage('--input', file, 'cannot read the URL list', (error as Error).message);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Turns flags into scan options, validating every value first (usage
 * errors exit 2 before any request is sent).
 */
export async function scanOptions(flags: ScanFlags): Promise<ScanOptions> {
  const httpPort = intOption('--http-port', flags.httpPort, 1, 65535);
  const httpsPort = intOption('--https-port', flags.httpsPort, 1, 65535);
  const timeoutMs = intOption('--timeout', flags.timeout, 100, 600_000);
  let ca: string | undefined;
  if (flags.ca !== undefined) {
    try {
      ca = await readFile(flags.ca, 'utf8');
    } catch (error) {
      throw usage('--ca', flags.ca, 'cannot read the CA file', (error as Error).message);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw usage(
        '--ca',
        flags.ca,
        'the CA file holds no PEM certificate',
        'Pass a PEM file with -----BEGIN CERTIFICATE-----',
      );
    }
  }
  return {
    ...(httpPort === undefined ? {} : { httpPort }),
    ...(httpsPort === undefined ? {} : { httpsPort }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(ca === undefined ? {} : { ca }),
    ...(flags.insecure === true ? { insecure: true } : {}),
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

/** Formats results in the chosen format. */
export function formatResults(
  results: readonly ScanResult[],
  format: 'text' | 'json' | 'sarif' | 'markdown',
  io: Io,
): string {
  switch (format) {
    case 'json':
      return jsonReport(results);
    case 'sarif':
      return sarifReport(results);
    case 'markdown':
      return markdownReport(results);
    case 'text':
      return textReport(results, io.color);
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
      "\nExamples:\n  barbican scan https://example.com\n  barbican scan --input urls.txt --json --fail-under B\n  barbican scan https://staging.internal --https-port 8443 --ca ca.pem --sarif > scan.sarif\n  barbican scan https://example.com --policy barbican.config.yaml   # drift: exit 1 on any difference\n  barbican scan https://example.com --policy barbican.config.yaml --target nginx   # nginx's declared losses are not drift",
    )
    .action(async (urls: string[], flags: ScanFlags) => {
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
      const showProgress = all.length > 1 && process.stderr.isTTY;
      const outcomes = await scanMany(all, opts, concurrency, (done, total) => {
        if (showProgress) process.stderr.write(progressBar(done, total));
      });
      if (showProgress) process.stderr.write('\n');
      const results: ScanResult[] = [];
      let failed = 0;
      for (const o of outcomes) {
        if (o instanceof BarbicanError) {
          failed++;
          io.err(`barbican scan: ${o.message} [${o.code}]`);
        } else {
          results.push(o);
        }
      }
      if (results.length > 0) io.out(formatResults(results, formats[0] ?? 'text', io));
      if (failed > 0) {
        throw new BarbicanError(
          'BARBICAN_E_SCAN_FAILED',
          `${failed} of ${all.length} URL(s) could not be scanned`,
          {
            hint: 'See the messages above; --timeout, --ca or --insecure may help',
          },
        );
      }
      const threshold = flags.failUnder;
      const below = threshold !== undefined && results.some((r) => gradeBelow(r.grade, threshold));
      if (below) io.err(`barbican scan: a grade is below ${threshold}`);
      const drift = results.reduce((n, r) => n + (r.drift?.count ?? 0), 0);
      if (policy !== undefined && drift > 0)
        io.err(`barbican scan: ${drift} difference(s) from ${policy.file} (drift.* findings)`);
      if (below || drift > 0) throw new FindingsExit();
    });
}
