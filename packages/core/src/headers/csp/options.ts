/**
 * The CSP option shape and its validation: directive names (kebab-case or
 * camelCase), values checked by the CSP3 grammar, and the nonce targets.
 *
 * Validation runs when the policy is built; the result is normalised
 * (canonical names, one source expression per list item) so merging and
 * serialising never have to think about spellings again.
 *
 * @module
 */
import { BarbicanError, didYouMean } from '../../errors.ts';
import { assertFieldSafe } from '../../field.ts';
import { isPlainObject, object, type JsonSchema, type Schema } from '../../schema/index.ts';
import {
  CSP_DIRECTIVES,
  CSP_DIRECTIVE_SPECS,
  NONCE_DIRECTIVES,
  camelCase,
  canonicalDirective,
  checkDirectiveValue,
  suggestDirective,
} from './directives.ts';

/**
 * Directives by name: a list of source expressions, `true` for a directive
 * without a value (`upgrade-insecure-requests`, a bare `sandbox`), or
 * `false` to remove a directive the preset sets.
 */
export interface CspDirectives {
  [name: string]: string[] | boolean;
}

/**
 * Options of the `csp` and `cspReportOnly` headers.
 *
 * @example
 * ```ts
 * const csp: CspOptions = {
 *   directives: { 'default-src': ["'self'"], scriptSrc: ["'self'", "'strict-dynamic'"] },
 *   nonce: true,
 * };
 * ```
 */
export interface CspOptions {
  directives?: CspDirectives;
  /**
   * `true`: add a per-request `'nonce-…'` to `script-src` and `style-src`;
   * a list: to exactly those directives.
   */
  nonce?: boolean | string[];
}

const ASCII_WS = /[\t\n\f\r ]+/;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value === 'object' || typeof value === 'undefined' ? 'an' : 'a'} ${typeof value}`;
}

/** Validates one directive's value given under option `path`; returns it normalised. */
function normalizeValue(name: string, value: unknown, path: string): string[] | boolean {
  const spec = CSP_DIRECTIVE_SPECS[name];
  if (spec === undefined) throw new Error(`unreachable: ${name}`);
  const takesBare =
    spec.kind === 'flag' || spec.kind === 'sandbox' || spec.kind === 'trusted-types';
  if (value === false) return false;
  if (value === true) {
    if (takesBare) return true;
    throw new BarbicanError('BARBICAN_E_TYPE', `${name} needs a list of sources, not true`, {
      path,
      value,
      hint:
        spec.kind === 'source-list' || spec.kind === 'ancestor-source-list'
          ? `For example ["'self'"], or ["'none'"] to allow nothing`
          : `Give ${name} its value as a list of strings`,
    });
  }
  if (!Array.isArray(value)) {
    throw new BarbicanError(
      'BARBICAN_E_TYPE',
      `expected a list of strings, true or false, not ${typeName(value)}`,
      { path, value },
    );
  }
  const tokens: string[] = [];
  const itemOf: number[] = [];
  value.forEach((item: unknown, i) => {
    const itemPath = `${path}[${i}]`;
    if (typeof item !== 'string') {
      throw new BarbicanError('BARBICAN_E_TYPE', `expected a string, not ${typeName(item)}`, {
        path: itemPath,
        value: item,
      });
    }
    assertFieldSafe(item, itemPath);
    const sep = /[;,]/.exec(item);
    if (sep !== null) {
      // A ';' would end the directive and start one the attacker (or typo)
      // chose; a ',' would start a second, separately enforced policy.
      throw new BarbicanError(
        'BARBICAN_E_CSP_SOURCE',
        sep[0] === ';'
          ? '";" ends a directive, so it cannot appear inside a value'
          : '"," starts a new policy, so it cannot appear inside a value',
        {
          path: itemPath,
          value: item,
          offset: sep.index,
          hint: 'Give each source as its own list item, and each directive as its own key',
        },
      );
    }
    const parts = item.split(ASCII_WS).filter((p) => p !== '');
    if (parts.length === 0) {
      throw new BarbicanError('BARBICAN_E_CSP_SOURCE', 'empty source expression', {
        path: itemPath,
        value: item,
      });
    }
    for (const p of parts) {
      tokens.push(p);
      itemOf.push(i);
    }
  });
  if (spec.kind === 'flag' && tokens.length === 0) return true;
  // An empty source list is valid only as a nonce's target (`script-src
  // 'nonce-…'` and nothing else); the builder, which knows the targets,
  // refuses it otherwise with emptySourceList().
  if (
    (spec.kind === 'source-list' || spec.kind === 'ancestor-source-list') &&
    tokens.length === 0
  ) {
    return [];
  }
  const first = checkDirectiveValue(name, tokens)[0];
  if (first !== undefined) {
    const at = first.index >= 0 ? itemOf[first.index] : undefined;
    throw new BarbicanError(first.errorCode, first.message, {
      path: at === undefined ? path : `${path}[${at}]`,
      value: first.index >= 0 ? tokens[first.index] : value,
      ...(first.allowed === undefined ? {} : { allowed: first.allowed }),
      ...(first.hint === undefined ? {} : { hint: first.hint }),
    });
  }
  return tokens;
}

