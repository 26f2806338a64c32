/**
 * The error mechanism every Barbican package shares: one error class, one
 * message format, and {@link defineCodes} for the code table each package
 * owns (core's policy codes in `errors.ts`, the scanner's and the CLI's in
 * their own `src/errors.ts`).
 *
 * A package narrows the constructor to the codes it may throw, so a mistyped
 * code is a type error in every package while `instanceof BarbicanError`
 * still catches them all:
 *
 * ```ts
 * export const BarbicanError: BarbicanErrorConstructor<ScannerErrorCode | ErrorCode> = AnyBarbicanError;
 * export type BarbicanError = AnyBarbicanError;
 * ```
 *
 * @module
 */
import { escapeControl } from './control.ts';

/** The shape of every error code: `BARBICAN_E_` and upper-case words. */
export type BarbicanErrorCode = `BARBICAN_E_${string}`;

/** The shape of every warning code: `BARBICAN_W_` and upper-case words. */
export type BarbicanWarningCode = `BARBICAN_W_${string}`;

const CODE_SHAPE = {
  BARBICAN_E_: /^BARBICAN_E_[A-Z0-9_]+$/,
  BARBICAN_W_: /^BARBICAN_W_[A-Z0-9_]+$/,
} as const;

/**
 * Declares a package's code table: each code with the one-line meaning that
 * `docs/errors.md` expands. The table is frozen; `keyof typeof` it is the
 * package's code union. A key of the wrong shape is a type error, and throws
 * when the module loads, so a bad table never ships.
 *
 * @see docs/errors.md — every code of every package, kept in sync by a test.
 * @example
 * ```ts
 * // packages/scanner/src/errors.ts
 * export const SCANNER_ERROR_CODES = defineCodes('BARBICAN_E_', {
 *   BARBICAN_E_<AREA>_<WHAT>: 'What went wrong, in one line.',
 * });
 * export type ScannerErrorCode = keyof typeof SCANNER_ERROR_CODES;
 * ```
 */
export function defineCodes<
  const P extends keyof typeof CODE_SHAPE,
  const T extends Readonly<Record<string, string>>,
>(
  prefix: P,
  table: T & { readonly [K in keyof T]: K extends `${P}${string}` ? string : never },
): T {
  for (const [code, meaning] of Object.entries(table)) {
    if (!CODE_SHAPE[prefix].test(code) || meaning.trim() === '') {
      throw new TypeError(
        `defineCodes: ${JSON.stringify(code)} is not a ${prefix}* code with a meaning`,
      );
    }
  }
  return Object.freeze(table);
}

/** What a {@link BarbicanError} knows about where and why. */
export interface BarbicanErrorDetails {
  /** Option path such as `headers.hsts.maxAge`, or a header name for raw values. */
  readonly path?: string;
  /** The offending value, as given. */
  readonly value?: unknown;
  /** What would have been accepted. */
  readonly allowed?: string;
  /** A suggestion: the option the user probably meant, or the fix. */
  readonly hint?: string;
  /** Byte offset into a raw header value, when the problem is inside one. */
  readonly offset?: number;
  readonly cause?: unknown;
}

/**
 * The one error type Barbican throws, in every package. Its `code` is stable
 * (one of the code tables listed in `docs/errors.md`); its message names the
 * option path, quotes the bad value and says what is allowed.
 *
 * @example
 * ```ts
 * try { createPolicy({ headers: { hsts: { maxage: 1 } } }) }
 * catch (e) { if (e instanceof BarbicanError) console.error(e.code, e.path) }
 * // BARBICAN_E_UNKNOWN_OPTION headers.hsts.maxage  (did you mean "maxAge"?)
 * ```
 */
