import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertTokenParserTotal,
  describeTokenHeader,
} from '../../../test/headers/single-token-suite.ts';
import { parseXDnsPrefetchControl } from './index.ts';

describeTokenHeader({
  key: 'xDnsPrefetchControl',
  name: 'X-DNS-Prefetch-Control',
  def: 'off',
  values: ['off', 'on'],
  typo: 'of',
  suggestion: 'off',
});

describe('parseXDnsPrefetchControl', () => {
  it('compares ignoring case and surrounding spaces', () => {
    assert.equal(parseXDnsPrefetchControl(' OFF ').token, 'off');
  });

  it('never throws, whatever the input', () => {
    assertTokenParserTotal(parseXDnsPrefetchControl);
  });
});
