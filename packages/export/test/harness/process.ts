/**
 * Running the real servers: their validators, and the servers themselves
 * in the foreground as children of the test process, stopped by pid.
 * A missing binary is a failure naming the Debian package, never a skip.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

/** The Debian package that provides each binary. */
const PACKAGES: Readonly<Record<string, string>> = {
  '/usr/sbin/nginx': 'nginx-light (or nginx)',
  '/usr/sbin/apache2': 'apache2',
  '/usr/bin/caddy': 'caddy',
  '/usr/sbin/haproxy': 'haproxy',
};

/** Throws, naming the package to install, when `bin` is missing. */
export function requireBinary(bin: string): string {
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: install Debian's ${PACKAGES[bin] ?? 'package'} (apt-get install -y --no-install-recommends ${(PACKAGES[bin] ?? '').split(' ')[0] ?? ''})`,
    );
  }
  return bin;
}

/** Output of a finished command. */
export interface Ran {
  readonly status: number | null;
  readonly output: string;
}

/** Runs a validator (bounded to 30 s) and returns its exit status and output. */
export function runTool(bin: string, args: readonly string[], env?: NodeJS.ProcessEnv): Ran {
  const r = spawnSync(requireBinary(bin), args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

/** A server running in the foreground. */
export interface RunningServer {
  readonly child: ChildProcess;
  /** What it wrote so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/** Resolves when `port` on 127.0.0.1 accepts a connection; rejects after `ms`. */
export async function waitForPort(port: number, server: RunningServer, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null)
      throw new Error(
        `the server exited (${server.child.exitCode ?? server.child.signalCode}):\n${server.output()}`,
      );
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} never opened:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `bin args` in the foreground. */
export function startServer(
  bin: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): RunningServer {
  const child = spawn(requireBinary(bin), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Two free loopback ports (picked by the kernel, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const { createServer } = await import('node:net');
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
