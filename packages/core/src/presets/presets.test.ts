import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRequest } from '../engine.ts';
import type { RequestFacts } from '../plan.ts';
import { parseHsts } from '../headers/hsts/index.ts';
import { OWASP_REMOVE_HEADERS } from '../policy/remove-headers.ts';
import { createPolicy } from '../policy/index.ts';
import { PRESETS, PRESET_NAMES, type PresetName } from './index.ts';

/**
 * The exact headers each preset sends, written out by hand from the sources
 * in docs/presets.md (OpenKAT's hardening guide for openkat, secure.py's
 * documentation for secure-py, helmet's and the OWASP Secure Headers
 * Project's published defaults for helmet and owasp). A change to a preset must
 * change this table, and the docs with it.
 *
 * Over plain HTTP, HSTS and Expect-CT are not sent (RFC 6797 §7.2, RFC 9163
 * §2.2) and CSP loses upgrade-insecure-requests (helmet #480).
 */
const EXPECTED: Record<
  PresetName,
  {
    https: Record<string, string>;
    http: Record<string, string>;
    warnings: string[];
    strips: 'owasp' | string[];
    /** Headers whose value changes when the request reads its nonce: the value with nonce `NONCE`. */
    nonced?: { https: Record<string, string>; http: Record<string, string> };
  }
> = {
  barbican: {
    https: {
      'Content-Security-Policy':
        "default-src 'self'; base-uri 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'; upgrade-insecure-requests",
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Permissions-Policy':
        'accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=(), xr-spatial-tracking=()',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    },
    http: {
      'Content-Security-Policy':
        "default-src 'self'; base-uri 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'",
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Permissions-Policy':
        'accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=(), xr-spatial-tracking=()',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    },
    warnings: [],
    strips: 'owasp',
    nonced: {
      https: {
        'Content-Security-Policy':
          "default-src 'self'; base-uri 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self' 'nonce-NONCE'; script-src-attr 'none'; style-src 'self' 'nonce-NONCE'; upgrade-insecure-requests",
      },
      http: {
        'Content-Security-Policy':
          "default-src 'self'; base-uri 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self' 'nonce-NONCE'; script-src-attr 'none'; style-src 'self' 'nonce-NONCE'",
      },
    },
  },
  'secure-py': {
    https: {
      'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0',
      Expires: '0',
      Pragma: 'no-cache',
      'Referrer-Policy': 'no-referrer, strict-origin-when-cross-origin',
      'Strict-Transport-Security': 'max-age=63072000; includeSubdomains',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'SAMEORIGIN',
      'X-XSS-Protection': '1; mode=block',
    },
    http: {
      'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0',
      Expires: '0',
      Pragma: 'no-cache',
      'Referrer-Policy': 'no-referrer, strict-origin-when-cross-origin',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'SAMEORIGIN',
      'X-XSS-Protection': '1; mode=block',
    },
    warnings: ['BARBICAN_W_XSS_FILTER_ON'],
    strips: [],
  },
  openkat: {
    https: {
      'Cache-Control': 'no-store, max-age=0',
      'Clear-Site-Data': '"cache", "cookies", "storage"',
      'Content-Security-Policy':
        "default-src 'self'; object-src 'none'; child-src 'self'; frame-ancestors 'none'; upgrade-insecure-requests; block-all-mixed-content",
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Expect-CT': 'max-age=86400, enforce',
      'Permissions-Policy':
        'accelerometer=(), autoplay=(), camera=(), display-capture=(), document-domain=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(self), usb=(), web-share=(), xr-spatial-tracking=()',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
    },
    http: {
      'Cache-Control': 'no-store, max-age=0',
      'Clear-Site-Data': '"cache", "cookies", "storage"',
      'Content-Security-Policy':
        "default-src 'self'; object-src 'none'; child-src 'self'; frame-ancestors 'none'; block-all-mixed-content",
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy':
        'accelerometer=(), autoplay=(), camera=(), display-capture=(), document-domain=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(self), usb=(), web-share=(), xr-spatial-tracking=()',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
    },
    warnings: [
      'BARBICAN_W_CSP_DEPRECATED_DIRECTIVE',
      'BARBICAN_W_CLEAR_SITE_DATA_GLOBAL',
      'BARBICAN_W_DEPRECATED_HEADER',
      // The guide's DHE suite and its CBC suite (docs/tls.md#openkat).
      'BARBICAN_W_TLS_WEAK',
      'BARBICAN_W_TLS_WEAK',
    ],
    strips: [],
  },
  owasp: {
    https: {
      'Cache-Control': 'no-store, max-age=0',
      'Clear-Site-Data': '"cache", "cookies", "storage"',
      'Content-Security-Policy':
        "default-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests",
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy':
        'accelerometer=(), autoplay=(), camera=(), cross-origin-isolated=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(self), usb=(), web-share=(), xr-spatial-tracking=(), clipboard-read=(), clipboard-write=(), gamepad=(), hid=(), idle-detection=(), interest-cohort=(), serial=(), unload=()',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
    },
    http: {
      'Cache-Control': 'no-store, max-age=0',
      'Clear-Site-Data': '"cache", "cookies", "storage"',
      'Content-Security-Policy':
        "default-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'",
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy':
        'accelerometer=(), autoplay=(), camera=(), cross-origin-isolated=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(self), usb=(), web-share=(), xr-spatial-tracking=(), clipboard-read=(), clipboard-write=(), gamepad=(), hid=(), idle-detection=(), interest-cohort=(), serial=(), unload=()',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
    },
    warnings: ['BARBICAN_W_CLEAR_SITE_DATA_GLOBAL'],
    strips: 'owasp',
  },
  helmet: {
    https: {
      'Content-Security-Policy':
        "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests",
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Download-Options': 'noopen',
      'X-Frame-Options': 'SAMEORIGIN',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    },
    http: {
      'Content-Security-Policy':
        "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'",
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Download-Options': 'noopen',
      'X-Frame-Options': 'SAMEORIGIN',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    },
    warnings: [],
    strips: ['x-powered-by'],
  },
  strict: {
    https: {
      'Cache-Control': 'no-store, max-age=0',
      'Content-Security-Policy':
        "default-src 'none'; base-uri 'none'; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self'; manifest-src 'self'; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'; require-trusted-types-for 'script'; upgrade-insecure-requests",
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Permissions-Policy':
        'accelerometer=(), autoplay=(), camera=(), cross-origin-isolated=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=(), clipboard-read=(), clipboard-write=(), gamepad=(), hid=(), idle-detection=(), serial=(), unload=(), browsing-topics=()',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    },
    http: {
      'Cache-Control': 'no-store, max-age=0',
      'Content-Security-Policy':
        "default-src 'none'; base-uri 'none'; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self'; manifest-src 'self'; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'; require-trusted-types-for 'script'",
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Origin-Agent-Cluster': '?1',
      'Permissions-Policy':
        'accelerometer=(), autoplay=(), camera=(), cross-origin-isolated=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=(), clipboard-read=(), clipboard-write=(), gamepad=(), hid=(), idle-detection=(), serial=(), unload=(), browsing-topics=()',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-DNS-Prefetch-Control': 'off',
      'X-Frame-Options': 'DENY',
      'X-Permitted-Cross-Domain-Policies': 'none',
      'X-XSS-Protection': '0',
    },
    warnings: [],
    strips: 'owasp',
  },
  api: {
    https: {
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    },
    http: {
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    },
    warnings: [],
    strips: 'owasp',
  },
};

