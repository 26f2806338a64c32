/**
 * Small helpers shared by the CLI's commands and importers.
 *
 * @module
 */

/** Pretty JSON with a trailing newline: the one format every `--json` output uses. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
