/**
 * The dashboard's routes, served through Barbican's own middleware with a
 * strict nonce-based CSP (no `'unsafe-inline'`, `default-src 'none'`).
 *
 * | route | what |
 * |---|---|
 * | `GET /` | filters, chart, groupings, reports, learn button |
 * | `GET /details?fp=` | one de-duplicated report, every field |
 * | `GET /learn?site=&since=` | the proposed policy |
 * | `GET /api/reports`, `/api/learn`, `/api/stats` | the same as JSON |
 * | `GET /healthz` | `ok` (no login: for load balancers) |
 * | `GET`/`POST /login` | the token form (when a token is required) |
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { createPolicy, type PolicyOptions } from '@barbican/core';
import { nonceOf, withBarbican } from '@barbican/core/node';
import type { IngestStats } from '../ingest.ts';
import { learnPolicy } from '../learn/index.ts';
import { GROUP_BY, REPORT_TYPES, type ReportQuery, type ReportType } from '../model.ts';
import type { ReportStore } from '../store/index.ts';
import { TokenBuckets } from '../rate.ts';
import type { Auth } from './auth.ts';
import {
  NONE,
  WINDOWS,
  renderDashboard,
  renderDetails,
  renderLearn,
  renderLogin,
  type DashboardModel,
  type Filters,
  type WindowName,
} from './page.ts';

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  readonly store: ReportStore;
  readonly stats: IngestStats;
  readonly auth: Auth;
  /** Host names the dashboard answers to (DNS-rebinding defence). */
  readonly allowedHosts: readonly string[];
  readonly trustedProxies?: readonly string[] | undefined;
  /** `learn`'s one-off threshold. */
  readonly minCount?: number | undefined;
}

/**
 * The dashboard's policy: the barbican preset with a CSP that allows
 * nothing but this response's nonce (scripts and styles), no images, no
 * fonts, no framing, forms to itself only, and no caching.
 */
export function dashboardPolicyOptions(
  allowedHosts: readonly string[],
  trustedProxies?: readonly string[],
): PolicyOptions {
  return {
    preset: 'barbican',
    allowedHosts: [...allowedHosts],
    ...(trustedProxies === undefined ? {} : { trustedProxies: [...trustedProxies] }),
    headers: {
      csp: {
        directives: {
          'default-src': ["'none'"],
          'script-src': ["'strict-dynamic'"],
          'style-src': false,
          'img-src': false,
          'font-src': false,
          'base-uri': ["'none'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          'upgrade-insecure-requests': false,
        },
        nonce: ['script-src', 'style-src'],
      },
      cacheControl: { cacheControl: 'no-store' },
    },
  };
}

const SITE = /^[a-z0-9][\w.-]{0,63}$/i;
const FINGERPRINT = /^[0-9a-f]{32}$/;
const MAX_FILTER = 2048;

function param(url: URL, name: string): string | null | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '' || v.length > MAX_FILTER) return undefined;
  return v === NONE ? null : v;
}

/** Reads the filters from the query string, ignoring anything malformed. */
export function readFilters(url: URL): Filters {
  const site = url.searchParams.get('site') ?? '';
  const type = url.searchParams.get('type') ?? '';
  const since = url.searchParams.get('since') ?? '';
  return {
    site: SITE.test(site) ? site : undefined,
    type: (REPORT_TYPES as readonly string[]).includes(type) ? (type as ReportType) : undefined,
    window: Object.hasOwn(WINDOWS, since) ? (since as WindowName) : '7d',
    directive: param(url, 'directive'),
    blockedHost: param(url, 'blockedHost'),
    sourceFile: param(url, 'sourceFile'),
  };
}

