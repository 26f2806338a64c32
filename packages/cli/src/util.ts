/**
 * Small helpers shared by the CLI's commands and importers.
 *
 * @module
 */

/** Pretty JSON with a trailing newline: the one format every `--json` output uses. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Text from files, servers or reports we do not control, made safe for a
 * terminal: control characters (which could move the cursor, recolour or
 * rewrite earlier lines) and bidi overrides (which reorder what is shown)
 * are written as `\uXXXX` escapes.
 *
 * @example
 * ```ts
 * terminalSafe('ok\u001b[2Jgone'); // 'ok\\u001b[2Jgone'
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
