/**
 * A bounded work pool: at most `concurrency` tasks in flight, results in
 * input order. Shared by `scanMany` (URLs) and the drift probe (TLS
 * handshakes), so the scanner never opens more sockets at once than it says.
 *
 * @module
 */

/** Options for {@link runPool}. */
export interface PoolOptions {
  /** Tasks in flight at once; at least 1. */
  readonly concurrency: number;
  /**
   * `Date.now()` after which no new task starts: the tasks not started yet
   * resolve to `undefined`. A task already running is not cut short (each
   * task bounds its own time).
   */
  readonly deadline?: number;
  /** Called after each task settles, with the count settled so far. */
  readonly onSettled?: (done: number, total: number) => void;
}

/**
 * Runs `task` over `items` with bounded concurrency. Never rejects because
 * of one task: a task that throws gives `undefined` in its slot, like one
 * that was not started before the deadline.
 *
 * @example
 * ```ts
 * const sizes = await runPool(urls, (u) => fetchSize(u), { concurrency: 4 });
 * ```
 */
export async function runPool<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  opts: PoolOptions,
): Promise<(R | undefined)[]> {
  const results = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    // Each worker takes the next index until none are left: bounded by items.length.
    while (next < items.length) {
      if (opts.deadline !== undefined && Date.now() >= opts.deadline) return;
      const i = next++;
      try {
        results[i] = await task(items[i] as T, i);
      } catch {
        results[i] = undefined;
      }
      done++;
      opts.onSettled?.(done, items.length);
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