function toQuery(f: Filters, now: number, limit?: number): ReportQuery {
  return {
    site: f.site,
    type: f.type,
    since: now - WINDOWS[f.window],
    directive: f.directive,
    blockedHost: f.blockedHost,
    sourceFile: f.sourceFile,
    limit,
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);
const html = (res: ServerResponse, status: number, body: string) =>
  send(res, status, 'text/html; charset=utf-8', body);

async function model(o: DashboardOptions, f: Filters): Promise<DashboardModel> {
  const to = Date.now();
  const q = toQuery(f, to, 200);
  const groups = await Promise.all(GROUP_BY.map((by) => o.store.groups(by, q)));
  return {
    filters: f,
    sites: await o.store.sites(),
    from: q.since ?? to,
    to,
    timeline: await o.store.timeline(q),
    groups: Object.fromEntries(
      GROUP_BY.map((by, i) => [by, groups[i] ?? []]),
    ) as unknown as DashboardModel['groups'],
    records: await o.store.list(q),
    drops: await o.store.drops({ site: f.site, since: q.since }),
    stats: o.stats,
  };
}

async function learn(o: DashboardOptions, f: Filters) {
  const records = await o.store.list({
    site: f.site,
    type: 'csp-violation',
    since: Date.now() - WINDOWS[f.window],
    limit: 10_000,
  });
  return learnPolicy(records, { minCount: o.minCount ?? 2 });
}

function readForm(req: IncomingMessage, cap: number): Promise<URLSearchParams | null> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > cap) {
        req.removeAllListeners('data');
        resolve(null);
      }
    });
    req.once('end', () => resolve(body.length > cap ? null : new URLSearchParams(body)));
    req.once('error', () => resolve(null));
  });
}

async function route(
  o: DashboardOptions,
  logins: TokenBuckets,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const path = url.pathname;
  if (path === '/healthz') return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
  if (path === '/login' && o.auth.required) {
    if (req.method !== 'POST') return html(res, 200, renderLogin(nonceOf(res), false));
    const form = await readForm(req, 4096);
    const limited = !logins.take(req.socket.remoteAddress ?? '?');
    if (form === null || limited || !o.auth.accepts(form.get('token') ?? '')) {
      return html(res, limited ? 429 : 401, renderLogin(nonceOf(res), true));
    }
    const secure = (req.socket as Partial<TLSSocket>).encrypted === true;
    res.setHeader('set-cookie', o.auth.sessionCookie(secure));
    res.setHeader('location', '/');
    return send(res, 303, 'text/plain; charset=utf-8', 'signed in\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  if (!o.auth.allows(req)) {
    if (path.startsWith('/api/')) return json(res, 401, { error: 'a token is required' });
    return html(res, 401, renderLogin(nonceOf(res), false));
  }
  const f = readFilters(url);
  switch (path) {
    case '/':
      return html(res, 200, renderDashboard(await model(o, f), nonceOf(res)));
    case '/details': {
      const fp = url.searchParams.get('fp') ?? '';
      const record = FINGERPRINT.test(fp) ? await o.store.get(fp, f.site) : undefined;
      return html(res, record === undefined ? 404 : 200, renderDetails(record, nonceOf(res)));
    }
    case '/learn':
      if (f.site === undefined) return html(res, 400, renderDetails(undefined, nonceOf(res)));
      return html(res, 200, renderLearn(f.site, await learn(o, f), nonceOf(res)));
    case '/api/reports':
      return json(
        res,
        200,
        await o.store.list(
          toQuery(f, Date.now(), Number(url.searchParams.get('limit') ?? 100) || 100),
        ),
      );
    case '/api/learn':
      if (f.site === undefined) return json(res, 400, { error: 'site= is required' });
      return json(res, 200, await learn(o, f));
    case '/api/stats':
      return json(res, 200, o.stats);
    default:
      return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }
}

/**
 * The dashboard as a node:http listener, already wrapped in Barbican's
 * middleware.
 *
 * @example
 * ```ts
 * const dashboard = createDashboard({ store, stats, auth: createAuth(undefined), allowedHosts: ['localhost'] });
 * ```
 */
export function createDashboard(
  o: DashboardOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const policy = createPolicy(dashboardPolicyOptions(o.allowedHosts, o.trustedProxies));
  // Ten tries, then one every ten seconds, per peer: guessing a 16+ character token this way is hopeless.
  const logins = new TokenBuckets({ rate: 0.1, burst: 10 });
  return withBarbican((req, res) => {
    route(o, logins, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  }, policy);
}
