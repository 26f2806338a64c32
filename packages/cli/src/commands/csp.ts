/**
 * `barbican csp 'POLICY'`: analyse a Content-Security-Policy without
 * fetching anything (what Google's CSP Evaluator page does), print each
 * finding with its fix, then the policy rewritten.
 *
 * @module
 */
import { escapeControlDeep } from '@barbican/core';
import { analyzeCsp, type Finding, type Severity } from '@barbican/scanner';
import type { Command } from 'commander';
import { FindingsExit, type Io } from '../io.ts';
import { toJson } from '../util.ts';
import { BarbicanError } from '../errors.ts';

/** The `--json` report of `barbican csp` (stable): exactly these two keys. */
export interface CspReport {
  readonly findings: readonly Finding[];
  /** The policy rewritten to address the findings. */
  readonly fixed: string;
}

const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

/** Parses `--fail-on`; a usage error (exit 2) names the allowed values. */
export function parseSeverity(value: string): Severity {
  const lower = value.toLowerCase();
  const found = SEVERITIES.find((s) => s === lower);
  if (found === undefined) {
    throw new BarbicanError('BARBICAN_E_USAGE', `--fail-on: unknown severity "${value}"`, {
      path: '--fail-on',
      hint: `Use one of ${SEVERITIES.join(', ')}`,
    });
  }
  return found;
}

/** Formats findings grouped by severity, each with its fix, then the rewritten policy. */
export function formatCspText(io: Io, report: CspReport): string {
  const c = io.color;
  const paint: Record<Severity, (s: string) => string> = {
    high: (s) => c.bold(c.red(s)),
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
  const lines: string[] = [];
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(paint[severity](`${severity.toUpperCase()} (${group.length})`));
    for (const f of group) {
      const where = [f.directive, f.value].filter((x) => x !== undefined).join(' ');
      lines.push(
        `  ${paint[severity]('●')} ${where === '' ? '' : `${c.bold(where)}: `}${f.message} ${c.dim(`[${f.code}]`)}`,
      );
      lines.push(`    ${c.green('fix:')} ${f.fix}`);
    }
    lines.push('');
  }
  if (report.findings.length === 0) lines.push(`${c.green('✓')} no findings`, '');
  lines.push(c.bold('Rewritten policy:'), `  ${report.fixed}`);
  return lines.join('\n');
}

/** Registers `barbican csp`. */
export function registerCsp(program: Command, io: Io): void {
  program
    .command('csp')
    .description(
      'Analyse a Content-Security-Policy value offline: every CSP Evaluator check, each finding with its fix, and the policy rewritten.',
    )
    .argument('<policy>', 'the header value; commas separate policies enforced together')
    .option('--report-only', 'the value is from Content-Security-Policy-Report-Only')
    .option('--json', 'print {"findings": [...], "fixed": "<policy>"} as JSON on stdout')
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding is at or over this severity (high, medium, low, info)',
      'high',
    )
    .addHelpText(
      'after',
      `\nExit codes: 0 no finding at or over --fail-on, 1 findings, 2 usage error.\n\nExamples:\n  barbican csp "script-src 'self' 'unsafe-inline'; object-src 'none'"\n  barbican csp "default-src https:" --json --fail-on medium`,
    )
    .action((policy: string, opts: { reportOnly?: boolean; json?: boolean; failOn: string }) => {
      const threshold = parseSeverity(opts.failOn);
      const { findings, fixed } = analyzeCsp(policy, { reportOnly: opts.reportOnly === true });
      const report: CspReport = { findings, fixed };
      // The policy is the user's argument or a scanned header: escaped before printing.
      io.out(opts.json === true ? toJson(report) : formatCspText(io, escapeControlDeep(report)));
      const limit = SEVERITIES.indexOf(threshold);
      if (findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit)) throw new FindingsExit();
    });
}
