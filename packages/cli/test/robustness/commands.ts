/**
 * The robustness suite's command table: one row per `barbican` command,
 * saying where that command takes a file, a string or a server, and one
 * valid run for the closed-stdout case. The suite crosses every row with
 * every hostile input in `inputs.ts`.
 *
 * To cover a new command, add one row here (a command that reads no file
 * has `files: []`; one that connects nowhere has `servers: []`). Nothing
 * else changes.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Exit, HostileServer } from './inputs.ts';

/** What a row's argv builders can use: the scratch dir and known-good files. */
export interface Fixtures {
  readonly dir: string;
  /** A valid config (`{"preset": "strict"}`). */
  readonly config: string;
  /** A PEM private key. */
  readonly key: string;
  /** A PEM certificate for {@link Fixtures.key}. */
  readonly cert: string;
  /** A KrakenD config to import. */
  readonly krakend: string;
  /** A port where nothing listens. */
  readonly closedPort: number;
}

/** Where a command reads a file, and what it answers for a hostile one. */
export interface FileSlot {
  /** argv with `file` in its place. */
  readonly argv: (file: string, fx: Fixtures) => string[];
  /** Only the non-regular files (secondary slots, read by the same reader). */
  readonly nonRegularOnly?: boolean;
  /** Answers that differ from the input's own, by input name. */
  readonly expect?: Readonly<Record<string, readonly Exit[]>>;
}

/** One command of the table. */
export interface CommandRow {
  readonly command: string;
  /** `--json` is appended to every case (stdout must then be JSON); or the output is always JSON. */
  readonly json: 'flag' | 'always' | 'never';
  /** Where the command reads files. */
  readonly files: readonly FileSlot[];
  /** Where the command takes a free string: argv with `text` in its place. */
  readonly texts: readonly ((text: string, fx: Fixtures) => string[])[];
  /** Where the command connects, and what it answers for each server, if not the scan's. */
  readonly servers: readonly {
    readonly argv: (server: HostileServer, fx: Fixtures) => string[];
    readonly expect?: (server: HostileServer) => readonly Exit[];
  }[];
  /** A valid run that prints a report, for the closed-stdout case, and its exit code. */
  readonly output: { readonly argv: (fx: Fixtures) => string[]; readonly code: Exit };
}

const PINS =
  'pin-sha256="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; pin-sha256="BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB="; max-age=60';

let gatewayConfigs = 0;

/**
 * A gateway config with a certificate (so no first-run certificate is
 * written into the working directory) whose files are `cert` and `key`.
 */
function gatewayConfig(fx: Fixtures, cert = fx.cert, key = fx.key): string {
  // One file per case: every argv is built before the batch runs.
  const file = join(fx.dir, `gateway-${++gatewayConfigs}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      preset: 'strict',
      allowedHosts: ['app.example'],
      tls: { certificates: [{ cert, key }] },
      gateway: { upstreams: [`http://127.0.0.1:${fx.closedPort}`], listen: '127.0.0.1:0' },
    }),
  );
  return file;
}

/** A throw-away reports database in the scratch dir (never the working directory's default). */
const reportsDb = (fx: Fixtures): string => `sqlite:${join(fx.dir, 'reports.db')}`;

