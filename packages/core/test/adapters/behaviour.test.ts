/**
 * One behaviour suite, every adapter: each case runs against every framework
 * on loopback, through real `fetch`. Expected headers come from the engine
 * (`evaluateRequest` on the same request), because adapters only translate:
 * what the core decides is what the wire must carry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { evaluateRequest } from '../../src/engine.ts';
import type { ResponsePlan } from '../../src/plan.ts';
import { createPolicy, type Policy, type PolicyOptions } from '../../src/policy/index.ts';
import {
  ADAPTERS,
  HANDLER_VALUE,
  makeTls,
  ROUTE_OVERRIDES,
  type AdapterFactory,
  type Running,
} from './harness.ts';

const OPTIONS: PolicyOptions = {
  preset: 'barbican',
  // The test client is the proxy: its X-Forwarded-Host names a real host
  // (HSTS is withheld for IP literals such as 127.0.0.1).
  trustedProxies: ['loopback'],
  proxyHeaders: { host: 'X-Forwarded-Host' },
};

/** The barbican preset as shipped: its CSP nonce is the preset's own (`nonce: true`). */
const POLICY = createPolicy(OPTIONS);
const ROUTE_POLICY = POLICY.extend(ROUTE_OVERRIDES);
/** Answers every request itself: 127.0.0.1 is not an allowed host. */
const RESPONDING = createPolicy({ ...OPTIONS, allowedHosts: ['app.test'] });
/** The same policy with the nonce turned off: reading one must fail loudly. */
const NO_NONCE = createPolicy({ ...OPTIONS, headers: { csp: { nonce: false } } });
/** Request headers that make the request one to a named host, through a trusted proxy. */
const VIA_PROXY: Record<string, string> = { 'x-forwarded-host': 'app.test' };
const TLS = makeTls();

if (!POLICY.usesNonce || NO_NONCE.usesNonce) assert.fail('the suite needs the preset nonce on');

/** The plan the engine picks for a GET of `url`. */
function planFor(policy: Policy, url: string, headers: Record<string, string> = {}): ResponsePlan {
  const u = new URL(url);
  const all: Record<string, string> = { host: u.host, ...headers };
  const verdict = evaluateRequest(policy, {
    method: 'GET',
    target: u.pathname,
    headerValues: (name) => (all[name] === undefined ? [] : [all[name]]),
    peer: '127.0.0.1',
    tls: u.protocol === 'https:',
  });
  if (verdict.kind !== 'pass') assert.fail(`the suite policy must serve ${url}`);
  return verdict.plan;
}

/** What the engine says a response to `url` must carry: `[lower-case name, value | null (nonced)]`. */
function expected(
  policy: Policy,
  url: string,
  headers: Record<string, string> = {},
): Map<string, string | null> {
  const plan = planFor(policy, url, headers);
  const out = new Map<string, string | null>();
  for (const [name, value] of plan.set) out.set(name.toLowerCase(), value);
  for (const h of plan.nonced) out.set(h.name.toLowerCase(), null);
  return out;
}

function assertCarries(
  res: Response,
  want: Map<string, string | null>,
  except: string[] = [],
): void {
  for (const [name, value] of want) {
    if (except.includes(name)) continue;
    const got = res.headers.get(name);
    assert.notEqual(got, null, `${name} missing`);
    if (value !== null) assert.equal(got, value, name);
  }
}

function nonceFromCsp(res: Response): string | undefined {
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
}

interface Ctx {
  http: Running;
  https: Running;
  calls: () => number;
  responding: Running;
  noNonce: Running;
}

interface Case {
  key: string;
  name: string;
  run(ctx: Ctx): Promise<void>;
}

