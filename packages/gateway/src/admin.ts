/**
 * The admin listener: `GET /healthz` (200 while at least one upstream is in
 * rotation, else 503) and `GET /metrics` (Prometheus text format). Bound to
 * loopback by default; elsewhere it requires a bearer token, compared in
 * constant time (SHA-256 digests, so the length does not leak either).
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What the admin endpoints report. */
export interface AdminSource {
  /** Upstreams in rotation and in total. */
  health(): { healthy: number; total: number };
  /** Prometheus exposition text and its content type. */
  metrics(): Promise<{ text: string; contentType: string }>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/**
 * Creates the admin server (not yet listening).
 *
 * @example
 * ```ts
 * createAdminServer(source, undefined).listen(9901, '127.0.0.1');
 * ```
 */
export function createAdminServer(source: AdminSource, token: string | undefined): Server {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  const authorized = (req: IncomingMessage): boolean => {
    if (expected === undefined) return true;
    return timingSafeEqual(digest(req.headers.authorization ?? ''), expected);
  };
  const server = createServer((req, res) => {
    if (!authorized(req)) {
      res.setHeader('www-authenticate', 'Bearer');
      send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const h = source.health();
      const ok = h.healthy > 0;
      send(
        res,
        ok ? 200 : 503,
        'application/json',
        `${JSON.stringify({ status: ok ? 'ok' : 'unavailable', upstreams: h })}\n`,
      );
      return;
    }
    if (path === '/metrics') {
      source.metrics().then(
        (m) => send(res, 200, m.contentType, m.text),
        () => send(res, 503, 'text/plain; charset=utf-8', 'metrics unavailable\n'),
      );
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  return server;
}
