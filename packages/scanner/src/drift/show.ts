/**
 * Quoting what a scanned server sent before it reaches a finding: the
 * report may be printed on a terminal, so control characters (C0 and C1,
 * which include the terminal's escape introducers; Node's HTTP parser lets
 * obs-text bytes 0x80–0x9f through as U+0080–U+009F) and bidi overrides
 * are escaped by core's `escapeControl`, the one escaping function, and
 * long values are cut.
 *
 * @module
 */
import { escapeControl } from '@barbican/core';

/** Longest value kept, in characters. */
const MAX_SHOWN = 200;

function cut(value: string): string {
  return value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
}

/**
 * A served value safe to print: controls escaped (`\x9b`, `\n`), cut to 200 characters.
 *
 * @example
 * ```ts
 * printable('nginx\u009b31m'); // 'nginx\\x9b31m'
 * ```
 */
export function printable(value: string): string {
  return escapeControl(cut(value));
}

/**
 * A served value quoted for a message: {@link printable} in double quotes,
 * with quotes and backslashes escaped.
 *
 * @example
 * ```ts
 * shown('DENY'); // '"DENY"'
 * ```
 */
export function shown(value: string): string {
  return `"${escapeControl(cut(value).replace(/["\\]/g, '\\$&'))}"`;
}
