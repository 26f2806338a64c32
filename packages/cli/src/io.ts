/**
 * Output helpers that keep the CLI contract: reports to stdout, diagnostics to
 * stderr, no colour in JSON or when NO_COLOR is set or output is not a TTY.
 *
 * @module
 */
import pc from 'picocolors';

/** Exit codes: 0 clean, 1 findings at or over the threshold, 2 usage/config/internal error. */
export const EXIT = { OK: 0, FINDINGS: 1, ERROR: 2 } as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colours, or identity functions when colour is off. */
  readonly color: typeof pc;
}

export function processIo(): Io {
  const useColor = process.env.NO_COLOR === undefined && process.stdout.isTTY;
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    color: pc.createColors(useColor),
  };
}
