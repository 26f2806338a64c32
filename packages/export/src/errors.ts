/**
 * The export's errors: a value a target's format cannot carry safely, or a
 * platform limit. Each names the option path and the target.
 *
 * @module
 */
import { BarbicanError } from '@barbican/core';
import type { TargetName } from './target.ts';

/**
 * A value that would need escaping `target`'s format does not have.
 *
 * @example
 * ```ts
 * throw unsafeFor('apache', 'headers.csp', 'contains "${", which httpd expands as a variable', value);
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
    {
      path,
      value,
      hint: 'Change the value, or keep this header in the middleware',
    },
  );
}

/**
 * A documented platform limit the export would break.
 *
 * @example
 * ```ts
 * throw overLimit('cloudflare-pages', 'headers.csp', 'a line of 2,315 characters', 'at most 2,000 characters per line');
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
