/**
 * Structured Field Values for HTTP (RFC 9651): a parser and serialiser for
 * Lists, Dictionaries and Items.
 *
 * Permissions-Policy, Reporting-Endpoints and the Cross-Origin-*-Policy
 * headers are all structured fields, and so are many headers the scanner
 * reads. The parser follows RFC 9651 §4.2 step by step: like a browser, it
 * fails the whole field on the first syntax error (§4.2: "fail parsing"), and
 * it never throws — the failure comes back as data with its byte offset.
 *
 * Serialisers (§4.1) accept only values that can round-trip; given anything
 * else they throw {@link BarbicanError} (`BARBICAN_E_HEADER_SYNTAX`), because
 * that is a bug in the caller's validation, not user input.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9651
 * @example
 * ```ts
 * const r = parseDictionary('camera=(), geolocation=(self "https://maps.example")');
 * r.value?.get('geolocation'); // { kind: 'innerList', items: [...], params: Map {} }
 * serializeDictionary(r.value!); // 'camera=(), geolocation=(self "https://maps.example")'
 * ```
 * @module
 */
import { BarbicanError } from '../errors.ts';
import { isTokenChar, TCHAR } from '../field.ts';
import type { FieldProblem } from '../field-types.ts';

export type { FieldProblem } from '../field-types.ts';

/** A Token (§3.3.4): an unquoted word such as `self` or `same-origin`. Wrapped so it cannot be confused with a String. */
export interface SfToken {
  readonly token: string;
}

/** A Display String (§3.3.8): Unicode text, sent percent-encoded. */
export interface SfDisplayString {
  readonly display: string;
}

/** A Date (§3.3.7): whole seconds since the Unix epoch. */
export interface SfDate {
  readonly date: number;
}

/**
 * A Decimal (§3.3.2). Wrapped because JavaScript cannot tell `1.0` from `1`,
 * and the two serialise differently.
 */
export interface SfDecimal {
  readonly decimal: number;
}

/**
 * A Bare Item (§3.3): Integer (a `number`), Decimal, String (a `string`),
 * Token, Byte Sequence (`Uint8Array`), Boolean, Date or Display String.
 */
export type BareItem =
  number | string | boolean | Uint8Array | SfToken | SfDecimal | SfDate | SfDisplayString;

/** Parameters (§3.1.2): an ordered map from key to bare item. */
export type Parameters = Map<string, BareItem>;

/** An Item (§3.3): a bare item with parameters. */
export interface SfItem {
  readonly kind: 'item';
  readonly value: BareItem;
  readonly params: Parameters;
}

/** An Inner List (§3.1.1): `(a b c);param`. */
export interface SfInnerList {
  readonly kind: 'innerList';
  readonly items: readonly SfItem[];
  readonly params: Parameters;
}

/** What a List or Dictionary holds. */
export type SfMember = SfItem | SfInnerList;

/** A List (§3.1). */
export type SfList = readonly SfMember[];

/**
 * A Dictionary (§3.2): an ordered map. A repeated key keeps its first
 * position and its last value (§4.2.2).
 */
export type SfDictionary = Map<string, SfMember>;

/** The outcome of parsing a field. `value` is undefined when parsing failed (the field must be ignored). */
export interface SfParseResult<T> {
  readonly value: T | undefined;
  /** The error that failed the field (at most one), plus warnings such as repeated dictionary keys. */
  readonly problems: readonly FieldProblem[];
}

/** Builds a token. */
export const token = (value: string): SfToken => ({ token: value });
/** Builds a decimal. */
export const decimal = (value: number): SfDecimal => ({ decimal: value });
/** Builds an item (with optional parameters). */
export const item = (value: BareItem, params: Parameters = new Map()): SfItem => ({
  kind: 'item',
  value,
  params,
});
/** Builds an inner list. */
export const innerList = (
  items: readonly SfItem[],
  params: Parameters = new Map(),
): SfInnerList => ({
  kind: 'innerList',
  items,
  params,
});

