/**
 * The SQLite checkpoint thread, for a database whose commits run on the
 * main thread (durability `process`). A checkpoint copies the WAL back into
 * the database file and syncs it: tens of milliseconds of disk work that,
 * left to SQLite's automatic checkpoint, would fall inside some commit and
 * stop every request meanwhile. Here a connection of its own runs a passive
 * checkpoint, which never blocks the writer, a few times a second.
 *
 * @see https://www.sqlite.org/wal.html#checkpointing
 * @module
 */
import { workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';

/** How often the WAL is checkpointed (ms). */
const EVERY = 250;

const { file } = workerData as { file: string };
const db = new DatabaseSync(file);
db.exec('PRAGMA busy_timeout = 5000');
setInterval(() => {
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or I/O trouble: the next tick tries again, and the WAL (never
    // lost) only grows meanwhile.
  }
}, EVERY);
