/**
 * The JSON access log: one line per response on stdout, and the gateway's
 * own events (start, reload, errors) as JSON lines on stderr.
 *
 * Never logged: `Cookie`, `Authorization` or any other request header but
 * `User-Agent`; query values whose parameter name looks like a secret
 * (`gateway.accessLog.redactQuery`). Every line is core's `inertJsonLine`:
 * JSON escapes C0 controls, and it escapes what `JSON.stringify` leaves raw
 * (DEL, C1 bytes a user agent may carry as obs-text, bidi overrides), so a
 * hostile path or user agent cannot forge a line or drive a terminal.
 *
 * Lines are batched and written once per event-loop turn; if stdout cannot
 * keep up, at most {@link MAX_BUFFER} bytes wait and later lines are counted
 * as dropped instead of growing memory.
 *
 * @module
 */
import { inertJsonLine } from '@barbican/core';

/** Bytes of log waiting for a slow stdout before lines are dropped. */
export const MAX_BUFFER = 4 * 1024 * 1024;

/** One access-log record. */
export interface AccessRecord {
  readonly id: string;
  readonly client: string | undefined;
  readonly method: string;
  readonly host: string | undefined;
  readonly target: string;
  readonly proto: string;
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  readonly upstream: string | undefined;
  readonly userAgent: string | undefined;
  /** Why the gateway answered itself (refusal reason or upstream failure kind). */
  readonly reason: string | undefined;
}

/** Where log text goes (stdout for access lines, stderr for events by default). */
export type Sink = (text: string) => boolean;

/**
 * Replaces the values of secret-looking query parameters with `[redacted]`.
 *
 * @example
 * ```ts
 * redactTarget('/cb?code=abc&state=1', ['code']); // '/cb?code=[redacted]&state=1'
 * ```
 */
export function redactTarget(target: string, names: readonly string[]): string {
  const q = target.indexOf('?');
  if (q === -1 || names.length === 0) return target;
  const parts = target.slice(q + 1).split('&');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const eq = p.indexOf('=');
    const name = (eq === -1 ? p : p.slice(0, eq)).toLowerCase();
    if (eq !== -1 && names.some((n) => name.includes(n))) parts[i] = `${p.slice(0, eq)}=[redacted]`;
  }
  return `${target.slice(0, q)}?${parts.join('&')}`;
}

/** A batching line writer with a memory bound. */
export class LineWriter {
  readonly #sink: Sink;
  #buffer = '';
  #scheduled = false;
  #blocked = false;
  /** Lines dropped because the sink could not keep up. */
  dropped = 0;

  constructor(sink: Sink) {
    this.#sink = sink;
  }

  write(line: string): void {
    if (this.#buffer.length + line.length > MAX_BUFFER) {
      this.dropped++;
      return;
    }
    this.#buffer += line;
    if (!this.#scheduled && !this.#blocked) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#buffer === '') return;
    const text = this.#buffer;
    this.#buffer = '';
    if (!this.#sink(text)) this.#blocked = true;
  };

  /** Called when the sink drained: writes what waited. */
  drained(): void {
    this.#blocked = false;
    this.#flush();
  }

  /** Writes whatever is buffered now (at shutdown). */
  flush(): void {
    this.#flush();
  }
}

/** The access log of one configuration. */
export class AccessLog {
  readonly #writer: LineWriter;
  readonly #redact: readonly string[];

  constructor(writer: LineWriter, redact: readonly string[]) {
    this.#writer = writer;
    this.#redact = redact;
  }

  record(r: AccessRecord): void {
    this.#writer.write(
      inertJsonLine({
        time: new Date().toISOString(),
        id: r.id,
        client: r.client,
        method: r.method,
        host: r.host,
        target: redactTarget(r.target, this.#redact),
        proto: r.proto,
        status: r.status,
        bytes: r.bytes,
        ms: Math.round(r.ms * 100) / 100,
        upstream: r.upstream,
        userAgent: r.userAgent,
        reason: r.reason,
      }),
    );
  }
}

/** Severity of a gateway event. */
export type Level = 'info' | 'warn' | 'error';

/** Writes the gateway's own events (start, reload, store errors) as JSON lines. */
export type EventLog = (level: Level, message: string, fields?: Record<string, unknown>) => void;

/**
 * A sink on a stream whose reader may go away: `barbican gateway | head`, a
 * log shipper that died. Node reports EPIPE as an 'error' event which,
 * unhandled, kills the process (a worker per logged request, restarted and
 * killed again). The reader chose to stop reading: later lines are dropped
 * and `closed` is called once, with the error's code.
 *
 * @example
 * ```ts
 * const writer = new LineWriter(pipeSafeSink(process.stdout, () => log('warn', 'access log off')));
 * ```
 */
export function pipeSafeSink(
  stream: NodeJS.WritableStream,
  closed: (code: string | undefined) => void = () => undefined,
): Sink {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!open) return;
    open = false;
    closed(error.code);
  });
  // Claimed drained when closed, so the LineWriter never waits for a 'drain' that cannot come.
  return (text) => (open ? stream.write(text) : true);
}

/**
 * An event log writing JSON lines through `sink` (stderr by default).
 *
 * @example
 * ```ts
 * const log = eventLog();
 * log('warn', 'reload refused', { code: 'BARBICAN_E_GATEWAY_RELOAD' });
 * ```
 */
export function eventLog(sink: Sink = pipeSafeSink(process.stderr)): EventLog {
  return (level, message, fields) => {
    sink(
      inertJsonLine({
        time: new Date().toISOString(),
        level,
        message,
        pid: process.pid,
        ...fields,
      }),
    );
  };
}
