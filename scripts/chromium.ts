/**
 * Debian's Chromium for the browser tests, through playwright-core, with
 * the project's flags (CONTRACTS.md). A missing browser is a test failure
 * naming the Debian package, never a skip.
 *
 * @module
 */
import { chromium, type Browser } from 'playwright-core';

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
 * Launches /usr/bin/chromium with {@link CHROMIUM_ARGS} plus `extra`.
 * Throws with the package to install when it cannot start.
 */
export async function launchChromium(extra: readonly string[] = []): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, ...extra],
    });
  } catch (error) {
    throw new Error(
      `cannot start /usr/bin/chromium: install Debian's chromium package (apt-get install -y --no-install-recommends chromium): ${String(error)}`,
    );
  }
}
