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

/** Starts headless Chromium; throws an error naming the Debian package when it cannot. */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    throw new Error(`cannot start ${CHROMIUM} (apt-get install chromium): ${String(error)}`, {
      cause: error,
    });
  }
}
