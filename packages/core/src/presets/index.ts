/**
 * Presets: named starting points. A policy is a preset plus overrides.
 *
 * Every preset is data (objects) so that overrides merge into it field by
 * field. The one exception is secure-py's HSTS, a raw string, because
 * secure.py spells the directive `includeSubdomains` and only a raw value
 * reproduces that byte for byte (see docs/presets.md#secure-py). Exact values
 * are pinned by `presets.test.ts` and documented in `docs/presets.md`.
 *
 * @see ../../../../docs/presets.md
 * @module
 */
import type { HeadersOptions } from '../headers/index.ts';
import { DEFAULT_DENIED_FEATURES } from '../headers/permissions-policy/index.ts';
import type { RequestOptions } from '../request/options.ts';
import type { TlsProfileName } from '../tls/profiles.ts';

/** What a preset sets: a value for some headers (absent = not sent) and the fingerprint-header removal. */
export interface Preset {
  readonly description: string;
  /** Where the values come from. */
  readonly source: string;
  readonly headers: HeadersOptions;
  /** `true` = OWASP's remove list; a list = exactly those; `false` = remove nothing. */
  readonly removeHeaders: boolean | readonly string[];
  /**
   * Request protections the preset turns on. Only those that need no
   * knowledge of the deployment (no host names, proxies or origins): the
   * user's own request options override these key by key.
   */
  readonly request?: Readonly<Pick<RequestOptions, 'csrf'>>;
  /** The TLS profile `tls` starts from (servers, exports and the gateway). */
  readonly tls: TlsProfileName;
}

/** The names of the presets Barbican ships. */
export const PRESET_NAMES = [
  'barbican',
  'secure-py',
  'openkat',
  'owasp',
  'helmet',
  'strict',
  'api',
] as const;

