/**
 * Every Observatory result code, proven over the network: each site spec of
 * `../observatory/cases.json` is played by one pair of loopback servers
 * (`world.ts`: HTTP and HTTPS on 127.0.0.1, certificates from a test CA made
 * here), fetched with the real `retrieve()` and graded with `observatory()`;
 * the graded cases also go through the full `scan()`.
 *
 * Played for real: HTTP→HTTPS redirect chains, cross-host redirects, cookies
 * set on any hop, CORS answers to the request's `Origin` (the probe origin is
 * reflected, not copied), bodies with meta tags and scripts, certificates from
 * an untrusted CA, a scheme that does not answer (HTTP hangs up, HTTPS refuses
 * the handshake).
 *
 * Played with a difference the network imposes:
 * - Whitespace around a header value (`' NOSNIFF '`) is stripped by the
 *   client's HTTP parser (RFC 9110 §5.5); the expected codes do not change.
 * - "No HTTP answer" is a hang-up after the request (one shared HTTP server
 *   cannot refuse by host before it reads `Host`); no HTTPS is a refused
 *   handshake (by SNI).
 * - Cases 54 and 69 describe one URL differently in their two chains, which
 *   no server can do at once: the chain the spec wrote out is played and
 *   compared, and the expected codes still hold.
 *
 * Not played over the network:
 * - The HSTS preload list (`hsts-preloaded`, `redirection-all-redirects-preloaded`):
 *   Observatory reads Chromium's list, which no test server can put a host
 *   on. Those three cases are fetched live like the others, but the list is
 *   injected as in the data tests (`preloaded`, on the case's hosts).
 * - `html-not-parseable`: needs jsdom to throw, which its HTML parser never
 *   does (as in `src/observatory/cases.test.ts`); no response can produce it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BarbicanError } from '@barbican/core';
import type { CapturedResponse, Retrieval } from '../../src/model.ts';
import { observatory, SCORE_MODIFIERS } from '../../src/observatory/index.ts';
import { retrieve } from '../../src/retrieve/index.ts';
import { scan } from '../../src/scan.ts';
import type { TlsReport } from '../../src/tls/index.ts';
import type { SiteSpec } from '../observatory/fixtures.ts';
import { startWorld, type LiveCase, type World } from './world.ts';

const specs = JSON.parse(
  readFileSync(new URL('../observatory/cases.json', import.meta.url), 'utf8'),
) as SiteSpec[];

/** Result codes no live fixture can produce (see the module comment). */
const UNREACHABLE = new Set(['html-not-parseable']);
/** Result codes proven live but with the preload list injected. */
const INJECTED = new Set(['hsts-preloaded', 'redirection-all-redirects-preloaded']);

/** Headers Node's server adds on its own; not part of any spec. */
const SERVER_ADDED = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

let world: World;
const proven = new Set<string>();
const provenWithoutInjection = new Set<string>();

before(async () => {
  world = await startWorld(specs);
});

after(async () => {
  await world.close();
});

function options() {
  return {
    httpPort: world.httpPort,
    httpsPort: world.httpsPort,
    ca: world.ca,
    lookup: world.lookup,
    timeoutMs: 5000,
  };
}

/** A hop as the spec describes it, for comparing live and expected chains. */
function shape(live: CapturedResponse, expected: CapturedResponse | undefined) {
  const spec = new Set(expected?.headers.map(([n]) => n));
  return {
    url: live.url,
    status: live.status,
    verified: live.verified,
    headers: live.headers.filter(
      ([n]) => spec.has(n) || (!SERVER_ADDED.has(n) && n !== 'content-length'),
    ),
    // Bodies are only read for HTML: compare what the scanner kept.
    body: live.body === undefined ? undefined : (expected?.body ?? ''),
  };
}