export class BarbicanError extends Error {
  override readonly name = 'BarbicanError';
  readonly code: BarbicanErrorCode;
  readonly path: string | undefined;
  readonly value: unknown;
  readonly allowed: string | undefined;
  readonly hint: string | undefined;
  readonly offset: number | undefined;
  /**
   * The message without the trailing `[CODE]`, for quoting this error
   * inside another one (whose own code then stands alone at the end).
   */
  readonly detail: string;

  constructor(code: BarbicanErrorCode, problem: string, details: BarbicanErrorDetails = {}) {
    // Paths, values and hints carry user and server text (a config key with
    // an ESC byte, a host's error string with a newline): the message is
    // made inert once here, so every printer of every package is safe.
    const detail = escapeControl(formatDetail(problem, details));
    super(`${detail} [${code}]`, { cause: details.cause });
    this.detail = detail;
    this.code = code;
    this.path = details.path;
    this.value = details.value;
    this.allowed = details.allowed;
    this.hint = details.hint;
    this.offset = details.offset;
  }

  /** A plain object for `--json` output and logs. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.value === undefined ? {} : { value: this.value }),
      ...(this.allowed === undefined ? {} : { allowed: this.allowed }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.offset === undefined ? {} : { offset: this.offset }),
    };
  }
}

/**
 * {@link BarbicanError}'s constructor, narrowed to the codes one package may
 * throw: its own table and those of the packages it depends on.
 *
 * @example
 * ```ts
 * export const BarbicanError: BarbicanErrorConstructor<ErrorCode> = AnyBarbicanError;
 * new BarbicanError('BARBICAN_E_<TYPO>', '…'); // type error: not one of core's codes
 * ```
 */
export interface BarbicanErrorConstructor<C extends BarbicanErrorCode> {
  new (code: C, problem: string, details?: BarbicanErrorDetails): BarbicanError;
  readonly prototype: BarbicanError;
}

function formatDetail(problem: string, d: BarbicanErrorDetails): string {
  let msg = d.path === undefined ? problem : `${d.path}: ${problem}`;
  if ('value' in d) msg += `; got ${quote(d.value)}`;
  if (d.offset !== undefined) msg += ` at byte ${d.offset}`;
  if (d.allowed !== undefined) msg += `. Allowed: ${d.allowed}`;
  if (d.hint !== undefined) msg += `. ${d.hint}`;
  return msg;
}

/** Longest quoted value in a message; longer ones are cut with `...`. */
const QUOTE_MAX = 120;

/**
 * Quotes a value for an error message without letting it forge log lines:
 * control characters are escaped, and long values are cut. The value is
 * hostile input (a million-item list, a 100 MB string, a cycle), so it is
 * serialised only as far as the message shows: the work is bounded by
 * {@link QUOTE_MAX}, not by the value's size.
 */
export function quote(value: unknown): string {
  // JSON escapes C0 controls only; DEL, C1 and bidi overrides need escaping too.
  const text = escapeControl(preview(value, QUOTE_MAX + 1, 0));
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX - 3)}...` : text;
}

/** JSON-like text of `value`, stopping once `budget` characters are written. */
function preview(value: unknown, budget: number, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, budget));
  // JSON.stringify turns Infinity and NaN into "null" (1e400 in a file is Infinity).
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value.toString()}n`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (depth > 8) return Array.isArray(value) ? '[...]' : '{...}';
  const isList = Array.isArray(value);
  let out = isList ? '[' : '{';
  const keys = isList ? undefined : Object.keys(value);
  const count = isList ? value.length : (keys?.length ?? 0);
  for (let i = 0; i < count && out.length < budget; i++) {
    const key = keys === undefined ? undefined : (keys[i] ?? '');
    const item: unknown =
      key === undefined ? (value as unknown[])[i] : (value as Record<string, unknown>)[key];
    if (i > 0) out += ',';
    if (key !== undefined) out += `${JSON.stringify(key.slice(0, budget))}:`;
    out += preview(item, budget - out.length, depth + 1);
  }
  return out + (isList ? ']' : '}');
}
