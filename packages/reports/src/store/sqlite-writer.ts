/**
 * The SQLite writer thread. A commit costs a few µs of CPU per row and,
 * with durability `power` (`synchronous=FULL`), a wait for the disk
 * (milliseconds on a busy machine); run on the main thread it would stop
 * every request meanwhile.
 * Here it blocks only this thread, while the main thread keeps parsing
 * reports for the next batch: group commit with the two overlapping.
 *
 * Protocol: `{ id, ops }` in (`{ ops, reports }` as JSON text), `{ id,
 * changes }` or `{ id, error }` out.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Durability } from '../model.ts';
import type { ReportRows } from './driver.ts';
import { SqliteConnection, type WriteOp } from './sqlite-connection.ts';

const { file, durability } = workerData as { file: string; durability: Durability };
const connection = new SqliteConnection(file, durability);

parentPort?.on('message', (m: { id: number; ops: string }) => {
  try {
    const { ops, reports } = JSON.parse(m.ops) as { ops: WriteOp[]; reports?: ReportRows };
    parentPort?.postMessage({ id: m.id, changes: connection.writeBatch(ops, reports) });
  } catch (error) {
    parentPort?.postMessage({
      id: m.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