/**
 * Validates a directives object found at option `path` and returns it with
 * canonical (kebab-case) names. Throws {@link BarbicanError}.
 */
export function normalizeDirectives(input: unknown, path: string): CspDirectives {
  if (!isPlainObject(input)) {
    throw new BarbicanError('BARBICAN_E_TYPE', `expected an object, not ${typeName(input)}`, {
      path,
      value: input,
    });
  }
  const out: CspDirectives = {};
  const spelledAs = new Map<string, string>();
  for (const key of Object.keys(input)) {
    const keyPath = `${path}.${key}`;
    const name = canonicalDirective(key);
    if (name === undefined) {
      const guess = suggestDirective(key);
      throw new BarbicanError('BARBICAN_E_CSP_DIRECTIVE', 'unknown CSP directive', {
        path: keyPath,
        value: key,
        allowed: 'the CSP3 directives listed in docs/csp.md, in kebab-case or camelCase',
        ...(guess === undefined ? {} : { hint: `Did you mean "${guess}"?` }),
      });
    }
    const other = spelledAs.get(name);
    if (other !== undefined) {
      throw new BarbicanError(
        'BARBICAN_E_CONFLICT',
        `"${other}" and "${key}" are the same directive`,
        { path: keyPath, hint: `Keep one spelling: "${name}"` },
      );
    }
    spelledAs.set(name, key);
    const value = input[key];
    if (value === undefined) continue;
    out[name] = normalizeValue(name, value, keyPath);
  }
  return out;
}

/** The error for a directive whose source list is empty and gets no nonce. */
export function emptySourceList(name: string, path: string): BarbicanError {
  return new BarbicanError('BARBICAN_E_CSP_SOURCE', `${name} has an empty source list`, {
    path,
    value: [],
    hint: `An empty list blocks everything; say so explicitly with ["'none'"], use false to drop the directive, or list it in nonce to allow only the per-request nonce`,
  });
}

/** Validates the `nonce` option; returns the canonical target directives (empty = no nonce). */
export function normalizeNonce(input: unknown, path: string): boolean | string[] {
  if (typeof input === 'boolean') return input;
  if (!Array.isArray(input)) {
    throw new BarbicanError(
      'BARBICAN_E_TYPE',
      `expected true, false or a list of directive names, not ${typeName(input)}`,
      { path, value: input },
    );
  }
  const out: string[] = [];
  input.forEach((item: unknown, i) => {
    const itemPath = `${path}[${i}]`;
    const name = typeof item === 'string' ? canonicalDirective(item) : undefined;
    if (name === undefined || !NONCE_DIRECTIVES.includes(name)) {
      const guess = typeof item === 'string' ? didYouMean(item, NONCE_DIRECTIVES) : undefined;
      throw new BarbicanError('BARBICAN_E_CSP_DIRECTIVE', 'not a directive a nonce can go in', {
        path: itemPath,
        value: item,
        allowed: NONCE_DIRECTIVES.join(', '),
        ...(guess === undefined ? {} : { hint: `Did you mean "${guess}"?` }),
      });
    }
    if (!out.includes(name)) out.push(name);
  });
  return out;
}

const valueSchema: JsonSchema = {
  anyOf: [
    { type: 'array', items: { type: 'string' } },
    { type: 'boolean', description: 'true: the directive without a value; false: remove it' },
  ],
};

/** The `directives` schema: known names only (either spelling), each value checked by its grammar. */
export const directivesSchema: Schema<CspDirectives> = {
  expected: 'an object of CSP directives',
  parse: normalizeDirectives,
  toJsonSchema: () => ({
    type: 'object',
    description:
      'CSP directives: a list of source expressions (keywords in single quotes: "\'self\'"), true for a directive without a value, false to remove one the preset sets.',
    additionalProperties: false,
    properties: Object.fromEntries(
      CSP_DIRECTIVES.flatMap((name) => {
        const spec = CSP_DIRECTIVE_SPECS[name];
        const s =
          spec?.deprecated === undefined
            ? valueSchema
            : { ...valueSchema, deprecated: true, description: `Deprecated: ${spec.deprecated}` };
        const alias = camelCase(name);
        return alias === name
          ? [[name, s]]
          : [
              [name, s],
              [alias, s],
            ];
      }),
    ),
  }),
};

/** The `nonce` schema. */
export const nonceSchema: Schema<boolean | string[]> = {
  expected: 'true, false or a list of directive names',
  parse: normalizeNonce,
  toJsonSchema: () => ({
    description:
      "true: add a per-request 'nonce-…' to script-src and style-src; a list: to those directives.",
    anyOf: [
      { type: 'boolean' },
      {
        type: 'array',
        items: { enum: [...NONCE_DIRECTIVES, ...NONCE_DIRECTIVES.map(camelCase)] },
      },
    ],
  }),
};

/** The object form of the `csp` and `cspReportOnly` options. */
export const cspOptionsSchema: Schema<CspOptions> = object({
  directives: directivesSchema,
  nonce: nonceSchema,
});
