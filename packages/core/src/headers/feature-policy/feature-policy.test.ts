import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { featurePolicy, parseFeaturePolicy } from './index.ts';

const warnings: { code: string; path: string }[] = [];
const ctx = { warn: (code: string, path: string) => warnings.push({ code, path }) };
const fpOf = (option: unknown): string | undefined => {
  const path = 'headers.featurePolicy';
  const out =
    typeof option === 'string'
      ? featurePolicy.compileRaw(option, ctx, path)
      : featurePolicy.compile(featurePolicy.schema.parse(option, path), ctx, path);
  return out[0]?.value;
};

describe('Feature-Policy builder', () => {
  it('writes the legacy syntax from the permissionsPolicy feature shape', () => {
    assert.equal(
      fpOf({
        features: { camera: [], geolocation: ['self', 'https://x.example'], fullscreen: '*' },
      }),
      "camera 'none'; geolocation 'self' https://x.example; fullscreen *",
    );
  });

  it("reproduces secure.py's documented Feature-Policy, legacy names included", () => {
    const names = [
      'accelerometer',
      'ambient-light-sensor',
      'autoplay',
      'camera',
      'speaker',
      'sync-xhr',
      'vr',
    ];
    assert.equal(
      fpOf({ features: Object.fromEntries(names.map((n) => [n, []])) }),
      names.map((n) => `${n} 'none'`).join('; '),
    );
  });

  it('always warns that the header is deprecated, as data', () => {
    const p = createPolicy({ headers: { featurePolicy: { features: { camera: [] } } } });
    assert.deepEqual(
      p.warnings.filter((w) => w.path === 'headers.featurePolicy').map((w) => w.code),
      ['BARBICAN_W_DEPRECATED_HEADER'],
    );
    assert.equal(
      p
        .headersFor({ https: true })
        .find(([n]) => n === 'Feature-Policy')?.[1]
        ?.startsWith('camera'),
      true,
    );
  });

  it('refuses unknown features and bad entries with the same teaching errors as Permissions-Policy', () => {
    assert.throws(() => fpOf({ features: { camra: [] } }), {
      code: 'BARBICAN_E_PERMISSIONS_FEATURE',
      path: 'headers.featurePolicy.features.camra',
    });
    assert.throws(() => fpOf({ features: { camera: ["'self'"] } }), {
      code: 'BARBICAN_E_PERMISSIONS_ALLOWLIST',
    });
    for (const bad of ['https://x\r\n', 'x\u0000', 'é']) {
      assert.throws(() => fpOf({ features: { camera: [bad] } }), {
        code: 'BARBICAN_E_UNSAFE_VALUE',
      });
    }
  });

  it('validates raw strings with its parser', () => {
    assert.equal(fpOf("camera 'none'; speaker 'self'"), "camera 'none'; speaker 'self'");
    assert.throws(() => fpOf("camera 'nobody'"), {
      code: 'BARBICAN_E_PERMISSIONS_ALLOWLIST',
      offset: 7,
    });
    assert.throws(() => fpOf('camera=()'), { code: 'BARBICAN_E_HEADER_SYNTAX' });
    assert.throws(() => fpOf("camra 'none'"), { code: 'BARBICAN_E_PERMISSIONS_FEATURE' });
    assert.throws(() => createPolicy({ headers: { featurePolicy: "camera 'none'\r\nX: y" } }), {
      code: 'BARBICAN_E_UNSAFE_VALUE',
    });
  });
});

describe('parseFeaturePolicy', () => {
  it('reads allowlists, the first directive wins, an empty allowlist means self', () => {
    const r = parseFeaturePolicy(
      "camera 'none'; geolocation 'self' https://a.example, camera *; usb",
    );
    assert.deepEqual(
      { ...r.features },
      {
        camera: [],
        geolocation: ['self', 'https://a.example'],
        usb: ['self'],
      },
    );
    assert.deepEqual(
      r.problems.map((p) => p.code),
      ['feature_policy.feature.repeated'],
    );
  });

  it('never throws and round-trips what the builder writes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        assert.ok(Array.isArray(parseFeaturePolicy(s).problems));
      }),
      { numRuns: 300 },
    );
    assert.equal(parseFeaturePolicy(42 as never).problems[0]?.code, 'feature_policy.type');
    const big = Array.from({ length: 10_000 }, () => "camera 'self' https://a.example").join('; ');
    assert.equal(parseFeaturePolicy(big).directives.length, 1);
  });
});
