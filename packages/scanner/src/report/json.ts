/**
 * The `--json` reporter: the stable {@link ScanResult} shape, one object for
 * one URL, an array for several. A URL that could not be scanned keeps its
 * place as a {@link ScanFailure} (`{ url, error: { code, message } }`), so
 * the shape depends on how many URLs were asked for, never on how many
 * succeeded. Never coloured.
 *
 * @module
 */
import { inertJson } from '@barbican/core';
import type { ScanOutcome } from '../model.ts';

/**
 * Formats outcomes as JSON (two-space indent, trailing newline): one object
 * for one outcome, an array for any other number.
 *
 * @example
 * ```ts
 * process.stdout.write(jsonReport([await scan('https://example.com/')]));
 * ```
 */
export function jsonReport(results: readonly ScanOutcome[]): string {
  return inertJson(results.length === 1 ? results[0] : results);
}
