/**
 * The demo's report collector: `barbican reports` on SQLite in a temporary
 * directory, and the report-only policy the demo app sends to it — the
 * rollout step the SME Server HSTS/HPKP guide recommends (report first,
 * enforce later) done with Barbican's own collector instead of a SaaS.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyOptions } from '@barbican/core';
import type { Io } from '../io.ts';

/** A running demo collector. */
export interface DemoReports {
  /** Where the demo app's headers send reports (`…/report/demo`). */
  readonly endpoint: string;
  /** The dashboard's URL. */
  readonly dashboard: string;
  /** Policy options to merge into the demo app's: report-only headers pointed at the collector. */
  readonly policy: PolicyOptions;
  /** Stops the collector and deletes its database. */
  close(): Promise<void>;
}

/**
 * Starts the collector on 127.0.0.1 (any free port) with a fresh SQLite
 * database. The policy it returns adds a stricter CSP in report-only mode
 * (Trusted Types, the next step after the `barbican` preset's CSP) and
 * COEP report-only, and points every reporting header at the collector
 * with the policy's `report` option.
 *
 * @example
 * ```ts
 * const reports = await startDemoReports();
 * const policy = createPolicy({ preset: 'barbican', ...reports.policy });
 * ```
 */
export async function startDemoReports(): Promise<DemoReports> {
  const { openStore, startCollector } = await import('@barbican/reports');
  const dir = mkdtempSync(join(tmpdir(), 'barbican-demo-reports-'));
  const store = await openStore(`sqlite:${join(dir, 'reports.db')}`);
  const collector = await startCollector({ store, host: '127.0.0.1', port: 0 });
  const endpoint = `${collector.url}/report/demo`;
  return {
    endpoint,
    dashboard: `${collector.url}/?site=demo`,
    policy: {
      // COOP, COEP and NEL report through `report`. The enforced CSP does not:
      // an http: source in it costs 20 Observatory points, and a production
      // collector is https anyway; the report-only CSP names the collector itself.
      report: { endpoint, csp: false },
      headers: {
        cspReportOnly: {
          directives: {
            'default-src': ["'self'"],
            'script-src': ["'self'"],
            'object-src': ["'none'"],
            'base-uri': ["'none'"],
            'require-trusted-types-for': ["'script'"],
            'report-uri': [endpoint],
          },
          nonce: ['script-src'],
        },
        crossOriginEmbedderPolicyReportOnly: { policy: 'require-corp' },
      },
    },
    async close() {
      await collector.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Prints where the demo's reports go and, in an interactive terminal,
 * keeps the collector and its dashboard running until Ctrl-C (a script or
 * CI run stops at once). Then stops it.
 */
export async function holdDemoReports(io: Io, reports: DemoReports, text: boolean): Promise<void> {
  const sample = `curl -H 'content-type: application/csp-report' --data '{"csp-report":{"document-uri":"https://demo.barbican.test/","effective-directive":"script-src-elem","blocked-uri":"https://cdn.example/x.js"}}' ${reports.endpoint}`;
  const interactive = process.stdin.isTTY && process.stdout.isTTY;
  if (text) {
    io.out(
      `\nThe demo's report-only policy (Trusted Types CSP, COEP) reports to Barbican's own collector:\n\n  dashboard: ${reports.dashboard}\n  endpoint:  ${reports.endpoint}\n  try:       ${sample}\n`,
    );
  }
  try {
    if (interactive) {
      io.err('barbican demo: the collector keeps running; Ctrl-C to stop');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await reports.close();
  }
}
