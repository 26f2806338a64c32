import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BarbicanError } from '@barbican/core';
import fc from 'fast-check';
import { pinsFromBytes, readPinFile } from './index.ts';
import {
  cli,
  makeChain,
  openssl,
  opensslCertPin,
  opensslCsrPin,
  opensslKeyPin,
  guideRsa,
  tempDir,
} from '../../test/pin/fixtures.ts';

const tmp = tempDir();
const { dir, path } = tmp;
const PASS = 'correct horse battery staple';

before(() => {
  writeFileSync(path('pass.txt'), `${PASS}\n`);
  writeFileSync(path('wrong.txt'), 'not it\n');
  // openssl-made keys in every encoding the issue lists.
  openssl(
    dir,
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    'rsa-pkcs8.pem',
  );
  openssl(dir, 'rsa', '-in', 'rsa-pkcs8.pem', '-traditional', '-out', 'rsa-pkcs1.pem');
  openssl(dir, 'rsa', '-in', 'rsa-pkcs8.pem', '-pubout', '-out', 'rsa-pub.pem');
  openssl(dir, 'rsa', '-in', 'rsa-pkcs8.pem', '-RSAPublicKey_out', '-out', 'rsa-pub-pkcs1.pem');
  openssl(dir, 'rsa', '-in', 'rsa-pkcs8.pem', '-pubout', '-outform', 'DER', '-out', 'rsa-pub.der');
  openssl(
    dir,
    'pkey',
    '-in',
    'rsa-pkcs8.pem',
    '-aes256',
    '-passout',
    `file:pass.txt`,
    '-out',
    'rsa-enc.pem',
  );
  openssl(
    dir,
    'rsa',
    '-in',
    'rsa-pkcs8.pem',
    '-traditional',
    '-aes128',
    '-passout',
    'file:pass.txt',
    '-out',
    'rsa-legacy-enc.pem',
  );
  openssl(
    dir,
    'pkcs8',
    '-topk8',
    '-in',
    'rsa-pkcs8.pem',
    '-v2',
    'aes256',
    '-passout',
    'file:pass.txt',
    '-outform',
    'DER',
    '-out',
    'rsa-enc.der',
  );
  openssl(
    dir,
    'req',
    '-new',
    '-key',
    'rsa-pkcs8.pem',
    '-subj',
    '/CN=rsa.example/O=Acme',
    '-out',
    'rsa.csr',
  );
  openssl(dir, 'req', '-in', 'rsa.csr', '-outform', 'DER', '-out', 'rsa-csr.der');
  openssl(
    dir,
    'req',
    '-x509',
    '-key',
    'rsa-pkcs8.pem',
    '-subj',
    '/CN=rsa.example',
    '-days',
    '30',
    '-out',
    'rsa.crt',
  );
  openssl(dir, 'x509', '-in', 'rsa.crt', '-outform', 'DER', '-out', 'rsa-crt.der');
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-out', 'p256-sec1-with-params.pem');
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'p256-sec1.pem');
  openssl(
    dir,
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-384',
    '-out',
    'p384-pkcs8.pem',
  );
  openssl(
    dir,
    'ecparam',
    '-name',
    'secp521r1',
    '-genkey',
    '-noout',
    '-outform',
    'DER',
    '-out',
    'p521-sec1.der',
  );
  openssl(dir, 'genpkey', '-algorithm', 'ed25519', '-out', 'ed25519.pem');
  openssl(dir, 'pkey', '-in', 'ed25519.pem', '-outform', 'DER', '-out', 'ed25519.der');
  openssl(
    dir,
    'req',
    '-new',
    '-key',
    'ed25519.pem',
    '-subj',
    '/CN=ed.example',
    '-out',
    'ed25519.csr',
  );
  openssl(
    dir,
    'req',
    '-x509',
    '-key',
    'p384-pkcs8.pem',
    '-subj',
    '/CN=p384.example',
    '-days',
    '30',
    '-out',
    'p384.crt',
  );
  // Unsupported algorithms.
  openssl(
    dir,
    'genpkey',
    '-genparam',
    '-algorithm',
    'DSA',
    '-pkeyopt',
    'dsa_paramgen_bits:1024',
    '-out',
    'dsa.params',
  );
  openssl(dir, 'genpkey', '-paramfile', 'dsa.params', '-out', 'dsa.pem');
  openssl(dir, 'ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', 'k256.pem');
  openssl(dir, 'genpkey', '-algorithm', 'X25519', '-out', 'x25519.pem');
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-out', 'params-only.pem');
  mkdirSync(path('a-directory'));
  makeChain(dir);
});

