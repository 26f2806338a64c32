import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNonce } from './nonce.ts';

test('a nonce is 128 bits in canonical base64', () => {
  for (let i = 0; i < 600; i++) {
    const n = createNonce();
    assert.match(n, /^[A-Z0-9+/]{22}==$/i);
    const raw = atob(n);
    assert.equal(raw.length, 16);
    // Round-trips through the platform encoder: the hand-written base64 is exact.
    assert.equal(btoa(raw), n);
  }
});

test('nonces do not repeat, also across refills of the random pool', () => {
  const seen = new Set<string>();
  // 256 nonces per pool: 2 000 crosses several refills.
  for (let i = 0; i < 2000; i++) seen.add(createNonce());
  assert.equal(seen.size, 2000);
});

test('nonce bits are spread over the whole alphabet', () => {
  const chars = new Set<string>();
  for (let i = 0; i < 500; i++) for (const c of createNonce().slice(0, 21)) chars.add(c);
  assert.equal(chars.size, 64);
});
