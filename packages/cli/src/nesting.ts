/**
 * Cheap nesting bounds, checked before any parser builds a tree: 500,000
 * nested brackets fit in under 1 MiB, and parsing them cost 6 s and 766 MB
 * before the stack overflowed. One linear pass, stopping at the first level
 * over the limit, refuses them in microseconds.
 *
 * @module
 */
import { CST, Lexer } from 'yaml';

/**
 * Where JSON text first nests deeper than `max` (a UTF-16 index), or
 * undefined. Exact: brackets inside strings do not count.
 *
 * @example
 * ```ts
 * jsonTooDeep('[[[]]]', 2); // 2
 * ```
 */
export function jsonTooDeep(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

/** Block indicators that open a nested collection on their line: `- `, `? `, `: `. */
const OPENERS = new Set(['seq-item-ind', 'explicit-key-ind', 'map-value-ind']);

/** The running estimate of {@link yamlTooDeep}. */
interface Walk {
  flow: number;
  onLine: number;
  atLineStart: boolean;
  indent: number;
  readonly indents: number[];
}

/** Counts one token; returns the depth it reaches. */
function step(w: Walk, tok: string, type: string | null): number {
  if (type === 'newline') {
    w.atLineStart = true;
    w.indent = 0;
    w.onLine = 0;
    return 0;
  }
  if (w.atLineStart && type === 'space') {
    w.indent = tok.length;
    return 0;
  }
  if (w.atLineStart && type !== 'comment') {
    w.atLineStart = false;
    if (w.flow === 0) {
      // Python's tokenizer: a deeper indent opens a level, a shallower one closes them.
      while ((w.indents[w.indents.length - 1] ?? -1) >= w.indent) w.indents.pop();
      w.indents.push(w.indent);
    }
  }
  if (type === 'flow-seq-start' || type === 'flow-map-start') w.flow++;
  else if (type === 'flow-seq-end' || type === 'flow-map-end') w.flow = Math.max(0, w.flow - 1);
  else if (w.flow === 0 && type !== null && OPENERS.has(type)) w.onLine++;
  return w.indents.length + w.onLine + w.flow;
}

/** Lexer tokens that mark a state change and are not source text. */
const MARKERS = new Set(['doc-mode', 'scalar', 'flow-error-end']);

/**
 * Where (a UTF-16 index) YAML text first nests deeper than about `max`
 * levels, or undefined. Flow brackets are counted exactly (the lexer knows
 * quoted scalars); block nesting is estimated from indentation levels plus
 * the `- `, `? ` and `: ` indicators of a line, which over-counts by at most
 * a level or two — never under. Streams the lexer and stops at the first
 * token over the limit.
 *
 * @example
 * ```ts
 * yamlTooDeep('- - - x\n', 2); // 2
 * ```
 */
export function yamlTooDeep(text: string, max: number): number | undefined {
  const w: Walk = { flow: 0, onLine: 0, atLineStart: true, indent: 0, indents: [] };
  let offset = 0;
  let content = false;
  for (const tok of new Lexer().lex(text)) {
    const at = offset;
    const type = content ? null : CST.tokenType(tok);
    if (content || type === null || !MARKERS.has(type) || tok.length !== 1) offset += tok.length;
    if (content) {
      // The source text of a scalar, after its marker token: nothing to count.
      content = false;
      continue;
    }
    if (type === 'scalar') {
      content = true;
      continue;
    }
    if (step(w, tok, type) > max) return at;
  }
  return undefined;
}
