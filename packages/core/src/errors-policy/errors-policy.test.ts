import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { launchChromium } from '../../../../scripts/chromium.ts';
import { BarbicanError } from '../errors.ts';
import { createPolicy, type PolicyOptions } from '../policy/index.ts';
import { PRESET_NAMES } from '../presets/index.ts';
import { DEFAULT_ERROR_PAGE, DEFAULT_ERROR_PAGE_CONTENT_TYPE } from './index.ts';

function refuse(options: unknown): BarbicanError {
  try {
    createPolicy(options as PolicyOptions);
  } catch (error) {
    assert.ok(error instanceof BarbicanError, String(error));
    return error;
  }
  assert.fail('accepted');
}

describe('errors section', () => {
  it('defaults: intercept 500/502/503/504, the built-in page, no server tokens', () => {
    for (const preset of PRESET_NAMES) {
      assert.deepEqual(createPolicy({ preset }).errors, {
        intercept: [500, 502, 503, 504],
        page: undefined,
        serverTokens: false,
      });
    }
  });

  it('intercept: a list (sorted), true for the default, false or [] for none', () => {
    const of = (intercept: boolean | number[]) => createPolicy({ errors: { intercept } }).errors;
    assert.deepEqual(of([504, 404, 500]).intercept, [404, 500, 504]);
    assert.deepEqual(of(true).intercept, [500, 502, 503, 504]);
    assert.deepEqual(of(false).intercept, []);
    assert.deepEqual(of([]).intercept, []);
  });

  it('page: a file path is kept as given', () => {
    assert.equal(
      createPolicy({ errors: { page: '/srv/www/error.html' } }).errors.page,
      '/srv/www/error.html',
    );
  });

  it('the resolved section is frozen', () => {
    const e = createPolicy().errors;
    assert.ok(Object.isFrozen(e) && Object.isFrozen(e.intercept));
  });

  for (const [errors, code, path] of [
    [{ intercept: [399] }, 'BARBICAN_E_RANGE', 'errors.intercept[0]'],
    [{ intercept: [302] }, 'BARBICAN_E_RANGE', 'errors.intercept[0]'],
    [{ intercept: [600] }, 'BARBICAN_E_RANGE', 'errors.intercept[0]'],
    [{ intercept: [500.5] }, 'BARBICAN_E_TYPE', 'errors.intercept[0]'],
    [{ intercept: ['500'] }, 'BARBICAN_E_TYPE', 'errors.intercept[0]'],
    [{ intercept: [500, 500] }, 'BARBICAN_E_CONFLICT', 'errors.intercept[1]'],
    [
      { intercept: Array.from({ length: 201 }, (_, i) => 400 + (i % 200)) },
      'BARBICAN_E_RANGE',
      'errors.intercept',
    ],
    [{ intercept: 'all' }, 'BARBICAN_E_TYPE', 'errors.intercept'],
    [{ page: '' }, 'BARBICAN_E_RANGE', 'errors.page'],
    [{ page: '/srv/error.html\r\nX: y' }, 'BARBICAN_E_UNSAFE_VALUE', 'errors.page'],
    [{ page: 'x'.repeat(5000) }, 'BARBICAN_E_RANGE', 'errors.page'],
    [{ serverTokens: 'off' }, 'BARBICAN_E_TYPE', 'errors.serverTokens'],
    [{ servertokens: false }, 'BARBICAN_E_UNKNOWN_OPTION', 'errors.servertokens'],
    [{ intercept: [500], pages: 'x' }, 'BARBICAN_E_UNKNOWN_OPTION', 'errors.pages'],
  ] as const) {
    it(`refuses ${JSON.stringify(errors).slice(0, 60)} (${code} at ${path})`, () => {
      const e = refuse({ errors });
      assert.equal(e.code, code);
      assert.equal(e.path, path);
    });
  }

  it('a typo gets "did you mean"', () => {
    assert.match(
      refuse({ errors: { servertokens: false } }).message,
      /Did you mean "serverTokens"/,
    );
    assert.match(refuse({ error: {} }).message, /Did you mean "errors"/);
  });
});