/** The commands in main. `demo` takes no input and scans itself; it is covered by closed stdout only. */
export const ROWS: readonly CommandRow[] = [
  {
    command: 'check',
    json: 'flag',
    files: [{ argv: (f) => ['check', '--config', f] }],
    texts: [],
    servers: [],
    output: { argv: (fx) => ['check', '--config', fx.config], code: 0 },
  },
  {
    command: 'headers',
    json: 'flag',
    files: [{ argv: (f) => ['headers', '--config', f] }],
    texts: [
      (t) => ['headers', '--preset', 'strict', '-H', `X-Test: ${t}`],
      (t) => ['headers', '--preset', 'strict', '--url', `https://app.example/${t}`],
      (t) => ['headers', '--preset', 'strict', '--peer', t],
    ],
    servers: [],
    output: { argv: () => ['headers', '--preset', 'strict'], code: 0 },
  },
  {
    command: 'schema',
    json: 'always',
    files: [],
    texts: [],
    servers: [],
    output: { argv: () => ['schema'], code: 0 },
  },
  {
    command: 'import',
    json: 'always',
    files: [
      {
        argv: (f) => ['import', '--from', 'krakend', f],
        // Unknown keys of a foreign config are warnings (escaped), not errors.
        expect: { 'JSON with control characters in keys and values': [0] },
      },
      { argv: (f) => ['import', '--from', 'helmet', f], nonRegularOnly: true },
    ],
    texts: [(t, fx) => ['import', '--from', 'traefik', fx.krakend, '--middleware', t]],
    servers: [],
    output: { argv: (fx) => ['import', '--from', 'krakend', fx.krakend], code: 0 },
  },
  {
    command: 'pin',
    json: 'flag',
    files: [
      { argv: (f) => ['pin', f] },
      { argv: (f, fx) => ['pin', '--passphrase-file', f, fx.key], nonRegularOnly: true },
      {
        argv: (f, fx) => ['pin', '--host', `127.0.0.1:${fx.closedPort}`, '--ca', f],
        nonRegularOnly: true,
      },
    ],
    texts: [
      (t) => ['pin', '--host', t],
      (t) => ['pin', '--header', t, 'pin-sha256="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'],
    ],
    servers: [
      {
        argv: (s) => ['pin', '--host', `127.0.0.1:${s.port}`, '--insecure', '--timeout', '1500'],
        // Only the TLS server has a chain to pin (read with --insecure: the date is malformed).
        expect: (s) => (s.tls ? [0] : [2]),
      },
      {
        argv: (s) => [
          'pin',
          '--check',
          `127.0.0.1:${s.port}`,
          '--header',
          PINS,
          '--insecure',
          '--timeout',
          '1500',
        ],
        // No pin matches: a failed check is a finding (1); no TLS is an error (2).
        expect: (s) => (s.tls ? [1] : [2]),
      },
    ],
    output: { argv: (fx) => ['pin', fx.key], code: 0 },
  },
  {
    command: 'scan',
    json: 'flag',
    files: [
      { argv: (f) => ['scan', '--input', f] },
      { argv: (f) => ['scan', 'https://127.0.0.1:1/', '--ca', f], nonRegularOnly: true },
      { argv: (f) => ['scan', 'https://127.0.0.1:1/', '--policy', f] },
    ],
    texts: [(t) => ['scan', t, '--timeout', '1000']],
    servers: [
      {
        argv: (s, fx) =>
          s.tls
            ? [
                'scan',
                `https://127.0.0.1:${s.port}/`,
                '--http-port',
                String(fx.closedPort),
                '--insecure',
                '--timeout',
                '1500',
              ]
            : [
                'scan',
                `http://127.0.0.1:${s.port}/`,
                '--https-port',
                String(s.port),
                '--timeout',
                '1500',
              ],
      },
    ],
    output: {
      argv: (fx) => ['scan', `http://127.0.0.1:${fx.closedPort}/`, '--timeout', '500'],
      code: 2,
    },
  },
  {
    command: 'csp',
    json: 'flag',
    files: [],
    texts: [(t) => ['csp', t]],
    servers: [],
    output: { argv: () => ['csp', "script-src 'self'; object-src 'none'"], code: 0 },
  },
  {
    command: 'export',
    json: 'flag',
    files: [{ argv: (f) => ['export', '--target', 'nginx', '--config', f] }],
    texts: [(t) => ['export', '--target', t, '--preset', 'strict']],
    servers: [],
    output: { argv: () => ['export', '--target', 'nginx', '--preset', 'strict'], code: 0 },
  },
  {
    // A server that runs until a signal: every hostile input must be refused
    // before it listens (a case that listened would hang the batch).
    command: 'gateway',
    json: 'never',
    files: [
      { argv: (f) => ['gateway', '--config', f] },
      { argv: (f, fx) => ['gateway', '--config', gatewayConfig(fx, f)], nonRegularOnly: true },
      {
        argv: (f, fx) => ['gateway', '--config', gatewayConfig(fx, fx.cert, f)],
        nonRegularOnly: true,
      },
    ],
    texts: [
      (t, fx) => ['gateway', '--config', gatewayConfig(fx), '--upstream', t],
      (t, fx) => ['gateway', '--config', gatewayConfig(fx), '--listen', t],
    ],
    servers: [],
    output: { argv: () => ['gateway', '--help'], code: 0 },
  },
  {
    command: 'reports',
    json: 'flag',
    files: [
      { argv: (f) => ['reports', 'list', '--db', `sqlite:${f}`] },
      {
        argv: (f) => ['reports', 'learn', '--site', 'shop', '--db', `sqlite:${f}`],
        nonRegularOnly: true,
      },
      {
        // Refused before the database is opened or a port is bound.
        argv: (f, fx) => [
          'reports',
          'serve',
          '--port',
          '0',
          '--db',
          reportsDb(fx),
          '--cert',
          f,
          '--key',
          f,
        ],
        nonRegularOnly: true,
      },
    ],
    texts: [
      (t, fx) => ['reports', 'list', '--db', reportsDb(fx), '--site', t],
      (t, fx) => ['reports', 'learn', '--db', reportsDb(fx), '--site', t],
    ],
    servers: [],
    output: { argv: (fx) => ['reports', 'list', '--db', reportsDb(fx)], code: 0 },
  },
];
