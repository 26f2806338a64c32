/**
 * Arguments and imported values that used to be accepted, ignored or
 * misdescribed: each is now refused (or imported) with one clear line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { secureFetch } from '@barbican/core/fetch';
import { cli, tempFiles } from '../../test/run.ts';

const { file } = tempFiles('barbican-args-');

describe('barbican import', () => {
  it("unrolled: script-src $NONCE alone becomes nonce: ['script-src'], and the policy sends the nonce", async () => {
    const source = file(
      'unrolled.json',
      JSON.stringify({ ContentSecurityPolicy: "script-src $NONCE; object-src 'none'" }),
    );
    const r = await cli('import', '--from', 'unrolled', source);
    assert.equal(r.code, 0, r.err);
    const config = JSON.parse(r.out) as PolicyOptions;
    assert.deepEqual(config.headers?.csp, {
      directives: { 'script-src': [], 'object-src': ["'none'"] },
      nonce: ['script-src'],
    });
    const handler = secureFetch((_req, ctx) => new Response(ctx.nonce()), createPolicy(config));
    const csp = (await handler(new Request('https://app.example/'))).headers.get(
      'content-security-policy',
    );
    assert.match(csp ?? '', /script-src 'nonce-[^']+'(;|$)/);
  });

  it('traefik: http.middlewares that is not an object is an error located in the file', async () => {
    const source = file('dynamic.yml', 'http:\n  middlewares: "nope"\n');
    const r = await cli('import', '--from', 'traefik', source);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(
      r.err,
      /dynamic\.yml:2:\d+: http\.middlewares: must be an object of named middlewares.*\[BARBICAN_E_IMPORT\]\n$/,
    );
  });

  it('suggests the option meant for a misspelt key, not only for case variants', async () => {
    const source = file('typo.json', JSON.stringify({ STSSecnds: 300, FrameDney: true }));
    const r = await cli('import', '--from', 'unrolled', source);
    assert.match(r.err, /STSSecnds: .*did you mean "STSSeconds"/);
    assert.match(r.err, /FrameDney: .*did you mean "FrameDeny"/);
  });
});

describe('barbican pin --header and its options', () => {
  it('a malformed pin is called a malformed pin, not a missing file', async () => {
    const r = await cli('pin', '--header', 'pin-sha256="abc"', 'pin-sha256="def"');
    assert.equal(r.code, 2);
    assert.match(r.err, /is not a valid pin.*\[BARBICAN_E_HPKP_PINS\]/);
    assert.doesNotMatch(r.err, /does not exist/);
  });

  for (const flags of [['--report-only'], ['--max-age', '600'], ['--include-subdomains']]) {
    it(`${flags[0]} without --header is a usage error, not silently ignored`, async () => {
      const r = await cli('pin', ...flags, file('k.pem', 'x'));
      assert.equal(r.code, 2);
      assert.match(
        r.err,
        /only appl(y|ies) when building a header with --header.*BARBICAN_E_USAGE/,
      );
    });
  }
});

describe('barbican headers --peer', () => {
  it('refuses what is not an IP address', async () => {
    const r = await cli('headers', '--peer', 'not-an-ip');
    assert.equal(r.code, 2);
    assert.match(r.err, /--peer: not an IP address.*\[BARBICAN_E_USAGE\]/);
    assert.equal((await cli('headers', '--peer', '::ffff:10.0.0.1', '--json')).code, 0);
  });
});

describe('--ca: one reader for scan and pin', () => {
  const garbage = file(
    'garbage.pem',
    '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUsIGp1c3QgZ2FyYmFnZS4=\n-----END CERTIFICATE-----\n',
  );
  for (const argv of [
    ['scan', 'https://127.0.0.1:1/', '--ca', garbage],
    ['pin', '--host', '127.0.0.1:1', '--ca', garbage],
  ]) {
    it(`${argv[0]} refuses a PEM block that is no certificate (Node would skip it silently)`, async () => {
      const r = await cli(...argv);
      assert.equal(r.code, 2);
      assert.match(
        r.err,
        /--ca: holds a corrupt certificate \(block 1, at byte 0\).*\[BARBICAN_E_CA_FILE\]\n$/,
      );
    });
  }
});

describe('credentials in URLs are never printed', () => {
  it('headers --url refuses userinfo without echoing it', async () => {
    const r = await cli(
      'headers',
      '--preset',
      'strict',
      '--url',
      'https://ci:hunter2@app.example/',
    );
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.out + r.err, /hunter2/);
    assert.match(
      r.err,
      /--url: a URL with credentials cannot be simulated; got "https:\/\/\*\*\*@app\.example\/"/,
    );
  });
});