describe('errors.serverTokens and headers.server are one decision', () => {
  it('serverTokens: true while headers.server removes Server is a conflict', () => {
    const e = refuse({ preset: 'barbican', errors: { serverTokens: true } });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.equal(e.path, 'errors.serverTokens');
    assert.match(e.message, /headers\.server: false/);
  });

  it('serverTokens: true while headers.server replaces Server is a conflict', () => {
    const e = refuse({ headers: { server: 'edge' }, errors: { serverTokens: true } });
    assert.equal(e.code, 'BARBICAN_E_CONFLICT');
    assert.match(e.message, /replaces/);
  });

  it('serverTokens: true with headers.server off (or a preset that leaves Server) is fine', () => {
    assert.equal(
      createPolicy({ headers: { server: false }, errors: { serverTokens: true } }).errors
        .serverTokens,
      true,
    );
    assert.equal(
      createPolicy({ preset: 'openkat', errors: { serverTokens: true } }).errors.serverTokens,
      true,
    );
  });

  it('serverTokens: false combines with every headers.server setting', () => {
    for (const server of [true, false, 'edge'] as const) {
      assert.doesNotThrow(() =>
        createPolicy({ headers: { server }, errors: { serverTokens: false } }),
      );
    }
  });
});

describe('the built-in error page', () => {
  it('is plain ASCII HTML served as UTF-8', () => {
    assert.equal(DEFAULT_ERROR_PAGE_CONTENT_TYPE, 'text/html; charset=utf-8');
    assert.match(DEFAULT_ERROR_PAGE, /^<!doctype html>\n/);
    assert.ok(/^[\x20-\x7e\n]*$/.test(DEFAULT_ERROR_PAGE));
  });

  it('reveals nothing: no software, version, status, number, path or link', () => {
    assert.doesNotMatch(
      DEFAULT_ERROR_PAGE,
      /nginx|apache|node|express|barbican|caddy|haproxy|traefik|krakend|server:/i,
    );
    assert.doesNotMatch(DEFAULT_ERROR_PAGE, /\d{3}|\d+\.\d+/);
    assert.doesNotMatch(DEFAULT_ERROR_PAGE, /https?:|href|src=|(?<!<)\/[a-z]/i);
  });

  it('has no script, style or event handler, so any CSP allows it', () => {
    assert.doesNotMatch(DEFAULT_ERROR_PAGE, /<script|<style|<link|style=|\son[a-z]+=/i);
  });

  it("renders in Chromium under default-src 'none' without a single CSP violation", async () => {
    // /control serves a page with an inline style: proof that violations are seen.
    const server = createServer((req, res) => {
      res.writeHead(502, {
        'content-type': DEFAULT_ERROR_PAGE_CONTENT_TYPE,
        'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'",
      });
      res.end(req.url === '/control' ? '<style>p{color:red}</style><p>x' : DEFAULT_ERROR_PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const messages: string[] = [];
      page.on('console', (m) => messages.push(m.text()));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.log(`violation ${e.violatedDirective}`);
        });
      });
      const { port } = server.address() as AddressInfo;
      const violations = () => messages.filter((m) => /violation|Content Security Policy/i.test(m));
      await page.goto(`http://127.0.0.1:${port}/control`);
      assert.ok(violations().length > 0, 'the control page must show a violation');
      messages.length = 0;
      const res = await page.goto(`http://127.0.0.1:${port}/`);
      assert.equal(res?.status(), 502);
      assert.equal(await page.textContent('h1'), 'Something went wrong');
      assert.equal(await page.title(), 'Something went wrong');
      assert.deepEqual(violations(), []);
    } finally {
      await browser.close();
      server.close();
    }
  });
});