/** True when the bare item is a token. */
export function isToken(v: BareItem | undefined): v is SfToken {
  return typeof v === 'object' && !(v instanceof Uint8Array) && 'token' in v;
}

// ---------------------------------------------------------------- parsing

/** Thrown inside the parser only, and always caught by the entry points. */
class Fail extends Error {
  readonly code: string;
  readonly offset: number;
  constructor(code: string, message: string, offset: number) {
    super(message);
    this.code = code;
    this.offset = offset;
  }
}

interface State {
  readonly s: string;
  i: number;
  readonly warnings: FieldProblem[];
  /** Where each dictionary key last appeared, so callers can point at a member. */
  readonly offsets: Map<string, number>;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLcAlpha = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isTchar = (c: string | undefined): boolean => c !== undefined && isTokenChar(c.charCodeAt(0));
const isKeyChar = (c: string | undefined): boolean =>
  c !== undefined &&
  (isLcAlpha(c) || isDigit(c) || c === '_' || c === '-' || c === '.' || c === '*');

const describe = (c: string | undefined): string =>
  c === undefined ? 'end of input' : JSON.stringify(c);

function fail(st: State, code: string, message: string): never {
  throw new Fail(`sf.${code}`, message, st.i);
}

function skipSp(st: State): void {
  while (st.s[st.i] === ' ') st.i++;
}

function skipOws(st: State): void {
  while (st.s[st.i] === ' ' || st.s[st.i] === '\t') st.i++;
}

/** Runs a top-level parse (§4.2 steps 1–6) and turns failures into data. */
function run<T>(
  input: unknown,
  parse: (st: State) => T,
): SfParseResult<T> & { offsets: ReadonlyMap<string, number> } {
  if (typeof input !== 'string') {
    return {
      value: undefined,
      offsets: new Map(),
      problems: [
        {
          code: 'sf.type',
          severity: 'error',
          message: 'the field value is not a string',
          offset: 0,
        },
      ],
    };
  }
  const st: State = { s: input, i: 0, warnings: [], offsets: new Map() };
  try {
    // §4.2 step 1: the field is ASCII; anything else fails it.
    for (let k = 0; k < input.length; k++) {
      if (input.charCodeAt(k) > 0x7f) {
        st.i = k;
        fail(st, 'non_ascii', 'structured fields are ASCII only');
      }
    }
    skipSp(st);
    const value = parse(st);
    skipSp(st);
    if (st.i < input.length)
      fail(st, 'trailing', `unexpected ${describe(input[st.i])} after the value`);
    return { value, problems: st.warnings, offsets: st.offsets };
  } catch (e) {
    if (e instanceof Fail) {
      return {
        value: undefined,
        offsets: st.offsets,
        problems: [
          ...st.warnings,
          { code: e.code, severity: 'error', message: e.message, offset: e.offset },
        ],
      };
    }
    // Not reachable by design; kept so that the promise "never throws" holds.
    return {
      value: undefined,
      offsets: st.offsets,
      problems: [{ code: 'sf.internal', severity: 'error', message: String(e), offset: st.i }],
    };
  }
}

/** §4.2.1 Parsing a List. */
function parseListInner(st: State): SfMember[] {
  const members: SfMember[] = [];
  const n = st.s.length;
  while (st.i < n) {
    members.push(parseItemOrInnerList(st));
    skipOws(st);
    if (st.i >= n) return members;
    if (st.s[st.i] !== ',')
      fail(st, 'list.separator', `expected "," between list members, got ${describe(st.s[st.i])}`);
    st.i++;
    skipOws(st);
    if (st.i >= n) fail(st, 'list.trailing_comma', 'a list must not end with ","');
  }
  return members;
}

/** §4.2.2 Parsing a Dictionary. */
function parseDictionaryInner(st: State): SfDictionary {
  const dict: SfDictionary = new Map();
  const n = st.s.length;
  while (st.i < n) {
    const keyAt = st.i;
    const key = parseKey(st);
    let member: SfMember;
    if (st.s[st.i] === '=') {
      st.i++;
      member = parseItemOrInnerList(st);
    } else {
      // A key alone means Boolean true with parameters.
      member = item(true, parseParameters(st));
    }
    if (dict.has(key)) {
      st.warnings.push({
        code: 'sf.dictionary.duplicate_key',
        severity: 'warning',
        message: `key ${key} appears more than once; the last value wins`,
        offset: keyAt,
      });
    }
    dict.set(key, member);
    st.offsets.set(key, keyAt);
    skipOws(st);
    if (st.i >= n) return dict;
    if (st.s[st.i] !== ',')
      fail(
        st,
        'dictionary.separator',
        `expected "," between dictionary members, got ${describe(st.s[st.i])}`,
      );
    st.i++;
    skipOws(st);
    if (st.i >= n) fail(st, 'dictionary.trailing_comma', 'a dictionary must not end with ","');
  }
  return dict;
}

function parseItemOrInnerList(st: State): SfMember {
  return st.s[st.i] === '(' ? parseInnerList(st) : parseItemInner(st);
}

/** §4.2.1.2 Parsing an Inner List. */
function parseInnerList(st: State): SfInnerList {
  const open = st.i;
  st.i++; // "("
  const items: SfItem[] = [];
  while (st.i < st.s.length) {
    skipSp(st);
    if (st.s[st.i] === ')') {
      st.i++;
      return innerList(items, parseParameters(st));
    }
    items.push(parseItemInner(st));
    const c = st.s[st.i];
    if (c === undefined) break;
    if (c !== ' ' && c !== ')')
      fail(
        st,
        'inner_list.separator',
        `expected a space or ")" in an inner list, got ${describe(c)}`,
      );
  }
  st.i = open;
  fail(st, 'inner_list.unclosed', 'inner list "(" is never closed');
}

/** §4.2.3 Parsing an Item. */
function parseItemInner(st: State): SfItem {
  const value = parseBareItem(st);
  return item(value, parseParameters(st));
}

/** §4.2.3.1 Parsing a Bare Item. */
function parseBareItem(st: State): BareItem {
  const c = st.s[st.i];
  if (c === '-' || isDigit(c)) return parseNumber(st);
  if (c === '"') return parseString(st);
  if (c === '*' || isAlpha(c)) return parseToken(st);
  if (c === ':') return parseByteSequence(st);
  if (c === '?') return parseBoolean(st);
  if (c === '@') return parseDate(st);
  if (c === '%') return parseDisplayString(st);
  return fail(st, 'item.start', `unexpected ${describe(c)} where an item should start`);
}

/** §4.2.3.2 Parsing Parameters. */
function parseParameters(st: State): Parameters {
  const params: Parameters = new Map();
  while (st.s[st.i] === ';') {
    st.i++;
    skipSp(st);
    const key = parseKey(st);
    let value: BareItem = true;
    if (st.s[st.i] === '=') {
      st.i++;
      value = parseBareItem(st);
    }
    // §4.2.3.2 step 2.6: a repeated parameter overwrites the earlier value.
    params.set(key, value);
  }
  return params;
}

/** §4.2.3.3 Parsing a Key. */
function parseKey(st: State): string {
  const start = st.i;
  const c = st.s[st.i];
  if (!isLcAlpha(c) && c !== '*')
    fail(st, 'key.start', `a key must start with a-z or "*", got ${describe(c)}`);
  st.i++;
  while (isKeyChar(st.s[st.i])) st.i++;
  return st.s.slice(start, st.i);
}

/** §4.2.4 Parsing an Integer or Decimal. */
function parseNumber(st: State): number | SfDecimal {
  const start = st.i;
  let sign = 1;
  if (st.s[st.i] === '-') {
    sign = -1;
    st.i++;
  }
  if (!isDigit(st.s[st.i])) fail(st, 'number.digit', 'expected a digit');
  const digitsStart = st.i;
  let isDecimal = false;
  let dot = -1;
  while (st.i < st.s.length) {
    const c = st.s[st.i];
    if (isDigit(c)) st.i++;
    else if (c === '.' && !isDecimal) {
      if (st.i - digitsStart > 12)
        fail(st, 'decimal.too_long', 'a decimal has at most 12 integer digits');
      isDecimal = true;
      dot = st.i;
      st.i++;
    } else break;
    const len = st.i - digitsStart;
    if (!isDecimal && len > 15) {
      st.i = start;
      fail(st, 'integer.too_long', 'an integer has at most 15 digits');
    }
    if (isDecimal && len > 16) {
      st.i = start;
      fail(st, 'decimal.too_long', 'a decimal has at most 16 characters');
    }
  }
  const text = st.s.slice(digitsStart, st.i);
  // `|| 0` turns -0 into 0: the RFC's data model has no negative zero.
  if (!isDecimal) return sign * Number(text) || 0;
  const fraction = st.i - dot - 1;
  if (fraction === 0) fail(st, 'decimal.fraction', 'a decimal must have a digit after "."');
  if (fraction > 3) fail(st, 'decimal.fraction', 'a decimal has at most 3 fractional digits');
  return decimal(sign * Number(text) || 0);
}

/** §4.2.5 Parsing a String. */
function parseString(st: State): string {
  const open = st.i;
  st.i++;
  let out = '';
  while (st.i < st.s.length) {
    const c = st.s.charAt(st.i);
    st.i++;
    if (c === '\\') {
      const next = st.s[st.i];
      if (next !== '"' && next !== '\\')
        fail(st, 'string.escape', `only \\" and \\\\ are escapes in a string, got \\${next ?? ''}`);
      out += next;
      st.i++;
    } else if (c === '"') {
      return out;
    } else {
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) {
        st.i--;
        fail(st, 'string.char', 'a string holds printable ASCII only');
      }
      out += c;
    }
  }
  st.i = open;
  return fail(st, 'string.unclosed', 'string is never closed');
}

