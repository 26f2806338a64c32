/**
 * The export's error and warning codes, defined in one place, and
 * `BarbicanError` narrowed to the codes the export may throw: its own and
 * core's. `docs/errors.md` documents each code;
 * `packages/cli/test/errors.test.ts` fails when the two drift apart.
 *
 * @module
 */
import {
  BarbicanError as AnyBarbicanError,
  defineCodes,
  type BarbicanErrorConstructor,
  type ErrorCode,
} from '@barbican/core';
import type { TargetName } from './target.ts';

/** Errors of `barbican export` (and `exportPolicy`). */
export const EXPORT_ERROR_CODES = defineCodes('BARBICAN_E_', {
  BARBICAN_E_EXPORT_UNSAFE:
    'barbican export cannot write a policy value safely in the target format (it would need escaping the format does not have), or the target cannot express a protection without weakening it.',
  BARBICAN_E_EXPORT_LIMIT:
    'The exported configuration breaks a documented limit of the target platform (Cloudflare Pages: 2,000 characters per line; Vercel: 4,096 characters per key or value).',
  BARBICAN_E_EXPORT_TARGET:
    'barbican export was given an unknown target, or a target version it cannot generate for (malformed, or older than the oldest supported).',
});

/** Warnings of `barbican export` (not policy warnings: `ignoreWarnings` does not list them). */
export const EXPORT_WARNING_CODES = defineCodes('BARBICAN_W_', {
  BARBICAN_W_EXPORT_LOSSY:
    'The export target cannot express one feature of the policy (a per-request nonce, a CSRF origin check, removing its own Server header…); the output says so in a comment and the feature is missing there.',
});

/** A code from the export's error table. */
export type ExportErrorCode = keyof typeof EXPORT_ERROR_CODES;
/** A code from the export's warning table. */
export type ExportWarningCode = keyof typeof EXPORT_WARNING_CODES;

/** One lost feature, as `exportPolicy` reports it. */
export interface ExportWarning {
  readonly code: ExportWarningCode;
  /** The option it comes from, e.g. `headers.server`. */
  readonly path: string;
  /** `<target>: <what is lost>`. */
  readonly message: string;
}

/** `BarbicanError` as the export throws it: an export or core code. */
export const BarbicanError: BarbicanErrorConstructor<ExportErrorCode | ErrorCode> =
  AnyBarbicanError;
export type BarbicanError = AnyBarbicanError;

/**
 * A value that would need escaping `target`'s format does not have.
 *
 * @example
 * ```ts
 * throw unsafeFor('apache', 'headers.csp', 'the value contains "${", which httpd expands as a Define', value);
 * ```
 */
export function unsafeFor(
  target: TargetName,
  path: string,
  problem: string,
  value: string,
): BarbicanError {
  return new BarbicanError(
    'BARBICAN_E_EXPORT_UNSAFE',
    `${problem}, so it cannot be exported to ${target}`,
    { path, value, hint: 'Change the value, or keep this header in the middleware' },
  );
}

/**
 * A documented platform limit the export would break.
 *
 * @example
 * ```ts
 * throw overLimit('cloudflare-pages', 'headers.csp', 'a line of 2315 characters, which', 'at most 2000 characters per line');
 * ```
 */
export function overLimit(
  target: TargetName,
  path: string,
  problem: string,
  limit: string,
): BarbicanError {
  return new BarbicanError('BARBICAN_E_EXPORT_LIMIT', `${problem} is over ${target}'s limit`, {
    path,
    allowed: limit,
  });
}