const CASES: Case[] = [
  {
    key: 'http',
    name: 'sets the policy headers over HTTP, never HSTS',
    async run({ http }) {
      const res = await fetch(`${http.url}/plain`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
      const want = expected(POLICY, `${http.url}/plain`);
      assert.ok(want.size > 0);
      assertCarries(res, want);
      assert.equal(res.headers.get('strict-transport-security'), null);
    },
  },
  {
    key: 'https',
    name: 'sets the policy headers over HTTPS, with HSTS as the engine decides',
    async run({ https }) {
      const res = await fetch(`${https.url}/plain`);
      assert.equal(res.status, 200);
      const want = expected(POLICY, `${https.url}/plain`);
      assertCarries(res, want);
      assert.equal(
        res.headers.get('strict-transport-security'),
        want.get('strict-transport-security') ?? null,
      );
    },
  },
  {
    key: 'hsts-scheme',
    name: 'sends HSTS only over HTTPS',
    async run({ http, https }) {
      const plain = await fetch(`${http.url}/plain`, { headers: VIA_PROXY });
      const secure = await fetch(`${https.url}/plain`, { headers: VIA_PROXY });
      assert.equal(plain.headers.get('strict-transport-security'), null);
      const want = expected(POLICY, `${https.url}/plain`, VIA_PROXY);
      const hsts = want.get('strict-transport-security');
      assert.ok(hsts !== undefined && hsts !== null, 'the engine sends HSTS to a named host');
      assert.match(hsts, /max-age=\d+/);
      assert.equal(secure.headers.get('strict-transport-security'), hsts);
      assertCarries(secure, want);
    },
  },
  {
    key: 'fingerprint',
    name: 'strips X-Powered-By and Server even when the app set them',
    async run({ http, https }) {
      for (const base of [http.url, https.url]) {
        const res = await fetch(`${base}/fingerprint`);
        const want = expected(POLICY, `${base}/fingerprint`);
        assert.equal(res.headers.get('x-powered-by'), null);
        // Unless the policy itself sets Server (then its value, not the app's).
        assert.equal(res.headers.get('server'), want.get('server') ?? null);
        assertCarries(res, want);
      }
    },
  },
  {
    key: 'handler',
    name: "keeps the handler's value over the policy's (global < handler)",
    async run({ https }) {
      const res = await fetch(`${https.url}/override`);
      assert.equal(res.headers.get('x-frame-options'), HANDLER_VALUE);
      assertCarries(res, expected(POLICY, `${https.url}/override`), ['x-frame-options']);
    },
  },
  {
    key: 'route',
    name: 'applies a per-route override over the global policy (global < route)',
    async run({ http, https }) {
      for (const base of [http.url, https.url]) {
        const res = await fetch(`${base}/route`);
        assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
        assertCarries(res, expected(ROUTE_POLICY, `${base}/route`));
      }
    },
  },
  {
    key: 'route-handler',
    name: 'keeps the handler value over a route override (route < handler)',
    async run({ https }) {
      const res = await fetch(`${https.url}/route-handler`);
      assert.equal(res.headers.get('x-frame-options'), HANDLER_VALUE);
      assertCarries(res, expected(ROUTE_POLICY, `${https.url}/route-handler`), ['x-frame-options']);
    },
  },
  {
    key: 'off',
    name: 'sends no policy header on a route turned off with false',
    async run({ https }) {
      const res = await fetch(`${https.url}/off`);
      assert.equal(res.status, 200);
      for (const name of expected(POLICY, `${https.url}/off`).keys()) {
        assert.equal(res.headers.get(name), null, name);
      }
    },
  },
  {
    key: 'nonce',
    name: 'puts the same nonce in the CSP header and in the page',
    async run({ http, https }) {
      for (const base of [http.url, https.url]) {
        const res = await fetch(`${base}/nonce`);
        const body = await res.text();
        const inPage = [...body.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]);
        assert.ok(inPage.length > 0 && (inPage[0] ?? '').length >= 22, `nonce in page: ${body}`);
        // Every nonce in the page (Next puts it on its own scripts too) is the header's.
        for (const n of inPage) assert.equal(n, nonceFromCsp(res));
      }
    },
  },
  {
    key: 'nonce-fresh',
    name: 'mints a new nonce for every response',
    async run({ https }) {
      const a = nonceFromCsp(await fetch(`${https.url}/nonce`));
      const b = nonceFromCsp(await fetch(`${https.url}/nonce`));
      assert.ok(a !== undefined && b !== undefined);
      assert.notEqual(a, b);
    },
  },
  {
    key: 'nonce-lazy',
    name: 'sends the CSP without a nonce when the app never reads one (nonces are lazy)',
    async run({ http, https }) {
      for (const base of [http.url, https.url]) {
        const res = await fetch(`${base}/plain`);
        const csp = planFor(POLICY, `${base}/plain`).nonced.find(
          (h) => h.name === 'Content-Security-Policy',
        );
        assert.ok(csp !== undefined);
        assert.equal(res.headers.get('content-security-policy'), csp.value);
      }
    },
  },
  {
    key: 'no-nonce',
    name: 'reading the nonce under a policy without one is BARBICAN_E_NO_NONCE, never undefined',
    async run({ noNonce }) {
      const res = await fetch(`${noNonce.url}/nonce`);
      const body = await res.text();
      assert.ok(body.includes('error:BARBICAN_E_NO_NONCE'), body);
      assert.doesNotMatch(body, /nonce="/);
      assert.doesNotMatch(res.headers.get('content-security-policy') ?? '', /'nonce-/);
    },
  },
  {
    key: 'respond',
    name: 'answers a respond verdict itself and never calls the app',
    async run({ responding, calls }) {
      const before = calls();
      const res = await fetch(`${responding.url}/plain`);
      assert.equal(res.status, 400);
      assert.notEqual(await res.text(), 'ok');
      assert.equal(calls(), before);
    },
  },
];

/**
 * What a framework shows instead of a case's shared expectation, and why:
 * each one asserted as seen on the real server, so a change in the framework
 * (or in the adapter) fails here instead of passing unnoticed.
 */
const SHOWS: Readonly<Record<string, Readonly<Record<string, Case>>>> = {
  next: {
    fingerprint: {
      key: 'fingerprint',
      name: "passes on fingerprint headers a route handler sets (Next gives middleware no hook on the response); Next's own X-Powered-By is off with poweredByHeader: false",
      async run({ http }) {
        const res = await fetch(`${http.url}/fingerprint`);
        assert.equal(res.headers.get('x-powered-by'), 'PHP/8.3');
        assert.equal(res.headers.get('server'), 'Apache/2.4');
        assertCarries(res, expected(POLICY, `${http.url}/fingerprint`));
        const plain = await fetch(`${http.url}/plain`);
        assert.equal(plain.headers.get('x-powered-by'), null);
        assert.equal(plain.headers.get('server'), null);
      },
    },
    // next/dist/server/send-response.js: a route handler's header is
    // appended only when the response does not have it yet, and the
    // middleware's headers are set first (vercel/next.js#70127).
    handler: {
      key: 'handler',
      name: "keeps the policy's value over a route handler's: Next drops a handler header the middleware already set",
      async run({ https }) {
        const res = await fetch(`${https.url}/override`);
        const want = expected(POLICY, `${https.url}/override`);
        assert.equal(res.headers.get('x-frame-options'), want.get('x-frame-options'));
        assertCarries(res, want);
      },
    },
    'route-handler': {
      key: 'route-handler',
      name: "keeps the route policy's value over a route handler's (the route's own policy is how a route differs)",
      async run({ https }) {
        const res = await fetch(`${https.url}/route-handler`);
        assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
        assertCarries(res, expected(ROUTE_POLICY, `${https.url}/route-handler`));
      },
    },
    'nonce-lazy': {
      key: 'nonce-lazy',
      name: 'mints the nonce in the middleware for every response (the page renders later, and Next reads the nonce for its own scripts)',
      async run({ http, https }) {
        for (const base of [http.url, https.url]) {
          const res = await fetch(`${base}/plain`);
          assert.match(nonceFromCsp(res) ?? '', /^[A-Z0-9+/]{22}==$/i);
        }
      },
    },
  },
};

function suite(adapter: AdapterFactory): void {
  describe(adapter.name, () => {
    let n = 0;
    const onCall = (): void => {
      n++;
    };
    const ctx = {} as Ctx;
    let running: (Running | undefined)[] = [];
    before(async () => {
      const started = await Promise.allSettled([
        adapter.start(POLICY, undefined, onCall),
        adapter.start(POLICY, TLS, onCall),
        adapter.start(RESPONDING, undefined, onCall),
        adapter.start(NO_NONCE, undefined, onCall),
      ]);
      running = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
      for (const r of started) if (r.status === 'rejected') throw r.reason;
      const [http, https, responding, noNonce] = running;
      Object.assign(ctx, { http, https, responding, noNonce });
      ctx.calls = () => n;
    });
    after(async () => {
      await Promise.all(running.map(async (r) => r?.close()));
    });
    for (const shared of CASES) {
      const c = SHOWS[adapter.name]?.[shared.key] ?? shared;
      it(c.name, () => c.run(ctx));
    }
  });
}

it('every framework deviation replaces a case that exists', () => {
  const keys = new Set(CASES.map((c) => c.key));
  for (const [name, shows] of Object.entries(SHOWS)) {
    assert.ok(
      ADAPTERS.some((a) => a.name === name),
      name,
    );
    for (const [key, c] of Object.entries(shows)) {
      assert.ok(keys.has(key), `${name}: ${key}`);
      assert.equal(c.key, key);
    }
  }
});

for (const adapter of ADAPTERS) suite(adapter);
