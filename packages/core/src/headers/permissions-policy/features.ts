/**
 * The policy-controlled features browsers know, for "did you mean" hints and
 * for refusing typos (a misspelt feature is silently ignored by browsers, so
 * the user believes a feature is off when it is not).
 *
 * Sources: the W3C Permissions Policy feature registry
 * (https://github.com/w3c/webappsec-permissions-policy/blob/main/features.md)
 * and Chromium's `permissions_policy_features.json5`. New features appear
 * faster than we release, hence the `allowUnknownFeatures` escape hatch.
 *
 * @module
 */

/** Features current browsers (or the W3C registry) define for Permissions-Policy. */
export const KNOWN_FEATURES: readonly string[] = [
  'accelerometer',
  'all-screens-capture',
  'ambient-light-sensor',
  'attribution-reporting',
  'autofill',
  'autoplay',
  'battery',
  'bluetooth',
  'browsing-topics',
  'camera',
  'captured-surface-control',
  'ch-device-memory',
  'ch-downlink',
  'ch-dpr',
  'ch-ect',
  'ch-prefers-color-scheme',
  'ch-prefers-reduced-motion',
  'ch-prefers-reduced-transparency',
  'ch-rtt',
  'ch-save-data',
  'ch-ua',
  'ch-ua-arch',
  'ch-ua-bitness',
  'ch-ua-form-factors',
  'ch-ua-full-version',
  'ch-ua-full-version-list',
  'ch-ua-mobile',
  'ch-ua-model',
  'ch-ua-platform',
  'ch-ua-platform-version',
  'ch-ua-wow64',
  'ch-viewport-height',
  'ch-viewport-width',
  'ch-width',
  'clipboard-read',
  'clipboard-write',
  'compute-pressure',
  'controlled-frame',
  'cross-origin-isolated',
  'deferred-fetch',
  'deferred-fetch-minimal',
  'digital-credentials-get',
  'direct-sockets',
  'display-capture',
  'document-domain',
  'encrypted-media',
  'execution-while-not-rendered',
  'execution-while-out-of-viewport',
  'focus-without-user-activation',
  'fullscreen',
  'gamepad',
  'geolocation',
  'gyroscope',
  'hid',
  'identity-credentials-get',
  'idle-detection',
  'interest-cohort',
  'join-ad-interest-group',
  'keyboard-map',
  'language-detector',
  'local-fonts',
  'magnetometer',
  'microphone',
  'midi',
  'navigation-override',
  'otp-credentials',
  'payment',
  'picture-in-picture',
  'private-aggregation',
  'private-state-token-issuance',
  'private-state-token-redemption',
  'publickey-credentials-create',
  'publickey-credentials-get',
  'rewriter',
  'run-ad-auction',
  'screen-wake-lock',
  'serial',
  'shared-storage',
  'shared-storage-select-url',
  'smart-card',
  'speaker-selection',
  'storage-access',
  'summarizer',
  'sync-xhr',
  'translator',
  'unload',
  'usb',
  'vertical-scroll',
  'web-share',
  'window-management',
  'writer',
  'xr-spatial-tracking',
];

/**
 * Names that only ever existed in the legacy Feature-Policy header, with the
 * Permissions-Policy name that replaced them (or `undefined` when the
 * feature was dropped). Feature-Policy accepts them; Permissions-Policy
 * refuses them and suggests the replacement.
 */
export const LEGACY_FEATURES: ReadonlyMap<string, string | undefined> = new Map([
  ['speaker', 'speaker-selection'],
  ['vr', 'xr-spatial-tracking'],
  ['wake-lock', 'screen-wake-lock'],
  ['document-write', undefined],
  ['layout-animations', undefined],
  ['lazyload', undefined],
  ['legacy-image-formats', undefined],
  ['oversized-images', undefined],
  ['sync-script', undefined],
  ['unoptimized-images', undefined],
  ['unsized-media', undefined],
  ['vibrate', undefined],
  ['notifications', undefined],
  ['push', undefined],
]);

const known = new Set(KNOWN_FEATURES);

/** True when `name` is a Permissions-Policy feature browsers define. */
export function isKnownFeature(name: string): boolean {
  return known.has(name);
}
