/**
 * The `--markdown` reporter, for pull-request comments: a grade line per
 * URL, a findings table (worst first) with each fix, and the Observatory
 * tests in a collapsed section.
 *
 * @module
 */
import { escapeControlDeep } from '@barbican/core';
import { isScanFailure, type ScanOutcome, type ScanResult } from '../model.ts';
import { countBySeverity } from './text.ts';

const SEVERITY_ICON = { high: '🔴', medium: '🟠', low: '🟡', info: '🔵' } as const;

/**
 * Formats results as GitHub-flavoured Markdown.
 *
 * @example
 * ```ts
 * await writeFile('comment.md', markdownReport(results));
 * ```
 */
export function markdownReport(results: readonly ScanOutcome[]): string {
  // Server-provided strings are made inert first; cell() then escapes Markdown.
  return results
    .map((o) => {
      const r = escapeControlDeep(o);
      return isScanFailure(r)
        ? `### Barbican scan: ${cell(r.url)} — not scanned\n\n\`${r.error.code}\`: ${cell(r.error.message)}\n`
        : one(r);
    })
    .join('\n---\n\n');
}

/** Escapes text for a table cell: pipes split cells, newlines end rows, backticks open code. */
function cell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('`', '\\`')
    .replace(/\r?\n/g, ' ');
}

function one(r: ScanResult): string {
  const counts = countBySeverity(r.findings);
  const out: string[] = [
    `### Barbican scan: ${cell(r.url)} — grade **${r.grade}** (score ${r.score})`,
    '',
  ];
  if (r.insecure === true) {
    out.push('> [!WARNING]', '> Scanned with `--insecure`: certificate verification was off.', '');
  }
  out.push(
    `${counts.high} high · ${counts.medium} medium · ${counts.low} low · ${counts.info} info · HSTS preload: ${r.preload.eligible ? 'eligible' : `not eligible (${r.preload.errors.map((e) => `\`${e}\``).join(', ')})`}${r.drift === undefined ? '' : ` · drift from the policy: **${r.drift.count}**${r.drift.complete ? '' : ' (incomplete)'}${r.drift.expectedLosses === 0 ? '' : ` (${r.drift.expectedLosses} expected loss(es))`}`}`,
    '',
  );
  if (r.findings.length > 0) {
    out.push('| Severity | Area | Finding | Fix |', '| --- | --- | --- | --- |');
    for (const f of r.findings) {
      const where = [f.directive, f.value].filter((x) => x !== undefined).join(' ');
      out.push(
        `| ${SEVERITY_ICON[f.severity]} ${f.severity} | ${cell(f.header)} | ${cell(f.message)}${where === '' ? '' : ` (${cell(where)})`} <br>\`${cell(f.code)}\` | ${cell(f.fix)} |`,
      );
    }
    out.push('');
  }
  out.push(
    '<details><summary>Observatory tests</summary>',
    '',
    '| Test | Result | Score |',
    '| --- | --- | --- |',
  );
  for (const [name, t] of Object.entries(r.tests)) {
    out.push(
      `| ${t.pass ? '✅' : '❌'} ${cell(name)} | \`${cell(t.result)}\` | ${t.scoreModifier} |`,
    );
  }
  out.push('', '</details>', '');
  return out.join('\n');
}
