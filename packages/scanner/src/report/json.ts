/**
 * The `--json` reporter: the stable {@link ScanResult} shape, one object for
 * one URL, an array for several. Never coloured.
 *
 * @module
 */
import { inertJson } from '@barbican/core';
import type { ScanResult } from '../model.ts';

/**
 * Formats results as JSON (two-space indent, trailing newline).
 *
 * @example
 * ```ts
 * process.stdout.write(jsonReport([await scan('https://example.com/')]));
 * ```
 */
export function jsonReport(results: readonly ScanResult[]): string {
  return inertJson(results.length === 1 ? results[0] : results);
}
