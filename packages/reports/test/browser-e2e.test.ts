/**
 * End to end in Debian's Chromium: a page served through the Barbican
 * middleware with a report-only CSP and COOP/COEP report-only headers
 * (pointed at the collector with the policy's `report` option) is
 * violated; the reports arrive in the collector and show in the dashboard;
 * `learn` proposes a CSP under which the same page loads with no violation
 * of its own content while the injected script stays blocked.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPolicy, type Policy, type PolicyOptions } from '@barbican/core';
import { nonceOf, withBarbican } from '@barbican/core/node';
import type { Browser } from 'playwright-core';
import { learnPolicy, openStore, type LearnResult, type ReportStore } from '../src/index.ts';
import { HOSTS, launchReportingChromium, testTls, waitFor } from './browser.ts';
import { running, type Running } from './helpers.ts';

const ARTIFACTS = fileURLToPath(new URL('artifacts/', import.meta.url));
const TOKEN = 'e2e-dashboard-token-0123456789';
const INJECTED = "<script>window.__pwned = 1; document.title = 'pwned'</script>";
// One transparent 1×1 PNG.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/** The shop's page: its own scripts, a CDN stylesheet, image and script, an API call, and a reflected XSS. */
function page(nonce: string | undefined, cdn: string, api: string, q: string): string {
  const n = nonce === undefined ? '' : ` nonce="${nonce}"`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<link rel="stylesheet" href="${cdn}/style.css"></head><body>
<h1>Shop</h1>
<p id="search">You searched for: ${q}</p>
<img id="pixel" src="${cdn}/pixel.png" alt="">
<p id="api">loading</p>
<script${n} src="${cdn}/lib.js"></script>
<script${n}>document.body.dataset.legit = 'ran';
fetch('${api}/data').then((r) => r.json()).then((d) => { document.getElementById('api').textContent = d.value; });
window.open('${cdn}/popup.html');</script>
</body></html>`;
}

describe('reports end to end in Chromium', { timeout: 120_000 }, () => {
  const tls = testTls();
  const dir = mkdtempSync(join(tmpdir(), 'barbican-e2e-'));
  let browser: Browser;
  let collector: Running;
  let store: ReportStore;
  let shop: Server;
  let assets: Server;
  let shopUrl: string;
  let cdn: string;
  let api: string;
  let policy: Policy;
  let learned: LearnResult;

  before(async () => {
    store = await openStore(`sqlite:${join(dir, 'reports.db')}`);
    // The dashboard answers to a host name other than localhost, so it needs a token.
    collector = await running({
      store,
      tls,
      dashboardHosts: [HOSTS.reports],
      perClient: false,
      token: TOKEN,
    });
    assets = createServer(tls, (req, res) => {
      const host = (req.headers.host ?? '').split(':')[0];
      const files: Record<string, [string, string | Buffer]> = {
        '/style.css': ['text/css', 'h1 { color: rgb(1, 2, 3); }'],
        '/lib.js': ['text/javascript', 'window.libLoaded = true;'],
        '/pixel.png': ['image/png', PIXEL],
        '/popup.html': ['text/html', '<!doctype html><title>popup</title>'],
      };
      if (host === HOSTS.api && req.url === '/data') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'access-control-allow-origin': '*',
        });
        res.end('{"value":"from the api"}');
        return;
      }
      const file = files[req.url ?? ''];
      if (host !== HOSTS.cdn || file === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file[0], 'access-control-allow-origin': '*' });
      res.end(file[1]);
    });
    const assetsPort = await listen(assets);
    cdn = `https://${HOSTS.cdn}:${assetsPort}`;
    api = `https://${HOSTS.api}:${assetsPort}`;
    shop = createServer(tls, (req, res) => {
      withBarbican((rq, rs) => {
        const q = new URL(rq.url ?? '/', 'https://x').searchParams.get('q') ?? '';
        rs.setHeader('content-type', 'text/html; charset=utf-8');
        // The reflected search term is the XSS the CSP must contain: deliberately unescaped.
        rs.end(page(policy.usesNonce ? nonceOf(rs) : undefined, cdn, api, q));
      }, policy)(req, res);
    });
    shopUrl = `https://${HOSTS.shop}:${await listen(shop)}/?q=${encodeURIComponent(INJECTED)}`;
    browser = await launchReportingChromium(tls.spki);
  });

  after(async () => {
    await browser.close();
    shop.closeAllConnections();
    assets.closeAllConnections();
    await Promise.all([new Promise((r) => shop.close(r)), new Promise((r) => assets.close(r))]);
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const reportTo = () => `https://${HOSTS.reports}:${collector.collector.port}/report/shop`;

  it('collects the CSP, COOP and COEP reports of a report-only page', async (t) => {
    const phase1: PolicyOptions = {
      preset: 'barbican',
      allowedHosts: [HOSTS.shop],
      report: reportTo(),
      headers: {
        csp: false,
        cspReportOnly: {
          // Before the rollout: the app has no nonces yet.
          nonce: false,
          directives: {
            'default-src': ["'self'"],
            'script-src': ["'self'"],
            'style-src': ["'self'"],
            'img-src': ["'self'"],
            'object-src': ["'none'"],
            'base-uri': ["'self'"],
          },
        },
        crossOriginOpenerPolicy: false,
        crossOriginOpenerPolicyReportOnly: { policy: 'same-origin' },
        crossOriginEmbedderPolicyReportOnly: { policy: 'require-corp' },
      },
    };
    policy = createPolicy(phase1);
    const context = await browser.newContext();
    for (let i = 0; i < 2; i++) {
      const p = await context.newPage();
      await p.goto(shopUrl);
      await waitFor('the API call', 10_000, async () =>
        (await p.textContent('#api')) === 'from the api' ? true : undefined,
      );
      assert.equal(await p.title(), 'pwned', 'report-only: the injected script ran');
      await p.close(); // unloading flushes the page's queued reports
    }
    // Each violation from both page views: one row per violation, counted twice.
    const wanted = [
      'script-src-elem inline',
      'script-src-elem https',
      'img-src',
      'style-src-elem',
      'connect-src',
      'coep corp',
      'coop',
    ];
    const rows = await waitFor('the reports of both page views', 20_000, async () => {
      const list = await store.list({ site: 'shop', limit: 1000 });
      const seen = list
        .filter((r) => r.count >= 2)
        .map((r) =>
          r.type === 'csp-violation'
            ? `${r.directive} ${r.blockedUrl}`
            : `${r.type} ${r.directive}`,
        );
      return wanted.every((w) => seen.some((s) => s.startsWith(w))) ? list : undefined;
    });
    await context.close();
    const types = new Set(rows.map((r) => r.type));
    t.diagnostic(`stored ${rows.length} distinct reports of types ${[...types].join(', ')}`);
    assert.ok(rows.every((r) => r.userAgent?.includes('Chrome') === true));
    const inline = rows.find((r) => r.blockedUrl === 'inline');
    assert.equal(inline?.disposition, 'report');
    assert.equal(
      inline.url,
      `https://${HOSTS.shop}:${new URL(shopUrl).port}/`,
      'the query string was stripped',
    );
  });

  it('shows them in the dashboard, escaped, under its own strict CSP', async () => {
    const context = await browser.newContext({
      extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` },
    });
    const p = await context.newPage();
    const cspErrors: string[] = [];
    p.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspErrors.push(m.text());
    });
    const base = `https://${HOSTS.reports}:${collector.collector.port}`;
    const res = await p.goto(`${base}/?site=shop&since=24h`);
    assert.match(
      res?.headers()['content-security-policy'] ?? '',
      /script-src 'nonce-[^']+' 'strict-dynamic'/,
    );
    assert.ok(Number(await p.textContent('#total')) >= 5);
    const directives = await p.$$eval('tr[data-fingerprint] td.directive', (tds) =>
      tds.map((td) => td.textContent),
    );
    for (const d of ['script-src-elem', 'img-src', 'style-src-elem', 'connect-src', 'corp']) {
      assert.ok(directives.includes(d), `dashboard lists ${d}: ${directives.join(', ')}`);
    }
    assert.match((await p.textContent('#by-type')) ?? '', /coep/);
    assert.equal(await p.$$eval('svg.chart rect', (r) => r.length), 1, 'one hour bar in the chart');
    // The injected sample is shown as text, never run.
    const samples = await p.$$eval('#reports', (s) => s.map((e) => e.textContent).join(''));
    assert.doesNotMatch(samples, /pwned/, 'samples are not in the list view');
    mkdirSync(ARTIFACTS, { recursive: true });
    await p.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    await p.click('#learn-button');
    await p.waitForSelector('#config');
    assert.match((await p.textContent('#config')) ?? '', /strict-dynamic/);
    await p.screenshot({ path: join(ARTIFACTS, 'learn.png'), fullPage: true });
    assert.deepEqual(cspErrors, [], 'the dashboard itself violates nothing');
    await context.close();
  });

  it('learns a CSP under which the page loads cleanly and the injected script stays blocked', async (t) => {
    learned = learnPolicy(await store.list({ site: 'shop', type: 'csp-violation', limit: 10_000 }));
    t.diagnostic(`learned: ${learned.header}`);
    t.diagnostic(`refused: ${learned.refused.map((r) => `${r.directive} ${r.source}`).join(', ')}`);
    assert.deepEqual(
      learned.findings.filter((f) => f.severity === 'high'),
      [],
    );
    assert.ok(learned.refused.some((r) => r.source === "'unsafe-inline'"));
    policy = createPolicy({
      preset: 'barbican',
      allowedHosts: [HOSTS.shop],
      report: reportTo(),
      ...(learned.config as PolicyOptions),
    });
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { violations: string[] }).violations = seen;
      document.addEventListener('securitypolicyviolation', (e) => {
        seen.push(`${e.disposition} ${e.effectiveDirective} ${e.blockedURI}`);
      });
    });
    const p = await context.newPage();
    const res = await p.goto(shopUrl);
    assert.match(res?.headers()['content-security-policy'] ?? '', /'strict-dynamic'/);
    await waitFor('the API call', 10_000, async () =>
      (await p.textContent('#api')) === 'from the api' ? true : undefined,
    );
    const state = await p.evaluate(() => ({
      legit: document.body.dataset['legit'],
      lib: (window as unknown as { libLoaded?: boolean }).libLoaded,
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      title: document.title,
      pixel: (document.getElementById('pixel') as HTMLImageElement).naturalWidth,
      color: getComputedStyle(document.querySelector('h1') as Element).color,
      violations: (window as unknown as { violations: string[] }).violations,
    }));
    assert.deepEqual(state, {
      legit: 'ran',
      lib: true,
      pwned: undefined,
      title: 'Shop',
      pixel: 1,
      color: 'rgb(1, 2, 3)',
      violations: ['enforce script-src-elem inline'],
    });
    await context.close();
  });
});
