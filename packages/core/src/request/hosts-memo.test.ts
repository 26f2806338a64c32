import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHost } from './hosts.ts';

// parseHost remembers its last answer (every request to a server carries the
// same Host); the memo must never change what it returns.
test('a repeated Host gives the same answer as the first parse', () => {
  const first = parseHost('App.Example:8080');
  assert.deepEqual(parseHost('App.Example:8080'), first);
  assert.deepEqual(first, { kind: 'name', name: 'app.example', port: 8080 });
});

test('alternating hosts are each parsed on their own', () => {
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(parseHost('a.example'), { kind: 'name', name: 'a.example', port: undefined });
    assert.deepEqual(parseHost('127.0.0.1:80'), { kind: 'ipv4', name: '127.0.0.1', port: 80 });
    assert.deepEqual(parseHost('evil.example/x'), {
      kind: 'invalid',
      reason: 'host contains a path',
    });
  }
});

test('a remembered result cannot be altered by a caller', () => {
  const h = parseHost('frozen.example');
  assert.ok(h.kind !== 'invalid' && Object.isFrozen(h));
});
