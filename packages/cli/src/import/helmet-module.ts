/**
 * Finding helmet's options in a JavaScript or TypeScript file without
 * running it: the object literal of `module.exports = {…}`, `export default
 * {…}`, or the one `helmet({…})` call (`app.use(helmet({…}))`). Everything
 * else becomes spaces, so the literal is parsed as YAML flow (unquoted
 * keys and trailing commas work) at its own offsets, and every error
 * points at the file's own line and column.
 *
 * A scanner, not a JavaScript parser: it knows comments, string and
 * template literals and braces, which is all it takes to find one literal.
 * An argument that is not a literal (`helmet(options)`) is refused: its
 * value exists only when the file runs.
 *
 * @module
 */
import { ExtractError } from '../config.ts';

/** Spaces for every character but line breaks, so offsets and line numbers survive. */
function blank(text: string): string {
  return text.replace(/[^\n\r]/g, ' ');
}

/**
 * Calls `visit(i)` at every index of `code` from `from` on that is outside
 * string and template literals (`from` must be outside one); `visit`
 * returns the index to go on after: `i`, further, or `code.length` to stop.
 */
function outsideStrings(code: string, from: number, visit: (i: number) => number): void {
  let quote = '';
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else i = visit(i);
  }
}

/**
 * Blanks out `//` and `/* … *\/` comments outside string literals. One
 * linear pass; a comment inside '…', "…" or `…` is text, not a comment.
 */
export function blankJsComments(text: string): string {
  let out = '';
  let from = 0;
  outsideStrings(text, 0, (i) => {
    if (text[i] !== '/' || (text[i + 1] !== '/' && text[i + 1] !== '*')) return i;
    const block = text[i + 1] === '*';
    const close = block ? text.indexOf('*/', i + 2) : text.indexOf('\n', i + 2);
    const end = close === -1 ? text.length : block ? close + 2 : close;
    out += text.slice(from, i) + blank(text.slice(i, end));
    from = end;
    return end - 1;
  });
  return out + text.slice(from);
}

/** The offset of the `(` of every `helmet(` call outside strings. */
function helmetCalls(code: string): number[] {
  const calls: number[] = [];
  outsideStrings(code, 0, (i) => {
    // `helmet.contentSecurityPolicy(…)`, `myHelmet(…)` and `x.helmet(…)` are other functions.
    if (code[i] !== 'h' || /[\w$.]/.test(code[i - 1] ?? '')) return i;
    const call = /^helmet\s*\(/.exec(code.slice(i, i + 64));
    if (call === null) return i;
    calls.push(i + call[0].length - 1);
    return i + call[0].length - 1;
  });
  return calls;
}

/** The index of the `}` closing the `{` at `open`, or -1 when the file ends first. */
function closingBrace(code: string, open: number): number {
  let depth = 0;
  let end = -1;
  outsideStrings(code, open, (i) => {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) end = i;
    return end === -1 ? i : code.length;
  });
  return end;
}

/**
 * Template literals with nothing a double-quoted string would read
 * differently (no `${`, `"`, backslash or line break) become "…", the same
 * length: YAML flow reads those, and helmet options often use them.
 */
function plainTemplates(code: string): string {
  let out = '';
  let from = 0;
  let quote = '';
  let open = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote === '') {
      if (c === "'" || c === '"' || c === '`') [quote, open] = [c, i];
    } else if (c === '\\') i++;
    else if (c === quote) {
      if (quote === '`' && !/[$"\\\n\r]/.test(code.slice(open + 1, i))) {
        out += `${code.slice(from, open)}"${code.slice(open + 1, i)}"`;
        from = i + 1;
      }
      quote = '';
    }
  }
  return out + code.slice(from);
}

/** The object literal opening at `open`, the rest blank (all of the rest when it never closes: the parser says where). */
function literalAt(code: string, open: number): string {
  const close = closingBrace(code, open);
  return keep(code, open, close === -1 ? code.length : close + 1);
}

const WRAPPER = /^\s*(?:module\.exports\s*=|export\s+default\b)/;

/** Only `code[from..to]` kept, the rest blank. */
function keep(code: string, from: number, to: number): string {
  return blank(code.slice(0, from)) + code.slice(from, to) + blank(code.slice(to));
}

/**
 * Turns a helmet options module into YAML flow text with the same offsets.
 * Throws {@link ExtractError} when the file holds no options literal, or
 * more than one `helmet(…)` call.
 *
 * @example
 * ```ts
 * unwrapJsObject('app.use(helmet({ hsts: false }));'); // '               { hsts: false }   '
 * ```
 */
export function unwrapJsObject(text: string): string {
  const code = plainTemplates(blankJsComments(text));
  const wrapper = WRAPPER.exec(code);
  const body = wrapper === null ? 0 : wrapper[0].length;
  const first = body + (/^\s*/.exec(code.slice(body))?.[0].length ?? 0);
  if (code[first] === '{') return literalAt(code, first);
  const calls = helmetCalls(code);
  const [open, second] = calls;
  if (open === undefined) {
    throw new ExtractError(
      'holds no helmet options: expected `module.exports = {…}`, `export default {…}` or a `helmet({…})` call',
      first,
      'Barbican reads the options object literal and never runs the file',
    );
  }
  if (second !== undefined) {
    throw new ExtractError(
      `calls helmet() ${calls.length} times; one set of options is imported at a time`,
      second,
      'Copy the options of the helmet() call to import into a file of their own',
    );
  }
  const arg = open + 1 + (/^\s*/.exec(code.slice(open + 1))?.[0].length ?? 0);
  // helmet() with no options: its defaults, which is what the helmet preset holds.
  if (code[arg] === ')') {
    return `${blank(code.slice(0, open))}{${blank(code.slice(open + 1, arg))}}${blank(code.slice(arg + 1))}`;
  }
  if (code[arg] !== '{') {
    throw new ExtractError(
      'passes helmet() something other than an object literal',
      arg,
      'Barbican never runs the file: write the options as an object literal inside helmet(…)',
    );
  }
  return literalAt(code, arg);
}
