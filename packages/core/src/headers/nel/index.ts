/**
 * NEL (Network Error Logging): asks the browser to report failed (and a
 * sample of successful) requests to a Report-To group, so you see DNS, TLS
 * and connection errors your server never receives.
 *
 * NEL names a group of the legacy `Report-To` header; configure `reportTo`
 * with a group of the same name.
 *
 * @see https://w3c.github.io/network-error-logging/#nel-response-header
 * @see https://developer.mozilla.org/docs/Web/HTTP/Network_Error_Logging
 * @example
 * ```ts
 * createPolicy({ headers: { nel: { report_to: 'nel', max_age: 86400, failure_fraction: 1 } } })
 * // NEL: {"report_to":"nel","max_age":86400,"failure_fraction":1}
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { object } from '../../schema/index.ts';
import { isToken } from '../../field.ts';
import { defineHeader } from '../types.ts';
import { shape, parseNel, type NelOptions } from './parse.ts';

export { parseNel } from './parse.ts';
export type { NelOptions, NelParseResult } from './parse.ts';

export const nel = defineHeader<NelOptions>({
  key: 'nel',
  headerNames: ['NEL'],
  description: 'NEL: report network errors (DNS, TLS, connection) to a Report-To group.',
  spec: 'https://w3c.github.io/network-error-logging/',
  schema: object(shape),
  // A day, failures only: enough to notice outages without sampling traffic.
  defaults: { report_to: 'default', max_age: 86_400 },
  compile(options, _ctx, path) {
    if (options.report_to === undefined || options.max_age === undefined) {
      throw new BarbicanError('BARBICAN_E_TYPE', 'NEL needs report_to and max_age', {
        path: `${path}.${options.report_to === undefined ? 'report_to' : 'max_age'}`,
        hint: 'For example { report_to: "nel", max_age: 86400 }, with a Report-To group named "nel"',
      });
    }
    for (const list of ['request_headers', 'response_headers'] as const) {
      for (const [i, h] of (options[list] ?? []).entries()) {
        if (!isToken(h))
          throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'not a header name', {
            path: `${path}.${list}[${i}]`,
            value: h,
          });
      }
    }
    // Fixed member order so the header is stable across runs; compact JSON.
    const ordered: Record<string, unknown> = {};
    for (const k of Object.keys(shape) as (keyof NelOptions)[]) {
      if (options[k] !== undefined) ordered[k] = options[k];
    }
    return [{ name: 'NEL', value: JSON.stringify(ordered) }];
  },
  compileRaw(value, _ctx, path) {
    const parsed = parseNel(value);
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error !== undefined) {
      throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', error.message, {
        path,
        value,
        allowed: '{"report_to":"group","max_age":N,...}',
      });
    }
    return [{ name: 'NEL', value }];
  },
});
