/**
 * The one builder of a reviewer finding: the catalog gives each code its
 * default severity and spec link, so a check only says what it saw and the fix.
 *
 * @module
 */
import type { Finding, Severity } from '../model.ts';
import { FINDING_CODES, type FindingCode } from './catalog.ts';

/** Findings per check are capped so a hostile server cannot flood the report. */
export const MAX_PER_CHECK = 50;

/**
 * A finding for `code`, with the catalog's severity (unless `extra.severity`
 * overrides it) and spec link.
 *
 * @example
 * ```ts
 * finding('hsts.over-http', 'strict-transport-security', 'HSTS sent over HTTP.', 'Send it over HTTPS only.');
 * ```
 */
export function finding(
  code: FindingCode,
  header: string,
  message: string,
  fix: string,
  extra: { severity?: Severity; value?: string; directive?: string } = {},
): Finding {
  const info = FINDING_CODES[code];
  const base: Finding = {
    code,
    severity: extra.severity ?? info.severity,
    header,
    message,
    fix,
    spec: info.spec,
  };
  return {
    ...base,
    ...(extra.directive === undefined ? {} : { directive: extra.directive }),
    ...(extra.value === undefined ? {} : { value: extra.value }),
  };
}
