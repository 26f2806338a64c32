/**
 * Content-Security-Policy parser following CSP3 §2.2 exactly.
 *
 * Shared by the policy validator (raw strings) and the scanner. It never
 * throws: every problem is data with the byte offset into the field value
 * it was found in.
 *
 * @see https://www.w3.org/TR/CSP3/#parse-serialized-policy
 * @see https://www.w3.org/TR/CSP3/#parse-response-csp
 * @module
 */
import { readQuotedString } from '../../field.ts';
import type { FieldProblem } from '../../field-types.ts';
import {
  CSP_DIRECTIVE_SPECS,
  checkDirectiveValue,
  suggestDirective,
  type ValueIssue,
} from './directives.ts';

/** A problem in a CSP field value. Offsets count UTF-16 code units, i.e. bytes for ASCII values. */
export interface CspProblem extends FieldProblem {
  /** Which field value (header line) the offset refers to, 0-based. */
  readonly field: number;
  /** The directive concerned, lower case. */
  readonly directive?: string;
  /** The offending token, as written. */
  readonly value?: string;
  readonly hint?: string;
  /** The Barbican error code a builder throws for an error (validate mode). */
  readonly errorCode?: ValueIssue['errorCode'];
}

/** One directive as written, with where it was found. */
export interface ParsedCspDirective {
  /** Lower-cased name. */
  readonly name: string;
  readonly value: readonly string[];
  /** Offset of the directive's first character in its field value. */
  readonly offset: number;
  /** Offset just past the directive's last character. */
  readonly end: number;
  /** Offset of each value token. */
  readonly valueOffsets: readonly number[];
}

/** One policy (CSP3 §2.2.1 "parse a serialized CSP"). */
export interface ParsedCsp {
  /** Directive name (lower case) → value tokens. The first of duplicates wins. */
  readonly directives: Map<string, string[]>;
  /** The directives that were kept, in order, with offsets. */
  readonly list: readonly ParsedCspDirective[];
  /** Problems found in this policy. */
  readonly problems: CspProblem[];
  /** Which field value (header line) the policy came from. */
  readonly field: number;
  /** Where the policy starts in that field value. */
  readonly offset: number;
  /** `enforce` for Content-Security-Policy, `report` for the Report-Only header. */
  readonly disposition: 'enforce' | 'report';
}

/** The result of {@link parseCsp}. */
export interface CspParseResult {
  /** Every policy with at least one directive, in order. */
  readonly policies: ParsedCsp[];
  /** Problems that belong to no kept policy (e.g. a policy that was dropped as empty). */
  readonly problems: CspProblem[];
}

export interface ParseCspOptions {
  /** The values came from Content-Security-Policy-Report-Only. */
  readonly reportOnly?: boolean;
  /**
   * Also check directive names and value grammar (unknown directives,
   * unquoted keywords, bad hosts…). Browsers skip such tokens silently;
   * the builder and the scanner want to hear about them.
   */
  readonly validate?: boolean;
}

/** ASCII whitespace per the Infra standard: TAB, LF, FF, CR, SPACE. */
function isAsciiWhitespace(c: number): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
}

/**
 * Fetch's "get, decode, and split": commas separate values, except inside
 * double-quoted strings; each value is trimmed of HTTP tab or space.
 * Returns [start, end) ranges.
 */
function splitFieldValue(value: string): [number, number][] {
  const out: [number, number][] = [];
  const n = value.length;
  let i = 0;
  let start = 0;
  while (i <= n) {
    if (i === n || value[i] === ',') {
      let s = start;
      let e = i;
      while (s < e && (value[s] === ' ' || value[s] === '\t')) s++;
      while (e > s && (value[e - 1] === ' ' || value[e - 1] === '\t')) e--;
      out.push([s, e]);
      start = i + 1;
      i++;
      continue;
    }
    if (value[i] === '"') {
      // HTTP quoted string: a comma inside it does not split the field.
      i = readQuotedString(value, i).end;
      continue;
    }
    i++;
  }
  return out;
}

