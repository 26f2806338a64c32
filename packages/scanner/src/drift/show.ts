/**
 * Quoting what a scanned server sent before it reaches a finding: the
 * report may be printed on a terminal, so control characters (C0 and C1,
 * which include the terminal's escape introducers; Node's HTTP parser lets
 * obs-text bytes 0x80–0x9f through as U+0080–U+009F) are escaped, and long
 * values are cut.
 *
 * @module
 */

/** Longest value kept, in characters. */
const MAX_SHOWN = 200;

function escapeControls(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function cut(value: string): string {
  return value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
}

/**
 * A served value safe to print: controls escaped as `\uXXXX`, cut to 200 characters.
 *
 * @example
 * ```ts
 * printable('nginx\u009b31m'); // 'nginx\\u009b31m'
 * ```
 */
export function printable(value: string): string {
  return escapeControls(cut(value));
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
  return `"${escapeControls(cut(value).replace(/["\\]/g, '\\$&'))}"`;
}
