/**
 * The human reporter: grade first, then the Observatory tests, preload and
 * TLS summaries, then the findings grouped by area (the header concerned),
 * worst first, each followed by its fix.
 *
 * @module
 */
import { escapeControlDeep } from '@barbican/core';
import type { DriftSummary, Finding, ScanResult, Severity } from '../model.ts';
import type { TlsReport } from '../tls/types.ts';
import { NO_COLORS, type Paint, type ReportColors } from './colors.ts';

/**
 * Formats results for a terminal. Colour comes from `color` (pass
 * {@link NO_COLORS} for plain text).
 *
 * @example
 * ```ts
 * console.log(textReport([result], pc.createColors(true)));
 * ```
 */
export function textReport(
  results: readonly ScanResult[],
  color: ReportColors = NO_COLORS,
): string {
  // URLs, header values, cookie names, certificate subjects: all came from
  // the scanned server. Escaped once here, before any colour is added.
  return results.map((r) => one(escapeControlDeep(r), color)).join('\n');
}

function one(r: ScanResult, c: ReportColors): string {
  const lines: string[] = [];
  const gradeColor = r.grade.startsWith('A') ? c.green : r.grade.startsWith('F') ? c.red : c.yellow;
  lines.push(`${c.bold(r.url)}${r.finalUrl === r.url ? '' : c.dim(` → ${r.finalUrl}`)}`);
  lines.push(`  Grade ${c.bold(gradeColor(r.grade))}  score ${r.score}`);
  if (r.insecure === true) {
    lines.push(
      `  ${c.yellow('insecure:')} certificate verification was switched off (--insecure); do not trust this grade`,
    );
  }
  lines.push('', c.bold('Observatory tests'));
  for (const [name, t] of Object.entries(r.tests)) {
    const mark = t.pass ? c.green('✓') : c.red('✗');
    const mod = t.scoreModifier > 0 ? `+${t.scoreModifier}` : String(t.scoreModifier);
    lines.push(`  ${mark} ${name}: ${t.result} ${c.dim(`(${mod})`)}`);
  }
  lines.push('', c.bold('HSTS preload'));
  if (r.preload.eligible) lines.push(`  ${c.green('✓')} eligible for the HSTS preload list`);
  else lines.push(`  ${c.yellow('✗')} not eligible: ${r.preload.errors.join(', ')}`);
  if (r.preload.warnings.length > 0) {
    lines.push(`  ${c.dim(`warnings: ${r.preload.warnings.join(', ')}`)}`);
  }
  lines.push('', c.bold('TLS'));
  lines.push(...tlsLines(r.tls as TlsReport | null, c));
  if (r.drift !== undefined)
    lines.push('', c.bold('Drift from the policy'), ...driftLines(r.drift, c));
  const groups = new Map<string, Finding[]>();
  for (const f of r.findings) groups.set(f.header, [...(groups.get(f.header) ?? []), f]);
  const counts = countBySeverity(r.findings);
  lines.push(
    '',
    c.bold(
      `Findings: ${r.findings.length} (${counts.high} high, ${counts.medium} medium, ${counts.low} low, ${counts.info} info)`,
    ),
  );
  for (const [area, findings] of groups) {
    lines.push('', `  ${c.cyan(area)}`);
    for (const f of findings) {
      const where = [f.directive, f.value].filter((x) => x !== undefined).join(' ');
      lines.push(
        `    ${severityPaint(f.severity, c)(f.severity.padEnd(6))} ${f.message}${where === '' ? '' : c.dim(` [${where}]`)} ${c.dim(`(${f.code})`)}`,
      );
      lines.push(`           ${c.green('fix:')} ${f.fix}`);
      if (f.spec !== '') lines.push(`           ${c.dim(f.spec)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function driftLines(d: DriftSummary, c: ReportColors): string[] {
  const cost = c.dim(
    `(${d.requests} extra request(s), ${d.handshakes} handshake(s), ${d.elapsedMs} ms)`,
  );
  return [
    d.count === 0
      ? `  ${c.green('✓')} the site serves what the policy says ${cost}`
      : `  ${c.red('✗')} ${d.count} difference(s): the drift.* findings below ${cost}`,
    ...(d.expectedLosses === 0
      ? []
      : [
          `  ${c.dim('·')} ${d.expectedLosses} expected loss(es) the target declared, not drift (loss.expected)`,
        ]),
    ...(d.complete
      ? []
      : [`  ${c.yellow('!')} some TLS probes did not finish (drift.tls.incomplete)`]),
  ];
}

function tlsLines(tls: TlsReport | null, c: ReportColors): string[] {
  if (tls === null) return [`  ${c.dim('not probed or no TLS handshake succeeded')}`];
  const offered = Object.entries(tls.protocols)
    .filter(([, on]) => on)
    .map(([v]) => v);
  const leaf = tls.chain[0];
  const expiry =
    tls.daysToExpiry === null
      ? 'the leaf has no valid expiry date'
      : `leaf expires in ${tls.daysToExpiry} days`;
  const out = [
    `  negotiated ${tls.negotiated.protocol} ${tls.negotiated.cipher}; offered ${offered.join(', ') || 'none'}`,
    tls.verified
      ? `  ${c.green('✓')} chain verified; ${expiry}`
      : `  ${c.red('✗')} chain does not verify (${tls.verifyError ?? 'unknown'}); ${expiry}`,
  ];
  if (leaf !== undefined) {
    out.push(
      `  leaf ${leaf.subject}: ${leaf.keyType} ${leaf.keyBits} bits, ${leaf.signatureAlgorithm}, pin-sha256="${leaf.spkiSha256}"`,
    );
  }
  out.push(
    tls.weakCiphersAccepted.length === 0
      ? `  ${c.green('✓')} no weak TLS 1.2 suite accepted`
      : `  ${c.yellow('✗')} weak suites accepted: ${tls.weakCiphersAccepted.join(', ')}`,
  );
  return out;
}

/** How many findings of each severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function severityPaint(s: Severity, c: ReportColors): Paint {
  switch (s) {
    case 'high':
      return c.red;
    case 'medium':
      return c.yellow;
    case 'low':
      return c.cyan;
    case 'info':
      return c.dim;
  }
}
