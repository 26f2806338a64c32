/**
 * A CSP policy as the checks see it: directive name → normalised values,
 * plus the "effective" view a CSP3 browser enforces.
 *
 * @module
 */
import { CSP_KEYWORDS, SCHEME_ONLY, SCRIPT_DIRECTIVES } from '@barbican/core/parsers';

/** Directive name (lower case) → source values, in order, without duplicates. */
export type Directives = Map<string, string[]>;

/** One policy under analysis. */
export interface Policy {
  /** Position among the analysed policies (header lines, comma items, then meta). */
  readonly index: number;
  readonly directives: Directives;
  /** Came from `<meta http-equiv>`. */
  readonly meta?: boolean;
}

/**
 * Keywords matched case-insensitively. CSP3's list plus a few older ones
 * (`'unsafe-hashed-attributes'`, `'wasm-eval'`) that CSP Evaluator still
 * recognises, so both analysers normalise the same tokens.
 */
const KEYWORDS = new Set([
  ...CSP_KEYWORDS,
  "'unsafe-hashed-attributes'",
  "'wasm-eval'",
  "'script'",
  "'allow-duplicates'",
]);

/** Fetch directives that fall back to default-src (CSP3 §6.8.3). */
export const FETCH_DIRECTIVES: ReadonlySet<string> = new Set([
  'child-src',
  'connect-src',
  'default-src',
  'font-src',
  'frame-src',
  'img-src',
  'manifest-src',
  'media-src',
  'object-src',
  'script-src',
  'script-src-attr',
  'script-src-elem',
  'style-src',
  'style-src-attr',
  'style-src-elem',
  'worker-src',
  'fenced-frame-src',
]);

/** The directives whose sources decide whether injected markup can run script. */
export const XSS_DIRECTIVES: readonly string[] = [...SCRIPT_DIRECTIVES, 'object-src', 'base-uri'];

/** Nonce as CSP3 §2.3.1 allows it (base64 or base64url, up to two `=`). */
export const STRICT_NONCE = /^'nonce-[\w+/-]+={0,2}'$/;
/** Hash source with a base64 digest. */
export const STRICT_HASH = /^'sha(?:256|384|512)-[\w+/-]+={0,2}'$/;

/**
 * Lower-cases keywords and schemes (case-insensitive in CSP3 §2.3.1) and
 * keeps everything else as written: nonces, hashes and paths are
 * case-sensitive.
 */
export function normalizeValue(value: string): string {
  // Keywords start with a quote and schemes end with a colon: anything else
  // is kept as written without lower-casing it first.
  if (!value.startsWith("'") && !value.endsWith(':')) return value;
  const lower = value.toLowerCase();
  if (KEYWORDS.has(lower) || SCHEME_ONLY.test(value)) return lower;
  return value;
}

/** Builds a {@link Policy} from parsed directives, normalising and de-duplicating values. */
export function toPolicy(
  index: number,
  directives: ReadonlyMap<string, readonly string[]>,
  meta = false,
): Policy {
  const map: Directives = new Map();
  for (const [name, values] of directives) {
    // A Set keeps de-duplication linear: a page's <meta> policy may list
    // tens of thousands of sources.
    map.set(name, [...new Set(values.map(normalizeValue))]);
  }
  return meta ? { index, directives: map, meta } : { index, directives: map };
}

/**
 * The directive that governs `name` in `directives` (CSP3 §6.8.3 "get the
 * effective directive"): itself, else script-src/style-src for the -elem and
 * -attr variants, else default-src for fetch directives.
 */
export function effectiveDirective(directives: Directives, name: string): string {
  if (directives.has(name)) return name;
  if ((name === 'script-src-attr' || name === 'script-src-elem') && directives.has('script-src')) {
    return 'script-src';
  }
  if ((name === 'style-src-attr' || name === 'style-src-elem') && directives.has('style-src')) {
    return 'style-src';
  }
  return FETCH_DIRECTIVES.has(name) ? 'default-src' : name;
}

/** The distinct effective directives for `names`, in order. */
export function effectiveDirectives(directives: Directives, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const e = effectiveDirective(directives, n);
    if (!out.includes(e)) out.push(e);
  }
  return out;
}

/** The values that govern `name`, or undefined when nothing does. */
export function valuesFor(directives: Directives, name: string): string[] | undefined {
  return directives.get(effectiveDirective(directives, name));
}

/** True when the values hold a well-formed nonce. */
export function hasNonce(values: readonly string[] | undefined): boolean {
  return values?.some((v) => STRICT_NONCE.test(v)) ?? false;
}

/** True when the values hold a well-formed hash. */
export function hasHash(values: readonly string[] | undefined): boolean {
  return values?.some((v) => STRICT_HASH.test(v)) ?? false;
}

/**
 * The policy a CSP3 browser enforces for scripts: with a nonce or hash,
 * `'unsafe-inline'` is ignored (CSP3 §6.7.3.2); with `'strict-dynamic'`,
 * host and scheme sources, `'self'` and `'unsafe-inline'` are ignored
 * (CSP3 §8.2).
 */
export function effectivePolicy(policy: Policy): Policy {
  const source = policy.directives;
  let directives: Directives | undefined;
  let done: string | undefined;
  for (const name of SCRIPT_DIRECTIVES) {
    const d = effectiveDirective(source, name);
    // Each governing directive once: repeating the edits changes nothing.
    if (d === done) continue;
    const original = source.get(d);
    if (original === undefined) continue;
    done = d;
    const dropInline =
      original.includes("'unsafe-inline'") && (hasNonce(original) || hasHash(original));
    const strictDynamic = original.includes("'strict-dynamic'");
    if (!dropInline && !strictDynamic) continue;
    // Copy on write: the value arrays it does not change are shared.
    directives ??= new Map(source);
    const values = [...original];
    directives.set(d, values);
    if (dropInline) remove(values, "'unsafe-inline'");
    if (strictDynamic) {
      for (const v of original) {
        if (!v.startsWith("'") || v === "'self'" || v === "'unsafe-inline'") remove(values, v);
      }
    }
  }
  return directives === undefined ? policy : { ...policy, directives };
}

function remove(values: string[], v: string): void {
  const i = values.indexOf(v);
  if (i !== -1) values.splice(i, 1);
}

/** Serialises directives as `name v1 v2; name2 …`. */
export function serialize(directives: Directives): string {
  let out = '';
  for (const [name, values] of directives) {
    if (out !== '') out += '; ';
    out += name;
    for (const v of values) out += ` ${v}`;
  }
  return out;
}
