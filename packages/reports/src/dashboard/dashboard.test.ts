import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { openStore, startCollector } from '../index.ts';
import { legacy, post, running, type Running } from '../../test/helpers.ts';

const TOKEN = 'correct horse battery staple';

/** GET with an arbitrary Host header (fetch would not let us forge it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    request({ host: u.hostname, port: u.port, path: '/', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('dashboard on loopback, no token', () => {
  let r: Running;
  before(async () => {
    r = await running();
    await post(r.collector.url, 'shop', legacy());
  });
  after(() => r.stop());

  it('serves the page under a strict nonce CSP from Barbican’s own policy', async () => {
    const res = await fetch(`${r.collector.url}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce !== undefined, csp);
    assert.equal(
      csp,
      `default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'; script-src 'nonce-${nonce}' 'strict-dynamic'; script-src-attr 'none'; style-src 'nonce-${nonce}'`,
    );
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.match(html, new RegExp(`<style nonce="${nonce.replace(/[+/=]/g, '\\$&')}">`));
    assert.doesNotMatch(html, /unsafe-inline| style="| on[a-z]+="/);
  });

  it('refuses other Host names (DNS rebinding) and answers localhost', async () => {
    assert.equal(await getWithHost(r.collector.url, 'attacker.example'), 400);
    assert.equal(await getWithHost(r.collector.url, `localhost:${r.collector.port}`), 200);
  });

  it('offers JSON, a health check, 404 and 405', async () => {
    const reports = (await (
      await fetch(`${r.collector.url}/api/reports?site=shop`)
    ).json()) as unknown[];
    assert.equal(reports.length, 1);
    const stats = (await (await fetch(`${r.collector.url}/api/stats`)).json()) as {
      accepted: number;
    };
    assert.equal(stats.accepted, 1);
    assert.equal((await fetch(`${r.collector.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${r.collector.url}/nope`)).status, 404);
    assert.equal((await fetch(`${r.collector.url}/details?fp=${'0'.repeat(32)}`)).status, 404);
    assert.equal((await fetch(`${r.collector.url}/`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${r.collector.url}/api/learn`)).status, 400);
  });

  it('finds a report’s details by its site, and ignores a hostile site value', async () => {
    const [one] = (await (await fetch(`${r.collector.url}/api/reports?site=shop`)).json()) as {
      fingerprint: string;
    }[];
    const details = (site: string) =>
      fetch(`${r.collector.url}/details?fp=${one?.fingerprint}&site=${encodeURIComponent(site)}`);
    assert.equal((await details('shop')).status, 200);
    assert.equal((await details('blog')).status, 404, 'another site has no such report');
    for (const hostile of [`shop' OR '1'='1`, '<script>alert(1)</script>', 'x'.repeat(10_000)]) {
      const res = await details(hostile);
      assert.equal(
        res.status,
        200,
        'an invalid site is no filter: the report is found by fingerprint',
      );
      assert.doesNotMatch(await res.text(), /<script>alert/);
    }
  });
});

describe('dashboard access control', () => {
  it('refuses to start reachable from the network without a token, and with a short one', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      await assert.rejects(startCollector({ store, host: '0.0.0.0' }), /BARBICAN_E_REPORTS_TOKEN/);
      await assert.rejects(startCollector({ store, host: '::' }), /BARBICAN_E_REPORTS_TOKEN/);
      // On loopback but answering to a public name, or behind a proxy: the network reaches it too.
      await assert.rejects(
        startCollector({ store, dashboardHosts: ['reports.example'] }),
        /--dashboard-host: the dashboard would be open to the network/,
      );
      await assert.rejects(
        startCollector({ store, trustedProxies: ['loopback'] }),
        /--trusted-proxy: the dashboard would be open to the network/,
      );
      await assert.rejects(startCollector({ store, token: 'short' }), /shorter than 16/);
    } finally {
      await store.close();
    }
  });

  let r: Running;
  before(async () => {
    r = await running({ token: TOKEN });
  });
  after(() => r.stop());

  it('asks for the token; ingest stays open to browsers', async () => {
    assert.equal((await fetch(`${r.collector.url}/`)).status, 401);
    assert.equal((await fetch(`${r.collector.url}/api/reports`)).status, 401);
    assert.equal((await fetch(`${r.collector.url}/healthz`)).status, 200);
    assert.equal((await post(r.collector.url, 'shop', legacy())).status, 204);
  });

  it('accepts the token as a Bearer credential, compared in constant time', async () => {
    const ok = await fetch(`${r.collector.url}/api/reports`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(ok.status, 200);
    for (const wrong of [`${TOKEN}x`, TOKEN.slice(0, -1), '', 'Bearer']) {
      const res = await fetch(`${r.collector.url}/api/reports`, {
        headers: { authorization: `Bearer ${wrong}` },
      });
      assert.equal(res.status, 401, wrong);
    }
  });

  it('signs a browser in with an HttpOnly SameSite=Strict session cookie', async () => {
    const form = (token: string) =>
      fetch(`${r.collector.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
        redirect: 'manual',
      });
    assert.equal((await form('wrong token, long enough')).status, 401);
    const res = await form(TOKEN);
    assert.equal(res.status, 303);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(
      cookie,
      /^barbican_reports=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    assert.ok(!cookie.includes(TOKEN));
    const session = cookie.split(';')[0] ?? '';
    assert.equal(
      (await fetch(`${r.collector.url}/`, { headers: { cookie: session } })).status,
      200,
    );
    assert.equal(
      (await fetch(`${r.collector.url}/`, { headers: { cookie: `${session}x` } })).status,
      401,
    );
  });

  it('slows down token guessing: ten tries, then 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${r.collector.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=guess',
      });
      statuses.push(res.status);
    }
    assert.equal(statuses.at(-1), 429);
  });
});
