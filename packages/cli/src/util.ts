/**
 * Small helpers shared by the CLI's commands and importers.
 *
 * @module
 */
import { inertJson } from '@barbican/core';

/** A plain object (not an array, not null, not a class instance such as Date or Uint8Array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Pretty JSON with a trailing newline, C1 controls and bidi overrides
 * escaped (core's `inertJson`): the one format every `--json` output uses.
 */
export function toJson(value: unknown): string {
  return inertJson(value);
}
