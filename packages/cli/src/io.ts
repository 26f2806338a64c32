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

/**
 * Thrown by a command that has already printed why it failed (one line per
 * failed URL, say), to make `run()` exit 2 without printing anything more.
 *
 * @example
 * ```ts
 * io.err(`barbican: ${error.message}`);
 * throw new ReportedError();
 * ```
 */
export class ReportedError extends Error {
  override readonly name = 'ReportedError';
  constructor() {
    super('already reported on stderr');
  }
}

/** Where a command writes: the report (`out`) and diagnostics (`err`). Tests pass a recording one. */
export interface Io {
  /** The report: stdout. A newline is added when missing. */
  out(text: string): void;
  /** Logs, warnings and errors: stderr. A newline is added when missing. */
  err(text: string): void;
  /**
   * A transient status line (a progress bar) on stderr, rewritten in place:
   * written only when stderr is a terminal, where a human watches it.
   * Optional: an Io without it shows no progress.
   */
  progress?(text: string): void;
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

/** Per stream: still open for writing? One error listener per stream, however many runs. */
const openStreams = new WeakMap<NodeJS.WritableStream, { open: boolean }>();

/**
 * A writer that survives its reader going away. `barbican schema | head -c
 * 100` closes the pipe early; Node then reports EPIPE as an 'error' event
 * which, unhandled, crashes with a stack trace and exit code 1 — the code
 * that means "findings". The reader chose to stop reading: later writes are
 * dropped and the command's own exit code stands.
 *
 * @example
 * ```ts
 * const write = pipeSafeWriter(process.stdout);
 * write('{"valid": true}\n');
 * ```
 */
export function pipeSafeWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let state = openStreams.get(stream);
  if (state === undefined) {
    const fresh = { open: true };
    state = fresh;
    openStreams.set(stream, fresh);
    // Any write error (EPIPE, EBADF on a closed descriptor, ERR_STREAM_DESTROYED)
    // means nobody reads any more.
    stream.on('error', () => {
      fresh.open = false;
    });
  }
  const current = state;
  return (text) => {
    if (current.open) stream.write(text);
  };
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The real stdout/stderr, through {@link pipeSafeWriter}: the one output path of every command. */
export function processIo(): Io {
  const out = pipeSafeWriter(process.stdout);
  const err = pipeSafeWriter(process.stderr);
  return {
    out: (t) => out(withNewline(t)),
    err: (t) => err(withNewline(t)),
    progress: (t) => {
      if (process.stderr.isTTY) err(t);
    },
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
    progress() {
      // Not a terminal: no progress bar, as for a redirected stderr.
    },
    color: pc.createColors(opts.color ?? false),
  };
  return io;
}
