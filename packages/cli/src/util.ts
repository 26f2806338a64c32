/**
 * Small helpers shared by the CLI's commands and importers.
 *
 * @module
 */
import { escapeControl, inertJson } from '@barbican/core';

/**
 * Pretty JSON with a trailing newline, C1 controls and bidi overrides
 * escaped (core's `inertJson`): the one format every `--json` output uses.
 */
export function toJson(value: unknown): string {
  return inertJson(value);
}

/**
 * Text from files, servers or reports we do not control, made safe for a
 * terminal: core's `escapeControl`, the one escaping function of every
 * package (control characters, DEL, C1, line separators and bidi overrides
 * become visible escapes), under the name the CLI's commands use.
 *
 * @example
 * ```ts
 * terminalSafe('ok\u001b[2Jgone'); // 'ok\\x1b[2Jgone'
 * ```
 */
export const terminalSafe: (text: string) => string = escapeControl;