/** Parses one serialized policy occupying [from, to) of `value`. */
function parseSerialized(
  value: string,
  from: number,
  to: number,
  field: number,
  opts: ParseCspOptions,
): ParsedCsp {
  const directives = new Map<string, string[]>();
  const list: ParsedCspDirective[] = [];
  const problems: CspProblem[] = [];
  let i = from;
  while (i <= to) {
    // "strictly split on ';'": quotes mean nothing here.
    let end = i;
    while (end < to && value.charCodeAt(end) !== 0x3b) end++;
    let s = i;
    let e = end;
    while (s < e && isAsciiWhitespace(value.charCodeAt(s))) s++;
    while (e > s && isAsciiWhitespace(value.charCodeAt(e - 1))) e--;
    i = end + 1;
    if (s === e) continue;
    // One walk splits the name and tokens and finds the first non-ASCII
    // code unit (whitespace is ASCII, so the first found is the first).
    let nonAscii = -1;
    let k = s;
    let c = 0;
    while (k < e && !isAsciiWhitespace((c = value.charCodeAt(k)))) {
      if (c > 0x7f) {
        nonAscii = k;
        break;
      }
      k++;
    }
    const nameEnd = k;
    const tokens: string[] = [];
    const offsets: number[] = [];
    while (nonAscii === -1 && k < e) {
      while (k < e && isAsciiWhitespace(value.charCodeAt(k))) k++;
      const t = k;
      while (k < e && !isAsciiWhitespace((c = value.charCodeAt(k)))) {
        if (c > 0x7f) {
          nonAscii = k;
          break;
        }
        k++;
      }
      if (nonAscii === -1 && k > t) {
        tokens.push(value.slice(t, k));
        offsets.push(t);
      }
    }
    if (nonAscii !== -1) {
      problems.push({
        code: 'csp.directive.non_ascii',
        severity: 'warning',
        message: 'a directive containing non-ASCII characters is skipped by browsers',
        offset: nonAscii,
        field,
      });
      continue;
    }
    const name = value.slice(s, nameEnd).toLowerCase();
    if (directives.has(name)) {
      problems.push({
        code: 'csp.directive.duplicate',
        severity: 'warning',
        message: `directive ${name} repeats; browsers apply the first and ignore this one`,
        offset: s,
        field,
        directive: name,
      });
      continue;
    }
    directives.set(name, tokens);
    const entry = { name, value: tokens, offset: s, end: e, valueOffsets: offsets };
    list.push(entry);
    if (opts.validate === true) validate(entry, field, problems);
  }
  return {
    directives,
    list,
    problems,
    field,
    offset: from,
    disposition: opts.reportOnly === true ? 'report' : 'enforce',
  };
}

function validate(d: ParsedCspDirective, field: number, problems: CspProblem[]): void {
  const spec = Object.hasOwn(CSP_DIRECTIVE_SPECS, d.name) ? CSP_DIRECTIVE_SPECS[d.name] : undefined;
  if (spec === undefined) {
    const guess = suggestDirective(d.name);
    problems.push({
      code: 'csp.directive.unknown',
      severity: 'error',
      errorCode: 'BARBICAN_E_CSP_DIRECTIVE',
      message: `unknown directive ${d.name} is ignored by browsers`,
      offset: d.offset,
      field,
      directive: d.name,
      ...(guess === undefined ? {} : { hint: `Did you mean "${guess}"?` }),
    });
    return;
  }
  if (spec.deprecated !== undefined) {
    problems.push({
      code: 'csp.directive.deprecated',
      severity: 'warning',
      message: `${d.name} is deprecated: ${spec.deprecated}`,
      offset: d.offset,
      field,
      directive: d.name,
    });
  }
  for (const v of checkDirectiveValue(d.name, d.value)) {
    const token = v.index >= 0 ? d.value[v.index] : undefined;
    problems.push({
      code: v.code,
      severity: v.severity,
      errorCode: v.errorCode,
      message: `${d.name}: ${v.message}`,
      offset: v.index >= 0 ? (d.valueOffsets[v.index] ?? d.offset) : d.offset,
      field,
      directive: d.name,
      ...(token === undefined ? {} : { value: token }),
      ...(v.hint === undefined ? {} : { hint: v.hint }),
    });
  }
}

/**
 * Parses Content-Security-Policy (or -Report-Only) field values the way a
 * browser does (CSP3 §2.2.2): each field value may hold several
 * comma-separated policies, each split strictly on `;`; names are
 * lower-cased; the first of duplicate directives wins; directives with
 * non-ASCII characters are skipped; policies without directives are
 * dropped. Keyword case is kept as written (they match case-insensitively;
 * nonces and hashes do not). Never throws.
 *
 * @param value One field value, or every field value of the response in order.
 * @see https://www.w3.org/TR/CSP3/#parse-response-csp
 * @example
 * ```ts
 * const { policies } = parseCsp("default-src 'self'; script-src 'self' 'self', object-src 'none'");
 * policies.length;                              // 2 (two policies, both enforced)
 * policies[0].directives.get('script-src');     // ["'self'", "'self'"]
 * ```
 */
export function parseCsp(
  value: string | readonly string[],
  opts: ParseCspOptions = {},
): CspParseResult {
  const fields: readonly unknown[] = Array.isArray(value) ? value : [value];
  const policies: ParsedCsp[] = [];
  const problems: CspProblem[] = [];
  fields.forEach((f, field) => {
    if (typeof f !== 'string') return;
    for (const [start, end] of splitFieldValue(f)) {
      const policy = parseSerialized(f, start, end, field, opts);
      if (policy.directives.size === 0) {
        // §2.2.2 step 2.2: a policy with no directives is not added.
        problems.push(...policy.problems, {
          code: 'csp.policy.empty',
          severity: 'warning',
          message: 'an empty policy is ignored',
          offset: start,
          field,
        });
        continue;
      }
      policies.push(policy);
    }
  });
  return { policies, problems };
}
