/**
 * Chromium for the browser tests: Debian's /usr/bin/chromium through
 * playwright-core with the project's flags, plus what reporting needs:
 *
 * - `--short-reporting-delay`: the Reporting API queues reports and
 *   uploads them about once a minute; this switch (Chromium's own, for its
 *   browser tests) makes it every 100 ms, so reports arrive in well under a
 *   second and the test can wait with a bounded poll.
 * - HTTPS with a throw-away CA whose leaf Chromium accepts through
 *   `--ignore-certificate-errors-spki-list`: Chromium reads
 *   Reporting-Endpoints only on https pages and posts only to https
 *   endpoints (an http://127.0.0.1 endpoint is silently ignored), and with
 *   report-to present it ignores report-uri — so a collector on plain
 *   http would receive nothing from Chromium.
 * - `--host-resolver-rules`: the `*.barbican.test` names resolve to
 *   127.0.0.1, so the page, the CDN, the API and the collector are distinct
 *   origins on loopback.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createThrowawayCa } from '@barbican/scanner';
import { launchChromium } from '../../../scripts/chromium.ts';

/** Host names of the browser tests (RFC 2606 `.test`: nobody's). */
export const HOSTS = {
  shop: 'shop.barbican.test',
  cdn: 'cdn.barbican.test',
  api: 'api.barbican.test',
  reports: 'reports.barbican.test',
} as const;

/** One certificate for every test host, and its SPKI pin for Chromium. */
export function testTls(): { cert: string; key: string; spki: string } {
  const ca = createThrowawayCa('Barbican reports test CA (throw-away)');
  const leaf = ca.issue({ names: Object.values(HOSTS) });
  const spki = createHash('sha256')
    .update(new X509Certificate(leaf.cert).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  return { cert: leaf.cert + ca.cert, key: leaf.key, spki };
}

/** Chromium with the project's flags and the reporting flags above. */
export function launchReportingChromium(spki?: string): Promise<Browser> {
  return launchChromium([
    '--short-reporting-delay',
    '--host-resolver-rules=MAP *.barbican.test 127.0.0.1',
    ...(spki === undefined ? [] : [`--ignore-certificate-errors-spki-list=${spki}`]),
  ]);
}

/** Polls `check` every 100 ms until it returns a value, or fails after `ms`. */
export async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
