/**
 * Runs `barbican gateway` as a child process (the real CLI, the real
 * cluster), for tests that measure the gateway's own memory or need
 * several processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = new URL('../../cli/src/bin.ts', import.meta.url).pathname;

/** A running gateway process. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly httpsPort: number;
  readonly adminPort: number | undefined;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout so far (the access log). */
  stdout(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Writes `config` to `dir/barbican.config.json` and starts `barbican
 * gateway --config` on it; resolves once the start-up summary names the
 * ports.
 */
export function spawnGateway(
  dir: string,
  config: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<GatewayProcess> {
  const file = join(dir, 'barbican.config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [BIN, 'gateway', '--config', file], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let err = '';
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the gateway did not start in ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    const check = (): void => {
      const https = /HTTPS {2}https:\/\/[^:]+:(\d+)\//.exec(err);
      if (https === null) return;
      clearTimeout(timer);
      child.stderr.removeListener('data', check);
      const admin = /admin {2}http:\/\/[^:]+:(\d+)\//.exec(err);
      resolve({
        child,
        httpsPort: Number(https[1]),
        adminPort: admin === null ? undefined : Number(admin[1]),
        stderr: () => err,
        stdout: () => out,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited with ${code} during start-up:\n${err}`));
    });
  });
}

/** The resident set size of a process, in bytes (Linux /proc). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}
