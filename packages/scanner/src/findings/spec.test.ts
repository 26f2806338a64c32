/**
 * The reviewer follows the specs where Observatory's mirrored score does
 * not. One test per class of response that the reviewer once got wrong on
 * real captures, each named after the clause it follows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CapturedResponse, Retrieval } from '../model.ts';
import { cspFindings } from '../csp/index.ts';
import { reviewFindings } from './index.ts';

function site(headers: [string, string][], body?: string): Retrieval {
  const final: CapturedResponse = {
    url: 'https://shop.example.com/account',
    status: 200,
    verified: true,
    headers,
    ...(body === undefined ? {} : { body }),
  };
  return {
    url: 'https://shop.example.com/account',
    http: { responses: [] },
    https: { responses: [final] },
  };
}

const codes = (r: Retrieval): string[] => reviewFindings(r).map((f) => f.code);
const cookieCodes = (r: Retrieval): string[] => codes(r).filter((c) => c.startsWith('cookie.'));

describe('RFC 6265bis §5.7 (storage model): cookies that expire as they arrive are deleted', () => {
  for (const line of [
    'sessionid=; Max-Age=0; Path=/',
    'sessionid=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/',
    'sessionid=x; Max-Age=-1',
    // Max-Age wins over an Expires in the future.
    'sessionid=x; Max-Age=0; Expires=Fri, 01 Jan 2100 00:00:00 GMT',
  ]) {
    it(`no finding for ${JSON.stringify(line)}`, () => {
      assert.deepEqual(cookieCodes(site([['set-cookie', line]])), []);
    });
  }

  it('a live cookie without flags is still reviewed (Max-Age wins over a past Expires)', () => {
    const r = site([
      ['set-cookie', 'sessionid=x; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT'],
    ]);
    assert.ok(cookieCodes(r).includes('cookie.secure.missing'));
  });
});

describe('RFC 6265bis §5.7 steps 5-6 and §5.1.3: a Domain the host does not domain-match', () => {
  it('is reported as rejected, not as a cookie missing flags', () => {
    const r = site([['set-cookie', 'sessionid=x; Domain=other.example; Path=/']]);
    assert.deepEqual(cookieCodes(r), ['cookie.domain.rejected']);
    const f = reviewFindings(r).find((x) => x.code === 'cookie.domain.rejected');
    assert.match(
      f?.message ?? '',
      /Domain=other\.example does not domain-match the host shop\.example\.com/,
    );
  });

  it('a public-suffix Domain is rejected too; a parent domain is accepted', () => {
    assert.deepEqual(cookieCodes(site([['set-cookie', 'a=1; Domain=com; Secure; SameSite=Lax']])), [
      'cookie.domain.rejected',
    ]);
    assert.deepEqual(
      cookieCodes(site([['set-cookie', 'a=1; Domain=.Example.COM; Secure; SameSite=Lax']])),
      [],
    );
  });
});

describe('RFC 6797 §6.1: max-age="300" is valid syntax and means 300 seconds', () => {
  it('is flagged short, as max-age=300 is (by Observatory, once)', () => {
    const quoted = reviewFindings(site([['strict-transport-security', 'max-age="300"']]));
    assert.deepEqual(
      quoted.filter((f) => f.code === 'hsts.max-age.short').map((f) => f.severity),
      ['medium'],
    );
    // Unquoted, Observatory's own finding says it; the reviewer adds nothing.
    assert.ok(
      !codes(site([['strict-transport-security', 'max-age=300']])).includes('hsts.max-age.short'),
    );
    assert.ok(
      !codes(site([['strict-transport-security', 'max-age="63072000"']])).includes(
        'hsts.max-age.short',
      ),
    );
  });
});

describe('RFC 9110 §8.3.1: media types are case-insensitive', () => {
  const page =
    '<html><head><meta http-equiv="Content-Security-Policy" content="script-src \'unsafe-inline\'"></head></html>';
  it('a TEXT/HTML page has its <meta> CSP reviewed', () => {
    const [final] = site([['content-type', 'TEXT/HTML; Charset=UTF-8']], page).https.responses;
    assert.ok(cspFindings(final!).some((f) => f.code === 'csp.script-src.unsafe-inline'));
  });

  it('a body that is not HTML has no <meta> policies', () => {
    const [final] = site([['content-type', 'application/json']], page).https.responses;
    const [bare] = site([['content-type', 'application/json']]).https.responses;
    assert.deepEqual(cspFindings(final!), cspFindings(bare!));
  });
});

describe('HTML "meta referrer": the meta overrides the header, legacy keywords included', () => {
  const meta = (content: string): string =>
    `<html><head><meta name="referrer" content="${content}"></head></html>`;
  const headers: [string, string][] = [
    ['content-type', 'text/html'],
    ['referrer-policy', 'no-referrer'],
  ];

  it('content="always" (legacy for unsafe-url) under Referrer-Policy: no-referrer is reported', () => {
    const f = reviewFindings(site(headers, meta('always'))).find(
      (x) => x.code === 'referrer-policy.unsafe-url',
    );
    assert.match(
      f?.message ?? '',
      /content="always"> \(a legacy spelling of unsafe-url\) overrides the Referrer-Policy header \(no-referrer\)/,
    );
  });

  it('the last valid meta wins; "never" and an invalid value do not leak', () => {
    assert.ok(!codes(site(headers, meta('never'))).includes('referrer-policy.unsafe-url'));
    assert.ok(!codes(site(headers, meta('bogus'))).includes('referrer-policy.unsafe-url'));
    const twice = `${meta('always')}<meta name="referrer" content="no-referrer">`;
    assert.ok(!codes(site(headers, twice)).includes('referrer-policy.unsafe-url'));
  });
});
