/**
 * The one DER module: encoders read back by the reader, times as RFC 5280
 * writes them, and refusals with the byte offset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  children,
  decodeOid,
  decodeTime,
  DerError,
  integer,
  oid,
  readRoot,
  readTlv,
  seq,
  TAG,
  tlv,
} from './der.ts';

describe('DER encoders and reader', () => {
  it('reads back what the encoders wrote', () => {
    const der = seq(
      oid('1.3.6.1.5.5.7.48.1.1'),
      integer(Buffer.from([0x80, 1])),
      tlv(0x04, Buffer.alloc(300)),
    );
    const [id, int, octets] = children(der, readRoot(der));
    assert.ok(id !== undefined && int !== undefined && octets !== undefined);
    assert.equal(decodeOid(der, id), '1.3.6.1.5.5.7.48.1.1');
    // A high first bit gets a 0x00 pad: the INTEGER stays positive.
    assert.deepEqual([...der.subarray(int.contentStart, int.end)], [0, 0x80, 1]);
    assert.equal(octets.end - octets.contentStart, 300);
    assert.equal(der[octets.start + 1], 0x82, 'long form length');
  });

  it('round-trips any OID', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 32 }), { maxLength: 8 }),
        (a, b, rest) => {
          const dotted = [a, b, ...rest].join('.');
          const der = oid(dotted);
          return decodeOid(der, readTlv(der, 0)) === dotted;
        },
      ),
    );
  });

  it('decodes UTCTime and GeneralizedTime, fractions included', () => {
    const time = (tag: number, text: string): Date => {
      const der = tlv(tag, Buffer.from(text, 'latin1'));
      return decodeTime(der, readTlv(der, 0));
    };
    assert.equal(time(TAG.UTC_TIME, '261206215439Z').toISOString(), '2026-12-06T21:54:39.000Z');
    assert.equal(time(TAG.UTC_TIME, '991231235959Z').toISOString(), '1999-12-31T23:59:59.000Z');
    assert.equal(
      time(TAG.GENERALIZED_TIME, '20501231000000.25Z').toISOString(),
      '2050-12-31T00:00:00.000Z',
    );
    assert.throws(() => time(TAG.GENERALIZED_TIME, '20501231000000+0100'), DerError);
    assert.throws(() => time(TAG.OCTET_STRING, '261206215439Z'), DerError);
  });

  it('refuses truncated and indefinite-length input with the offset', () => {
    assert.throws(
      () => readRoot(Buffer.from([0x30, 0x05, 0x02, 0x01])),
      (e: unknown) => e instanceof DerError && e.offset === 0,
    );
    assert.throws(() => readRoot(Buffer.from([0x30, 0x80, 0, 0])), /indefinite length/);
  });
});
