/**
 * Group commit: reports that arrive while a transaction is being written
 * wait for the next one, so one durable commit acknowledges many requests.
 * Identical reports in a batch are merged into one counted row first, so a
 * flood of the same violation costs one upsert per batch.
 *
 * A request is answered 2xx only when the promise from {@link WriteQueue.submit}
 * resolves, that is after the commit that holds its reports returned.
 *
 * @module
 */
import type { DropReason, IncomingReport, ReportType } from '../model.ts';
import {
  DAY_MS,
  HOUR_MS,
  type CountWrite,
  type DropWrite,
  type ReportStore,
  type RowWrite,
} from './index.ts';
import { rowKey } from './row-ids.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

interface MutableRow {
  report: IncomingReport;
  day: number;
  count: number;
  firstReceivedAt: number;
  lastReceivedAt: number;
  firstGeneratedAt: number | null;
  lastGeneratedAt: number | null;
}

/** Reports and counters gathered for one transaction. */
class Batch {
  readonly rows = new Map<string, MutableRow>();
  readonly counts = new Map<string, Mutable<CountWrite>>();
  #lastCount: Mutable<CountWrite> | undefined;
  readonly drops = new Map<string, DropWrite>();
  readonly waiters: Waiter[] = [];
  reports = 0;

  get empty(): boolean {
    return this.rows.size === 0 && this.drops.size === 0;
  }

  add(r: IncomingReport): void {
    this.reports++;
    const day = Math.floor(r.receivedAt / DAY_MS);
    const generated = r.age === null ? null : r.receivedAt - r.age;
    const key = rowKey(r.fingerprint, day);
    const row = this.rows.get(key);
    if (row === undefined) {
      this.rows.set(key, {
        report: r,
        day,
        count: 1,
        firstReceivedAt: r.receivedAt,
        lastReceivedAt: r.receivedAt,
        firstGeneratedAt: generated,
        lastGeneratedAt: generated,
      });
    } else {
      row.count++;
      if (r.receivedAt >= row.lastReceivedAt) {
        row.lastReceivedAt = r.receivedAt;
        row.report = r; // the latest user agent and client
      }
      if (generated !== null) {
        if (row.firstGeneratedAt === null || generated < row.firstGeneratedAt) {
          row.firstGeneratedAt = generated;
        }
        if (row.lastGeneratedAt === null || generated > row.lastGeneratedAt) {
          row.lastGeneratedAt = generated;
        }
      }
    }
    this.#count(r.site, r.type, r.receivedAt);
  }

  #count(site: string, type: ReportType, at: number): void {
    const bucket = Math.floor(at / HOUR_MS) * HOUR_MS;
    // Reports come in runs of one site, type and hour: the last counter is
    // usually the one to add to, found without building its key.
    const last = this.#lastCount;
    if (last !== undefined && last.bucket === bucket && last.type === type && last.site === site) {
      last.count++;
      return;
    }
    const key = `${site}|${type}|${bucket}`;
    let c = this.counts.get(key);
    if (c === undefined) this.counts.set(key, (c = { site, type, bucket, count: 0 }));
    c.count++;
    this.#lastCount = c;
  }

  drop(site: string, reason: DropReason, n: number, at: number): void {
    const bucket = Math.floor(at / HOUR_MS) * HOUR_MS;
    const key = `${site}|${reason}|${bucket}`;
    const d = this.drops.get(key);
    this.drops.set(key, { site, reason, bucket, count: (d?.count ?? 0) + n });
  }

  rowsToWrite(): RowWrite[] {
    return [...this.rows.values()];
  }
}

/** Thrown (as a rejection) when the queue is full: the caller answers 503. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

/** Options of {@link WriteQueue}. */
export interface WriteQueueOptions {
  /** Reports waiting for a commit beyond which new ones are refused (default 50 000). */
  readonly maxPending?: number;
  /** Called when a commit fails (the affected requests get 503). */
  readonly onError?: (error: unknown) => void;
  /**
   * Batches handed to the store at once (default: 2 when the store takes a
   * batch while another commits, else 1). With one, the writer idles while
   * the next batch forms and requests idle while it commits: measured, both
   * threads were idle more than half the time.
   */
  readonly inFlight?: number;
}

/**
 * Batches reports into durable transactions.
 *
 * @example
 * ```ts
 * const queue = new WriteQueue(store);
 * await queue.submit(reports); // resolves once committed
 * ```
 */
export class WriteQueue {
  readonly #store: ReportStore;
  readonly #maxPending: number;
  readonly #onError: (error: unknown) => void;
  readonly #maxFlushes: number;
  #next = new Batch();
  readonly #flushing = new Set<Promise<void>>();
  #scheduled = false;
  #inFlight = 0;

  constructor(store: ReportStore, opts: WriteQueueOptions = {}) {
    this.#store = store;
    this.#maxPending = opts.maxPending ?? 50_000;
    this.#onError = opts.onError ?? (() => undefined);
    this.#maxFlushes = Math.max(1, opts.inFlight ?? (store.pipelined ? 2 : 1));
  }

  /** Reports accepted but not yet committed. */
  get pending(): number {
    return this.#next.reports + this.#inFlight;
  }

  /**
   * Queues reports for the next commit; resolves when it is durable.
   * Rejects with {@link QueueFullError} at once when too many are waiting,
   * and with the database's error when the commit fails.
   */
  submit(reports: readonly IncomingReport[]): Promise<void> {
    if (this.pending + reports.length > this.#maxPending) {
      return Promise.reject(new QueueFullError('the write queue is full'));
    }
    const batch = this.#next;
    for (const r of reports) batch.add(r);
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    this.#schedule();
    return done;
  }

  /** Counts dropped reports; written with the next commit (nobody waits for it). */
  drop(site: string, reason: DropReason, n = 1, at = Date.now()): void {
    this.#next.drop(site, reason, n, at);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing.size >= this.#maxFlushes) return;
    this.#scheduled = true;
    // setImmediate: every request parsed in this turn of the event loop
    // joins the batch before it is written.
    setImmediate(() => {
      this.#scheduled = false;
      const flush = this.#flush();
      this.#flushing.add(flush);
      void flush.then(() => {
        this.#flushing.delete(flush);
        if (!this.#next.empty || this.#next.waiters.length > 0) this.#schedule();
      });
    });
  }

  /** Writes the batch gathered so far; never rejects (its waiters do). */
  async #flush(): Promise<void> {
    const batch = this.#next;
    this.#next = new Batch();
    this.#inFlight += batch.reports;
    try {
      if (!batch.empty) {
        await this.#store.write({
          rows: batch.rowsToWrite(),
          counts: [...batch.counts.values()],
          drops: [...batch.drops.values()],
        });
      }
      for (const w of batch.waiters) w.resolve();
    } catch (error) {
      this.#onError(error);
      for (const w of batch.waiters) w.reject(error);
    } finally {
      this.#inFlight -= batch.reports;
    }
  }

  /** Writes whatever is queued; resolves when nothing is pending. */
  async drain(): Promise<void> {
    while (this.#flushing.size > 0 || this.#scheduled || !this.#next.empty) {
      if (this.#flushing.size > 0) await Promise.all(this.#flushing);
      else await new Promise((r) => setImmediate(r));
    }
  }
}
