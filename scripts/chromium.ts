/**
 * Debian's Chromium for the browser tests, launched through playwright-core
 * with the project's flags (CONTRACTS.md). When it cannot start, the test
 * fails naming the package to install: it never skips.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * try { const page = await browser.newPage(); … } finally { await browser.close(); }
 * ```
 * @module
 */
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags every browser test starts Chromium with: no sandbox (containers), no background traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts headless Chromium with {@link CHROMIUM_ARGS} plus `extra` (a test's
 * own switches, e.g. `--short-reporting-delay`); throws an error naming the
 * Debian package when it cannot.
 */
export async function launchChromium(extra: readonly string[] = []): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extra] });
  } catch (error) {
    throw new Error(`cannot start ${CHROMIUM} (apt-get install chromium): ${String(error)}`, {
      cause: error,
    });
  }
}
