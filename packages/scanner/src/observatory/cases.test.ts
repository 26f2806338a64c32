/**
 * Every Observatory result code, one behaviour per case. The cases are data
 * (`cases.json`, written for Barbican from Observatory's documented rules);
 * each names the rule it checks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { observatory, SCORE_MODIFIERS } from './index.ts';
import { preloadLookup, retrievalOf, type SiteSpec } from '../../test/observatory/fixtures.ts';

const cases = JSON.parse(
  readFileSync(new URL('../../test/observatory/cases.json', import.meta.url), 'utf8'),
) as SiteSpec[];

describe('Observatory result codes', () => {
  for (const c of cases) {
    it(c.name, () => {
      const out = observatory(retrievalOf(c), { preloaded: preloadLookup(c) });
      for (const [test, code] of Object.entries(c.expect ?? {})) {
        const t = out.tests[test];
        assert.ok(t, test);
        assert.equal(t.result, code, test);
        assert.equal(t.scoreModifier, SCORE_MODIFIERS[code]);
      }
      for (const [test, code] of Object.entries(c.expectSpec ?? {})) {
        assert.equal(out.spec.tests[test]?.result, code, `spec ${test}`);
      }
      if (c.grade !== undefined) assert.equal(out.grade, c.grade);
      if (c.score !== undefined) assert.equal(out.score, c.score);
      assert.equal(Object.keys(out.tests).length, 10);
    });
  }

  it('covers every result code Observatory 1.4 can emit except html-not-parseable', () => {
    // Universal CORS access is only reachable in the spec-faithful variant:
    // Observatory 1.4 never sees the Origin it sent.
    const seen = new Set(
      cases.flatMap((c) => [
        ...Object.values(c.expect ?? {}),
        ...Object.values(c.expectSpec ?? {}),
      ]),
    );
    // html-not-parseable needs jsdom to throw, which its HTML parser never does.
    const missing = Object.keys(SCORE_MODIFIERS).filter(
      (k) => !seen.has(k) && k !== 'html-not-parseable',
    );
    assert.deepEqual(missing, []);
  });
});
