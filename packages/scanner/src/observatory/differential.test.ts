/**
 * Differential test: our `observatory()` and the installed
 * `@mdn/mdn-http-observatory@1.4.x` analysers must agree on score, grade,
 * result codes, modifiers and pass flags for every site configuration in
 * `corpus.json` and every unit case in `cases.json`. Both get the same HSTS
 * preload assumption (the case's `preloaded` hosts, else none).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { observatory } from './index.ts';
import { preloadLookup, retrievalOf, type SiteSpec } from '../../test/observatory/fixtures.ts';
import { runOracle } from '../../test/observatory/oracle.ts';

const load = (f: string) =>
  JSON.parse(
    readFileSync(new URL(`../../test/observatory/${f}`, import.meta.url), 'utf8'),
  ) as SiteSpec[];
const corpus = load('corpus.json');
const cases = load('cases.json');

function agree(s: SiteSpec): void {
  const r = retrievalOf(s);
  const ours = observatory(r, { preloaded: preloadLookup(s) });
  const theirs = runOracle(r, preloadLookup(s));
  assert.deepEqual(ours.tests, theirs.tests);
  assert.equal(ours.score, theirs.score);
  assert.equal(ours.grade, theirs.grade);
}

describe('agrees with @mdn/mdn-http-observatory 1.4 on the corpus', () => {
  it('has at least 40 site configurations', () => assert.ok(corpus.length >= 40));
  for (const s of corpus) it(s.name, () => agree(s));
});

describe('agrees with @mdn/mdn-http-observatory 1.4 on every unit case', () => {
  // Observatory aborts a scan where nothing answered; there is nothing to compare.
  for (const s of cases.filter((c) => !(c.http === false && c.https === false))) {
    it(s.name, () => agree(s));
  }
});
