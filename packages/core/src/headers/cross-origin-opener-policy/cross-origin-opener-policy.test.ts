import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { COOP_VALUES, parseCoop } from './index.ts';

const build = (headers: object) => createPolicy({ headers });
const sent = (headers: object, name: string): string | undefined =>
  build(headers)
    .headersFor({ https: true })
    .find(([n]) => n === name)?.[1];

describe('Cross-Origin-Opener-Policy builder', () => {
  it('writes the policy token and a quoted report-to parameter', () => {
    assert.equal(
      sent(
        { crossOriginOpenerPolicy: { policy: 'same-origin', reportTo: 'coop' } },
        'Cross-Origin-Opener-Policy',
      ),
      'same-origin;report-to="coop"',
    );
  });

  it('defaults to same-origin when turned on with true', () => {
    assert.equal(
      sent({ crossOriginOpenerPolicy: true }, 'Cross-Origin-Opener-Policy'),
      'same-origin',
    );
  });

  it('sends the report-only variant beside the enforced one', () => {
    const p = build({
      crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
      crossOriginOpenerPolicyReportOnly: { policy: 'same-origin', reportTo: 'coop' },
    }).headersFor({ https: true });
    const get = (n: string) => p.find(([k]) => k === n)?.[1];
    assert.equal(get('Cross-Origin-Opener-Policy'), 'same-origin-allow-popups');
    assert.equal(get('Cross-Origin-Opener-Policy-Report-Only'), 'same-origin;report-to="coop"');
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
  });
});

describe('parseCoop', () => {
  it('reads the policy and report-to like browsers do', () => {
    assert.deepEqual(parseCoop('same-origin; report-to="coop"'), {
      valid: true,
      policy: 'same-origin',
      reportTo: 'coop',
      problems: [],
    });
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
      }),
      { numRuns: 300 },
    );
    for (const v of COOP_VALUES) assert.equal(parseCoop(v).policy, v);
  });
});
