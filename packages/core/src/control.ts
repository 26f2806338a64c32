/**
 * One escaping function for every untrusted string that reaches a terminal
 * or a log: config keys, server-provided header values, cookie names, URLs,
 * certificate subjects. A leaf module (imports nothing) so every package can
 * use it, and `BarbicanError` applies it to each message it builds.
 *
 * @module
 */

/**
 * What a terminal or a log reader would act on instead of showing: C0
 * controls (ESC starts colour and cursor sequences, CR/LF forge lines), DEL,
 * C1 controls (U+009B is an 8-bit CSI), the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder what
 * is displayed ("Trojan Source", CVE-2021-42574).
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes an untrusted string inert on a terminal and in a log: every control
 * character, line separator and bidi override becomes a visible escape
 * (`\n`, `\x1b`, `\u202e`); everything else is unchanged, so an escaped
 * string is escaped again to itself. Strings without such characters are
 * returned as they are, without copying.
 *
 * @see https://nvd.nist.gov/vuln/detail/CVE-2021-42574
 * @example
 * ```ts
 * escapeControl('evil\nbarbican: fake success'); // 'evil\\nbarbican: fake success'
 * escapeControl('\u001b[31mRED');                 // '\\x1b[31mRED'
 * ```
 */
export function escapeControl(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeOne) : text;
}

/**
 * True when `text` holds a character {@link escapeControl} would escape.
 *
 * @example
 * ```ts
 * hasControl('a\u009bb'); // true
 * ```
 */
export function hasControl(text: string): boolean {
  return UNSAFE.test(text);
}

/**
 * `fn` applied to every string inside `value`, object keys too: plain
 * objects and arrays are copied, other values returned as they are. The
 * walk under {@link escapeControlDeep} and the scanner's credential
 * redaction.
 *
 * @example
 * ```ts
 * mapStrings({ a: ['x'] }, (s) => s.toUpperCase()); // { a: ['X'] }
 * ```
 */
export function mapStrings<T>(value: T, fn: (text: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, fn)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[fn(k)] = mapStrings(v, fn);
  return out as T;
}

/**
 * {@link escapeControl} applied to every string inside `value` (object
 * keys too), for a reporter about to format data that came from outside:
 * one call at the top of the reporter, and no field can be forgotten.
 *
 * @example
 * ```ts
 * const safe = escapeControlDeep(result);
 * lines.push(`${c.bold(safe.url)} ${safe.grade}`);
 * ```
 */
export function escapeControlDeep<T>(value: T): T {
  return mapStrings(value, escapeControl);
}

/** What JSON.stringify leaves raw but a terminal or `jq -r` would act on (it escapes C0 only). */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const RAW_IN_JSON_ALL = new RegExp(RAW_IN_JSON.source, 'g');

/** JSON text with what JSON.stringify left raw written as `\uXXXX` (the same JSON value). */
function inert(text: string): string {
  return RAW_IN_JSON.test(text)
    ? text.replace(RAW_IN_JSON_ALL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : text;
}

/**
 * `JSON.stringify` (two-space indent, trailing newline) with DEL, C1
 * controls, line separators and bidi overrides also written as `\uXXXX`:
 * the same JSON value, but inert when printed raw. The one serialiser of
 * every `--json` and SARIF output.
 *
 * @example
 * ```ts
 * process.stdout.write(inertJson({ name: 'a\u009bb' })); // {\n  "name": "a\\u009bb"\n}\n
 * ```
 */
export function inertJson(value: unknown): string {
  // undefined (and a function) stringify to undefined, not to text.
  const text = (JSON.stringify(value, null, 2) as string | undefined) ?? 'null';
  return `${inert(text)}\n`;
}

/**
 * {@link inertJson} on one line (no indent, trailing newline): for JSON-lines
 * logs such as the gateway's access log, where a client's user agent or
 * path may carry C1 bytes that `JSON.stringify` would leave raw.
 *
 * @example
 * ```ts
 * process.stdout.write(inertJsonLine({ ua: 'x\u009b2J' })); // {"ua":"x\\u009b2J"}\n
 * ```
 */
export function inertJsonLine(value: unknown): string {
  const text = (JSON.stringify(value) as string | undefined) ?? 'null';
  return `${inert(text)}\n`;
}
