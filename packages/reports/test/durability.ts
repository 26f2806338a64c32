/**
 * The durability proof, shared by SQLite and PostgreSQL: run the real
 * `barbican reports serve` in a child process, load it with unique reports
 * from many concurrent clients, SIGKILL it mid-load, then open the database
 * and look for every report that was acknowledged.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/index.ts';

const bin = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));

/** Starts `barbican reports serve` on a free port; resolves its base URL. */
export function serve(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      bin,
      'reports',
      'serve',
      '--port',
      '0',
      '--db',
      db,
      '--retention',
      '0',
      '--client-rate',
      '0',
      '--site-quota',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${err}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /dashboard: (http:\/\/\S+)\//.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    });
  });
}

function body(id: number): string {
  return JSON.stringify({
    'csp-report': {
      'document-uri': 'https://shop.example/',
      'effective-directive': 'img-src',
      'blocked-uri': `https://cdn.example/r/${id}`,
    },
  });
}

/** Outcome of one load run. */
export interface LoadResult {
  readonly acked: readonly number[];
  readonly sent: number;
  readonly stored: number;
}

/**
 * Sends up to `total` unique reports from `concurrency` clients and SIGKILLs
 * the collector once `killAfter` have been acknowledged; then counts.
 */
export async function killUnderLoad(
  db: string,
  opts: { total: number; concurrency: number; killAfter: number },
): Promise<LoadResult> {
  const { child, url } = await serve(db);
  const acked: number[] = [];
  let next = 0;
  const run = { killed: false };
  const kill = () => {
    if (run.killed) return;
    run.killed = true;
    child.kill('SIGKILL');
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker = async () => {
    while (!run.killed && next < opts.total) {
      const id = next++;
      try {
        const res = await fetch(`${url}/report/shop`, {
          method: 'POST',
          headers: { 'content-type': 'application/csp-report' },
          body: body(id),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.status === 204) acked.push(id);
        else assert.fail(`unexpected status ${res.status}`);
      } catch {
        // The collector died under this request: it was never acknowledged.
      }
      if (acked.length >= opts.killAfter) kill();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  kill();
  await exited;
  const store = await openStore(db);
  try {
    const rows = await store.list({ since: 0, limit: 10_000 });
    const stored = new Set(rows.map((r) => Number(r.blockedUrl?.split('/').pop())));
    const lost = acked.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged reports are missing after SIGKILL`);
    return { acked, sent: next, stored: stored.size };
  } finally {
    await store.close();
  }
}
