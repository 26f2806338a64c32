import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { COEP_VALUES, parseCoep } from '../cross-origin-embedder-policy/index.ts';
import { parseCorp } from '../cross-origin-resource-policy/index.ts';
import { COOP_VALUES, parseCoop } from './index.ts';

const build = (headers: object) => createPolicy({ headers });
const sent = (headers: object, name: string): string | undefined =>
  build(headers)
    .headersFor({ https: true })
    .find(([n]) => n === name)?.[1];

describe('Cross-Origin-Opener-Policy and -Embedder-Policy builders', () => {
  it('writes the policy token and a quoted report-to parameter', () => {
    assert.equal(
      sent(
        { crossOriginOpenerPolicy: { policy: 'same-origin', reportTo: 'coop' } },
        'Cross-Origin-Opener-Policy',
      ),
      'same-origin;report-to="coop"',
    );
    assert.equal(
      sent(
        { crossOriginEmbedderPolicy: { policy: 'credentialless' } },
        'Cross-Origin-Embedder-Policy',
      ),
      'credentialless',
    );
  });

  it('defaults to same-origin and require-corp when turned on with true', () => {
    assert.equal(
      sent({ crossOriginOpenerPolicy: true }, 'Cross-Origin-Opener-Policy'),
      'same-origin',
    );
    assert.equal(
      sent({ crossOriginEmbedderPolicy: true }, 'Cross-Origin-Embedder-Policy'),
      'require-corp',
    );
  });

  it('sends the report-only variants beside the enforced ones', () => {
    const p = build({
      crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
      crossOriginOpenerPolicyReportOnly: { policy: 'same-origin', reportTo: 'coop' },
      crossOriginEmbedderPolicyReportOnly: { policy: 'require-corp', reportTo: 'coep' },
    }).headersFor({ https: true });
    const get = (n: string) => p.find(([k]) => k === n)?.[1];
    assert.equal(get('Cross-Origin-Opener-Policy'), 'same-origin-allow-popups');
    assert.equal(get('Cross-Origin-Opener-Policy-Report-Only'), 'same-origin;report-to="coop"');
    assert.equal(get('Cross-Origin-Embedder-Policy-Report-Only'), 'require-corp;report-to="coep"');
  });

  it('warns when a report-only header has nowhere to report', () => {
    const p = build({ crossOriginEmbedderPolicyReportOnly: { policy: 'require-corp' } });
    assert.deepEqual(
      p.warnings.filter((w) => w.code === 'BARBICAN_W_REPORT_ONLY_NO_ENDPOINT').map((w) => w.path),
      ['headers.crossOriginEmbedderPolicyReportOnly.reportTo'],
    );
  });

  it('refuses unknown policies with did-you-mean, and bad endpoint names', () => {
    assert.throws(() => build({ crossOriginOpenerPolicy: { policy: 'same-orign' } }), {
      code: 'BARBICAN_E_ENUM',
      path: 'headers.crossOriginOpenerPolicy.policy',
      hint: 'Did you mean "same-origin"?',
    });
    for (const name of ['Coop', '1st', 'a b', 'a"b', '']) {
      assert.throws(() => build({ crossOriginOpenerPolicy: { reportTo: name } }), {
        path: 'headers.crossOriginOpenerPolicy.reportTo',
      });
    }
    for (const name of ['coop\r\nX: y', 'coop\u0000', 'cööp']) {
      assert.throws(() => build({ crossOriginEmbedderPolicy: { reportTo: name } }), {
        code: 'BARBICAN_E_UNSAFE_VALUE',
      });
    }
    for (const bad of [1, null, [], {}, true]) {
      assert.throws(() => build({ crossOriginOpenerPolicy: { policy: bad } }), {
        path: 'headers.crossOriginOpenerPolicy.policy',
      });
    }
  });

  it('validates raw strings with the structured-field parser', () => {
    assert.equal(
      sent({ crossOriginOpenerPolicy: 'same-origin; report-to="x"' }, 'Cross-Origin-Opener-Policy'),
      'same-origin; report-to="x"',
    );
    assert.throws(() => build({ crossOriginOpenerPolicy: 'same-origin, unsafe-none' }), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
    assert.throws(() => build({ crossOriginOpenerPolicy: 'SAME-ORIGIN' }), {
      code: 'BARBICAN_E_ENUM',
    });
    assert.throws(() => build({ crossOriginOpenerPolicy: '"same-origin"' }), {
      code: 'BARBICAN_E_ENUM',
    });
    assert.throws(() => build({ crossOriginOpenerPolicy: 'same-origin; report-to=coop' }), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
    assert.throws(() => build({ crossOriginEmbedderPolicy: 'require-corp\r\nX: y' }), {
      code: 'BARBICAN_E_UNSAFE_VALUE',
    });
  });
});

describe('parseCoop / parseCoep', () => {
  it('reads the policy and report-to like browsers do', () => {
    assert.deepEqual(parseCoop('same-origin; report-to="coop"'), {
      valid: true,
      policy: 'same-origin',
      reportTo: 'coop',
      problems: [],
    });
    assert.equal(parseCoep('credentialless').policy, 'credentialless');
  });

  it('falls back to unsafe-none (valid: false) on anything else', () => {
    for (const v of ['', 'same-origin same-origin', 'Same-Origin', '?1', 'require-corp']) {
      assert.equal(parseCoop(v).valid, false, v);
    }
  });

  it('never throws and recognises every value it can write', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        assert.equal(typeof parseCoop(s).valid, 'boolean');
        assert.equal(typeof parseCoep(s).valid, 'boolean');
        assert.equal(typeof parseCorp(s).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
    for (const v of COOP_VALUES) assert.equal(parseCoop(v).policy, v);
    for (const v of COEP_VALUES) assert.equal(parseCoep(`${v};report-to="e"`).reportTo, 'e');
  });
});

describe('Cross-Origin-Resource-Policy', () => {
  it('defaults to same-origin and accepts the three Fetch values', () => {
    assert.equal(
      sent({ crossOriginResourcePolicy: true }, 'Cross-Origin-Resource-Policy'),
      'same-origin',
    );
    assert.equal(
      sent(
        { crossOriginResourcePolicy: { policy: 'cross-origin' } },
        'Cross-Origin-Resource-Policy',
      ),
      'cross-origin',
    );
    assert.equal(
      sent({ crossOriginResourcePolicy: ' same-site ' }, 'Cross-Origin-Resource-Policy'),
      'same-site',
    );
  });

  it('parses case-sensitively and without parameters, as Fetch does', () => {
    assert.equal(parseCorp('same-site').policy, 'same-site');
    assert.match(parseCorp('Same-Origin').problems[0]?.message ?? '', /case-sensitively/);
    assert.equal(parseCorp('same-origin;x=1').valid, false);
    assert.equal(parseCorp('same-origin, cross-origin').valid, false);
    assert.throws(() => build({ crossOriginResourcePolicy: 'same-origin\r\n' }), {
      code: 'BARBICAN_E_UNSAFE_VALUE',
    });
    assert.throws(() => build({ crossOriginResourcePolicy: 'none' }), { code: 'BARBICAN_E_ENUM' });
    assert.throws(() => build({ crossOriginResourcePolicy: { policy: 'same-sight' } }), {
      code: 'BARBICAN_E_ENUM',
      hint: 'Did you mean "same-site"?',
    });
  });
});
