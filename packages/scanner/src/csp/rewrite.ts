/**
 * Rewrites policies to address their findings, and says for each finding
 * what changed. The plan follows web.dev's strict CSP: a per-response nonce
 * with `'strict-dynamic'`, the old allowlist and `'unsafe-inline'` kept only
 * as fallbacks that nonce-aware browsers ignore, `object-src 'none'` and
 * `base-uri 'none'`.
 *
 * @module
 */
import {
  CSP_DIRECTIVE_SPECS,
  SCHEME_ONLY,
  SCHEME_PREFIX,
  URI_SCHEME,
  checkSource,
  editDistance,
  parseCsp,
} from '@barbican/core/parsers';
import type { CheckId, RawFinding } from './checks.ts';
import { STRICT_HASH, STRICT_NONCE, serialize, type Directives, type Policy } from './policy.ts';

/**
 * Stands for the fresh random nonce the server must generate for every
 * response (128 bits, base64). Valid CSP, so the rewritten policy parses.
 */
export const NONCE_PLACEHOLDER = "'nonce-REPLACE_WITH_FRESH_NONCE'";

/** Regexes compiled once (a literal in a function is a new object per call). */
const ANY_HOST_OF_SCHEME = new RegExp(`^${URI_SCHEME}://\\*$`, 'i');
const ROUND_TRIP_NAME = /^[a-z0-9-]+$/;
const SPLITS_FIELD = /[",;]/;

const SCRIPT_PLAN_CHECKS = new Set([
  'unsafe-inline',
  'plain-url-scheme',
  'wildcard',
  'allowlist-bypass',
  'no-strict-dynamic',
  'missing-script-src',
  'strict-dynamic-not-standalone',
]);
const OBJECT_CHECKS = new Set(['missing-object-src', 'flash-bypass', 'object-allowlist']);

const KNOWN_DIRECTIVES = Object.keys(CSP_DIRECTIVE_SPECS);

/** The known directive a typo most likely meant (the first within the fewest edits, at most 2). */
export function guessDirective(name: string): string | undefined {
  // (?<!:) starts the match at the first ':' of the run: linear time.
  const stripped = name.replace(/(?<!:):+$/, '');
  if (Object.hasOwn(CSP_DIRECTIVE_SPECS, stripped)) return stripped;
  let best: string | undefined;
  let bestD = 3;
  for (const known of KNOWN_DIRECTIVES) {
    const d = editDistance(stripped, known, bestD - 1);
    if (d < bestD) {
      best = known;
      bestD = d;
    }
  }
  return best;
}

/** Inserts or replaces a directive, keeping the order (new ones go after default-src/script-src). */
function set(d: Directives, name: string, values: string[]): void {
  d.set(name, values);
}

function isFallbackSource(v: string): boolean {
  if (v === "'self'" || v === 'https:') return true;
  if (v.startsWith("'") || SCHEME_ONLY.test(v)) return false;
  // A bare or scheme-prefixed wildcard is no allowlist at all.
  return v.replace(SCHEME_PREFIX, '') !== '*' && !v.startsWith('http://');
}

/** The nonce/'strict-dynamic' plan for one script directive's values. */
function scriptPlan(values: readonly string[]): string[] {
  const nonces = values.filter((v) => STRICT_NONCE.test(v) && v.length >= 16);
  const hashes = values.filter((v) => STRICT_HASH.test(v));
  const out = nonces.length + hashes.length === 0 ? [NONCE_PLACEHOLDER] : [...nonces, ...hashes];
  out.push("'strict-dynamic'");
  for (const k of ["'unsafe-hashes'", "'report-sample'", "'wasm-unsafe-eval'"]) {
    if (values.includes(k)) out.push(k);
  }
  const fallback = values.filter(isFallbackSource);
  out.push(...fallback);
  if (!fallback.some((v) => v !== "'self'")) out.push('https:');
  out.push("'unsafe-inline'");
  return [...new Set(out)];
}

/** The script directive to change for a finding on `dir`: default-src is split out into script-src. */
function scriptTarget(d: Directives, dir: string | undefined): string {
  if (dir === undefined || dir === 'default-src' || !d.has(dir)) {
    if (!d.has('script-src')) set(d, 'script-src', [...(d.get('default-src') ?? [])]);
    return 'script-src';
  }
  return dir;
}

/** What the rewrite produced. */
export interface Rewrite {
  /** The rewritten policies, serialised and comma-joined. */
  readonly fixed: string;
  /** The fix text of each finding, same order as the input. */
  readonly fixes: string[];
}

/** What a fix did: its text, and the directive whose final value the text shows. */
interface Note {
  readonly text: string;
  readonly show?: string;
}

/** What a token-level fix sees: the finding's policy, directive, its values and the finding's value. */
interface TokenFixContext {
  readonly d: Directives;
  readonly dir: string;
  readonly values: string[] | undefined;
  readonly v: string;
  readonly fd: RawFinding;
}

/** Replaces `v` in `values` by `by` (dropping it when `by` is already there). */
function replaceValue(values: string[], v: string, by: string): void {
  const at = values.indexOf(v);
  if (at !== -1) values.splice(at, 1, ...(values.includes(by) ? [] : [by]));
}

/** Removes the first `v` from `values`, if present. */
function removeValue(values: string[] | undefined, v: string): void {
  if (values?.includes(v) === true) values.splice(values.indexOf(v), 1);
}

/**
 * Fixes that change single tokens or directive names, by check. A check not
 * listed here is structural (see {@link structuralFix}) or advice only.
 * Undefined: nothing could be done (the token is gone already).
 */
const TOKEN_FIXES: Partial<Record<CheckId, (c: TokenFixContext) => Note | undefined>> = {
  'unknown-directive': ({ d, dir }) => {
    const guess = guessDirective(dir);
    const vals = d.get(dir) ?? [];
    d.delete(dir);
    if (guess === undefined || d.has(guess)) return { text: `Removed "${dir}"` };
    set(d, guess, vals);
    return { text: `Renamed "${dir}" to ${guess}`, show: guess };
  },
  'missing-semicolon': ({ d, dir, values, v }) => {
    const at = values?.indexOf(v) ?? -1;
    if (values === undefined || at === -1) return undefined;
    const rest = values.splice(at);
    if (!d.has(v)) set(d, v, rest.slice(1));
    return {
      text: `Added the missing semicolon: ${dir} and ${v} are separate directives`,
      show: dir,
    };
  },
  'invalid-keyword': ({ dir, values, v }) => {
    const at = values?.indexOf(v) ?? -1;
    if (values === undefined || at === -1) return undefined;
    const quoted = `'${v}'`;
    if (!v.startsWith("'") && checkSource(quoted) === undefined) {
      values.splice(at, 1, quoted);
      return { text: `Quoted it as ${quoted}`, show: dir };
    }
    values.splice(at, 1);
    return { text: `Removed ${v}`, show: dir };
  },
  'invalid-source': ({ d, dir, values, v, fd }) => {
    if (fd.value === undefined) {
      d.delete(dir);
      return { text: `Removed ${dir}` };
    }
    removeValue(values, v);
    return { text: `Removed ${v}`, show: dir };
  },
  'duplicate-directive': ({ dir }) => ({
    text: `Kept only the first ${dir} (the one browsers apply)`,
    show: dir,
  }),
  deprecated: ({ d, dir }) => {
    d.delete(dir);
    return { text: `Removed ${dir}` };
  },
  'http-source': ({ dir, values, v }) => {
    if (values === undefined) return undefined;
    const https = `https://${v.slice(7)}`;
    replaceValue(values, v, https);
    return { text: `Replaced ${v} with ${https}`, show: dir };
  },
  'nonce-length': replaceNonce,
  'nonce-charset': replaceNonce,
  'unsafe-eval': ({ dir, values, v }) => {
    removeValue(values, v);
    return {
      text: `Removed 'unsafe-eval' (move code off eval()/new Function(); keep 'wasm-unsafe-eval' if only WebAssembly needs it)`,
      show: dir,
    };
  },
};

function replaceNonce({ dir, values, v }: TokenFixContext): Note | undefined {
  if (values === undefined) return undefined;
  replaceValue(values, v, NONCE_PLACEHOLDER);
  return {
    text: `Replaced ${v} with a fresh 128-bit random nonce per response, ${NONCE_PLACEHOLDER}`,
    show: dir,
  };
}

const SCRIPT_PLAN_TEXT =
  `Replaced the allowlist with a nonce and 'strict-dynamic': send a fresh random nonce on every response and put it on your <script> tags (Barbican's policy does this). ` +
  `The hosts, https: and 'unsafe-inline' stay only as a fallback that browsers supporting 'strict-dynamic' ignore; base-uri is restricted so <base> cannot subvert the nonce`;

/** Moves the script directive for `dir` to the nonce/'strict-dynamic' plan, unless it is on it already. */
function applyScriptPlan(d: Directives, dir: string | undefined, hasBase: boolean): Note {
  const target = scriptTarget(d, dir);
  const current = d.get(target) ?? [];
  if (
    !current.includes("'strict-dynamic'") ||
    !current.some((v) => STRICT_NONCE.test(v) || STRICT_HASH.test(v))
  ) {
    set(d, target, scriptPlan(current));
  }
  if (!hasBase) set(d, 'base-uri', ["'none'"]);
  return { text: SCRIPT_PLAN_TEXT, show: target };
}

/** Adds `fallback` to the script directive for `dir` when it is missing. */
function addScriptFallback(
  d: Directives,
  dir: string | undefined,
  fallback: string,
  text: string,
): Note {
  const target = scriptTarget(d, dir);
  const cur = d.get(target) ?? [];
  if (!cur.includes(fallback)) cur.push(fallback);
  set(d, target, cur);
  return { text, show: target };
}

/**
 * The structural fix for one finding (object-src, base-uri, the script
 * plan and its fallbacks), applied after every token-level fix so plans see
 * clean values. Undefined: the finding needs no structural change.
 */
function structuralFix(d: Directives, fd: RawFinding, hasBase: boolean): Note | undefined {
  const dir = fd.directive;
  const area = fd.area === 'all' ? undefined : (fd.area ?? undefined);
  const broad = fd.check === 'plain-url-scheme' || fd.check === 'wildcard';
  if (OBJECT_CHECKS.has(fd.check) || (broad && area === 'object')) {
    set(d, 'object-src', ["'none'"]);
    return { text: "Set object-src 'none' (no page needs plugins)", show: 'object-src' };
  }
  if ((broad && area === 'base') || fd.check === 'missing-base-uri') {
    set(d, 'base-uri', (d.get('base-uri') ?? []).includes("'self'") ? ["'self'"] : ["'none'"]);
    return {
      text: 'Restricted base-uri so injected <base> tags cannot re-point relative script URLs',
      show: 'base-uri',
    };
  }
  if (dir === 'script-src-attr' && (fd.check === 'unsafe-inline' || broad)) {
    // Nonces cannot cover event-handler attributes: move handlers to addEventListener.
    const kept = (d.get(dir) ?? []).filter(
      (v) => v !== fd.value && (STRICT_HASH.test(v) || v === "'unsafe-hashes'"),
    );
    set(d, dir, kept.length === 0 ? ["'none'"] : kept);
    return { text: 'Blocked inline event handlers (attach them with addEventListener)', show: dir };
  }
  if (SCRIPT_PLAN_CHECKS.has(fd.check) || (fd.check === 'allowlist' && fd.value !== "'self'")) {
    return applyScriptPlan(d, dir, hasBase);
  }
  if (fd.check === 'no-unsafe-inline-fallback') {
    return addScriptFallback(
      d,
      dir,
      "'unsafe-inline'",
      "Added 'unsafe-inline' as a fallback for browsers without nonce support (ignored when a nonce or hash is present)",
    );
  }
  if (fd.check === 'no-allowlist-fallback') {
    return addScriptFallback(
      d,
      dir,
      'https:',
      "Added https: as a fallback for browsers without 'strict-dynamic' (ignored by those with it)",
    );
  }
  return undefined;
}

/** Anything the plan touched must leave no hole via default-src fallbacks. */
function closeObjectHoles(work: Directives[], findings: readonly RawFinding[]): void {
  work.forEach((d, p) => {
    if (!findings.some((fd) => fd.policy === p && fd.severity === 'high')) return;
    const obj = d.get('object-src') ?? d.get('default-src');
    if (
      obj === undefined ||
      obj.some(
        (v) =>
          v === '*' ||
          v === 'data:' ||
          v === 'http:' ||
          v === 'https:' ||
          ANY_HOST_OF_SCHEME.test(v),
      )
    ) {
      set(d, 'object-src', ["'none'"]);
    }
  });
}

/**
 * How much of a rewritten directive a fix shows. The whole rewritten policy
 * is printed once (`fixed`); repeating a directive of 1,000 hosts in each of
 * its 1,000 findings made the report grow with the square of the policy.
 */
const SHOWN_TOKENS = 12;
const SHOWN_CHARS = 400;

/** The fix text of one finding: what was done (or advice), then the start of the directive's final value. */
function fixText(fd: RawFinding, note: Note | undefined, d: Directives | undefined): string {
  const base = note !== undefined && note.text !== '' ? note.text : advice(fd);
  const show = note?.show;
  const now = show === undefined ? undefined : d?.get(show);
  if (now === undefined || show === undefined) return `${base}.`;
  let shown = `${base}: ${show}`;
  let count = 0;
  for (const v of now) {
    if (count === SHOWN_TOKENS || shown.length + v.length > base.length + SHOWN_CHARS) {
      return `${shown} … (${now.length - count} more; the rewritten policy has them all)`;
    }
    shown += ` ${v}`;
    count++;
  }
  return shown;
}

/**
 * Rewrites `policies` to address `findings` (each attributed to the policy
 * it was reported for). Never throws; the result always parses under
 * `parseCsp(…, { validate: true })` without errors.
 */
export function rewrite(policies: readonly Policy[], findings: readonly RawFinding[]): Rewrite {
  const work: Directives[] = policies.map((p) => {
    const d: Directives = new Map();
    for (const [k, v] of p.directives) d.set(k, [...v]);
    return d;
  });
  if (work.length === 0) work.push(new Map());
  const policyOf = (fd: RawFinding): Directives | undefined => work[fd.policy] ?? work[0];
  const notes: (Note | undefined)[] = findings.map(() => undefined);

  findings.forEach((fd, i) => {
    const d = policyOf(fd);
    const fix = TOKEN_FIXES[fd.check];
    if (d === undefined || fix === undefined) return;
    const dir = fd.directive ?? '';
    notes[i] = fix({ d, dir, values: d.get(dir), v: fd.value ?? '', fd });
  });
  findings.forEach((fd, i) => {
    const d = policyOf(fd);
    if (d === undefined) return;
    const hasBase = work.some((w) => w.has('base-uri'));
    notes[i] = structuralFix(d, fd, hasBase) ?? notes[i];
  });
  closeObjectHoles(work, findings);

  const fixed = finalize(work, policies, findings);
  const fixes = findings.map((fd, i) => fixText(fd, notes[i], policyOf(fd)));
  return { fixed, fixes };
}

/** Fix text for findings the rewrite cannot act on by itself. */
function advice(fd: RawFinding): string {
  return ADVICE[fd.check] ?? 'Not changed automatically';
}

const ADVICE: Partial<Record<RawFinding['check'], string>> = {
  allowlist:
    "Not changed: make sure this origin serves no JSONP, AngularJS or user uploads, or move to nonces with 'strict-dynamic'",
  'unsafe-hashes':
    "Not changed: move inline event handlers to addEventListener, then drop 'unsafe-hashes' and their hashes",
  'ip-source': 'Not changed: replace the IP address with a host name, or remove it in production',
  'require-trusted-types':
    "Not changed (it can break pages): once your code uses Trusted Types policies, add require-trusted-types-for 'script'",
  'reporting-missing':
    'Not changed: add report-uri https://<your collector> (and report-to with a Reporting-Endpoints header)',
  'report-to-only': 'Not changed: add a report-uri with the same collector for Firefox and Safari',
  'meta-ignored-directive':
    'Removed from the <meta> policy: send this directive in the Content-Security-Policy header',
  'meta-outside-head':
    'Move the <meta http-equiv="Content-Security-Policy"> into <head>, before any script, or send the header',
  'meta-report-only':
    'Send Content-Security-Policy-Report-Only as an HTTP header; <meta> cannot carry it',
  'comma-policies':
    'Not changed (the two policies are both enforced as written): if one policy was meant, write ";" instead of ","',
};

/**
 * The tokens of one directive that `parseCsp(…, { validate: true })` reports
 * as errors, in its order (`undefined`: the directive as a whole). Source
 * lists, all the rewrite produces, are checked token by token as core's
 * checkDirectiveValue does (checkSource, then a mixed 'none'); any other
 * directive goes through the parser itself. `trusted` are tokens already
 * validated in this directive by the analysis' parse (it reported no syntax
 * finding there), so their verdict is known: valid.
 */
function grammarErrors(
  name: string,
  vals: readonly string[],
  trusted: readonly string[] = [],
): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  const spec = Object.hasOwn(CSP_DIRECTIVE_SPECS, name) ? CSP_DIRECTIVE_SPECS[name] : undefined;
  if (spec?.kind === 'source-list') {
    let none = -1;
    const known = new Set(trusted);
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i] ?? '';
      if (!known.has(v) && checkSource(v) !== undefined) out.push(v);
      else if (v.toLowerCase() === "'none'") none = i;
    }
    if (none !== -1 && vals.length > 1) out.push(vals[none]);
    return out;
  }
  const { policies } = parseCsp(serialize(new Map([[name, [...vals]]])), { validate: true });
  for (const problem of policies[0]?.problems ?? []) {
    if (problem.severity === 'error' && problem.directive !== undefined) out.push(problem.value);
  }
  return out;
}