/** §4.2.6 Parsing a Token. */
function parseToken(st: State): SfToken {
  const start = st.i;
  st.i++;
  while (isTchar(st.s[st.i]) || st.s[st.i] === ':' || st.s[st.i] === '/') st.i++;
  return token(st.s.slice(start, st.i));
}

const B64 = /^[A-Z0-9+/]*={0,2}$/i;

/** §4.2.7 Parsing a Byte Sequence. */
function parseByteSequence(st: State): Uint8Array {
  const open = st.i;
  st.i++;
  const end = st.s.indexOf(':', st.i);
  if (end === -1) {
    st.i = open;
    fail(st, 'bytes.unclosed', 'byte sequence is never closed with ":"');
  }
  const b64 = st.s.slice(st.i, end);
  if (!B64.test(b64)) fail(st, 'bytes.base64', 'a byte sequence holds base64 characters only');
  st.i = end + 1;
  // §4.2.7 step 7: padding may be omitted; add it back before decoding.
  // (?<!=) starts the match at the first '=' of the run: linear time.
  const padded = b64.replace(/(?<!=)=+$/, '');
  if (padded.length % 4 === 1) {
    st.i = open;
    fail(st, 'bytes.base64', 'the base64 text has an impossible length');
  }
  const binary = atob(padded + '='.repeat((4 - (padded.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let k = 0; k < binary.length; k++) bytes[k] = binary.charCodeAt(k);
  return bytes;
}

/** §4.2.8 Parsing a Boolean. */
function parseBoolean(st: State): boolean {
  st.i++;
  const c = st.s[st.i];
  if (c === '1' || c === '0') {
    st.i++;
    return c === '1';
  }
  return fail(st, 'boolean', `a boolean is ?1 or ?0, got ?${c ?? ''}`);
}

/** §4.2.9 Parsing a Date. */
function parseDate(st: State): SfDate {
  st.i++;
  const n = parseNumber(st);
  if (typeof n !== 'number') fail(st, 'date', 'a date is a whole number of seconds');
  return { date: n };
}

/** §4.2.10 Parsing a Display String. */
function parseDisplayString(st: State): SfDisplayString {
  const open = st.i;
  st.i++;
  if (st.s[st.i] !== '"') fail(st, 'display.quote', 'a display string starts with %"');
  st.i++;
  const bytes: number[] = [];
  while (st.i < st.s.length) {
    const c = st.s.charAt(st.i);
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e)
      fail(st, 'display.char', 'a display string holds printable ASCII only');
    st.i++;
    if (c === '%') {
      const hex = st.s.slice(st.i, st.i + 2);
      if (!/^[0-9a-f]{2}$/.test(hex))
        fail(st, 'display.escape', 'a display string escape is % and two lower-case hex digits');
      bytes.push(parseInt(hex, 16));
      st.i += 2;
    } else if (c === '"') {
      try {
        return { display: new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes)) };
      } catch {
        st.i = open;
        return fail(st, 'display.utf8', 'a display string must decode as UTF-8');
      }
    } else {
      bytes.push(code);
    }
  }
  st.i = open;
  return fail(st, 'display.unclosed', 'display string is never closed');
}

