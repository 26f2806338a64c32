/**
 * The shapes every header parser returns: a problem found in a field value,
 * and one `name[=value]` directive of a directive list.
 *
 * A leaf module: it imports nothing, so every parser (and the scanner) can
 * share these types without depending on any header's folder.
 *
 * @module
 */

/** One problem found in a field value. */
export interface FieldProblem {
  /** Stable, dotted code, e.g. `hsts.max_age.missing`. */
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Byte offset into the field value. */
  readonly offset: number;
}

/** The name Cache-Control's parser used for {@link ParsedDirective}; the same shape. */
export type CommaDirective = ParsedDirective;

/** A parsed `name[=value]` directive. */
export interface ParsedDirective {
  /** Lower-cased name. */
  readonly name: string;
  /** The value with quotes removed, or undefined when the directive has none. */
  readonly value: string | undefined;
  /** Whether the value was written as a quoted-string (some grammars require one form). */
  readonly quoted: boolean;
  readonly offset: number;
}