/** Same values in the same order (`before` undefined: the directive is new). */
function same(before: readonly string[] | undefined, after: readonly string[]): boolean {
  if (before === undefined || before.length !== after.length) return false;
  for (let i = 0; i < after.length; i++) if (before[i] !== after[i]) return false;
  return true;
}

/**
 * Serialises and proves the rewrite: any token our own validator rejects is
 * dropped (and a directive with an invalid value as a whole), so `fixed`
 * always parses cleanly. Bounded passes: each removes at least one token.
 */
function finalize(
  work: Directives[],
  originals: readonly Policy[],
  findings: readonly RawFinding[],
): string {
  const nonEmpty = work.filter((d) => d.size > 0);
  if (nonEmpty.length === 0) nonEmpty.push(new Map());
  // Directives with syntax findings, per working policy (looked up once).
  const flagged = new Map<Directives, Set<string>>();
  for (const fd of findings) {
    if (fd.directive === undefined || !fd.check.startsWith('invalid')) continue;
    const d = work[fd.policy];
    if (d === undefined) continue;
    let names = flagged.get(d);
    if (names === undefined) flagged.set(d, (names = new Set()));
    names.add(fd.directive);
  }
  for (let pass = 0; pass < 8; pass++) {
    let changed = false;
    for (const d of nonEmpty) {
      const original = originals[work.indexOf(d)]?.directives;
      const names = flagged.get(d);
      // One walk per policy: each directive is cleaned, then checked if dirty
      // (directives are independent, so this equals clean-all-then-check).
      for (const [name, written] of d) {
        // Names a comma or semicolon would split, or non-ASCII, cannot round-trip.
        if (!ROUND_TRIP_NAME.test(name)) {
          d.delete(name);
          changed = true;
          continue;
        }
        let vals = written;
        if (vals.some((v) => SPLITS_FIELD.test(v))) {
          vals = vals.filter((v) => !SPLITS_FIELD.test(v));
          d.set(name, vals);
          changed = true;
        }
        // Only directives the rewrite touched (or that had syntax findings)
        // can hold an invalid token: the input was validated once already.
        const flaggedHere = names?.has(name) === true;
        const before = original?.get(name);
        if (!flaggedHere && same(before, vals)) continue;
        for (const value of grammarErrors(name, vals, flaggedHere ? undefined : before)) {
          const current = d.get(name);
          if (current === undefined) continue;
          const at = value === undefined ? -1 : current.indexOf(value);
          if (at !== -1) current.splice(at, 1);
          else d.delete(name);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  for (const d of nonEmpty) {
    if (d.size === 0) {
      d.set('script-src', scriptPlan([]));
      d.set('object-src', ["'none'"]);
      d.set('base-uri', ["'none'"]);
    }
  }
  return nonEmpty.map((d) => serialize(d)).join(', ');
}
