import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BarbicanError } from '../../errors.ts';
import { createPolicy } from '../../policy/index.ts';
import { KNOWN_FEATURES, parsePermissionsPolicy, permissionsPolicy } from './index.ts';

/** The header exactly as the module builds it from `option` (no preset or default merged in). */
const ppOf = (option: unknown): string | undefined => {
  const path = 'headers.permissionsPolicy';
  const ctx = { warn: () => {} };
  const out =
    typeof option === 'string'
      ? permissionsPolicy.compileRaw(option, ctx, path)
      : permissionsPolicy.compile(permissionsPolicy.schema.parse(option, path), ctx, path);
  return out[0]?.value;
};

/** The header a full policy sends (preset and defaults merged, raw strings screened). */
const sentWith = (option: unknown): string | undefined =>
  createPolicy({ headers: { permissionsPolicy: option as never } })
    .headersFor({ https: true })
    .find(([n]) => n === 'Permissions-Policy')?.[1];

const throwsWith = (fn: () => unknown, code: string, path?: string, hint?: RegExp): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BarbicanError, String(e));
    assert.equal(e.code, code);
    if (path !== undefined) assert.equal(e.path, path);
    if (hint !== undefined) assert.match(e.hint ?? '', hint);
    return true;
  });
};

describe('Permissions-Policy builder', () => {
  it('serialises [] as (), * as *, keywords as tokens and origins as strings', () => {
    assert.equal(
      ppOf({
        features: {
          camera: [],
          fullscreen: '*',
          geolocation: ['self', 'https://a.example'],
          payment: ['src', '*'],
        },
      }),
      'camera=(), fullscreen=*, geolocation=(self "https://a.example"), payment=(src *)',
    );
  });

  it('reproduces the OpenKAT hardening table value feature for feature', () => {
    const names = ['accelerometer', 'autoplay', 'camera', 'display-capture', 'document-domain'];
    const features = Object.fromEntries(names.map((n) => [n, []]));
    const value = ppOf({ features: { ...features, 'sync-xhr': ['self'] } });
    assert.equal(
      value,
      'accelerometer=(), autoplay=(), camera=(), display-capture=(), document-domain=(), sync-xhr=(self)',
    );
  });

  it('denies powerful features by default when turned on with true', () => {
    const value = sentWith(true) ?? '';
    for (const f of ['camera', 'microphone', 'geolocation', 'payment', 'usb'])
      assert.match(value, new RegExp(`(^|, )${f}=\\(\\)`));
  });

  it('sends nothing for an empty feature map', () => {
    assert.equal(ppOf({ features: {} }), undefined);
  });

  it('merges overrides into the preset feature by feature', () => {
    const base = createPolicy({
      headers: { permissionsPolicy: { features: { camera: [], microphone: [] } } },
    });
    const route = base.extend({
      headers: { permissionsPolicy: { features: { camera: ['self'], microphone: null } } },
    });
    const value = route.headersFor({ https: true }).find(([n]) => n === 'Permissions-Policy')?.[1];
    assert.match(value ?? '', /(^|, )camera=\(self\)(, |$)/);
    assert.doesNotMatch(value ?? '', /microphone/);
  });

  it('adds configured features to the defaults, and null drops one', () => {
    const value = sentWith({ features: { fullscreen: ['self'], camera: null } }) ?? '';
    assert.match(value, /fullscreen=\(self\)/);
    assert.match(value, /microphone=\(\)/);
    assert.doesNotMatch(value, /camera/);
  });

  it('refuses an unknown feature and suggests the known one', () => {
    throwsWith(
      () => ppOf({ features: { geolocaton: [] } }),
      'BARBICAN_E_PERMISSIONS_FEATURE',
      'headers.permissionsPolicy.features.geolocaton',
      /Did you mean "geolocation"/,
    );
  });

  it('names the Permissions-Policy replacement of a Feature-Policy-only name', () => {
    throwsWith(
      () => ppOf({ features: { vr: [] } }),
      'BARBICAN_E_PERMISSIONS_FEATURE',
      'headers.permissionsPolicy.features.vr',
      /xr-spatial-tracking/,
    );
  });

  it('accepts a feature newer than this release only with allowUnknownFeatures', () => {
    assert.equal(
      ppOf({ features: { 'brand-new-api': [] }, allowUnknownFeatures: true }),
      'brand-new-api=()',
    );
  });

  it('refuses malformed feature names, even with the escape hatch', () => {
    for (const name of [
      'Camera',
      '-camera',
      'cam era',
      'camera\r\nSet-Cookie: a=b',
      'kaméra',
      '',
    ]) {
      throwsWith(
        () => ppOf({ features: { [name]: [] }, allowUnknownFeatures: true }),
        'BARBICAN_E_PERMISSIONS_FEATURE',
      );
    }
  });

  const badEntries: [unknown, string, RegExp | undefined][] = [
    ["'self'", 'BARBICAN_E_PERMISSIONS_ALLOWLIST', /without the quotes|Write "self"/],
    ['none', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', /Write \[\]/],
    ["'none'", 'BARBICAN_E_PERMISSIONS_ALLOWLIST', /Write \[\]/],
    ['slf', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', /Did you mean "self"/],
    ['example.com', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', undefined],
    ['https://example.com/', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', undefined],
    ['https://example.com/path', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', undefined],
    ['https://user@example.com', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', undefined],
    ['https://example.com:99999', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', undefined],
    ['https://a"b.example', 'BARBICAN_E_PERMISSIONS_ALLOWLIST', undefined],
    ['https://example.com\r\nX: y', 'BARBICAN_E_UNSAFE_VALUE', undefined],
    ['https://exämple.com', 'BARBICAN_E_UNSAFE_VALUE', undefined],
    ['self\u0000', 'BARBICAN_E_UNSAFE_VALUE', undefined],
    [42, 'BARBICAN_E_TYPE', undefined],
    [null, 'BARBICAN_E_TYPE', undefined],
  ];
  for (const [entry, code, hint] of badEntries) {
    it(`refuses allowlist entry ${JSON.stringify(entry)} with ${code}`, () => {
      throwsWith(
        () => ppOf({ features: { camera: [entry] } }),
        code,
        'headers.permissionsPolicy.features.camera[0]',
        hint,
      );
    });
  }

  it('accepts wildcard-subdomain, IPv6 and port origins', () => {
    assert.equal(
      ppOf({
        features: {
          camera: ['https://*.example.com', 'https://[::1]:8443', 'http://localhost:3000'],
        },
      }),
      'camera=("https://*.example.com" "https://[::1]:8443" "http://localhost:3000")',
    );
  });

  it('teaches the list form when a bare keyword is given', () => {
    throwsWith(
      () => ppOf({ features: { camera: 'self' } }),
      'BARBICAN_E_PERMISSIONS_ALLOWLIST',
      'headers.permissionsPolicy.features.camera',
      /Write \["self"\]/,
    );
    throwsWith(() => ppOf({ features: { camera: {} } }), 'BARBICAN_E_TYPE');
    throwsWith(() => ppOf({ features: ['camera'] }), 'BARBICAN_E_TYPE');
    throwsWith(
      () => ppOf({ features: { camera: ['self', 'self'] } }),
      'BARBICAN_E_PERMISSIONS_ALLOWLIST',
    );
  });

  it('is safe against prototype keys', () => {
    const features = JSON.parse('{"__proto__": [], "constructor": []}') as object;
    throwsWith(() => ppOf({ features }), 'BARBICAN_E_PERMISSIONS_FEATURE');
  });

  it('copes with a huge feature map in one pass', () => {
    const features = Object.fromEntries(KNOWN_FEATURES.map((f) => [f, ['self']]));
    const value = ppOf({ features }) ?? '';
    assert.equal(parsePermissionsPolicy(value).directives.length, KNOWN_FEATURES.length);
  });
});

describe('Permissions-Policy raw strings', () => {
  it('sends a valid raw value as given', () => {
    assert.equal(ppOf('camera=(), geolocation=(self)'), 'camera=(), geolocation=(self)');
  });

  it('refuses a syntax error with its byte offset', () => {
    assert.throws(() => ppOf('camera=(), geolocation=(self'), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
      offset: 23,
    });
    assert.throws(
      () => ppOf('camera=none'),
      (e: unknown) => {
        assert.ok(e instanceof BarbicanError);
        assert.equal(e.code, 'BARBICAN_E_PERMISSIONS_ALLOWLIST');
        assert.match(e.message, /write \(\) for none/);
        return true;
      },
    );
  });

  it('refuses Feature-Policy syntax and unknown features', () => {
    assert.throws(() => ppOf("camera 'none'"), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => ppOf('camra=()'), { code: 'BARBICAN_E_PERMISSIONS_FEATURE' });
  });

  it('refuses CR, LF and NUL before parsing', () => {
    for (const v of ['camera=()\r\nX: y', 'camera=()\n', 'camera=()\u0000']) {
      assert.throws(() => sentWith(v), { code: 'BARBICAN_E_UNSAFE_VALUE' });
      assert.throws(() => ppOf(v), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    }
  });
});

describe('parsePermissionsPolicy', () => {
  it('reads the option shape back, with report-to', () => {
    const r = parsePermissionsPolicy(
      'camera=(), fullscreen=*, geolocation=(self "https://a.example");report-to=pp, usb=self',
    );
    assert.equal(r.valid, true);
    assert.deepEqual(
      { ...r.features },
      {
        camera: [],
        fullscreen: '*',
        geolocation: ['self', 'https://a.example'],
        usb: ['self'],
      },
    );
    assert.equal(r.directives[2]?.reportTo, 'pp');
    assert.deepEqual(r.problems, []);
  });

  it('reports what browsers would ignore, with offsets', () => {
    const r = parsePermissionsPolicy('camra=(), camera=(none "example.com" 1)');
    assert.deepEqual(
      r.problems.map((p) => [p.code, p.offset]),
      [
        ['permissions_policy.feature.unknown', 0],
        ['permissions_policy.allowlist.entry', 10],
        ['permissions_policy.allowlist.origin', 10],
        ['permissions_policy.allowlist.entry', 10],
      ],
    );
    assert.deepEqual(r.features.camera, []);
  });

  it('marks the whole header invalid on a syntax error (browsers ignore it)', () => {
    const r = parsePermissionsPolicy('geolocation=(self), camera');
    assert.equal(r.valid, true); // a bare key is Boolean true: an ignored entry, not a syntax error
    const bad = parsePermissionsPolicy("geolocation 'self'");
    assert.equal(bad.valid, false);
    assert.equal(bad.problems[0]?.severity, 'error');
  });

  it('never throws, and everything the builder writes parses back to the options', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const r = parsePermissionsPolicy(s);
        assert.equal(typeof r.valid, 'boolean');
      }),
      { numRuns: 300 },
    );
    const allowlist = fc.oneof(
      fc.constant('*' as const),
      fc.uniqueArray(
        fc.constantFrom('self', 'src', '*', 'https://a.example', 'http://localhost:8080'),
      ),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...KNOWN_FEATURES), allowlist, { minKeys: 1 }),
        (features) => {
          const [emission] = permissionsPolicy.compile({ features }, { warn: () => {} }, 'x');
          const parsed = parsePermissionsPolicy(emission?.value ?? '');
          assert.deepEqual({ ...parsed.features }, { ...features });
        },
      ),
      { numRuns: 200 },
    );
  });
});
