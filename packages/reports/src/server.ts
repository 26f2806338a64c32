/**
 * The collector: ingest at `/report/<site>` and the dashboard everywhere
 * else, on one port, plus retention. Bound to loopback by default; bound
 * anywhere else it refuses to start without a dashboard token.
 *
 * @module
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createPolicy } from '@barbican/core';
import { compileIpMatcher } from '@barbican/core/parsers';
import { judge } from '@barbican/core/node';
import { createAuth } from './dashboard/auth.ts';
import { createDashboard } from './dashboard/index.ts';
import { BarbicanError } from './errors.ts';
import { createIngest, type Ingest, type IngestOptions } from './ingest.ts';
import { DAY_MS, type ReportStore } from './store/index.ts';
import { WriteQueue } from './store/queue.ts';

/** Options of {@link startCollector}. */
export interface CollectorOptions extends Omit<IngestOptions, 'queue' | 'clientAddress' | 'now'> {
  readonly store: ReportStore;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Serve HTTPS with this PEM certificate and key (browsers post Reporting API reports only to https). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Dashboard token; required unless bound to loopback. At least 16 characters. */
  readonly token?: string | undefined;
  /** Proxy peers (IPs, CIDRs, `loopback`, `private`…) whose X-Forwarded-For / Forwarded name the client. */
  readonly trustedProxies?: readonly string[];
  /**
   * Host names the dashboard answers to (a DNS-rebinding defence): on
   * loopback, localhost, 127.0.0.1 and [::1] plus these; elsewhere these
   * (default any host: the token protects the dashboard).
   */
  readonly dashboardHosts?: readonly string[];
  /** Days reports are kept (default 30); false keeps them forever. */
  readonly retentionDays?: number | false;
  /** Reports waiting for a commit beyond which requests get 503 (default 50 000). */
  readonly maxPending?: number;
  /** Where operational messages go (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** A running collector. */
export interface Collector {
  /** Base URL, e.g. `http://127.0.0.1:8700`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly ingest: Ingest;
  readonly queue: WriteQueue;
  /** Stops accepting, writes what is queued, stops retention. The store stays open. */
  close(): Promise<void>;
}

const isLoopback = compileIpMatcher(['loopback'], 'host');
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const MIN_TOKEN = 16;

/**
 * The dashboard is open without a token only when nothing but this machine
 * can reach it: bound to loopback, answering only to loopback host names,
 * and not behind a proxy (a proxy on loopback would carry the whole
 * network's requests to a "local" dashboard).
 */
function checkAccess(o: CollectorOptions, host: string): void {
  const token = o.token;
  if (token !== undefined && token.length < MIN_TOKEN) {
    throw new BarbicanError(
      'BARBICAN_E_REPORTS_TOKEN',
      `the token is shorter than ${MIN_TOKEN} characters`,
      { path: '--token', hint: 'Use a random token, e.g. openssl rand -base64 24' },
    );
  }
  if (token !== undefined) return;
  const exposure =
    host !== 'localhost' && !isLoopback(host)
      ? (['--host', host] as const)
      : (o.dashboardHosts?.length ?? 0) > 0
        ? (['--dashboard-host', o.dashboardHosts?.join(', ')] as const)
        : (o.trustedProxies?.length ?? 0) > 0
          ? (['--trusted-proxy', o.trustedProxies?.join(', ')] as const)
          : undefined;
  if (exposure === undefined) return;
  throw new BarbicanError(
    'BARBICAN_E_REPORTS_TOKEN',
    'the dashboard would be open to the network',
    {
      path: exposure[0],
      value: exposure[1],
      hint: 'Set --token (or BARBICAN_REPORTS_TOKEN); or bind to 127.0.0.1 and expose only /report/ through your proxy',
    },
  );
}

/** The client's address: the socket peer, or what a trusted proxy says (core's proxy trust). */
function addressResolver(
  trusted: readonly string[] | undefined,
): (req: IncomingMessage) => string | undefined {
  if (trusted === undefined || trusted.length === 0) return (req) => req.socket.remoteAddress;
  const policy = createPolicy({ preset: 'api', allowedHosts: ['*'], trustedProxies: [...trusted] });
  return (req) => {
    const verdict = judge(policy, req);
    return verdict.kind === 'pass' ? verdict.clientIp : req.socket.remoteAddress;
  };
}

/** `/report/<site>` → the site segment (validated by ingest), else undefined. */
function reportSite(url: string): string | undefined {
  if (!url.startsWith('/report/')) return undefined;
  const end = url.indexOf('?');
  return url.slice('/report/'.length, end === -1 ? undefined : end);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function startRetention(o: CollectorOptions): NodeJS.Timeout | undefined {
  const days = o.retentionDays ?? 30;
  if (days === false) return undefined;
  const prune = () => {
    o.store.prune(Date.now() - days * DAY_MS).catch((error: unknown) => {
      o.log?.(
        `barbican reports: retention failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  };
  prune();
  const timer = setInterval(prune, 3_600_000);
  timer.unref();
  return timer;
}

/**
 * Starts the collector and dashboard.
 *
 * @example
 * ```ts
 * const store = await openStore('sqlite:reports.db');
 * const collector = await startCollector({ store, port: 8700 });
 * console.log(`dashboard: ${collector.url}/`);
 * ```
 */
export async function startCollector(o: CollectorOptions): Promise<Collector> {
  const host = o.host ?? '127.0.0.1';
  checkAccess(o, host);
  const log = o.log ?? (() => undefined);
  const queue = new WriteQueue(o.store, {
    ...(o.maxPending === undefined ? {} : { maxPending: o.maxPending }),
    onError: (error) =>
      log(
        `barbican reports: a write failed, its reports were answered 503: ${error instanceof Error ? error.message : String(error)}`,
      ),
  });
  const ingest = createIngest({ ...o, queue, clientAddress: addressResolver(o.trustedProxies) });
  const loopback = host === 'localhost' || isLoopback(host);
  const dashboard = createDashboard({
    store: o.store,
    stats: ingest.stats,
    auth: createAuth(o.token),
    allowedHosts: loopback
      ? [...LOOPBACK_HOSTS, ...(o.dashboardHosts ?? [])]
      : [...(o.dashboardHosts ?? ['*'])],
    trustedProxies: o.trustedProxies,
  });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const site = reportSite(req.url ?? '/');
    if (site === undefined) dashboard(req, res);
    else ingest.handle(req, res, site);
  };
  const server =
    o.tls === undefined ? createHttpServer(handler) : createHttpsServer(o.tls, handler);
  // Reports are small: a client dribbling one for longer is holding a socket hostage.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  const port = await listen(server, o.port ?? 0, host);
  const retention = startRetention(o);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${o.tls === undefined ? 'http' : 'https'}://${shown}:${port}`,
    port,
    server,
    ingest,
    queue,
    async close() {
      if (retention !== undefined) clearInterval(retention);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await queue.drain();
    },
  };
}
