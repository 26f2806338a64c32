/**
 * A fuzz target for `barbican pin`'s certificate reader, run by the test
 * suite with a bounded iteration count. Seeds: a CA certificate, a leaf, a
 * chain, a key, and the case fuzzing first found — a certificate whose
 * notAfter month is 99, which crashed `toISOString()` ("internal error:
 * RangeError: Invalid time value") 22 times in 20,000 mutations.
 *
 * Property: for any bytes, the reader returns pins or throws a
 * `BarbicanError` with a `BARBICAN_E_PIN_*` code. Never another exception.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createThrowawayCa } from '@barbican/scanner';
import { BarbicanError } from '../errors.ts';
import { pinsFromBytes } from './read.ts';
import { certificatePem, withMonth99 } from '../../../scanner/test/tls/certs.ts';

const ca = createThrowawayCa('Fuzz Root');
const leaf = ca.issue({ names: ['fuzz.example'] });
const der = (pem: string): Buffer => Buffer.from(new X509Certificate(pem).raw);

const badDate = withMonth99(der(leaf.cert));
const SEEDS: readonly Buffer[] = [
  badDate,
  Buffer.from(certificatePem(badDate)),
  der(ca.cert),
  Buffer.from(leaf.cert + ca.cert),
  Buffer.from(leaf.key),
];

/** One mutation: overwrite, insert or delete a few bytes, or truncate. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function apply(input: Buffer, m: Mutation): Buffer {
  const at = input.length === 0 ? 0 : m.at % input.length;
  switch (m.kind) {
    case 'set': {
      const out = Buffer.from(input);
      Buffer.from(m.bytes).copy(out, at);
      return out;
    }
    case 'insert':
      return Buffer.concat([input.subarray(0, at), Buffer.from(m.bytes), input.subarray(at)]);
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + m.length)]);
    case 'truncate':
      return input.subarray(0, at);
  }
}

function readsOrRefuses(bytes: Buffer): void {
  try {
    for (const entry of pinsFromBytes(bytes, 'fuzz.pem')) {
      assert.match(entry.pin, /^[A-Z0-9+/]{43}=$/i);
      if (entry.notAfter !== undefined && entry.notAfter !== null) {
        assert.equal(new Date(entry.notAfter).toISOString(), entry.notAfter);
      }
    }
  } catch (error) {
    if (!(error instanceof BarbicanError)) throw error;
    assert.match(error.code, /^BARBICAN_E_PIN_/);
  }
}

describe("pin's certificate reader under fuzzing", () => {
  it('reads the month-99 certificate: the pin, and notAfter as null', () => {
    const entry = pinsFromBytes(badDate, 'month99.der')[0]!;
    const good = pinsFromBytes(der(leaf.cert), 'leaf.der')[0]!;
    assert.equal(entry.notAfter, null);
    assert.equal(entry.pin, good.pin);
  });

  it('returns pins or a BARBICAN_E_PIN_* error for 4,000 mutations of the seeds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seed, mutations) => readsOrRefuses(mutations.reduce(apply, seed)),
      ),
      { numRuns: 4000, seed: 0x5eed },
    );
  });

  it('never throws anything else on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) =>
        readsOrRefuses(Buffer.from(bytes)),
      ),
      { numRuns: 1000 },
    );
  });
});
