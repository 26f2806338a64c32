/**
 * Small helpers shared by the CLI's commands and importers.
 *
 * @module
 */

/** A plain object (not an array, not null, not a class instance such as Date or Uint8Array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Pretty JSON with a trailing newline: the one format every `--json` output uses. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
