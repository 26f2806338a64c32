/**
 * Directive lists: `name [ "=" ( token / quoted-string ) ]`, separated by
 * `;` (Strict-Transport-Security, Public-Key-Pins) or by `,` (Cache-Control,
 * Expect-CT, an RFC 9110 §5.6.1 `#` list). One reader for both; the
 * separator and what happens to a malformed directive are the only
 * differences. It never throws: problems come back as data with offsets.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6797#section-6.1
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1
 * @module
 */
import { readQuotedString, skipOws, tokenEnd } from './field.ts';
import type { FieldProblem, ParsedDirective } from './field-types.ts';

/** A directive list read from a field value. */
export interface DirectiveList {
  readonly directives: ParsedDirective[];
  readonly problems: FieldProblem[];
}

/**
 * Splits a `;`-separated list of `name[=token|quoted-string]` directives, the
 * grammar shared by Strict-Transport-Security and Public-Key-Pins. Empty
 * directives (`;;`) are legal and skipped. A directive followed by a syntax
 * error is still listed (RFC 6797 §8.1 then ignores the whole field, and the
 * header's parser reports what it can about the directive).
 *
 * @example
 * ```ts
 * parseDirectiveList('max-age=600; includeSubDomains', 'hsts').directives.map((d) => d.name)
 * // ['max-age', 'includesubdomains']
 * ```
 */
export function parseDirectiveList(value: string, codePrefix: string): DirectiveList {
  return readDirectiveList(value, ';', codePrefix, true);
}

/**
 * Splits a comma-separated directive list (Cache-Control, Expect-CT). Empty
 * elements (`a,,b`) are legal and skipped (RFC 9110 §5.6.1). Names are
 * lower-cased. A malformed directive is reported and left out.
 *
 * @example
 * ```ts
 * parseCommaDirectives('no-store, max-age=0', 'cache_control').directives.map((d) => d.value)
 * // [undefined, '0']
 * ```
 */
export function parseCommaDirectives(value: string, codePrefix: string): DirectiveList {
  return readDirectiveList(value, ',', codePrefix, false);
}

function readDirectiveList(
  value: string,
  separator: ';' | ',',
  codePrefix: string,
  keepMalformed: boolean,
): DirectiveList {
  const directives: ParsedDirective[] = [];
  const problems: FieldProblem[] = [];
  // Typed callers pass strings; the scanner's fuzzers and JavaScript callers may not.
  if (typeof value !== 'string') {
    problems.push({
      code: `${codePrefix}.type`,
      severity: 'error',
      message: 'not a string',
      offset: 0,
    });
    return { directives, problems };
  }
  const n = value.length;
  let i = 0;
  const ows = (): void => {
    i = skipOws(value, i);
  };
  const syntax = (message: string, offset: number): void => {
    problems.push({ code: `${codePrefix}.syntax`, severity: 'error', message, offset });
  };
  /** Resynchronises at the next separator after a syntax error. */
  const skipToSeparator = (): void => {
    while (i < n && value[i] !== separator) i++;
  };
  while (i < n) {
    ows();
    if (i >= n) break;
    if (value[i] === separator) {
      i++;
      continue;
    }
    const start = i;
    i = tokenEnd(value, i);
    const name = value.slice(start, i).toLowerCase();
    if (name === '') {
      syntax(
        `unexpected character ${JSON.stringify(value[i])} where a directive name should start`,
        i,
      );
      skipToSeparator();
      continue;
    }
    ows();
    let directiveValue: string | undefined;
    let quoted = false;
    let malformed = false;
    if (value[i] === '=') {
      i++;
      ows();
      if (value[i] === '"') {
        quoted = true;
        const open = i;
        const q = readQuotedString(value, open);
        i = q.end;
        if (!q.closed) syntax('quoted string is not closed', open);
        directiveValue = q.text;
      } else {
        const vStart = i;
        i = tokenEnd(value, i);
        directiveValue = value.slice(vStart, i);
        if (directiveValue === '') {
          syntax(`directive ${name} has "=" but no value`, vStart);
          malformed = true;
          if (!keepMalformed) skipToSeparator();
        }
      }
      ows();
    }
    if (i < n && value[i] !== separator && !(malformed && !keepMalformed)) {
      syntax(
        `unexpected ${JSON.stringify(value[i])} after directive ${name}; directives are separated by "${separator}"`,
        i,
      );
      malformed = true;
      skipToSeparator();
    }
    if (keepMalformed || !malformed)
      directives.push({ name, value: directiveValue, quoted, offset: start });
  }
  return { directives, problems };
}