/** The request protections each preset turns on (docs/presets.md); the rest need deployment facts. */
const EXPECTED_REQUEST: Record<PresetName, object> = {
  barbican: {},
  'secure-py': {},
  openkat: {},
  owasp: {},
  helmet: {},
  strict: { csrf: true },
  api: {},
};

/** The TLS profile each preset starts from (docs/presets.md, docs/tls.md). */
const EXPECTED_TLS: Record<PresetName, string> = {
  barbican: 'intermediate',
  'secure-py': 'intermediate',
  openkat: 'openkat',
  owasp: 'intermediate',
  helmet: 'intermediate',
  strict: 'modern',
  api: 'intermediate',
};

describe('presets', () => {
  it('the table covers every preset', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), [...PRESET_NAMES].sort());
  });

  for (const name of PRESET_NAMES) {
    describe(name, () => {
      const policy = createPolicy({ preset: name });
      const expected = EXPECTED[name];

      for (const https of [true, false]) {
        it(`sends exactly the documented headers over ${https ? 'HTTPS' : 'HTTP'}`, () => {
          const list = policy.headersFor({ https });
          const table = https ? expected.https : expected.http;
          assert.deepEqual(Object.fromEntries(list), table);
          // No header twice: the object comparison alone would hide that.
          assert.equal(list.length, Object.keys(table).length);
        });
      }

      it('puts a nonce exactly where documented, and only when the request reads one', () => {
        for (const https of [true, false]) {
          const scheme = https ? 'https' : 'http';
          const want = { ...expected[scheme], ...expected.nonced?.[scheme] };
          assert.deepEqual(Object.fromEntries(policy.headersFor({ https, nonce: 'NONCE' })), want);
          const plan = https ? policy.https : policy.http;
          assert.deepEqual(
            plan.nonced.map((h) => h.name),
            Object.keys(expected.nonced?.[scheme] ?? {}),
          );
        }
        assert.equal(policy.usesNonce, expected.nonced !== undefined);
      });

      it('raises exactly the documented warnings', () => {
        // Every policy without allowedHosts also says so: that is about the
        // deployment, not the preset (docs/errors.md#barbican_w_no_allowed_hosts).
        const codes = policy.warnings.map((w) => w.code);
        assert.equal(codes.at(-1), 'BARBICAN_W_NO_ALLOWED_HOSTS');
        assert.deepEqual(codes.slice(0, -1), expected.warnings);
      });

      it('starts TLS from the documented profile', () => {
        assert.equal(PRESETS[name].tls, EXPECTED_TLS[name]);
        assert.equal(policy.tls.profile, EXPECTED_TLS[name]);
      });

      it('turns on exactly the documented request protections', () => {
        assert.deepEqual(PRESETS[name].request ?? {}, EXPECTED_REQUEST[name]);
      });

      it('strips the documented fingerprint headers', () => {
        const strips =
          expected.strips === 'owasp'
            ? OWASP_REMOVE_HEADERS.map((n) => n.toLowerCase())
            : expected.strips;
        assert.deepEqual([...policy.https.removeList].sort(), [...strips].sort());
        assert.deepEqual([...policy.http.removeList].sort(), [...strips].sort());
      });

      it('has a description and a source', () => {
        assert.ok(PRESETS[name].description.length > 10);
        assert.ok(PRESETS[name].source.length > 3);
      });
    });
  }
});

