/**
 * Feature-Policy: the legacy predecessor of Permissions-Policy
 * (`camera 'none'; geolocation 'self' https://maps.example`).
 *
 * Chromium replaced it with Permissions-Policy in version 88 and only older
 * browsers read it, so Barbican always warns `BARBICAN_W_DEPRECATED_HEADER`.
 * It takes the same `features` option as `permissionsPolicy`, so moving over
 * is renaming one key; both may be sent side by side during a migration.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Feature-Policy
 * @see https://github.com/w3c/webappsec-permissions-policy/blob/main/permissions-policy-explainer.md
 * @example
 * ```ts
 * createPolicy({ headers: { featurePolicy: { features: { camera: [], geolocation: ['self'] } } } })
 * // Feature-Policy: camera 'none'; geolocation 'self'
 * ```
 * @module
 */
import { BarbicanError } from '../../errors.ts';
import { boolean, object, type InferShape } from '../../schema/index.ts';
import { defineHeader, type CompileContext, type HeaderEmission } from '../types.ts';
import {
  checkFeatureName,
  effectiveFeatures,
  featuresSchema,
  mergeFeatures,
  type Features,
} from '../permissions-policy/allowlist.ts';
import { parseFeaturePolicy } from './parse.ts';

export { parseFeaturePolicy } from './parse.ts';
export type { FeaturePolicyDirective, FeaturePolicyParseResult } from './parse.ts';

const shape = {
  features: featuresSchema,
  allowUnknownFeatures: boolean({
    description: 'Accept feature names this Barbican release does not know.',
  }),
};

export type FeaturePolicyOptions = InferShape<typeof shape>;

/** Serialises `features` as a Feature-Policy value. */
export function serializeFeaturePolicy(features: Features): string {
  return Object.entries(features)
    .map(([name, list]) => {
      if (list === '*') return `${name} *`;
      if (list.length === 0) return `${name} 'none'`;
      return `${name} ${list.map((e) => (e === 'self' || e === 'src' ? `'${e}'` : e)).join(' ')}`;
    })
    .join('; ');
}

function deprecated(ctx: CompileContext, path: string): void {
  ctx.warn(
    'BARBICAN_W_DEPRECATED_HEADER',
    path,
    'Feature-Policy is deprecated: current browsers read Permissions-Policy; use permissionsPolicy with the same features',
  );
}

export const featurePolicy = defineHeader<FeaturePolicyOptions>({
  key: 'featurePolicy',
  headerNames: ['Feature-Policy'],
  description:
    'Feature-Policy (deprecated): the legacy form of Permissions-Policy, for old browsers.',
  spec: 'https://developer.mozilla.org/docs/Web/HTTP/Headers/Feature-Policy',
  schema: object(shape),
  defaults: { features: { camera: [], geolocation: [], microphone: [], payment: [], usb: [] } },
  merge: (base, over) => ({
    ...base,
    ...over,
    features: mergeFeatures(base.features, over.features),
  }),
  compile(options, ctx, path): HeaderEmission[] {
    deprecated(ctx, path);
    const features = effectiveFeatures(options.features);
    const allowUnknown = options.allowUnknownFeatures ?? false;
    for (const name of Object.keys(features)) {
      checkFeatureName(name, `${path}.features.${name}`, { allowUnknown, legacyAllowed: true });
    }
    if (Object.keys(features).length === 0) return [];
    return [{ name: 'Feature-Policy', value: serializeFeaturePolicy(features) }];
  },
  compileRaw(value, ctx, path) {
    deprecated(ctx, path);
    const parsed = parseFeaturePolicy(value);
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error !== undefined) {
      throw new BarbicanError(
        error.code.includes('allowlist')
          ? 'BARBICAN_E_PERMISSIONS_ALLOWLIST'
          : 'BARBICAN_E_HEADER_SYNTAX',
        error.message,
        {
          path,
          value,
          offset: error.offset,
          allowed: "feature *|'self'|'src'|'none'|origin...; feature ...",
        },
      );
    }
    for (const d of parsed.directives) {
      checkFeatureName(d.feature, path, { allowUnknown: false, legacyAllowed: true });
    }
    return [{ name: 'Feature-Policy', value }];
  },
});