/**
 * Parses a List field (RFC 9651 §4.2.1). Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2.1
 * @example
 * ```ts
 * parseList('sugar, tea;q=0.5').value?.length; // 2
 * ```
 */
export function parseList(input: string): SfParseResult<SfList> {
  return run(input, parseListInner);
}

/**
 * Parses a Dictionary field (RFC 9651 §4.2.2). Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2.2
 * @example
 * ```ts
 * parseDictionary('a=1, b').value?.get('b'); // { kind: 'item', value: true, params: Map {} }
 * // `offsets` gives the byte offset of each key, for pointing at a member.
 * ```
 */
export function parseDictionary(
  input: string,
): SfParseResult<SfDictionary> & { readonly offsets: ReadonlyMap<string, number> } {
  return run(input, parseDictionaryInner);
}

/**
 * Parses an Item field (RFC 9651 §4.2.3). Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.2.3
 * @example
 * ```ts
 * parseItem('same-origin; report-to="coop"').value?.params.get('report-to'); // 'coop'
 * ```
 */
export function parseItem(input: string): SfParseResult<SfItem> {
  return run(input, parseItemInner);
}

// ------------------------------------------------------------ serialising

function refuse(message: string, value: unknown): never {
  throw new BarbicanError(
    'BARBICAN_E_HEADER_SYNTAX',
    `cannot serialise structured field: ${message}`,
    {
      value,
      allowed: 'values RFC 9651 can represent',
    },
  );
}

