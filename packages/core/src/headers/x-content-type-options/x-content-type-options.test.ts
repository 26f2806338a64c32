import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertTokenParserTotal,
  describeTokenHeader,
} from '../../../test/headers/single-token-suite.ts';
import { parseXContentTypeOptions } from './index.ts';

describeTokenHeader({
  key: 'xContentTypeOptions',
  name: 'X-Content-Type-Options',
  def: 'nosniff',
  values: ['nosniff'],
  typo: 'nosnif',
  suggestion: 'nosniff',
});

describe('parseXContentTypeOptions', () => {
  it('only the first value counts, any case (Fetch "determine nosniff")', () => {
    assert.equal(parseXContentTypeOptions('NoSniff').valid, true);
    const r = parseXContentTypeOptions('nosniff, foo');
    assert.equal(r.valid, true);
    assert.deepEqual(
      r.problems.map((p) => p.code),
      ['x_content_type_options.extra'],
    );
    assert.equal(parseXContentTypeOptions('foo, nosniff').valid, false);
    assert.equal(parseXContentTypeOptions('').valid, false);
  });

  it('never throws, whatever the input', () => {
    assertTokenParserTotal(parseXContentTypeOptions);
  });
});
