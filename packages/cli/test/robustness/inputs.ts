/**
 * The hostile inputs of the CLI robustness suite: files that are not files
 * or are absurd, strings with control characters, and loopback servers that
 * misbehave. Each is data with the exit codes any command must answer it
 * with; `commands.ts` says where each command takes such an input.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { month99Leaf } from '../../../scanner/test/tls/certs.ts';

/** Exit codes a run may end with, by their documented meaning. */
export type Exit = 0 | 1 | 2;

/** Everything a "clean" run may answer: 0 ok, 1 findings. */
export const REPORT: readonly Exit[] = [0, 1];
/** A refused input: 2 with one line on stderr. */
export const REFUSED: readonly Exit[] = [2];

/** A hostile file: made once, placed at every file argument of every command. */
export interface HostileFile {
  readonly name: string;
  /** Creates it in `dir` (or names a device) and returns its path. */
  readonly make: (dir: string) => string;
  /** The answers allowed; a command row may narrow or widen them. */
  readonly expect: readonly Exit[];
  /** The input's size in bytes, when output must stay linear in it. */
  readonly bytes?: number;
}

const DEEP = 500_000;
const CONTROL = '\u001b[31mRED\nbarbican: fake success line \u009b\u202e';

/** Files that are not regular files, or are absurd ones: every reader must refuse them at once. */
export const HOSTILE_FILES: readonly HostileFile[] = [
  { name: '/dev/zero', make: () => '/dev/zero', expect: REFUSED },
  {
    name: 'a FIFO nobody writes to',
    make: (dir) => {
      const path = join(dir, 'fifo.json');
      execFileSync('mkfifo', [path]);
      return path;
    },
    expect: REFUSED,
  },
  { name: 'a directory', make: (dir) => dir, expect: REFUSED },
  {
    name: 'a 64 MiB file (sparse)',
    make: (dir) => {
      const path = join(dir, 'huge.json');
      writeFileSync(path, '');
      truncateSync(path, 64 * 1024 * 1024);
      return path;
    },
    expect: REFUSED,
  },
  {
    name: `JSON nested ${DEEP} deep (1 MB)`,
    make: (dir) => write(dir, 'deep.json', `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`),
    expect: REFUSED,
  },
  {
    name: 'YAML nested 300,000 deep',
    make: (dir) => write(dir, 'deep.yaml', `${'- '.repeat(300_000)}x\n`),
    expect: REFUSED,
  },
  {
    name: 'JSON with control characters in keys and values',
    make: (dir) =>
      write(dir, 'control.json', JSON.stringify({ [CONTROL]: 1, preset: CONTROL, c1: 'a\u009bb' })),
    expect: REFUSED,
  },
  {
    name: 'binary garbage (NUL bytes)',
    make: (dir) =>
      write(
        dir,
        'garbage.pem',
        Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
      ),
    expect: REFUSED,
  },
];