describe('presets and overrides', () => {
  const get = (o: Parameters<typeof createPolicy>[0], header: string, https = true) =>
    createPolicy(o)
      .headersFor({ https })
      .find(([n]) => n === header)?.[1];

  it('false turns any preset header off', () => {
    assert.equal(
      get({ preset: 'owasp', headers: { cacheControl: false } }, 'Cache-Control'),
      undefined,
    );
    assert.equal(
      get({ preset: 'secure-py', headers: { hsts: false } }, 'Strict-Transport-Security'),
      undefined,
    );
  });

  it('true keeps the preset value, or adds the module default when the preset has none', () => {
    assert.equal(
      get({ preset: 'secure-py', headers: { xXssProtection: true } }, 'X-XSS-Protection'),
      '1; mode=block',
    );
    assert.equal(
      get({ preset: 'api', headers: { xXssProtection: true } }, 'X-XSS-Protection'),
      '0',
    );
  });

  it('an object merges over the preset object', () => {
    assert.equal(
      get({ preset: 'secure-py', headers: { cacheControl: { pragma: false } } }, 'Cache-Control'),
      'no-cache, no-store, must-revalidate, max-age=0',
    );
    assert.equal(
      get({ preset: 'secure-py', headers: { cacheControl: { pragma: false } } }, 'Pragma'),
      undefined,
    );
  });

  it("an object over secure-py's raw HSTS starts from the module default (same meaning, canonical spelling)", () => {
    assert.equal(
      get(
        { preset: 'secure-py', headers: { hsts: { preload: true } } },
        'Strict-Transport-Security',
      ),
      'max-age=63072000; includeSubDomains; preload',
    );
  });

  it('secure-py sends its HSTS spelling byte for byte, and it means includeSubDomains', () => {
    const value = get({ preset: 'secure-py' }, 'Strict-Transport-Security');
    assert.equal(value, 'max-age=63072000; includeSubdomains');
    assert.equal(parseHsts(value).includeSubDomains, true);
  });
});

describe('strict: CSRF origin checks', () => {
  /** An HTTPS POST to app.example carrying `headers`. */
  const post = (options: Parameters<typeof createPolicy>[0], headers: Record<string, string>) => {
    const all: Record<string, string> = { host: 'app.example', ...headers };
    const facts: RequestFacts = {
      method: 'POST',
      target: '/transfer',
      peer: '203.0.113.9',
      tls: true,
      headerValues: (n) => (all[n] === undefined ? [] : [all[n]]),
    };
    const v = evaluateRequest(createPolicy(options), facts);
    return v.kind === 'respond' ? v.status : 200;
  };

  it('refuses a cross-origin POST with 403', () => {
    assert.equal(post({ preset: 'strict' }, { origin: 'https://evil.example' }), 403);
    assert.equal(post({ preset: 'strict' }, { 'sec-fetch-site': 'cross-site' }), 403);
  });

  it('serves a same-origin POST, also with the Origin: null its no-referrer policy causes', () => {
    assert.equal(post({ preset: 'strict' }, { origin: 'https://app.example' }), 200);
    assert.equal(
      post({ preset: 'strict' }, { origin: 'null', 'sec-fetch-site': 'same-origin' }),
      200,
    );
  });

  it('is turned off by csrf: false, widened by trustedOrigins, and off in other presets', () => {
    const evil = { origin: 'https://evil.example' };
    assert.equal(post({ preset: 'strict', csrf: false }, evil), 200);
    assert.equal(
      post({ preset: 'strict', csrf: { trustedOrigins: ['https://evil.example'] } }, evil),
      200,
    );
    assert.equal(post({ preset: 'barbican' }, evil), 200);
  });
});
