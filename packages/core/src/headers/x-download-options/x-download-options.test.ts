import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertTokenParserTotal,
  describeTokenHeader,
} from '../../../test/headers/single-token-suite.ts';
import { parseXDownloadOptions } from './index.ts';

describeTokenHeader({
  key: 'xDownloadOptions',
  name: 'X-Download-Options',
  def: 'noopen',
  values: ['noopen'],
  typo: 'no-open',
  suggestion: 'noopen',
});

describe('parseXDownloadOptions', () => {
  it('compares ignoring case', () => {
    assert.equal(parseXDownloadOptions('NoOpen').token, 'noopen');
  });

  it('never throws, whatever the input', () => {
    assertTokenParserTotal(parseXDownloadOptions);
  });
});