const KEY = /^[a-z*][a-z0-9_.*-]*$/;
/** sf-token (§3.3.4): `( ALPHA / "*" ) *( tchar / ":" / "/" )`. */
const TOKEN = new RegExp(`^[A-Za-z*][${TCHAR}:/]*$`);

/** True when `key` is a valid Dictionary or Parameter key (§3.1.2: `lcalpha / "*"` then `lcalpha / DIGIT / "_" / "-" / "." / "*"`). */
export function isKey(key: string): boolean {
  return KEY.test(key);
}

/** True when `value` can be serialised as a Token (§3.3.4). */
export function isTokenText(value: string): boolean {
  return TOKEN.test(value);
}

/** True when `value` can be serialised as a String (§3.3.3: printable ASCII). */
export function isStringText(value: string): boolean {
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function serializeKey(key: string): string {
  if (!KEY.test(key)) refuse('not a key', key);
  return key;
}

function serializeInteger(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) > 999_999_999_999_999) refuse('integer out of range', n);
  return String(n === 0 ? 0 : n);
}

function serializeDecimal(n: number): string {
  if (!Number.isFinite(n)) refuse('decimal is not finite', n);
  // §4.1.5: round to three fractional digits, ties to even.
  const scaled = n * 1000;
  let r = Math.round(scaled);
  if (Math.abs(scaled % 1) === 0.5 && r % 2 !== 0) r -= 1;
  const intPart = Math.trunc(Math.abs(r) / 1000);
  if (intPart > 999_999_999_999) refuse('decimal has more than 12 integer digits', n);
  const frac = String(Math.abs(r) % 1000)
    .padStart(3, '0')
    .replace(/(?<!0)0+$/, '');
  return `${r < 0 ? '-' : ''}${intPart}.${frac === '' ? '0' : frac}`;
}