function write(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A hostile string, placed at every text argument of every command. */
export interface HostileText {
  readonly name: string;
  readonly text: string;
  readonly expect: readonly Exit[];
}

/** 120 KB of CSP sources: under Linux's 128 KiB limit for one argument. */
const HUGE_POLICY = `script-src ${Array.from({ length: 4_500 }, (_, i) => `https://h${i}.example.com`).join(' ')}`;

export const HOSTILE_TEXTS: readonly HostileText[] = [
  { name: 'control characters and a forged barbican: line', text: CONTROL, expect: [0, 1, 2] },
  {
    name: `a ${Math.round(HUGE_POLICY.length / 1024)} KB argument`,
    text: HUGE_POLICY,
    expect: [0, 1, 2],
  },
];

/** A running hostile server: where it listens and what it is. */
export interface HostileServer {
  readonly name: string;
  readonly port: number;
  /** It speaks TLS (an HTTPS URL and `pin --host` target). */
  readonly tls: boolean;
  /** What `scan` may answer (pin answers per its own row). */
  readonly scan: readonly Exit[];
}

/** The server definitions; `startServers` brings them up on loopback. */
interface ServerSpec {
  readonly name: string;
  readonly tls?: boolean;
  readonly scan: readonly Exit[];
  readonly start: () => Server | TcpServer;
}

const CONTROL_HEAD = [
  'HTTP/1.1 200 OK',
  'Content-Type: text/html',
  // Node's parser refuses CR/LF, C0 and DEL in a head, but not C1 bytes (obs-text).
  'Set-Cookie: se\u009bssion=1; Path=/',
  'Server: evil/1.2\u009b[2Jbarbican: fake success',
  'Connection: close',
  '',
  '',
].join('\r\n');
const CONTROL_BODY = `<html><head><meta http-equiv="Content-Security-Policy" content="script-src ${CONTROL}"></head></html>`;

/** Sockets of the raw servers, destroyed on stop (a silent one would keep its server open). */
const rawSockets = new Set<import('node:net').Socket>();

function rawServer(respond: (socket: import('node:net').Socket) => void): TcpServer {
  return createTcpServer((socket) => {
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
    socket.on('error', () => undefined);
    respond(socket);
  });
}

const SERVERS: readonly ServerSpec[] = [
  {
    name: 'a silent server (accepts, never answers)',
    scan: REFUSED,
    start: () => rawServer(() => undefined),
  },
  {
    name: 'a server that resets',
    scan: REFUSED,
    start: () => rawServer((s) => s.resetAndDestroy()),
  },
  {
    name: 'a server that answers garbage',
    scan: REFUSED,
    start: () => rawServer((s) => s.end(Buffer.from('\u0000\u00ff\u001b[2J not http\r\n\r\n'))),
  },
  {
    name: 'an endless redirect chain',
    scan: REFUSED,
    start: () =>
      createHttpServer((req, res) => res.writeHead(302, { location: `${req.url ?? '/'}x` }).end()),
  },
  {
    name: 'a javascript: Location',
    scan: REFUSED,
    start: () =>
      createHttpServer((_req, res) =>
        res.writeHead(302, { location: 'javascript:alert(1)' }).end(),
      ),
  },
  {
    name: 'a body trickling in forever',
    scan: REPORT,
    start: () =>
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        const timer = setInterval(() => res.write('<p>'), 100);
        res.on('close', () => clearInterval(timer));
      }),
  },
  {
    name: 'a 64 KB response head',
    scan: REFUSED,
    start: () =>
      createHttpServer((_req, res) => res.writeHead(200, { 'x-big': 'a'.repeat(64 * 1024) }).end()),
  },
  {
    name: 'control characters in header values, a cookie name and a <meta> CSP',
    scan: REPORT,
    // Latin-1: one raw byte per C1 character, as a hostile server sends it.
    start: () =>
      rawServer((s) =>
        s.end(Buffer.concat([Buffer.from(CONTROL_HEAD, 'latin1'), Buffer.from(CONTROL_BODY)])),
      ),
  },
  {
    name: 'a 100 KB <meta> CSP',
    scan: REPORT,
    start: () =>
      createHttpServer((_req, res) => {
        const hosts = Array.from({ length: 3_800 }, (_, i) => `https://h${i}.example.com`).join(
          ' ',
        );
        res.writeHead(200, { 'content-type': 'TEXT/HTML' });
        res.end(
          `<html><head><meta http-equiv="Content-Security-Policy" content="script-src ${hosts}"></head></html>`,
        );
      }),
  },
  {
    name: 'TLS with a certificate dated month 99',
    tls: true,
    scan: REPORT,
    start: () => {
      const server = createHttpsServer(month99Leaf(), (_req, res) => res.end('<p>ok'));
      server.on('tlsClientError', () => undefined);
      return server;
    },
  },
];

/** Starts every hostile server on loopback (random ports) and a scratch dir; `stop` undoes both. */
export async function startFixtures(): Promise<{
  dir: string;
  servers: readonly HostileServer[];
  /** A port where nothing listens. */
  closedPort: number;
  stop: () => void;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-robust-'));
  const running: (Server | TcpServer)[] = [];
  const servers: HostileServer[] = [];
  for (const spec of SERVERS) {
    const server = spec.start();
    running.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    servers.push({ name: spec.name, port, tls: spec.tls === true, scan: spec.scan });
  }
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return {
    dir,
    servers,
    closedPort,
    stop: () => {
      for (const socket of rawSockets) socket.destroy();
      for (const s of running) {
        if ('closeAllConnections' in s) s.closeAllConnections();
        s.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