after(() => tmp.cleanup());

async function pinOf(file: string, passphrase?: string): Promise<string> {
  const entries = await readPinFile(path(file), passphrase === undefined ? {} : { passphrase });
  assert.equal(entries.length, 1, `${file} holds one key`);
  return entries[0]!.pin;
}

async function rejects(
  file: string,
  code: string,
  pattern?: RegExp,
  passphrase?: string,
): Promise<BarbicanError> {
  let caught: unknown;
  try {
    await readPinFile(path(file), passphrase === undefined ? {} : { passphrase });
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof BarbicanError,
    `${file}: expected a BarbicanError, got ${String(caught)}`,
  );
  assert.equal(caught.code, code, caught.message);
  if (pattern !== undefined) assert.match(caught.message, pattern);
  return caught;
}

describe('pins of openssl-made keys equal the openssl pipelines of the SME Server guide', () => {
  const keys: [string, string?][] = [
    ['rsa-pkcs8.pem'],
    ['rsa-pkcs1.pem'],
    ['p256-sec1.pem'],
    ['p256-sec1-with-params.pem'],
    ['p384-pkcs8.pem'],
    ['ed25519.pem'],
  ];
  for (const [file] of keys) {
    it(`private key ${file}`, async () => {
      assert.equal(await pinOf(file), opensslKeyPin(dir, file));
    });
  }
  it('P-521 SEC1 DER private key', async () => {
    assert.equal(await pinOf('p521-sec1.der'), opensslKeyPin(dir, 'p521-sec1.der', '-inform DER'));
  });
  it('Ed25519 PKCS#8 DER private key', async () => {
    assert.equal(await pinOf('ed25519.der'), opensslKeyPin(dir, 'ed25519.pem'));
  });
  it('public keys: SPKI PEM, SPKI DER and PKCS#1 RSAPublicKey', async () => {
    const expected = opensslKeyPin(dir, 'rsa-pkcs8.pem');
    assert.equal(await pinOf('rsa-pub.pem'), expected);
    assert.equal(await pinOf('rsa-pub.der'), expected);
    assert.equal(await pinOf('rsa-pub-pkcs1.pem'), expected);
  });
  it('the RSA pipelines of the guide (openssl rsa) agree for key, CSR and certificate', async () => {
    assert.equal(await pinOf('rsa-pkcs1.pem'), guideRsa.key(dir, 'rsa-pkcs1.pem'));
    assert.equal(await pinOf('rsa.csr'), guideRsa.csr(dir, 'rsa.csr'));
    assert.equal(await pinOf('rsa.crt'), guideRsa.cert(dir, 'rsa.crt'));
  });
  it('key, CSR and certificate of one key give one pin, PEM or DER', async () => {
    const pins = await Promise.all(
      ['rsa-pkcs8.pem', 'rsa.csr', 'rsa-csr.der', 'rsa.crt', 'rsa-crt.der'].map((f) => pinOf(f)),
    );
    assert.equal(new Set(pins).size, 1, pins.join(' '));
    assert.equal(pins[1], opensslCsrPin(dir, 'rsa.csr'));
    assert.equal(pins[3], opensslCertPin(dir, 'rsa.crt'));
  });
  it('Ed25519 CSR and P-384 certificate', async () => {
    assert.equal(await pinOf('ed25519.csr'), opensslCsrPin(dir, 'ed25519.csr'));
    assert.equal(await pinOf('ed25519.csr'), await pinOf('ed25519.pem'));
    assert.equal(await pinOf('p384.crt'), opensslCertPin(dir, 'p384.crt'));
    assert.equal(await pinOf('p384.crt'), await pinOf('p384-pkcs8.pem'));
  });
  it('labels a CSR with its subject', async () => {
    const [entry] = await readPinFile(path('rsa.csr'));
    assert.deepEqual(
      { kind: entry?.kind, subject: entry?.subject, algorithm: entry?.algorithm },
      { kind: 'csr', subject: 'CN=rsa.example, O=Acme', algorithm: 'RSA-2048' },
    );
  });
});

