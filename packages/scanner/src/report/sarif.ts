/**
 * The `--sarif` reporter: SARIF 2.1.0 for code-scanning dashboards. One run;
 * one rule per finding code; one result per finding, located at the scanned
 * URL (there is no source file: the artefact is the live response).
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * @module
 */
import { inertJson } from '@barbican/core';
import {
  isScanFailure,
  isScanResult,
  type Finding,
  type ScanOutcome,
  type Severity,
} from '../model.ts';

/** SARIF levels for our severities (§3.27.10: error, warning, note, none). */
export const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * Formats results as a SARIF 2.1.0 log.
 *
 * @example
 * ```ts
 * await writeFile('barbican.sarif', sarifReport(results));
 * ```
 */
export function sarifReport(outcomes: readonly ScanOutcome[], toolVersion = '0.1.0'): string {
  const results = outcomes.filter(isScanResult);
  const failures = outcomes.filter(isScanFailure);
  const rules = new Map<string, Finding>();
  for (const r of results) for (const f of r.findings) if (!rules.has(f.code)) rules.set(f.code, f);
  const ruleIds = [...rules.keys()];
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'barbican',
            version: toolVersion,
            informationUri: 'https://github.com/barbican/barbican/blob/main/docs/scan.md',
            rules: ruleIds.map((id) => {
              const f = rules.get(id) as Finding;
              return {
                id,
                name: id,
                shortDescription: { text: f.message },
                help: { text: f.fix },
                ...(f.spec === '' ? {} : { helpUri: f.spec }),
                defaultConfiguration: { level: SARIF_LEVEL[f.severity] },
                properties: { tags: ['security', f.header] },
              };
            }),
          },
        },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.code,
            ruleIndex: ruleIds.indexOf(f.code),
            level: SARIF_LEVEL[f.severity],
            message: { text: `${f.message} Fix: ${f.fix}` },
            locations: [
              {
                physicalLocation: { artifactLocation: { uri: r.finalUrl } },
                logicalLocations: [
                  {
                    name: f.directive === undefined ? f.header : `${f.header}/${f.directive}`,
                    kind: 'member',
                  },
                ],
              },
            ],
            partialFingerprints: {
              barbicanFinding: [r.url, f.code, f.header, f.directive ?? '', f.value ?? ''].join(
                '|',
              ),
            },
            properties: {
              severity: f.severity,
              header: f.header,
              ...(f.directive === undefined ? {} : { directive: f.directive }),
              ...(f.value === undefined ? {} : { value: f.value }),
            },
          })),
        ),
        // §3.20: a URL that could not be scanned is a tool execution
        // notification, not a result, and the run did not fully succeed.
        invocations: [
          {
            executionSuccessful: failures.length === 0,
            toolExecutionNotifications: failures.map((f) => ({
              level: 'error',
              message: { text: `${f.url}: ${f.error.message}` },
              descriptor: { id: f.error.code },
            })),
          },
        ],
        properties: {
          scans: results.map((r) => ({
            url: r.url,
            grade: r.grade,
            score: r.score,
            ...(r.drift === undefined
              ? {}
              : { drift: r.drift.count, expectedLosses: r.drift.expectedLosses }),
          })),
        },
      },
    ],
  };
  return inertJson(log);
}
