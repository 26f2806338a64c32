/**
 * Target versions: what `--target-version` (and `--openssl-version`) say,
 * parsed once and compared numerically, the way Mozilla's TLS configuration
 * generator gates each directive on the server and OpenSSL versions.
 *
 * @see https://github.com/mozilla/ssl-config-generator (src/js/helpers/*.js, `minver()`)
 * @module
 */
import { BarbicanError } from './errors.ts';
import type { Version } from './target.ts';

export type { Version } from './target.ts';

const VERSION = /^v?(\d{1,4})(?:\.(\d{1,4}))?(?:\.(\d{1,4}))?$/;

/**
 * Parses `1.22.1`, `2.6` or `v3.1`. Throws `BARBICAN_E_EXPORT_TARGET` naming
 * `path` for anything else.
 *
 * @example
 * ```ts
 * parseVersion('1.25.1', '--target-version').parts // [1, 25, 1]
 * ```
 */
export function parseVersion(text: string, path: string): Version {
  const m = VERSION.exec(text.trim());
  if (m === null) {
    throw new BarbicanError('BARBICAN_E_EXPORT_TARGET', 'not a version number', {
      path,
      value: text,
      allowed: 'major[.minor[.patch]], e.g. 1.22.1',
    });
  }
  return {
    text: text.trim().replace(/^v/, ''),
    parts: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)],
  };
}

/**
 * True when `v` is at least `min` (`'1.25.1'`).
 *
 * @example
 * ```ts
 * atLeast(parseVersion('1.22.1', 'v'), '1.25.1') // false: no `http2 on` yet
 * ```
 */
export function atLeast(v: Version, min: string): boolean {
  const other = parseVersion(min, 'min').parts;
  for (let i = 0; i < 3; i++) {
    const a = v.parts[i] ?? 0;
    const b = other[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}
