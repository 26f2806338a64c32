/**
 * Permissions-Policy: which powerful browser features (camera, geolocation,
 * payment…) this page and the frames it embeds may use.
 *
 * The value is an RFC 9651 Dictionary: `camera=(), geolocation=(self
 * "https://maps.example"), fullscreen=*`. Browsers silently ignore unknown
 * features and malformed entries, so a typo leaves the feature on; Barbican
 * refuses both when the policy is built.
 *
 * @see https://w3c.github.io/webappsec-permissions-policy/
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Permissions-Policy
 * @example
 * ```ts
 * createPolicy({ headers: { permissionsPolicy: { features: { camera: [], geolocation: ['self'] } } } })
 * // Permissions-Policy: camera=(), geolocation=(self)
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { boolean, object, type InferShape } from '../../schema/index.ts';
import {
  innerList,
  item,
  serializeDictionary,
  token,
  type SfDictionary,
  type SfItem,
} from '../../structured-fields/index.ts';
import { defineHeader, type HeaderEmission, rejectRawValue } from '../types.ts';
import {
  checkFeatureName,
  effectiveFeatures,
  featuresSchema,
  mergeFeatures,
  type Allowlist,
  type Features,
} from './allowlist.ts';
import { parsePermissionsPolicy } from './parse.ts';

export { parsePermissionsPolicy } from './parse.ts';
export type { PermissionsPolicyParseResult, PermissionsPolicyDirective } from './parse.ts';
export { KNOWN_FEATURES, LEGACY_FEATURES, isKnownFeature } from './features.ts';
export type { Allowlist, Features, FeaturesOption } from './allowlist.ts';

const shape = {
  features: featuresSchema,
  allowUnknownFeatures: boolean({
    description:
      'Accept feature names this Barbican release does not know (browsers add features faster than we release). Names are still checked for syntax.',
  }),
};

export type PermissionsPolicyOptions = InferShape<typeof shape>;

/**
 * Features denied when `permissionsPolicy: true` and the preset sets none:
 * the sensors, devices and payment APIs an ordinary web app never needs and
 * an injected script or hostile frame would love. Only names every current
 * Chromium knows, so the console stays free of "unrecognized feature".
 */
export const DEFAULT_DENIED_FEATURES: readonly string[] = [
  'accelerometer',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'serial',
  'usb',
  'xr-spatial-tracking',
];

/** Serialises one allowlist: `'*'` → `*`; keywords → tokens; origins → strings. */
function allowlistMember(allowlist: Allowlist): SfItem | ReturnType<typeof innerList> {
  if (allowlist === '*') return item(token('*'));
  return innerList(
    allowlist.map((e) => (e === 'self' || e === 'src' || e === '*' ? item(token(e)) : item(e))),
  );
}

/** Serialises `features` as a Permissions-Policy value (an RFC 9651 Dictionary). */
export function serializePermissionsPolicy(features: Features): string {
  const dict: SfDictionary = new Map();
  for (const [name, allowlist] of Object.entries(features))
    dict.set(name, allowlistMember(allowlist));
  return serializeDictionary(dict);
}

export const permissionsPolicy = defineHeader<PermissionsPolicyOptions>({
  key: 'permissionsPolicy',
  headerNames: ['Permissions-Policy'],
  description:
    'Permissions-Policy: which browser features (camera, geolocation, payment…) the page and its frames may use.',
  spec: 'https://w3c.github.io/webappsec-permissions-policy/',
  schema: object(shape),
  defaults: {
    features: Object.fromEntries(DEFAULT_DENIED_FEATURES.map((f) => [f, [] as string[]])),
  },
  merge: (base, over) => ({
    ...base,
    ...over,
    features: mergeFeatures(base.features, over.features),
  }),
  compile(options, _ctx, path): HeaderEmission[] {
    const features = effectiveFeatures(options.features);
    const allowUnknown = options.allowUnknownFeatures ?? false;
    for (const name of Object.keys(features)) {
      checkFeatureName(name, `${path}.features.${name}`, { allowUnknown, legacyAllowed: false });
    }
    // An empty policy would send an empty header: say nothing instead.
    if (Object.keys(features).length === 0) return [];
    return [{ name: 'Permissions-Policy', value: serializePermissionsPolicy(features) }];
  },
  compileRaw(value, _ctx, path) {
    const parsed = parsePermissionsPolicy(value);
    rejectRawValue(
      parsed.problems.find((p) => p.severity === 'error'),
      value,
      path,
      'a structured-field dictionary such as camera=(), geolocation=(self)',
    );
    for (const d of parsed.directives) {
      checkFeatureName(d.feature, path, { allowUnknown: false, legacyAllowed: false });
    }
    const ignored = parsed.problems.find((p) => p.code.startsWith('permissions_policy.allowlist'));
    if (ignored !== undefined) {
      throw new BarbicanError('BARBICAN_E_PERMISSIONS_ALLOWLIST', ignored.message, {
        path,
        value,
        offset: ignored.offset,
        allowed: 'self, src, * or a quoted origin such as "https://example.com"',
      });
    }
    return [{ name: 'Permissions-Policy', value }];
  },
});
