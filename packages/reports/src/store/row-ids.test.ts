import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RowIds, rowKey } from './row-ids.ts';

describe('RowIds', () => {
  it('keeps staged ids only when the transaction commits', () => {
    const ids = new RowIds(10);
    ids.stage('a', 1);
    assert.equal(ids.get('a'), undefined, 'not before the commit');
    ids.commit();
    assert.equal(ids.get('a'), 1);
    ids.stage('b', 2);
    ids.discard();
    ids.commit();
    assert.equal(ids.get('b'), undefined, 'a rolled-back insert is forgotten');
  });

  it('forgets the least recently used keys beyond its capacity', () => {
    const ids = new RowIds(2);
    ids.stage('a', 1);
    ids.stage('b', 2);
    ids.commit();
    assert.equal(ids.get('a'), 1); // a is now the most recent
    ids.stage('c', 3);
    ids.commit();
    assert.equal(ids.size, 2);
    assert.equal(ids.get('b'), undefined);
    assert.equal(ids.get('a'), 1);
    assert.equal(ids.get('c'), 3);
  });

  it('keys a row by fingerprint and day', () => {
    assert.equal(rowKey('ab', 20_000), 'ab|20000');
  });
});