describe('encrypted private keys', () => {
  const expected = (): string => opensslKeyPin(dir, 'rsa-pkcs8.pem');
  it('reads PKCS#8 PEM, legacy PEM and PKCS#8 DER encryption with the passphrase', async () => {
    assert.equal(await pinOf('rsa-enc.pem', PASS), expected());
    assert.equal(await pinOf('rsa-legacy-enc.pem', PASS), expected());
    assert.equal(await pinOf('rsa-enc.der', PASS), expected());
  });
  it('asks for --passphrase-file when none is given', async () => {
    await rejects('rsa-enc.pem', 'BARBICAN_E_PIN_PASSPHRASE', /--passphrase-file/);
    await rejects('rsa-enc.der', 'BARBICAN_E_PIN_PASSPHRASE');
  });
  it('says the passphrase is wrong', async () => {
    await rejects('rsa-enc.pem', 'BARBICAN_E_PIN_PASSPHRASE', /wrong passphrase/, 'nope');
    await rejects('rsa-legacy-enc.pem', 'BARBICAN_E_PIN_PASSPHRASE', /wrong passphrase/, 'nope');
    await rejects('rsa-enc.der', 'BARBICAN_E_PIN_PASSPHRASE', /wrong passphrase/, 'nope');
  });
  it('the CLI reads the first line of --passphrase-file', async () => {
    const ok = await cli('pin', '--passphrase-file', path('pass.txt'), path('rsa-enc.pem'));
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, new RegExp(`pin-sha256="${expected().replace(/[+/]/g, '\\$&')}"`));
    const bad = await cli('pin', '--passphrase-file', path('wrong.txt'), path('rsa-enc.pem'));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /BARBICAN_E_PIN_PASSPHRASE/);
  });
});

