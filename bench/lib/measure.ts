/**
 * Shared statistics and output for the benchmarks.
 *
 * Ratios are what the benchmarks promise, not absolute numbers: the machine
 * is shared, so each round measures every variant back to back and a ratio is
 * the median of the per-round ratios. A neighbour's burst of CPU then hits a
 * whole round (all variants) rather than one variant.
 *
 * @module
 */

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Per-variant samples, one per round, in round order. */
export type Samples = Record<string, number[]>;

/** The median over rounds of `a[i] / b[i]`, plus the spread. */
export function pairedRatio(
  a: readonly number[],
  b: readonly number[],
): { ratio: number; min: number; max: number } {
  const r = a.map((x, i) => x / b[i]!);
  return { ratio: median(r), min: Math.min(...r), max: Math.max(...r) };
}

/** Formats a rate with a thousands separator and no decimals. */
export function rate(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Prints one `ratio <what>: <n.nn>` line (the scriptable contract) and the
 * spread of the per-round ratios, indented, on the next line for humans.
 */
export function printRatio(
  samples: Samples,
  a: string,
  b: string,
  target?: { min: number },
  suffix = '',
): boolean {
  const sa = samples[a];
  const sb = samples[b];
  if (sa === undefined || sb === undefined || sa.length === 0) return true;
  const { ratio, min, max } = pairedRatio(sa, sb);
  console.log(`ratio ${a}/${b}${suffix}: ${ratio.toFixed(2)}`);
  const met = target === undefined || ratio >= target.min;
  const verdict =
    target === undefined ? '' : `; target ≥ ${target.min.toFixed(2)}: ${met ? 'met' : 'MISSED'}`;
  console.log(`  (rounds ${min.toFixed(2)}–${max.toFixed(2)}${verdict})`);
  return met;
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Parses `--name value` / `--name=value` numeric flags with defaults and bounds. */
export function numberFlag(
  args: readonly string[],
  name: string,
  def: number,
  max: number,
): number {
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) raw = args[i + 1];
    else if (a.startsWith(`--${name}=`)) raw = a.slice(name.length + 3);
  }
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
  // Every loop is bounded: a typo must not turn into an hour of load.
  return Math.min(n, max);
}

/** Reads a `--name value` / `--name=value` string flag (the last one given); undefined when absent. */
export function stringFlag(args: readonly string[], name: string): string | undefined {
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) raw = args[i + 1];
    else if (a.startsWith(`--${name}=`)) raw = a.slice(name.length + 3);
  }
  return raw;
}

/** A bad command line: the dispatcher prints it and exits 2. */
export class UsageError extends Error {}
