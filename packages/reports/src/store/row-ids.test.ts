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

  it('forgets keys unused for a generation, never one in use', () => {
    const ids = new RowIds(4); // generations of 2 keys
    ids.stage('a', 1);
    ids.stage('b', 2);
    ids.commit(); // a full generation: a and b become the old one
    assert.equal(ids.get('a'), 1, 'found in the old generation, a moves to the young one');
    ids.stage('c', 3);
    ids.commit(); // a and c fill the next generation; b, unused, is dropped
    assert.equal(ids.get('b'), undefined);
    assert.equal(ids.get('a'), 1);
    assert.equal(ids.get('c'), 3);
    assert.ok(ids.size <= 4);
  });

  it('stays within its capacity under a flood of new keys', () => {
    const ids = new RowIds(100);
    for (let i = 0; i < 10_000; i++) {
      ids.stage(`k${i}`, i);
      if (i % 7 === 0) ids.commit();
    }
    ids.commit();
    assert.ok(ids.size <= 100, `${ids.size} keys`);
    assert.equal(ids.get('k9999'), 9999, 'the newest keys are kept');
    assert.equal(ids.get('k0'), undefined);
  });

  it('prefers the id staged last for a key (its old row was deleted)', () => {
    const ids = new RowIds(4);
    ids.stage('a', 1);
    ids.stage('b', 2);
    ids.commit();
    ids.stage('a', 7); // the update of row 1 changed nothing: a new row
    ids.commit();
    assert.equal(ids.get('a'), 7);
  });

  it('keys a row by fingerprint and day', () => {
    assert.equal(rowKey('ab', 20_000), 'ab|20000');
  });
});