function assertPlayed(live: Retrieval, c: LiveCase): void {
  for (const scheme of ['http', 'https'] as const) {
    // Spec chains that disagree on a URL cannot both be served by one server:
    // the chain the spec wrote out is played, and only it is compared.
    if (c.conflicts.length > 0 && !Array.isArray(c.spec[scheme])) continue;
    const want = c.expected[scheme].responses;
    const got = live[scheme].responses;
    assert.deepEqual(
      got.map((r, i) => shape(r, want[i])),
      want.map((r, i) => ({
        ...r,
        verified: r.verified,
        body: got[i]?.body === undefined ? undefined : (r.body ?? ''),
        // RFC 9110 §5.5: whitespace around a field value is not part of it;
        // the client's parser strips what the data keeps.
        headers: r.headers.map(([n, v]) => [n, v.trim()]),
      })),
      `${scheme} chain as the spec describes it`,
    );
    if (want.length === 0) assert.ok(live[scheme].error, `${scheme} must not answer`);
  }
  if (c.expected.cors !== undefined) {
    assert.ok(live.cors, 'a CORS response');
    assert.deepEqual(
      live.cors.headers.filter(([n]) => !SERVER_ADDED.has(n) && n !== 'content-length'),
      c.expected.cors.headers,
    );
    assert.ok(world.origins.get(c.index)?.length, 'the server saw the Origin');
  }
}

describe('Observatory result codes over the network', { concurrency: 8 }, () => {
  for (const [index, spec] of specs.entries()) {
    it(`${index}: ${spec.name}`, async () => {
      const c = world.cases[index]!;
      const live = await retrieve(c.url, options());
      assertPlayed(live, c);
      const out = observatory(live, { preloaded: c.preloaded });
      for (const [test, code] of Object.entries(spec.expect ?? {})) {
        const t = out.tests[test];
        assert.ok(t, test);
        assert.equal(t.result, code, test);
        assert.equal(t.scoreModifier, SCORE_MODIFIERS[code]);
      }
      for (const [test, code] of Object.entries(spec.expectSpec ?? {})) {
        assert.equal(out.spec.tests[test]?.result, code, `spec ${test}`);
      }
      if (spec.grade !== undefined) assert.equal(out.grade, spec.grade);
      if (spec.score !== undefined) assert.equal(out.score, spec.score);
      const codes = [...Object.values(spec.expect ?? {}), ...Object.values(spec.expectSpec ?? {})];
      for (const code of codes) {
        proven.add(code);
        if ((spec.preloaded ?? []).length === 0) provenWithoutInjection.add(code);
      }
    });
  }
});

describe('coverage', () => {
  it('proves every reachable result code with a live fixture', () => {
    const missing = Object.keys(SCORE_MODIFIERS).filter(
      (k) => !proven.has(k) && !UNREACHABLE.has(k),
    );
    assert.deepEqual(missing, []);
    const injectedOnly = Object.keys(SCORE_MODIFIERS).filter(
      (k) => proven.has(k) && !provenWithoutInjection.has(k),
    );
    assert.deepEqual(injectedOnly.sort(), [...INJECTED].sort());
  });
});

describe('the full scan() on every case', { concurrency: 8 }, () => {
  // One TLS probe per case host (the SNI decides the certificate), shared
  // by nothing else; the probe also runs the untrusted and refused handshakes.
  const tlsCache = new Map<string, Promise<TlsReport>>();
  for (const [index, spec] of specs.entries()) {
    it(`${index}: ${spec.name}`, async () => {
      const c = world.cases[index]!;
      const run = scan(c.url, { ...options(), preloaded: c.preloaded, tlsCache });
      if (spec.http === false && spec.https === false) {
        await assert.rejects(
          run,
          (e: unknown) => e instanceof BarbicanError && e.code === 'BARBICAN_E_SCAN_FAILED',
        );
        return;
      }
      const r = await run;
      for (const [test, code] of Object.entries(spec.expect ?? {})) {
        assert.equal(r.tests[test]?.result, code, test);
      }
      if (spec.grade !== undefined) assert.equal(r.grade, spec.grade);
      if (spec.score !== undefined) assert.equal(r.score, spec.score);
      const tls = r.tls as TlsReport | null;
      if (spec.https === false) assert.equal(tls, null, 'no handshake, no TLS report');
      else assert.equal(tls?.verified, spec.verified !== false, 'the TLS probe agrees');
    });
  }
});
