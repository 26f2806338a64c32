/**
 * A real Next.js server for the adapter suites: the app in `next-app/`
 * (Barbican's `proxy.ts`, a page that reads the nonce, a catch-all route
 * handler) built once with the installed `next build`, then served by
 * `next start` on 127.0.0.1 and a port the kernel picks, one process per
 * policy.
 *
 * The build is cached in `.cache/next-app/<key>/` (git-ignored), keyed by a
 * hash of the app's sources, every source of `@barbican/core` (the build
 * bundles them), and the versions of next and react: a change to any of them
 * builds again, anything else reuses the build. Test files running in
 * parallel share one build through a lock directory. The build is bounded
 * ({@link BUILD_TIMEOUT_MS}), and so is each server's start.
 *
 * @module
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PolicyOptions } from '../../src/policy/index.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const APP_SOURCES = join(import.meta.dirname, 'next-app');
const CORE_SOURCES = join(ROOT, 'packages/core/src');
const CACHE = join(ROOT, '.cache/next-app');
const NEXT_BIN = join(ROOT, 'node_modules/next/dist/bin/next');

/** A cold `next build` of this app: about 15 s of CPU; far more on a loaded machine. */
export const BUILD_TIMEOUT_MS = 300_000;
/** From `next start` to "Ready". */
const START_TIMEOUT_MS = 60_000;
/** A crashed builder's lock is taken over after this long. */
const STALE_LOCK_MS = BUILD_TIMEOUT_MS + 30_000;
/** The file written last by a successful build. */
const DONE = '.barbican-build-done';

/** The tsconfig Next would write into the app; given, so the build neither writes nor validates one. */
const APP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2017',
    lib: ['dom', 'dom.iterable', 'esnext'],
    allowJs: true,
    skipLibCheck: true,
    strict: false,
    noEmit: true,
    incremental: true,
    module: 'esnext',
    esModuleInterop: true,
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: 'react-jsx',
    plugins: [{ name: 'next' }],
  },
  include: ['next-env.d.ts', '.next/types/**/*.ts', '**/*.ts'],
  exclude: ['node_modules'],
};

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && keep(f))
    .sort();
}

/** The cache key: what the build's output depends on. */
function buildKey(): string {
  const hash = createHash('sha256');
  for (const pkg of ['next', 'react', 'react-dom']) {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8'),
    ) as { version: string };
    hash.update(`${pkg}@${manifest.version}\n`);
  }
  const sources = [
    ...filesUnder(APP_SOURCES, () => true),
    ...filesUnder(CORE_SOURCES, (f) => !f.endsWith('.test.ts')),
    join(ROOT, 'packages/core/package.json'),
  ];
  for (const file of sources) {
    hash.update(`${relative(ROOT, file)}\n`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** A `next` child process and the tail of what it printed. */
interface NextChild {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly output: () => string;
}

/** Spawns `next <args>` in `cwd` with Node 24 (this process's), keeping the last 20 kB it prints. */
function spawnNext(args: string[], cwd: string, vars: Record<string, string>): NextChild {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd,
    env: nextEnv(vars),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer): void => {
    output = (output + d.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return { child, output: () => output };
}

/** Runs `next <args>` in `cwd`; resolves with its output, rejects on failure or timeout. */
function runNext(args: string[], cwd: string, timeoutMs: number): Promise<string> {
  const { child, output } = spawnNext(args, cwd, {});
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output());
      else
        reject(
          new Error(`next ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output()}`),
        );
    });
  });
}

/**
 * The environment of a `next` child: the test runner's, minus what would
 * make the child act as a test subprocess, plus `vars`.
 */
function nextEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...vars };
  delete env['NODE_TEST_CONTEXT'];
  return env;
}

async function build(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  cpSync(APP_SOURCES, dir, { recursive: true });
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG, null, 2));
  await runNext(['build'], dir, BUILD_TIMEOUT_MS);
  writeFileSync(join(dir, DONE), new Date().toISOString());
}

/** Removes builds of other keys (each is ~35 MB). */
function prune(keep: string): void {
  if (!existsSync(CACHE)) return;
  for (const name of readdirSync(CACHE)) {
    if (name === keep || name === `${keep}.lock`) continue;
    const path = join(CACHE, name);
    // A lock younger than the stale limit belongs to a build in progress.
    if (name.endsWith('.lock') && Date.now() - statSync(path).mtimeMs < STALE_LOCK_MS) continue;
    rmSync(path, { recursive: true, force: true });
  }
}

let building: Promise<string> | undefined;

/**
 * The directory of a finished build of the test app, building it first when
 * the cache has none for the current sources.
 */
export function nextBuild(): Promise<string> {
  building ??= ensureBuild();
  return building;
}

async function ensureBuild(): Promise<string> {
  const key = buildKey();
  const dir = join(CACHE, key);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + STALE_LOCK_MS + BUILD_TIMEOUT_MS;
  mkdirSync(CACHE, { recursive: true });
  for (;;) {
    if (existsSync(join(dir, DONE))) return dir;
    try {
      mkdirSync(lock);
    } catch {
      // Another test process is building this key: wait for it, or take
      // over a lock its (crashed) owner left behind.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > STALE_LOCK_MS)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for the Next build in ${dir}`);
      await sleep(500);
      continue;
    }
    try {
      prune(key);
      await build(dir);
      return dir;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** A running `next start`. */
export interface NextServer {
  readonly url: string;
  readonly port: number;
  /** What the server printed (for failure messages). */
  readonly output: () => string;
  close(): Promise<void>;
}

/** What the test app's proxy.ts reads from BARBICAN_NEXT_POLICY. */
export interface NextAppSpec {
  policy: PolicyOptions;
  route: PolicyOptions;
}

/**
 * Starts `next start -H 127.0.0.1 -p 0` on a build, with the app's policy
 * and the URL its route handler reports each call to.
 */
export async function startNext(
  dir: string,
  spec: NextAppSpec,
  callsUrl: string,
): Promise<NextServer> {
  const { child, output } = spawnNext(['start', '-H', '127.0.0.1', '-p', '0'], dir, {
    BARBICAN_NEXT_POLICY: JSON.stringify(spec),
    BARBICAN_NEXT_CALLS: callsUrl,
    NODE_ENV: 'production',
  });
  const close = (): Promise<void> => stop(child);
  try {
    const port = await readyPort(child, output);
    return { url: `http://127.0.0.1:${port}`, port, output, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function readyPort(child: ChildProcess, output: () => string): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`next start exited:\n${output()}`);
    const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output())?.[1];
    if (port !== undefined && /Ready in/.test(output())) return Number(port);
    await sleep(50);
  }
  throw new Error(`next start was not ready in ${START_TIMEOUT_MS} ms:\n${output()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A TLS terminator in front of a plain-HTTP server. */
export interface TlsFront {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Terminates TLS on 127.0.0.1 and forwards each request to `port` as it
 * came, plus `X-Forwarded-Proto: https`: what nginx or a load balancer does
 * in front of `next start`, which serves plain HTTP only.
 */
export async function tlsFront(
  port: number,
  tls: { key: string; cert: string },
): Promise<TlsFront> {
  const server = createHttpsServer(tls, (req, res) => {
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.url,
        headers: [...req.rawHeaders, 'X-Forwarded-Proto', 'https'],
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
