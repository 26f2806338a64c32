import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createPolicy } from '../../policy/index.ts';
import { isSha256Pin, parsePublicKeyPins } from './index.ts';

const pin = (seed: string): string => createHash('sha256').update(seed).digest('base64');
const A = pin('live');
const B = pin('backup');

const build = (key: string, v: unknown) =>
  createPolicy({ allowedHosts: ['*'], preset: 'api', headers: { [key]: v } });
const hpkp = (v: unknown, key = 'publicKeyPins', https = true): string | undefined =>
  build(key, v)
    .headersFor({ https })
    .find(([n]) => n.startsWith('Public-Key-Pins'))?.[1];

describe('Public-Key-Pins builder', () => {
  it('writes quoted pins, max-age and flags, only over HTTPS', () => {
    assert.equal(
      hpkp({
        pins: [A, B],
        maxAge: 5184000,
        includeSubDomains: true,
        reportUri: 'https://r.example/p',
      }),
      `pin-sha256="${A}"; pin-sha256="${B}"; max-age=5184000; includeSubDomains; report-uri="https://r.example/p"`,
    );
    assert.equal(hpkp({ pins: [A, B] }, 'publicKeyPins', false), undefined);
  });

  it('has a report-only twin under its own key and name', () => {
    const p = build('publicKeyPinsReportOnly', { pins: [A, B], reportUri: 'https://r.example/p' });
    assert.deepEqual(
      p
        .headersFor({ https: true })
        .filter(([n]) => n.startsWith('Public'))
        .map(([n]) => n),
      ['Public-Key-Pins-Report-Only'],
    );
  });

  it('needs two distinct pins and explains the backup-pin rule (RFC 7469 §4.3)', () => {
    for (const v of [true, { pins: [A] }, { pins: [] }]) {
      assert.throws(
        () => hpkp(v),
        (e: { code?: string; hint?: string; path?: string }) =>
          e.code === 'BARBICAN_E_HPKP_PINS' &&
          e.path === 'headers.publicKeyPins.pins' &&
          /backup pin/.test(e.hint ?? ''),
      );
    }
    assert.throws(() => hpkp(`pin-sha256="${A}"; max-age=10`), { code: 'BARBICAN_E_HPKP_PINS' });
  });

  it('refuses duplicate pins', () => {
    assert.throws(() => hpkp({ pins: [A, A] }), {
      code: 'BARBICAN_E_CONFLICT',
      path: 'headers.publicKeyPins.pins[1]',
    });
  });

  it('always warns deprecated, and warns BARBICAN_W_HPKP_LONG over 60 days', () => {
    assert.deepEqual(
      build('publicKeyPins', { pins: [A, B] }).warnings.map((w) => w.code),
      ['BARBICAN_W_DEPRECATED_HEADER'],
    );
    assert.deepEqual(
      build('publicKeyPins', { pins: [A, B], maxAge: 5184001 }).warnings.map((w) => [
        w.code,
        w.path,
      ]),
      [
        ['BARBICAN_W_DEPRECATED_HEADER', 'headers.publicKeyPins'],
        ['BARBICAN_W_HPKP_LONG', 'headers.publicKeyPins.maxAge'],
      ],
    );
  });

  for (const bad of [
    A.slice(1),
    `${A.slice(0, 42)}B=`,
    A.replace('=', ''),
    `pin-sha256="${A}"`,
    A.replace(/\+/g, '-').replace(/\//g, '_'),
    `${A}\r\n`,
    `${A.slice(0, 43)}\0`,
    `${A.slice(0, 42)}é=`,
    1,
    null,
  ]) {
    it(`refuses pin ${JSON.stringify(bad)}`, () => {
      assert.throws(() => hpkp({ pins: [B, bad] }), { path: 'headers.publicKeyPins.pins[1]' });
    });
  }

  for (const bad of [-1, 1.5, '60', null]) {
    it(`refuses maxAge ${String(bad)}`, () => {
      assert.throws(() => hpkp({ pins: [A, B], maxAge: bad }), {
        path: 'headers.publicKeyPins.maxAge',
      });
    });
  }

  it('validates a raw value and sends it as given', () => {
    const raw = `pin-sha256="${A}"; pin-sha256="${B}"; max-age=600`;
    assert.equal(hpkp(raw), raw);
    assert.throws(() => hpkp(`pin-sha256=${A}; pin-sha256="${B}"; max-age=600`), {
      code: 'BARBICAN_E_HEADER_SYNTAX',
    });
    assert.throws(() => hpkp(`${raw}\r\nSet-Cookie: a=b`), { code: 'BARBICAN_E_UNSAFE_VALUE' });
  });
});

describe('parsePublicKeyPins (RFC 7469 §2.1)', () => {
  it('reads pins, max-age, includeSubDomains and report-uri', () => {
    const r = parsePublicKeyPins(
      `pin-sha256="${A}";pin-sha256="${B}"; max-age="60"; includeSubDomains; report-uri="https://r/"`,
    );
    assert.equal(r.valid, true, JSON.stringify(r.problems));
    assert.deepEqual(
      [r.pins, r.maxAge, r.includeSubDomains, r.reportUri],
      [[A, B], 60, true, 'https://r/'],
    );
  });

  it('requires quoted pins, max-age (except report-only) and a backup pin', () => {
    const codes = (v: string, reportOnly = false) =>
      parsePublicKeyPins(v, { reportOnly }).problems.map((p) => p.code);
    assert.ok(codes(`pin-sha256=${A}; pin-sha256="${B}"; max-age=1`).includes('hpkp.pin.unquoted'));
    assert.ok(codes(`pin-sha256="${A}"; pin-sha256="${B}"`).includes('hpkp.max_age.missing'));
    assert.ok(
      !codes(`pin-sha256="${A}"; pin-sha256="${B}"`, true).includes('hpkp.max_age.missing'),
    );
    assert.ok(
      codes(`pin-sha256="${A}"; pin-sha256="${A}"; max-age=1`).includes('hpkp.pins.backup_missing'),
    );
    assert.ok(
      codes(`pin-sha256="${A}"; pin-sha256="${B}"; max-age=1; max-age=1`).includes(
        'hpkp.directive.repeated',
      ),
    );
    assert.ok(
      codes(`pin-sha256="short"; pin-sha256="${B}"; max-age=1`).includes('hpkp.pin.invalid'),
    );
    assert.ok(
      codes(`pin-sha256="${A}"; pin-sha256="${B}"; max-age=1; report-uri=x`).includes(
        'hpkp.report_uri.invalid',
      ),
    );
  });

  it('isSha256Pin accepts exactly canonical base64 of 32 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (bytes) => {
        const b64 = Buffer.from(bytes).toString('base64');
        assert.equal(isSha256Pin(b64), bytes.length === 32);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, and round-trips what the builder writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.anything()), (s) => {
        assert.equal(typeof parsePublicKeyPins(s as string).valid, 'boolean');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc
            .uint8Array({ minLength: 32, maxLength: 32 })
            .map((b) => Buffer.from(b).toString('base64')),
          { minLength: 2, maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 5184000 }),
        (pins, maxAge) => {
          const r = parsePublicKeyPins(hpkp({ pins, maxAge }) ?? '');
          assert.deepEqual([r.valid, r.pins, r.maxAge], [true, pins, maxAge]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