/** One preset name. */
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * Features a typical web application never uses; denying them limits what
 * injected code or a framed page can reach: Permissions-Policy's own default
 * list, plus `browsing-topics` (opting out of Chrome's Topics API).
 */
const BARBICAN_DENIED_FEATURES = [...DEFAULT_DENIED_FEATURES, 'browsing-topics'].sort();

/** OWASP Secure Headers Project's Permissions-Policy, in its order: all `()` except `sync-xhr=(self)`. */
const OWASP_FEATURES: Record<string, string[]> = {
  accelerometer: [],
  autoplay: [],
  camera: [],
  'cross-origin-isolated': [],
  'display-capture': [],
  'encrypted-media': [],
  fullscreen: [],
  geolocation: [],
  gyroscope: [],
  'keyboard-map': [],
  magnetometer: [],
  microphone: [],
  midi: [],
  payment: [],
  'picture-in-picture': [],
  'publickey-credentials-get': [],
  'screen-wake-lock': [],
  'sync-xhr': ['self'],
  usb: [],
  'web-share': [],
  'xr-spatial-tracking': [],
  'clipboard-read': [],
  'clipboard-write': [],
  gamepad: [],
  hid: [],
  'idle-detection': [],
  'interest-cohort': [],
  serial: [],
  unload: [],
};

const deny = (names: readonly string[]): Record<string, string[]> =>
  Object.fromEntries(names.map((n) => [n, []]));

/**
 * `barbican`: our recommended default for web applications that render
 * HTML. Each value is justified in docs/presets.md#barbican.
 */
const barbican: Preset = {
  description: 'Barbican’s recommended default for web applications.',
  source: 'docs/presets.md#barbican',
  headers: {
    hsts: { maxAge: 63_072_000, includeSubDomains: true },
    csp: {
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'font-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'upgrade-insecure-requests': true,
      },
      // A per-request nonce in script-src and style-src, so `<script
      // nonce="…">` works out of the box. Lazy: minted only when the app
      // reads it, so a response that never does gets the CSP above as is.
      nonce: true,
    },
    xFrameOptions: { action: 'DENY' },
    permissionsPolicy: { features: deny(BARBICAN_DENIED_FEATURES) },
    xContentTypeOptions: { value: 'nosniff' },
    xXssProtection: { mode: '0' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xPermittedCrossDomainPolicies: { value: 'none' },
    originAgentCluster: { value: '?1' },
    xDnsPrefetchControl: { value: 'off' },
    server: true,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  },
  removeHeaders: true,
  // Mozilla intermediate: TLS 1.2 + 1.3, ECDHE with AEAD only (docs/tls.md).
  tls: 'intermediate',
};

/** `secure-py`: secure.py's documented defaults (its SecureHeaders docs), exactly. */
const securePy: Preset = {
  description: 'secure.py’s documented default headers (SecureHeaders), reproduced exactly.',
  source: 'secure.py documentation, SecureHeaders "Secure Headers" (each header\'s Default Value)',
  headers: {
    // Raw on purpose: secure.py writes `includeSubdomains` (lower-case d).
    // RFC 6797 §6.1 matches directive names case-insensitively, so browsers
    // read it exactly like includeSubDomains; keeping the bytes lets a
    // migrating user diff old and new responses and see no change.
    hsts: 'max-age=63072000; includeSubdomains',
    xFrameOptions: { action: 'SAMEORIGIN' },
    xXssProtection: { mode: '1; mode=block' },
    xContentTypeOptions: { value: 'nosniff' },
    referrerPolicy: { policy: ['no-referrer', 'strict-origin-when-cross-origin'] },
    cacheControl: {
      cacheControl: 'no-cache, no-store, must-revalidate, max-age=0',
      pragma: true,
      expires: true,
    },
  },
  removeHeaders: false,
  tls: 'intermediate',
};

/** `openkat`: the OpenKAT production hardening guide's headers table, exactly. */
const openkat: Preset = {
  description: 'The OpenKAT production hardening table for its reverse proxy, reproduced exactly.',
  source:
    'OpenKAT documentation, "Production: Hardening OpenKAT", Security headers table (https://docs.openkat.nl/installation_and_deployment/hardening.html)',
  headers: {
    xFrameOptions: { action: 'DENY' },
    xContentTypeOptions: { value: 'nosniff' },
    csp: {
      directives: {
        'default-src': ["'self'"],
        'object-src': ["'none'"],
        'child-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': true,
        'block-all-mixed-content': true,
      },
    },
    xPermittedCrossDomainPolicies: { value: 'none' },
    referrerPolicy: { policy: 'no-referrer' },
    clearSiteData: { types: ['cache', 'cookies', 'storage'] },
    permissionsPolicy: {
      features: {
        ...deny([
          'accelerometer',
          'autoplay',
          'camera',
          'display-capture',
          'document-domain',
          'encrypted-media',
          'fullscreen',
          'geolocation',
          'gyroscope',
          'magnetometer',
          'microphone',
          'midi',
          'payment',
          'picture-in-picture',
          'publickey-credentials-get',
          'screen-wake-lock',
        ]),
        'sync-xhr': ['self'],
        ...deny(['usb', 'web-share', 'xr-spatial-tracking']),
      },
    },
    cacheControl: { cacheControl: 'no-store, max-age=0' },
    expectCt: { maxAge: 86_400, enforce: true },
    crossOriginEmbedderPolicy: { policy: 'require-corp' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  },
  removeHeaders: false,
  // The guide's own nginx TLS lines (minus its two nonexistent suites).
  tls: 'openkat',
};

/** `owasp`: the OWASP Secure Headers Project recommendation (headers_add.json + headers_remove.json). */
const owasp: Preset = {
  description: 'The OWASP Secure Headers Project recommendation: its add list and its remove list.',
  source: 'OWASP Secure Headers Project, ci/headers_add.json and ci/headers_remove.json',
  headers: {
    hsts: { maxAge: 63_072_000, includeSubDomains: true },
    csp: {
      directives: {
        'default-src': ["'self'"],
        'form-action': ["'self'"],
        'base-uri': ["'self'"],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': true,
      },
    },
    xFrameOptions: { action: 'DENY' },
    permissionsPolicy: { features: OWASP_FEATURES },
    xContentTypeOptions: { value: 'nosniff' },
    referrerPolicy: { policy: 'no-referrer' },
    xPermittedCrossDomainPolicies: { value: 'none' },
    xDnsPrefetchControl: { value: 'off' },
    cacheControl: { cacheControl: 'no-store, max-age=0' },
    clearSiteData: { types: ['cache', 'cookies', 'storage'] },
    server: true,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: { policy: 'require-corp' },
  },
  removeHeaders: true,
  tls: 'intermediate',
};

/** `helmet`: helmet 8.3's defaults, for a drop-in move from helmet. */
const helmet: Preset = {
  description: 'helmet 8.3’s default headers, for moving over from helmet.',
  source: 'helmet 8.3.0 defaults',
  headers: {
    csp: {
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'font-src': ["'self'", 'https:', 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", 'https:', "'unsafe-inline'"],
        'upgrade-insecure-requests': true,
      },
    },
    originAgentCluster: { value: '?1' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    xContentTypeOptions: { value: 'nosniff' },
    xDnsPrefetchControl: { value: 'off' },
    xDownloadOptions: { value: 'noopen' },
    xFrameOptions: { action: 'SAMEORIGIN' },
    xPermittedCrossDomainPolicies: { value: 'none' },
    xXssProtection: { mode: '0' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  },
  // helmet strips only X-Powered-By (and leaves Server alone).
  removeHeaders: ['X-Powered-By'],
  tls: 'intermediate',
};

/** `strict`: the strictest set that still serves a same-origin app; expect to loosen it. */
const strict: Preset = {
  description: 'The strictest policy: nothing cross-origin, no caching, every feature denied.',
  source: 'docs/presets.md#strict',
  headers: {
    hsts: { maxAge: 63_072_000, includeSubDomains: true },
    csp: {
      directives: {
        'default-src': ["'none'"],
        'base-uri': ["'none'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'"],
        'manifest-src': ["'self'"],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'require-trusted-types-for': ["'script'"],
        'upgrade-insecure-requests': true,
      },
    },
    xFrameOptions: { action: 'DENY' },
    permissionsPolicy: {
      features: deny([
        ...Object.keys(OWASP_FEATURES).filter((f) => f !== 'interest-cohort'),
        'browsing-topics',
      ]),
    },
    xContentTypeOptions: { value: 'nosniff' },
    xXssProtection: { mode: '0' },
    referrerPolicy: { policy: 'no-referrer' },
    xPermittedCrossDomainPolicies: { value: 'none' },
    originAgentCluster: { value: '?1' },
    xDnsPrefetchControl: { value: 'off' },
    cacheControl: { cacheControl: 'no-store, max-age=0' },
    server: true,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: { policy: 'require-corp' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  },
  removeHeaders: true,
  // TLS 1.3 only: like the rest of strict, it trades old clients for safety.
  tls: 'modern',
  // Same-origin CSRF checks for unsafe methods, on in the strict preset: a
  // strict app takes no cross-origin form posts.
  request: { csrf: true },
};

/** `api`: JSON APIs: nothing a document needs, nothing cached, nothing framed. */
const api: Preset = {
  description: 'For JSON APIs: no document directives, no caching, no framing, no sniffing.',
  source: 'docs/presets.md#api (after the OWASP REST Security Cheat Sheet)',
  headers: {
    hsts: { maxAge: 63_072_000, includeSubDomains: true },
    csp: { directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
    xFrameOptions: { action: 'DENY' },
    xContentTypeOptions: { value: 'nosniff' },
    referrerPolicy: { policy: 'no-referrer' },
    cacheControl: { cacheControl: 'no-store' },
    server: true,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  },
  removeHeaders: true,
  // API clients include older HTTP libraries and JVMs: keep TLS 1.2.
  tls: 'intermediate',
};

/** Every preset by name. */
export const PRESETS: Record<PresetName, Preset> = {
  barbican,
  'secure-py': securePy,
  openkat,
  owasp,
  helmet,
  strict,
  api,
};
