/** Shared test helpers: a collector on loopback with an in-memory store, and report posts. */
import { request } from 'node:http';
import {
  openStore,
  startCollector,
  type Collector,
  type CollectorOptions,
  type ReportStore,
} from '../src/index.ts';

/** A running collector and its store. */
export interface Running {
  readonly collector: Collector;
  readonly store: ReportStore;
  stop(): Promise<void>;
}

/** Starts a collector on 127.0.0.1:0 with `sqlite::memory:` unless a store is given. */
export async function running(
  opts: Partial<CollectorOptions> = {},
  db = 'sqlite::memory:',
): Promise<Running> {
  const store = opts.store ?? (await openStore(db));
  const collector = await startCollector({ retentionDays: false, ...opts, store });
  return {
    collector,
    store,
    async stop() {
      await collector.close();
      await store.close();
    },
  };
}

/** A legacy CSP report body. */
export function legacy(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    'csp-report': {
      'document-uri': 'https://shop.example/',
      'effective-directive': 'img-src',
      'blocked-uri': 'https://cdn.example/a.png',
      ...over,
    },
  });
}

/** POSTs `body` to `/report/<site>`; resolves status, headers and text. */
export async function post(
  base: string,
  site: string,
  body: string | Uint8Array<ArrayBuffer>,
  contentType = 'application/csp-report',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${base}/report/${site}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Sends a chunked body of `total` bytes in 16 KiB chunks; resolves the status (or 'reset'). */
export function chunked(base: string, site: string, total: number): Promise<number | 'reset'> {
  return new Promise((resolve) => {
    const url = new URL(`${base}/report/${site}`);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/csp-report' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve('reset'));
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}
