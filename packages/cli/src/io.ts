/**
 * Output helpers that keep the CLI contract: reports to stdout, diagnostics to
 * stderr, no colour in JSON or when NO_COLOR is set or output is not a TTY.
 *
 * @module
 */
import pc from 'picocolors';

/** The colour functions (identity functions when colour is off). */
export type Colors = ReturnType<typeof pc.createColors>;

/** Exit codes: 0 clean, 1 findings at or over the threshold, 2 usage/config/internal error. */
export const EXIT = { OK: 0, FINDINGS: 1, ERROR: 2 } as const;

/**
 * Thrown by a command after it has printed its report, to make `run()` exit
 * with 1 ("findings at or over the threshold") rather than 0. It carries no
 * message of its own: the report already said what was found.
 *
 * @example
 * ```ts
 * if (worst >= threshold) throw new FindingsExit();
 * ```
 */
export class FindingsExit extends Error {
  override readonly name = 'FindingsExit';
  constructor() {
    super('findings at or over the threshold');
  }
}

/** Where a command writes: the report (`out`) and diagnostics (`err`). Tests pass a recording one. */
export interface Io {
  /** The report: stdout. A newline is added when missing. */
  out(text: string): void;
  /** Logs, warnings and errors: stderr. A newline is added when missing. */
  err(text: string): void;
  /** Colours, or identity functions when colour is off. Never used for `--json`. */
  readonly color: Colors;
}

/**
 * True when colour may be used on `stream`: it is a terminal and `NO_COLOR`
 * is unset or empty (https://no-color.org: "present and not an empty string").
 */
export function colorEnabled(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const noColor = env.NO_COLOR;
  return (noColor === undefined || noColor === '') && stream.isTTY === true;
}

/** The real stdout/stderr. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    color: pc.createColors(colorEnabled(process.stdout) && colorEnabled(process.stderr)),
  };
}

/** An in-memory Io for tests and embedding: collects what was written. */
export function memoryIo(opts: { color?: boolean } = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t.endsWith('\n') ? t : `${t}\n`;
    },
    err(t: string) {
      io.stderr += t.endsWith('\n') ? t : `${t}\n`;
    },
    color: pc.createColors(opts.color ?? false),
  };
  return io;
}
