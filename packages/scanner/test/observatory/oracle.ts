/**
 * Differential oracle: runs the installed `@mdn/mdn-http-observatory@1.4.x`
 * analysers on the same inputs as our `observatory()`, offline.
 *
 * Its retriever is bypassed: we build the `Requests` object its retriever
 * would have built from a {@link Retrieval} — headers through Node's own
 * header-line joining and axios's `AxiosHeaders`, cookies through a
 * tough-cookie jar fed every Set-Cookie line of the chosen chain, http-equiv
 * values through its own `parseHttpEquivHeaders`. Its HSTS preload module
 * (which reads a list downloaded at install time, absent here) is replaced by
 * a module hook with the same injected lookup our side gets.
 */
import http from 'node:http';
import { registerHooks } from 'node:module';
import net from 'node:net';
import type { CapturedResponse, Chain, Retrieval } from '../../src/model.ts';

interface Hooked {
  __barbicanPreloaded?: (host: string) => boolean;
}

registerHooks({
  load(url, context, nextLoad) {
    if (url.endsWith('/mdn-http-observatory/src/analyzer/hsts.js')) {
      return {
        format: 'module',
        shortCircuit: true,
        source:
          'export function isHstsPreloaded(host) {' +
          ' const f = globalThis.__barbicanPreloaded;' +
          " return f && f(host) ? { includeSubDomains: true, includeSubDomainsForPinning: false, mode: 'force-https', pinned: false } : null; }",
      };
    }
    return nextLoad(url, context);
  },
});

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any -- the package under test is untyped JavaScript */
const pkg = '@mdn/mdn-http-observatory/src';
const { ALL_TESTS }: any = await import(`${pkg}/constants.js`);
const { Requests }: any = await import(`${pkg}/types.js`);
const grader: any = await import(`${pkg}/grader/grader.js`);
const charts: any = await import(`${pkg}/grader/charts.js`);
const { parseHttpEquivHeaders }: any = await import(`${pkg}/retriever/utils.js`);
const { AxiosHeaders }: any = await import('axios');
const { CookieJar }: any = await import('tough-cookie');

/** The score modifier table of the installed package: code → modifier. */
export const packageScoreTable: Map<string, number> = new Map(
  [...(charts.SCORE_TABLE as Map<string, { modifier: number }>)].map(([k, v]) => [k, v.modifier]),
);

/** The installed package's grade for a raw score. */
export function packageGrade(score: number): { score: number; grade: string } {
  return grader.getGradeForScore(score);
}

/** Header lines → the `res.headers` object Node's http client would expose. */
function nodeHeaders(r: CapturedResponse): Record<string, string | string[]> {
  const msg = new http.IncomingMessage(new net.Socket());
  const raw = r.headers.flatMap(([n, v]) => [n, v]);
  (msg as any)._addHeaderLines(raw, raw.length);
  return msg.headers as Record<string, string | string[]>;
}

function axiosResponse(r: CapturedResponse, verified: boolean): any {
  return {
    headers: new AxiosHeaders(nodeHeaders(r)),
    // The ClientRequest has no `headers` property: Observatory never sees the Origin it sent.
    request: {},
    status: r.status,
    statusText: '',
    verified,
    data: r.body ?? '',
    config: { headers: new AxiosHeaders() },
  };
}

function verifiedChain(c: Chain): boolean {
  return c.responses.every((x) => x.verified !== false);
}

/** The result of the installed Observatory on a retrieval. */
export interface OracleResult {
  score: number;
  grade: string;
  tests: Record<string, { result: string; scoreModifier: number; pass: boolean }>;
}

/** Runs the installed Observatory's ten tests and its scoring on `r`. */
export function runOracle(r: Retrieval, preloaded: (host: string) => boolean): OracleResult {
  (globalThis as Hooked).__barbicanPreloaded = preloaded;
  const hostname = new URL(r.url).hostname;
  const req = new Requests(hostname);
  const httpFinal = r.http.responses[r.http.responses.length - 1];
  const httpsFinal = r.https.responses[r.https.responses.length - 1];
  req.responses.http = httpFinal ? axiosResponse(httpFinal, verifiedChain(r.http)) : null;
  req.responses.https = httpsFinal ? axiosResponse(httpsFinal, verifiedChain(r.https)) : null;
  const route = r.http.responses.map((x) => ({ url: new URL(x.url), status: x.status }));
  req.responses.httpRedirects = route;
  req.responses.httpsRedirects = route;
  const chain = httpsFinal ? r.https : httpFinal ? r.http : undefined;
  if (chain !== undefined) {
    const jar = new CookieJar();
    for (const resp of chain.responses) {
      for (const [n, v] of resp.headers) {
        if (n === 'set-cookie') jar.setCookieSync(v, resp.url, { ignoreError: true });
      }
    }
    req.session = { url: new URL(chain.responses[0]?.url ?? r.url), jar };
    req.responses.auto = chain === r.https ? req.responses.https : req.responses.http;
    req.resources.path = req.responses.auto.data;
    const type = req.responses.auto.headers['content-type']?.split(';')[0];
    req.responses.auto.httpEquiv =
      (type === 'text/html' || type === 'application/xhtml+xml') && req.resources.path
        ? parseHttpEquivHeaders(req.resources.path, req.session.url.href)
        : new Map();
  }
  req.responses.cors = r.cors ? axiosResponse(r.cors, true) : null;

  const tests: OracleResult['tests'] = {};
  let uncurved = 100;
  let extra = 100;
  for (const test of ALL_TESTS) {
    const out = test(req);
    const modifier: number = grader.getScoreModifier(out.result);
    extra += modifier;
    if (modifier < 0) uncurved += modifier;
    tests[out.constructor.name] = { result: out.result, scoreModifier: modifier, pass: out.pass };
  }
  const g = grader.getGradeForScore(
    uncurved >= charts.MINIMUM_SCORE_FOR_EXTRA_CREDIT ? extra : uncurved,
  );
  return { score: g.score, grade: g.grade, tests };
}
