/**
 * The contract every header folder implements.
 *
 * A module validates its options once, when the policy is built, and turns
 * them into plain strings ({@link HeaderEmission}). Nothing here runs per
 * request: the engine only copies the precomputed strings onto responses.
 *
 * @module
 */
import { BarbicanError, type WarningCode } from '../errors.ts';
import type { Schema } from '../schema/index.ts';
import type { FieldProblem } from '../field-types.ts';

/** Collects warnings while a policy is built. */
export interface CompileContext {
  warn(code: WarningCode, path: string, message: string): void;
}

/** One header a module wants on responses. */
export interface HeaderEmission {
  /** Canonical casing, e.g. `Strict-Transport-Security`. */
  readonly name: string;
  /**
   * The value sent. For a nonce-bearing CSP this is the value used when the
   * request never asked for a nonce (the nonce sources are left out).
   */
  readonly value: string;
  /**
   * For a CSP that uses nonces: the value cut at each place the nonce goes.
   * The engine joins the parts with the request's nonce (base64).
   */
  readonly nonceParts?: readonly string[];
  /**
   * Send only on effective-HTTPS responses (`'https'`) or only on plain HTTP
   * (`'http'`). HSTS is the classic `'https'` case: RFC 6797 §7.2 says a UA
   * must ignore it over HTTP, and sending it there only confuses scanners.
   */
  readonly when?: 'https' | 'http';
}

/** The uniform option shape: omitted/`true` = secure default, `false` = off, string = raw (validated), object = configured. */
export type HeaderOption<O> = boolean | string | O;

/** A header folder's exported definition. */
export interface HeaderModule<O extends object> {
  /** The key under `headers` in a policy, e.g. `hsts`. */
  readonly key: string;
  /** Every header name this module may write (canonical casing). */
  readonly headerNames: readonly string[];
  /** A one-line description, used by the JSON Schema and docs. */
  readonly description: string;
  /** Where the header is specified. */
  readonly spec: string;
  /** The object form of the option. */
  readonly schema: Schema<O>;
  /** What `true` means when the preset does not configure this header. */
  readonly defaults: O;
  /**
   * Whether a raw string is allowed. A module may refuse strings when a
   * string would be ambiguous (none do today).
   */
  readonly acceptsString?: boolean;
  /** Options (already type-checked by `schema`) → headers. Cross-field checks and warnings live here. */
  compile(options: O, ctx: CompileContext, path: string): HeaderEmission[];
  /** A raw value: check it with the header's parser, then send it as given. */
  compileRaw(value: string, ctx: CompileContext, path: string): HeaderEmission[];
  /** How an override object combines with the preset's object. Defaults to a shallow merge. */
  merge?(base: O, override: O): O;
}

/** Helper that keeps a module's option type when declaring it. */
export function defineHeader<O extends object>(module: HeaderModule<O>): HeaderModule<O> {
  return module;
}

/**
 * Refuses a raw header value its parser found a `problem` in: the one
 * `BARBICAN_E_HEADER_SYNTAX` error every header folder's `compileRaw`
 * throws, with the option path, the value, the byte offset and the grammar.
 *
 * @example
 * ```ts
 * rejectRawValue(parsed.problems.find((p) => p.severity === 'error'), value, path, 'max-age=<seconds>');
 * ```
 */
export function rejectRawValue(
  problem: FieldProblem | undefined,
  value: string,
  path: string,
  allowed: string,
): void {
  if (problem === undefined) return;
  throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', problem.message, {
    path,
    value,
    offset: problem.offset,
    allowed,
  });
}