describe('keys generated by node:crypto', () => {
  const cases = [
    {
      name: 'rsa-pkcs1.pem',
      type: 'rsa',
      opts: { modulusLength: 2048 },
      enc: { type: 'pkcs1', format: 'pem' },
    },
    {
      name: 'p256-sec1.der',
      type: 'ec',
      opts: { namedCurve: 'P-256' },
      enc: { type: 'sec1', format: 'der' },
      inform: 'DER',
    },
    {
      name: 'p384-pkcs8.pem',
      type: 'ec',
      opts: { namedCurve: 'P-384' },
      enc: { type: 'pkcs8', format: 'pem' },
    },
    {
      name: 'p521-enc.pem',
      type: 'ec',
      opts: { namedCurve: 'P-521' },
      enc: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS },
    },
    { name: 'ed25519-node.pem', type: 'ed25519', opts: {}, enc: { type: 'pkcs8', format: 'pem' } },
  ] as const;
  for (const c of cases) {
    it(`${c.name} matches openssl`, async () => {
      const { privateKey } = generateKeyPairSync(c.type as 'ec', {
        ...(c.opts as { namedCurve: string }),
        privateKeyEncoding: c.enc as { type: 'pkcs8'; format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      writeFileSync(path(`node-${c.name}`), privateKey);
      const passphrase = 'passphrase' in c.enc ? PASS : undefined;
      const extra = [
        'inform' in c ? `-inform ${c.inform}` : '',
        passphrase === undefined ? '' : '-passin file:pass.txt',
      ].join(' ');
      assert.equal(
        await pinOf(`node-${c.name}`, passphrase),
        opensslKeyPin(dir, `node-${c.name}`, extra),
      );
    });
  }
});

describe('certificate chains', () => {
  it('pins every certificate of a chain file, labelled with subject, issuer and expiry', async () => {
    const entries = await readPinFile(path('fullchain.pem'));
    assert.deepEqual(
      entries.map((e) => [e.block, e.kind, e.subject, e.issuer]),
      [
        [1, 'certificate', 'CN=localhost, O=Barbican Tests', 'CN=Barbican Test Intermediate'],
        [2, 'certificate', 'CN=Barbican Test Intermediate', 'CN=Barbican Test Root'],
        [3, 'certificate', 'CN=Barbican Test Root', 'CN=Barbican Test Root'],
      ],
    );
    assert.deepEqual(
      entries.map((e) => e.pin),
      ['leaf.crt', 'int.crt', 'root.crt'].map((f) => opensslCertPin(dir, f)),
    );
    for (const e of entries) assert.match(e.notAfter ?? '', /^\d{4}-\d\d-\d\dT/);
  });
  it('leaf key, leaf CSR and leaf certificate share a pin', async () => {
    const [cert] = await readPinFile(path('chain.pem'));
    assert.equal(await pinOf('leaf.key'), cert?.pin);
    assert.equal(await pinOf('leaf.csr'), cert?.pin);
  });
  it('prints one pin-sha256 line per key, and --json with source, kind, subject and pin', async () => {
    const text = await cli('pin', path('chain.pem'), path('leaf.key'));
    assert.equal(text.code, 0, text.err);
    assert.equal(text.out.match(/^ {2}pin-sha256="[A-Za-z0-9+/]{43}="$/gm)?.length, 3);
    const json = await cli('pin', '--json', path('chain.pem'), path('leaf.csr'));
    assert.equal(json.code, 0, json.err);
    assert.doesNotMatch(json.out, /\u001b/);
    const parsed = JSON.parse(json.out) as {
      source: string;
      kind: string;
      subject?: string;
      pin: string;
    }[];
    assert.deepEqual(
      parsed.map((e) => [e.source, e.kind, e.subject]),
      [
        [path('chain.pem'), 'certificate', 'CN=localhost, O=Barbican Tests'],
        [path('chain.pem'), 'certificate', 'CN=Barbican Test Intermediate'],
        [path('leaf.csr'), 'csr', 'CN=localhost, O=Barbican Tests'],
      ],
    );
    assert.equal(parsed[0]?.pin, parsed[2]?.pin);
  });
});

describe('hostile and unsupported inputs give one clear error', () => {
  it('accepts PEM with CRLF line ends', async () => {
    writeFileSync(
      path('crlf.crt'),
      readFileSync(path('rsa.crt'), 'latin1').replace(/\n/g, '\r\n'),
      'latin1',
    );
    assert.equal(await pinOf('crlf.crt'), opensslCertPin(dir, 'rsa.crt'));
  });
  it('truncated PEM (no END line) names the BEGIN offset', async () => {
    const text = readFileSync(path('int.crt'), 'latin1');
    writeFileSync(path('no-end.crt'), `junk\n${text.slice(0, Math.floor(text.length / 2))}`);
    const e = await rejects('no-end.crt', 'BARBICAN_E_PIN_INPUT', /truncated PEM/);
    assert.equal(e.offset, 5);
  });
  it('truncated body inside complete armour is a DER error with a byte offset', async () => {
    const lines = readFileSync(path('int.crt'), 'latin1').trimEnd().split('\n');
    writeFileSync(path('short-body.crt'), [...lines.slice(0, 6), lines.at(-1)].join('\n'));
    const e = await rejects('short-body.crt', 'BARBICAN_E_PIN_INPUT', /corrupt DER: truncated/);
    assert.equal(typeof e.offset, 'number');
  });
  it('non-base64 PEM body', async () => {
    writeFileSync(
      path('bad-b64.pem'),
      '-----BEGIN CERTIFICATE-----\nMII*not base64*\n-----END CERTIFICATE-----\n',
    );
    await rejects('bad-b64.pem', 'BARBICAN_E_PIN_INPUT', /not base64/);
  });
  it('mismatched END label', async () => {
    writeFileSync(
      path('mismatch.pem'),
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END PRIVATE KEY-----\n',
    );
    await rejects('mismatch.pem', 'BARBICAN_E_PIN_INPUT', /does not close/);
  });
  it('garbage DER and random text', async () => {
    writeFileSync(path('garbage.der'), Buffer.from([0x30, 0x82, 0xff, 0xff, 1, 2, 3]));
    await rejects('garbage.der', 'BARBICAN_E_PIN_INPUT', /truncated.*at byte 0/);
    writeFileSync(path('text.txt'), 'hello, I am not a key\n');
    await rejects('text.txt', 'BARBICAN_E_PIN_INPUT', /not a key, certificate or CSR/);
  });
  it('empty file, a directory, a missing file', async () => {
    writeFileSync(path('empty.pem'), '');
    await rejects('empty.pem', 'BARBICAN_E_PIN_INPUT', /is empty/);
    await rejects('a-directory', 'BARBICAN_E_PIN_INPUT', /is a directory/);
    await rejects('missing.pem', 'BARBICAN_E_PIN_INPUT', /does not exist/);
  });
  it('a PEM file with only EC PARAMETERS holds no key', async () => {
    await rejects('params-only.pem', 'BARBICAN_E_PIN_INPUT', /holds no key.*EC PARAMETERS/);
  });
  it('refuses DSA, secp256k1 and X25519 keys as unsupported algorithms', async () => {
    await rejects('dsa.pem', 'BARBICAN_E_PIN_ALGORITHM', /"dsa"/);
    await rejects('k256.pem', 'BARBICAN_E_PIN_ALGORITHM', /"secp256k1"/);
    await rejects('x25519.pem', 'BARBICAN_E_PIN_ALGORITHM', /"x25519"/);
  });
  it('the CLI prints one line with the code and exits 2, never a stack trace', async () => {
    for (const file of [
      'empty.pem',
      'a-directory',
      'garbage.der',
      'no-end.crt',
      'dsa.pem',
      'rsa-enc.pem',
    ]) {
      const r = await cli('pin', path(file));
      assert.equal(r.code, 2, file);
      assert.equal(r.out, '');
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, /^barbican: .* \[BARBICAN_E_PIN_[A-Z]+\]$/m);
      assert.doesNotMatch(r.err, /internal error|\n\s+at /);
    }
  });
  it('every truncation of a certificate and CSR, and random byte flips, end in a BarbicanError', () => {
    for (const file of ['rsa-crt.der', 'rsa-csr.der']) {
      const der = readFileSync(path(file));
      for (let n = 0; n < der.length; n++) {
        assert.throws(
          () => pinsFromBytes(der.subarray(0, n), file),
          BarbicanError,
          `${file} cut at ${n}`,
        );
      }
    }
    const der = readFileSync(path('rsa-csr.der'));
    fc.assert(
      fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const copy = Buffer.from(der);
        copy[at] = (copy[at] ?? 0) ^ xor;
        try {
          const entries = pinsFromBytes(copy, 'mutated.der');
          return entries.length === 1;
        } catch (error) {
          return error instanceof BarbicanError;
        }
      }),
      { numRuns: 300 },
    );
  });
});
