import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertTokenParserTotal,
  describeTokenHeader,
} from '../../../test/headers/single-token-suite.ts';
import { parseOriginAgentCluster } from './index.ts';

describeTokenHeader({
  key: 'originAgentCluster',
  name: 'Origin-Agent-Cluster',
  def: '?1',
  values: ['?1', '?0'],
  typo: '?2',
  suggestion: '?1',
});

describe('parseOriginAgentCluster', () => {
  it('is a case-sensitive structured boolean', () => {
    assert.equal(parseOriginAgentCluster('?1').token, '?1');
    assert.equal(parseOriginAgentCluster(' ?0 ').token, '?0');
    assert.equal(parseOriginAgentCluster('1').valid, false);
    assert.equal(parseOriginAgentCluster('?true').valid, false);
  });

  it('never throws, whatever the input', () => {
    assertTokenParserTotal(parseOriginAgentCluster);
  });
});
