import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { COEP_VALUES, parseCoep } from './index.ts';

const build = (headers: object) => createPolicy({ headers });
const sent = (headers: object, name: string): string | undefined =>
  build(headers)
    .headersFor({ https: true })
    .find(([n]) => n === name)?.[1];

describe('Cross-Origin-Embedder-Policy builder', () => {
  it('writes the policy token', () => {
    assert.equal(
      sent(
        { crossOriginEmbedderPolicy: { policy: 'credentialless' } },
        'Cross-Origin-Embedder-Policy',
      ),
      'credentialless',
    );
  });

  it('defaults to require-corp when turned on with true', () => {
    assert.equal(
      sent({ crossOriginEmbedderPolicy: true }, 'Cross-Origin-Embedder-Policy'),
      'require-corp',
    );
  });

  it('sends the report-only variant with its report-to parameter', () => {
    const p = build({
      crossOriginEmbedderPolicyReportOnly: { policy: 'require-corp', reportTo: 'coep' },
    }).headersFor({ https: true });
    const get = (n: string) => p.find(([k]) => k === n)?.[1];
    assert.equal(get('Cross-Origin-Embedder-Policy-Report-Only'), 'require-corp;report-to="coep"');
  });

  it('warns when a report-only header has nowhere to report', () => {
    const p = build({ crossOriginEmbedderPolicyReportOnly: { policy: 'require-corp' } });
    assert.deepEqual(
      p.warnings.filter((w) => w.code === 'BARBICAN_W_REPORT_ONLY_NO_ENDPOINT').map((w) => w.path),
      ['headers.crossOriginEmbedderPolicyReportOnly.reportTo'],
    );
  });

  it('refuses endpoint names that could split the header', () => {
    for (const name of ['coop\r\nX: y', 'coop\u0000', 'cööp']) {
      assert.throws(() => build({ crossOriginEmbedderPolicy: { reportTo: name } }), {
        code: 'BARBICAN_E_UNSAFE_VALUE',
      });
    }
    assert.throws(() => build({ crossOriginEmbedderPolicy: 'require-corp\r\nX: y' }), {
      code: 'BARBICAN_E_UNSAFE_VALUE',
    });
  });
});

describe('parseCoep', () => {
  it('reads the policy like browsers do', () => {
    assert.equal(parseCoep('credentialless').policy, 'credentialless');
  });

  it('never throws and recognises every value it can write', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        assert.equal(typeof parseCoep(s).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
    for (const v of COEP_VALUES) assert.equal(parseCoep(`${v};report-to="e"`).reportTo, 'e');
  });
});
