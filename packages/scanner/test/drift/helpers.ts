/**
 * Shared by the drift tests of the scanner and the CLI: loopback servers
 * that are closed with every socket they accepted, a page, and a compact
 * view of the drift findings of a result.
 */
import type { RequestListener } from 'node:http';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { ScanResult } from '../../src/model.ts';

/** Servers on 127.0.0.1, port 0; `close()` destroys their sockets and closes them. */
export function loopback(): {
  listen(server: Server): Promise<number>;
  close(): void;
} {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  return {
    listen(server) {
      servers.push(server);
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      return new Promise((resolve) => {
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      for (const s of servers) s.close();
    },
  };
}

/** A small HTML page. */
export const page: RequestListener = (_req, res) => {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end('<!doctype html><title>drift</title><p>hello</p>');
};

/** `code scheme header` of each drift finding, with the value for TLS (the suite or version), sorted. */
export function driftCodes(r: ScanResult): string[] {
  return r.findings
    .filter((f) => f.code.startsWith('drift.'))
    .map((f) =>
      [f.code, f.directive, f.header, f.header === 'tls' ? f.value : undefined]
        .filter((x) => x !== undefined)
        .join(' '),
    )
    .sort();
}
