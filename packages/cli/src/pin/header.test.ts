import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BarbicanError } from '@barbican/core';
import {
  buildPkpHeader,
  checkPins,
  parsePinArgument,
  parsePkpValue,
  MAX_AGE_CAP,
} from './index.ts';
import { cli, openssl, opensslKeyPin, tempDir } from '../../test/pin/fixtures.ts';

const A = 'd6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM=';
const B = 'E9CZ9INDbd+2eRQozYqqbQ2yXLVKB9+xcprMF+44U1g=';
const C = 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof BarbicanError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('buildPkpHeader', () => {
  it('builds pins, max-age, includeSubDomains and report-uri in RFC 7469 §2.1 syntax', () => {
    const h = buildPkpHeader({
      pins: [A, B],
      maxAge: 600,
      includeSubDomains: true,
      reportUri: 'https://r.example/hpkp',
    });
    assert.equal(h.name, 'Public-Key-Pins');
    assert.equal(
      h.value,
      `pin-sha256="${A}"; pin-sha256="${B}"; max-age=600; includeSubDomains; report-uri="https://r.example/hpkp"`,
    );
  });
  it('builds the Report-Only header and defaults max-age to one day', () => {
    const h = buildPkpHeader({ pins: [A, B], reportOnly: true });
    assert.equal(h.name, 'Public-Key-Pins-Report-Only');
    assert.match(h.value, /max-age=86400$/);
  });
  it('refuses a set without a backup pin, and duplicates', () => {
    assert.equal(
      code(() => buildPkpHeader({ pins: [A] })),
      'BARBICAN_E_HPKP_PINS',
    );
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, A] })),
      'BARBICAN_E_HPKP_PINS',
    );
  });
  it('refuses max-age over 60 days unless forced', () => {
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, B], maxAge: MAX_AGE_CAP + 1 })),
      'BARBICAN_E_RANGE',
    );
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, B], maxAge: MAX_AGE_CAP })),
      'no error',
    );
    assert.match(
      buildPkpHeader({ pins: [A, B], maxAge: 31_536_000, force: true }).value,
      /max-age=31536000/,
    );
  });
  it('refuses a report-uri that could break out of its quotes or inject a header', () => {
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, B], reportUri: 'https://x/"; a=b' })),
      'BARBICAN_E_UNSAFE_VALUE',
    );
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, B], reportUri: 'https://x/\r\nSet-Cookie: a' })),
      'BARBICAN_E_UNSAFE_VALUE',
    );
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, B], reportUri: 'not a uri' })),
      'BARBICAN_E_UNSAFE_VALUE',
    );
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, B], reportUri: '/relative' })),
      'BARBICAN_E_TYPE',
    );
  });
  it('refuses a value that is not base64 of 32 bytes', () => {
    assert.equal(
      code(() => buildPkpHeader({ pins: [A, 'AAAA'] })),
      'BARBICAN_E_HPKP_PINS',
    );
  });
});

describe('parsePinArgument', () => {
  it('accepts a bare pin, pin-sha256=… and pin-sha256="…"', () => {
    assert.equal(parsePinArgument(A), A);
    assert.equal(parsePinArgument(`pin-sha256="${A}"`), A);
    assert.equal(parsePinArgument(`pin-sha256=${A};`), A);
    assert.equal(parsePinArgument('server.key'), undefined);
    assert.equal(parsePinArgument(A.slice(1)), undefined);
  });
});

