import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertTokenParserTotal,
  describeTokenHeader,
} from '../../../test/headers/single-token-suite.ts';
import { parseXPermittedCrossDomainPolicies } from './index.ts';

describeTokenHeader({
  key: 'xPermittedCrossDomainPolicies',
  name: 'X-Permitted-Cross-Domain-Policies',
  def: 'none',
  values: [
    'none',
    'master-only',
    'by-content-type',
    'by-ftp-filename',
    'all',
    'none-this-response',
  ],
  typo: 'master_only',
  suggestion: 'master-only',
});

describe('parseXPermittedCrossDomainPolicies', () => {
  it('compares ignoring case, one token only', () => {
    assert.equal(parseXPermittedCrossDomainPolicies('Master-Only').token, 'master-only');
    assert.equal(parseXPermittedCrossDomainPolicies('master-only; x').valid, false);
  });

  it('never throws, whatever the input', () => {
    assertTokenParserTotal(parseXPermittedCrossDomainPolicies);
  });
});
