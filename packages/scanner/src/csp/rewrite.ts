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
} from '@barbican/core';
import type { RawFinding } from './checks.ts';
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
  const text: string[] = findings.map(() => '');
  /** Per finding: the directive whose final value the fix text shows. */
  const shows: (string | undefined)[] = findings.map(() => undefined);
  const hasBase = (): boolean => work.some((d) => d.has('base-uri'));

  findings.forEach((fd, i) => {
    const d = work[fd.policy] ?? work[0];
    if (d === undefined) return;
    const dir = fd.directive ?? '';
    const values = d.get(dir);
    const v = fd.value ?? '';
    switch (fd.check) {
      case 'unknown-directive': {
        const guess = guessDirective(dir);
        const vals = d.get(dir) ?? [];
        d.delete(dir);
        if (guess !== undefined && !d.has(guess)) {
          set(d, guess, vals);
          text[i] = `Renamed "${dir}" to ${guess}`;
          shows[i] = guess;
        } else text[i] = `Removed "${dir}"`;
        break;
      }
      case 'missing-semicolon': {
        if (values === undefined) break;
        const at = values.indexOf(v);
        if (at === -1) break;
        const rest = values.splice(at);
        if (!d.has(v)) set(d, v, rest.slice(1));
        text[i] = `Added the missing semicolon: ${dir} and ${v} are separate directives`;
        shows[i] = dir;
        break;
      }
      case 'invalid-keyword': {
        if (values === undefined) break;
        const quoted = `'${v}'`;
        const at = values.indexOf(v);
        if (at === -1) break;
        if (!v.startsWith("'") && checkSource(quoted) === undefined) {
          values.splice(at, 1, quoted);
          text[i] = `Quoted it as ${quoted}`;
        } else {
          values.splice(at, 1);
          text[i] = `Removed ${v}`;
        }
        shows[i] = dir;
        break;
      }
      case 'invalid-source':
        if (fd.value === undefined) {
          d.delete(dir);
          text[i] = `Removed ${dir}`;
          break;
        }
        if (values !== undefined && values.includes(v)) values.splice(values.indexOf(v), 1);
        text[i] = `Removed ${v}`;
        shows[i] = dir;
        break;
      case 'duplicate-directive':
        text[i] = `Kept only the first ${dir} (the one browsers apply)`;
        shows[i] = dir;
        break;
      case 'deprecated':
        d.delete(dir);
        text[i] = `Removed ${dir}`;
        break;
      case 'http-source': {
        if (values === undefined) break;
        const https = `https://${v.slice(7)}`;
        const at = values.indexOf(v);
        if (at !== -1) values.splice(at, 1, ...(values.includes(https) ? [] : [https]));
        text[i] = `Replaced ${v} with ${https}`;
        shows[i] = dir;
        break;
      }
      case 'nonce-length':
      case 'nonce-charset': {
        if (values === undefined) break;
        const at = values.indexOf(v);
        if (at !== -1)
          values.splice(at, 1, ...(values.includes(NONCE_PLACEHOLDER) ? [] : [NONCE_PLACEHOLDER]));
        text[i] =
          `Replaced ${v} with a fresh 128-bit random nonce per response, ${NONCE_PLACEHOLDER}`;
        shows[i] = dir;
        break;
      }
      case 'unsafe-eval':
        if (values?.includes(v) === true) values.splice(values.indexOf(v), 1);
        text[i] =
          `Removed 'unsafe-eval' (move code off eval()/new Function(); keep 'wasm-unsafe-eval' if only WebAssembly needs it)`;
        shows[i] = dir;
        break;
      case 'unsafe-inline':
      case 'unsafe-hashes':
      case 'plain-url-scheme':
      case 'wildcard':
      case 'missing-object-src':
      case 'missing-script-src':
      case 'missing-base-uri':
      case 'allowlist-bypass':
      case 'allowlist':
      case 'flash-bypass':
      case 'object-allowlist':
      case 'ip-source':
      case 'no-strict-dynamic':
      case 'strict-dynamic-not-standalone':
      case 'no-unsafe-inline-fallback':
      case 'no-allowlist-fallback':
      case 'require-trusted-types':
      case 'reporting-missing':
      case 'report-to-only':
      case 'meta-ignored-directive':
      case 'meta-outside-head':
      case 'meta-report-only':
        // Structural or advice-only: handled below.
        break;
    }
  });

  // Structural fixes after the token-level ones, so plans see clean values.
  findings.forEach((fd, i) => {
    const d = work[fd.policy] ?? work[0];
    if (d === undefined) return;
    const dir = fd.directive;
    const area = fd.area === 'all' ? undefined : (fd.area ?? undefined);
    const objectFix =
      OBJECT_CHECKS.has(fd.check) ||
      ((fd.check === 'plain-url-scheme' || fd.check === 'wildcard') && area === 'object');
    const baseFix = (fd.check === 'plain-url-scheme' || fd.check === 'wildcard') && area === 'base';
    if (objectFix) {
      set(d, 'object-src', ["'none'"]);
      text[i] = "Set object-src 'none' (no page needs plugins)";
      shows[i] = 'object-src';
    } else if (baseFix || fd.check === 'missing-base-uri') {
      set(d, 'base-uri', (d.get('base-uri') ?? []).includes("'self'") ? ["'self'"] : ["'none'"]);
      text[i] = 'Restricted base-uri so injected <base> tags cannot re-point relative script URLs';
      shows[i] = 'base-uri';
    } else if (
      dir === 'script-src-attr' &&
      (fd.check === 'unsafe-inline' || fd.check === 'wildcard' || fd.check === 'plain-url-scheme')
    ) {
      // Nonces cannot cover event-handler attributes: move handlers to addEventListener.
      const kept = (d.get(dir) ?? []).filter(
        (v) => v !== fd.value && (STRICT_HASH.test(v) || v === "'unsafe-hashes'"),
      );
      set(d, dir, kept.length === 0 ? ["'none'"] : kept);
      text[i] = 'Blocked inline event handlers (attach them with addEventListener)';
      shows[i] = dir;
    } else if (
      SCRIPT_PLAN_CHECKS.has(fd.check) ||
      (fd.check === 'allowlist' && fd.value !== "'self'")
    ) {
      const target = scriptTarget(d, dir);
      const current = d.get(target) ?? [];
      if (
        !current.includes("'strict-dynamic'") ||
        !current.some((v) => STRICT_NONCE.test(v) || STRICT_HASH.test(v))
      ) {
        set(d, target, scriptPlan(current));
      }
      if (!hasBase()) set(d, 'base-uri', ["'none'"]);
      text[i] =
        `Replaced the allowlist with a nonce and 'strict-dynamic': send a fresh random nonce on every response and put it on your <script> tags (Barbican's policy does this). ` +
        `The hosts, https: and 'unsafe-inline' stay only as a fallback that browsers supporting 'strict-dynamic' ignore; base-uri is restricted so <base> cannot subvert the nonce`;
      shows[i] = target;
    } else if (fd.check === 'no-unsafe-inline-fallback') {
      const target = scriptTarget(d, dir);
      const cur = d.get(target) ?? [];
      if (!cur.includes("'unsafe-inline'")) cur.push("'unsafe-inline'");
      set(d, target, cur);
      text[i] =
        "Added 'unsafe-inline' as a fallback for browsers without nonce support (ignored when a nonce or hash is present)";
      shows[i] = target;
    } else if (fd.check === 'no-allowlist-fallback') {
      const target = scriptTarget(d, dir);
      const cur = d.get(target) ?? [];
      if (!cur.includes('https:')) cur.push('https:');
      set(d, target, cur);
      text[i] =
        "Added https: as a fallback for browsers without 'strict-dynamic' (ignored by those with it)";
      shows[i] = target;
    }
  });

  // Anything the plan touched must leave no hole via default-src fallbacks.
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

  const fixed = finalize(work, policies, findings);
  const fixes = findings.map((fd, i) => {
    const base = text[i] !== '' ? text[i] : advice(fd);
    const show = shows[i];
    const d = work[fd.policy] ?? work[0];
    const now = show === undefined ? undefined : d?.get(show);
    if (now === undefined || show === undefined) return `${base}.`;
    let shown = `${base}: ${show}`;
    for (const v of now) shown += ` ${v}`;
    return shown;
  });
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
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i] ?? '';
      if (!trusted.includes(v) && checkSource(v) !== undefined) out.push(v);
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