function serializeString(s: string): string {
  if (!isStringText(s)) refuse('a string holds printable ASCII only', s);
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function serializeBytes(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `:${btoa(binary)}:`;
}

function serializeDisplay(text: string): string {
  let out = '%"';
  for (const b of new TextEncoder().encode(text)) {
    out +=
      b === 0x25 || b === 0x22 || b < 0x20 || b > 0x7e
        ? `%${b.toString(16).padStart(2, '0')}`
        : String.fromCharCode(b);
  }
  return `${out}"`;
}

/** §4.1.3.1 Serialising a Bare Item. */
export function serializeBareItem(v: BareItem): string {
  if (typeof v === 'number') return serializeInteger(v);
  if (typeof v === 'string') return serializeString(v);
  if (typeof v === 'boolean') return v ? '?1' : '?0';
  if (v instanceof Uint8Array) return serializeBytes(v);
  if ('token' in v) {
    if (!TOKEN.test(v.token)) refuse('not a token', v.token);
    return v.token;
  }
  if ('decimal' in v) return serializeDecimal(v.decimal);
  if ('date' in v) return `@${serializeInteger(v.date)}`;
  return serializeDisplay(v.display);
}

function serializeParams(params: Parameters): string {
  let out = '';
  for (const [k, v] of params) {
    out += `;${serializeKey(k)}`;
    if (v !== true) out += `=${serializeBareItem(v)}`;
  }
  return out;
}

/**
 * Serialises an Item (§4.1.3). Throws {@link BarbicanError} for a value RFC 9651 cannot carry.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.3
 * @example
 * ```ts
 * serializeItem(item(token('same-origin'), new Map([['report-to', 'coop']]))); // 'same-origin;report-to="coop"'
 * ```
 */
export function serializeItem(it: SfItem): string {
  return serializeBareItem(it.value) + serializeParams(it.params);
}

function serializeMember(m: SfMember): string {
  if (m.kind === 'item') return serializeItem(m);
  return `(${m.items.map(serializeItem).join(' ')})${serializeParams(m.params)}`;
}

/**
 * Serialises a List (§4.1.1).
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.1
 * @example
 * ```ts
 * serializeList([item(token('a')), innerList([item(1)])]); // 'a, (1)'
 * ```
 */
export function serializeList(list: SfList): string {
  return list.map(serializeMember).join(', ');
}

/**
 * Serialises a Dictionary (§4.1.2); a member that is Boolean true is written as its bare key.
 * @see https://www.rfc-editor.org/rfc/rfc9651#section-4.1.2
 * @example
 * ```ts
 * serializeDictionary(new Map([['camera', innerList([])]])); // 'camera=()'
 * ```
 */
export function serializeDictionary(dict: SfDictionary): string {
  const parts: string[] = [];
  for (const [k, m] of dict) {
    const key = serializeKey(k);
    parts.push(
      m.kind === 'item' && m.value === true
        ? key + serializeParams(m.params)
        : `${key}=${serializeMember(m)}`,
    );
  }
  return parts.join(', ');
}
