/**
 * The one gate every header name and value passes before Barbican will send it.
 *
 * Header injection (response splitting) needs a CR or LF inside a value; NUL
 * and other control bytes truncate or confuse parsers downstream. RFC 9110
 * §5.5 allows only visible ASCII, space and tab in a field value, so anything
 * else is refused when the policy is built — it can never reach a socket.
 *
 * @module
 */
import { BarbicanError } from './errors.ts';

/**
 * Returns the index of the first byte not allowed in a field value
 * (RFC 9110 §5.5: VCHAR, SP, HTAB), or -1 when the value is safe.
 * Non-ASCII is refused too: Node would send it as Latin-1, browsers decode
 * it inconsistently, and no security header needs it.
 */
export function firstUnsafeFieldByte(value: string): number {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09) continue;
    if (c < 0x20 || c > 0x7e) return i;
  }
  return -1;
}

const NAMES: Record<number, string> = { 0x00: 'NUL', 0x0a: 'LF', 0x0d: 'CR', 0x7f: 'DEL' };

/** Describes a byte for an error message: `CR (0x0d)`. */
export function describeByte(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const name = NAMES[code];
  if (name !== undefined) return `${name} (${hex})`;
  if (code > 0x7e)
    return `non-ASCII character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `control character ${hex}`;
}

/** Throws `BARBICAN_E_UNSAFE_VALUE` unless `value` may appear in a header field. */
export function assertFieldSafe(value: string, path: string): void {
  const at = firstUnsafeFieldByte(value);
  if (at === -1) return;
  throw new BarbicanError(
    'BARBICAN_E_UNSAFE_VALUE',
    `contains ${describeByte(value.charCodeAt(at))}`,
    {
      path,
      value,
      offset: at,
      allowed: 'visible ASCII characters, space and tab',
      hint: 'CR and LF would let a value start a new header (response splitting)',
    },
  );
}

/**
 * RFC 9110 §5.6.2 `tchar` as the body of a regex character class, for the
 * few grammars built from tokens (`type/subtype`, `product/version`, RFC 9651
 * sf-token): `\w` is ALPHA, DIGIT and `_`. The hyphen is escaped so the body
 * can be combined anywhere.
 */
export const TCHAR = "!#$%&'*+.^`|~\\w\\-";

/**
 * RFC 9110 §5.6.2 `token`: what a header *name*, a method or a directive
 * name may contain. Shared with the schema (`pattern`) and every parser.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
 */
export const TOKEN = new RegExp(`^[${TCHAR}]+$`);

/** True when `name` is an RFC 9110 token, e.g. a valid header field name. */
export function isToken(name: string): boolean {
  return TOKEN.test(name);
}

/** ASCII code → 1 for a tchar: a table lookup per character while parsing. */
const TCHAR_CODES = Uint8Array.from({ length: 128 }, (_, c) =>
  TOKEN.test(String.fromCharCode(c)) ? 1 : 0,
);

/** True when the UTF-16 code unit `code` is an RFC 9110 `tchar`. */
export function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR_CODES[code] === 1;
}

/**
 * The index just past the run of token characters that starts at `from`
 * (`from` itself when there is none): how parsers read a token in place.
 *
 * @example
 * ```ts
 * tokenEnd('max-age=5', 0) // 7
 * ```
 */
export function tokenEnd(value: string, from: number): number {
  let i = from;
  while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
  return i;
}

/** Throws unless `name` is a valid header field name. */
export function assertHeaderName(name: string, path: string): void {
  if (!isToken(name)) {
    throw new BarbicanError('BARBICAN_E_HEADER_SYNTAX', 'not a valid header name', {
      path,
      value: name,
      allowed: "letters, digits and !#$%&'*+-.^_`|~",
    });
  }
}

const isOws = (code: number): boolean => code === 0x20 || code === 0x09;

/** The index of the first byte at or after `from` that is not OWS (RFC 9110 §5.6.3: SP / HTAB). */
export function skipOws(value: string, from: number): number {
  let i = from;
  while (i < value.length && isOws(value.charCodeAt(i))) i++;
  return i;
}

/**
 * `value` without leading and trailing OWS (SP / HTAB): what RFC 9110 §5.5
 * strips from a field value. `String#trim` strips more (line breaks, NBSP),
 * which a parser must not accept silently.
 */
export function trimOws(value: string): string {
  const start = skipOws(value, 0);
  let end = value.length;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

/**
 * RFC 3986 §3.1 `scheme` (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )) as
 * regex source, for the URLs header values carry; match it with the `i` flag.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3.1
 */
export const URI_SCHEME = '[a-z][a-z0-9+.-]*';

/** A scheme and its colon, nothing else (`https:`): a CSP scheme-source. */
export const SCHEME_ONLY = new RegExp(`^${URI_SCHEME}:$`, 'i');

/** The `scheme://` at the start of an absolute URL. */
export const SCHEME_PREFIX = new RegExp(`^${URI_SCHEME}://`, 'i');

/**
 * Reads an RFC 9110 §5.6.4 quoted-string whose opening `"` is at `open`.
 * Backslash escapes are undone. Returns the text, the index just past the
 * closing quote (or the end of input), and whether the quote was closed —
 * the caller decides how to report an unclosed one.
 */
export function readQuotedString(
  value: string,
  open: number,
): { text: string; end: number; closed: boolean } {
  const n = value.length;
  let i = open + 1;
  let text = '';
  while (i < n) {
    const c = value.charAt(i);
    if (c === '\\' && i + 1 < n) {
      text += value.charAt(i + 1);
      i += 2;
      continue;
    }
    i++;
    if (c === '"') return { text, end: i, closed: true };
    text += c;
  }
  return { text, end: i, closed: false };
}
