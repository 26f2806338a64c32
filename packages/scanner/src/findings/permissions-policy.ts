/**
 * Permissions-Policy: missing, invalid, entries browsers drop, and powerful
 * features delegated to every origin.
 *
 * @see https://w3c.github.io/webappsec-permissions-policy/
 * @module
 */
import { parsePermissionsPolicy } from '@barbican/core/parsers';
import { headerValues, type CapturedResponse, type Finding } from '../model.ts';
import { finding, MAX_PER_CHECK } from './finding.ts';

/**
 * Features whose delegation to every origin hands a third-party frame the
 * user's camera, location, payment sheet, devices or credentials.
 */
export const POWERFUL_FEATURES: readonly string[] = Object.freeze([
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'serial',
  'hid',
  'bluetooth',
  'midi',
  'display-capture',
  'clipboard-read',
  'clipboard-write',
  'screen-wake-lock',
  'xr-spatial-tracking',
  'publickey-credentials-get',
  'publickey-credentials-create',
  'otp-credentials',
  'identity-credentials-get',
  'idle-detection',
  'local-fonts',
  'window-management',
  'accelerometer',
  'gyroscope',
  'magnetometer',
  'ambient-light-sensor',
  'browsing-topics',
]);

const RECOMMENDED_PP =
  'Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), bluetooth=(), display-capture=(), browsing-topics=()';

/** The reviewer's Permissions-Policy findings for one response. */
export function permissionsPolicyFindings(res: CapturedResponse): Finding[] {
  const values = headerValues(res, 'permissions-policy');
  if (values.length === 0)
    return [
      finding(
        'permissions-policy.missing',
        'permissions-policy',
        'No Permissions-Policy header: any page or frame may prompt for camera, microphone, location and other powerful features.',
        `Turn off what the site does not use: ${RECOMMENDED_PP}`,
      ),
    ];
  // Several fields combine into one Dictionary (RFC 9651 §4.2).
  const value = values.join(', ');
  const parsed = parsePermissionsPolicy(value);
  if (!parsed.valid) {
    const why = parsed.problems.find((p) => p.severity === 'error')?.message ?? 'syntax error';
    return [
      finding(
        'permissions-policy.invalid',
        'permissions-policy',
        `Permissions-Policy is not a valid structured-field dictionary (${why}), so browsers ignore all of it.`,
        `Use the structured-field syntax, e.g. ${RECOMMENDED_PP}`,
        { value },
      ),
    ];
  }
  const out: Finding[] = [];
  for (const p of parsed.problems) {
    if (out.length >= MAX_PER_CHECK) break;
    if (p.severity !== 'warning') continue;
    out.push(
      finding(
        'permissions-policy.entry-ignored',
        'permissions-policy',
        `Permissions-Policy: ${p.message}`,
        'Remove the entry or correct it (feature names are lower-case; origins are quoted strings such as "https://maps.example").',
        { value },
      ),
    );
  }
  for (const d of parsed.directives) {
    if (out.length >= MAX_PER_CHECK) break;
    const all = d.allowlist === '*' || (Array.isArray(d.allowlist) && d.allowlist.includes('*'));
    if (all && POWERFUL_FEATURES.includes(d.feature))
      out.push(
        finding(
          'permissions-policy.feature.wildcard',
          'permissions-policy',
          `${d.feature} is allowed for every origin: any embedded third-party frame can request it.`,
          `Allow it only where needed: ${d.feature}=(self) — or ${d.feature}=() if unused.`,
          { directive: d.feature, value: '*' },
        ),
      );
  }
  return out;
}