describe('parsePkpValue and checkPins', () => {
  const chain = [
    { pin: A, label: 'leaf CN=x' },
    { pin: B, label: 'intermediate CN=y' },
  ];
  it('labels live and backup pins', () => {
    const r = checkPins(parsePkpValue(`pin-sha256="${A}"; pin-sha256="${C}"; max-age=600`), chain);
    assert.deepEqual(
      r.verdicts.map((v) => v.status),
      ['live', 'backup'],
    );
    assert.equal(r.verdicts[0]?.matches, 'leaf CN=x');
    assert.equal(r.ok, true);
  });
  it('flags no live pin, no backup, duplicates, unquoted and malformed pins', () => {
    assert.equal(
      checkPins(parsePkpValue(`pin-sha256="${C}"; pin-sha256="AAAA"; max-age=1`), chain).ok,
      false,
    );
    const noBackup = checkPins(
      parsePkpValue(`pin-sha256="${A}"; pin-sha256="${B}"; max-age=1`),
      chain,
    );
    assert.match(noBackup.problems.join('\n'), /no backup pin/);
    const dup = checkPins(
      parsePkpValue(`pin-sha256="${A}"; pin-sha256="${A}"; pin-sha256="${C}"; max-age=1`),
      chain,
    );
    assert.deepEqual(
      dup.verdicts.map((v) => v.status),
      ['live', 'duplicate', 'backup'],
    );
    const unquoted = parsePkpValue(`pin-sha256=${A}; pin-sha256="${C}"; max-age=1`);
    assert.match(unquoted.errors.join('\n'), /not quoted/);
    assert.equal(unquoted.pins[0]?.valid, false);
  });
  it('requires max-age once, and flags repeated directives (Firefox rejects them)', () => {
    assert.match(
      parsePkpValue(`pin-sha256="${A}"; pin-sha256="${C}"`).errors.join(),
      /max-age is missing/,
    );
    assert.match(
      parsePkpValue(`pin-sha256="${A}"; pin-sha256="${C}"; max-age=1; max-age=2`).errors.join(),
      /more than once/,
    );
    assert.equal(parsePkpValue(`pin-sha256="${A}"; max-age="600"`).maxAge, 600);
  });
  it("follows core's RFC 7469 grammar: includeSubDomains takes no value, report-uri is quoted", () => {
    const r = parsePkpValue(
      `pin-sha256="${A}"; pin-sha256="${C}"; max-age=1; includeSubDomains=1; report-uri=https://r.example/`,
    );
    assert.match(r.errors.join('\n'), /includeSubDomains takes no value/);
    assert.match(r.errors.join('\n'), /report-uri must be a quoted URI/);
    assert.equal(r.reportUri, undefined);
  });
  it('ignores pins for other hash algorithms (RFC 7469 §2.1.1)', () => {
    assert.equal(parsePkpValue(`pin-sha512="zzz"; pin-sha256="${A}"; max-age=1`).pins.length, 1);
  });
});

describe('barbican pin --header', () => {
  const tmp = tempDir();
  before(() => {
    openssl(
      tmp.dir,
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      'live.key',
    );
    openssl(
      tmp.dir,
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      'spare.key',
    );
    openssl(
      tmp.dir,
      'req',
      '-x509',
      '-key',
      'live.key',
      '-subj',
      '/CN=x',
      '-days',
      '1',
      '-out',
      'live.crt',
    );
  });
  after(() => tmp.cleanup());

  it('builds a header from files and pins, and explains HPKP is obsolete on stderr', async () => {
    const r = await cli(
      'pin',
      '--header',
      tmp.path('live.key'),
      tmp.path('spare.key'),
      C,
      '--max-age',
      '600',
      '--include-subdomains',
    );
    assert.equal(r.code, 0, r.err);
    const live = opensslKeyPin(tmp.dir, 'live.key');
    const spare = opensslKeyPin(tmp.dir, 'spare.key');
    assert.equal(
      r.out,
      `Public-Key-Pins: pin-sha256="${live}"; pin-sha256="${spare}"; pin-sha256="${C}"; max-age=600; includeSubDomains\n`,
    );
    assert.match(r.err, /Chrome 72 and Firefox 72 removed HPKP/);
    assert.match(r.err, /Expect-CT is gone too/);
    assert.match(r.err, /CAA/);
    assert.match(r.err, /Certificate Transparency/);
  });
  it('--report-only and --report-uri, as --json', async () => {
    const r = await cli(
      'pin',
      '--header',
      A,
      B,
      '--report-only',
      '--report-uri',
      'https://r.example/',
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { name: string; value: string };
    assert.equal(out.name, 'Public-Key-Pins-Report-Only');
    assert.match(out.value, /report-uri="https:\/\/r.example\/"$/);
  });
  it('refuses one key only, a key and its own certificate (duplicate), and 61 days without --force', async () => {
    const one = await cli('pin', '--header', tmp.path('live.key'));
    assert.equal(one.code, 2);
    assert.match(one.err, /needs a backup pin.*\[BARBICAN_E_HPKP_PINS\]/);
    const dup = await cli('pin', '--header', tmp.path('live.key'), tmp.path('live.crt'));
    assert.equal(dup.code, 2);
    assert.match(dup.err, /same key.*\[BARBICAN_E_HPKP_PINS\]/);
    const long = await cli('pin', '--header', A, B, '--max-age', String(61 * 86400));
    assert.equal(long.code, 2);
    assert.match(long.err, /over 60 days.*--force.*\[BARBICAN_E_RANGE\]/);
    const forced = await cli('pin', '--header', A, B, '--max-age', String(61 * 86400), '--force');
    assert.equal(forced.code, 0, forced.err);
  });
  it('a mistyped pin is named as a malformed pin, not a missing file', async () => {
    const r = await cli('pin', '--header', A, A.slice(2));
    assert.equal(r.code, 2);
    assert.match(r.err, /is not a valid pin.*\[BARBICAN_E_HPKP_PINS\]/);
  });
  it('--help shows an example and exits 0', async () => {
    const r = await cli('pin', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /Examples:\n {2}barbican pin /);
  });
});
