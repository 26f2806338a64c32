/**
 * The hostile corpus: malformed, oversized, hostile (markup and script in
 * every field, huge numbers, wrong types, deep nesting, invalid UTF-8) and
 * duplicate reports. Each is refused with the right status and code or
 * stored as normalised; then every dashboard page that shows them is
 * loaded in Chromium and the DOM is checked for anything the reports could
 * have injected.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../scripts/chromium.ts';
import type { ReportRecord } from '../src/index.ts';
import { post, running, type Running } from './helpers.ts';

interface Case {
  name: string;
  site: string;
  contentType: string;
  body?: unknown;
  bodyText?: string;
  bodyBase64?: string;
  bom?: boolean;
  repeat?: number;
  status: number;
  code?: string;
  rows?: number;
  fields?: Record<string, unknown>;
}

const corpus = JSON.parse(
  readFileSync(new URL('fixtures/hostile-corpus.json', import.meta.url), 'utf8'),
) as {
  payload: string;
  cases: Case[];
};
const P = corpus.payload;

/** `{{P}}` → the payload, in every string of a value. */
function fill(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('{{P}}', P);
  if (Array.isArray(value)) return value.map(fill);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
  }
  return value;
}

function bodyOf(c: Case): string | Uint8Array<ArrayBuffer> {
  if (c.bodyBase64 !== undefined) return new Uint8Array(Buffer.from(c.bodyBase64, 'base64'));
  const text = c.bodyText ?? JSON.stringify(fill(c.body));
  return c.bom === true ? `\ufeff${text}` : text;
}

/** Cases built in code: sizes and depths a data file would only bloat. */
const generated: Case[] = [
  {
    name: 'a single report over 64 KiB',
    site: 'big',
    contentType: 'application/csp-report',
    bodyText: JSON.stringify({
      'csp-report': {
        'document-uri': 'https://shop.example/',
        'script-sample': 'x'.repeat(70_000),
      },
    }),
    status: 413,
    code: 'BARBICAN_E_REPORT_TOO_LARGE',
  },
  {
    name: 'a batch over 1 MiB',
    site: 'big',
    contentType: 'application/reports+json',
    bodyText: JSON.stringify([
      {
        type: 'coep',
        url: 'https://shop.example/',
        body: { type: 'corp', blockedURL: 'x'.repeat(1_100_000) },
      },
    ]),
    status: 413,
    code: 'BARBICAN_E_REPORT_TOO_LARGE',
  },
  {
    name: 'a batch of 101 reports',
    site: 'big',
    contentType: 'application/reports+json',
    bodyText: JSON.stringify(
      new Array(101).fill({ type: 'coep', url: 'https://shop.example/', body: { type: 'corp' } }),
    ),
    status: 413,
    code: 'BARBICAN_E_REPORT_TOO_LARGE',
  },
  {
    name: 'a megabyte of nested arrays',
    site: 'deep',
    contentType: 'application/reports+json',
    bodyText: `${'['.repeat(500_000)}${']'.repeat(500_000)}`,
    status: 400,
    code: 'BARBICAN_E_REPORT_SHAPE',
  },
  {
    name: 'a report nested 17 levels deep inside a field',
    site: 'deep',
    contentType: 'application/csp-report',
    bodyText: `{"csp-report":{"document-uri":"https://shop.example/","blocked-uri":${'{"a":'.repeat(16)}1${'}'.repeat(16)}}}`,
    status: 400,
    code: 'BARBICAN_E_REPORT_SHAPE',
  },
  {
    name: 'brackets inside strings do not count as nesting',
    site: 'deep-ok',
    contentType: 'application/csp-report',
    bodyText: JSON.stringify({
      'csp-report': {
        'document-uri': 'https://shop.example/',
        'script-sample': `${'[{'.repeat(100)}"\\`,
      },
    }),
    status: 204,
    rows: 1,
  },
];

describe('hostile corpus', { timeout: 120_000 }, () => {
  let r: Running;
  let browser: Browser;
  before(async () => {
    r = await running({ perClient: false, perSite: false });
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await r.stop();
  });

  for (const c of [...corpus.cases, ...generated]) {
    it(`${c.name}: ${c.status}${c.code === undefined ? '' : ` ${c.code}`}`, async () => {
      for (let i = 0; i < (c.repeat ?? 1); i++) {
        const res = await post(r.collector.url, c.site, bodyOf(c), c.contentType);
        assert.equal(res.status, c.status, res.text);
        if (c.code !== undefined) assert.match(res.text, new RegExp(`^${c.code}: [^\\n]+\\n$`));
      }
      if (c.rows === undefined) return;
      await r.collector.queue.drain();
      const rows = await r.store.list({ site: c.site });
      assert.equal(rows.length, c.rows);
      const want = fill(c.fields ?? {}) as Partial<ReportRecord>;
      for (const [k, v] of Object.entries(want))
        assert.deepEqual(rows[0]?.[k as keyof ReportRecord], v, k);
    });
  }

  it('left no prototype polluted', () => {
    assert.equal((Object.prototype as Record<string, unknown>)['polluted'], undefined);
  });

  it('renders nothing unescaped: every page that shows the reports, checked in Chromium’s DOM', async () => {
    await r.collector.queue.drain();
    const fingerprints = (await r.store.list({ limit: 1000 })).map((x) => x.fingerprint);
    const pages = [
      '/?since=24h',
      '/?site=markup-batch&since=24h',
      `/?site=markup-legacy&since=24h&blockedHost=(none)&directive=${encodeURIComponent(P)}`,
      '/learn?site=markup-legacy&since=24h',
      '/learn?site=markup-batch&since=24h',
      ...fingerprints.map((fp) => `/details?fp=${fp}`),
    ];
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    let shownAsText = 0;
    for (const path of pages) {
      await page.goto(`${r.collector.url}${path}`);
      const dom = await page.evaluate(() => ({
        injected: document.querySelectorAll(
          '[data-pwn], img[src="x"], svg[onload], [onerror], [onload]',
        ).length,
        scripts: [...document.scripts].filter((s) => s.nonce === '').length,
        pwned: (window as unknown as { __pwned?: number }).__pwned,
        text: document.body.textContent,
      }));
      assert.deepEqual([dom.injected, dom.scripts, dom.pwned], [0, 0, undefined], path);
      if (dom.text.includes('<b data-pwn="1">pwn</b>')) shownAsText++;
    }
    assert.ok(shownAsText >= 10, `the payload is shown as text on ${shownAsText} pages`);
    assert.deepEqual(
      consoleErrors,
      [],
      'no script was attempted (a CSP violation would log an error)',
    );
    await context.close();
  });
});
