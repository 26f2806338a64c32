/**
 * The Feature-Policy parser, shared by the builder's check of raw values and
 * by the scanner. Never throws: problems come back as data with offsets.
 *
 * @module
 */
import type { FieldProblem } from '../../field-types.ts';
import { originProblem, type Allowlist, type Features } from '../permissions-policy/allowlist.ts';
import { isKnownFeature, LEGACY_FEATURES } from '../permissions-policy/features.ts';

/** One `feature allowlist` directive. */
export interface FeaturePolicyDirective {
  readonly feature: string;
  readonly allowlist: Allowlist;
  readonly offset: number;
}

/** The result of {@link parseFeaturePolicy}. */
export interface FeaturePolicyParseResult {
  /** Feature → allowlist in Barbican's option shape (`'none'` becomes `[]`). */
  readonly features: Features;
  readonly directives: readonly FeaturePolicyDirective[];
  readonly problems: readonly FieldProblem[];
}

/**
 * Parses a Feature-Policy value: `;`-separated directives, each a feature
 * name and a space-separated allowlist of `*`, `'self'`, `'src'`, `'none'`
 * and origins; `,` separates whole policies. Never throws. The first
 * directive for a feature wins, as in Chromium's parser.
 *
 * @see https://developer.mozilla.org/docs/Web/HTTP/Headers/Feature-Policy
 * @example
 * ```ts
 * parseFeaturePolicy("camera 'none'; geolocation 'self' https://x.example").features;
 * // { camera: [], geolocation: ['self', 'https://x.example'] }
 * ```
 */
export function parseFeaturePolicy(value: string): FeaturePolicyParseResult {
  const features = Object.create(null) as Features;
  const directives: FeaturePolicyDirective[] = [];
  const problems: FieldProblem[] = [];
  if (typeof value !== 'string') {
    problems.push({
      code: 'feature_policy.type',
      severity: 'error',
      message: 'not a string',
      offset: 0,
    });
    return { features, directives, problems };
  }
  // Split on ";" and "," by hand so offsets stay exact; no regex backtracking on hostile input.
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = value[i];
    if (c !== undefined && c !== ';' && c !== ',') continue;
    parseDirective(value, start, i, features, directives, problems);
    start = i + 1;
  }
  return { features, directives, problems };
}

function parseDirective(
  value: string,
  from: number,
  to: number,
  features: Features,
  directives: FeaturePolicyDirective[],
  problems: FieldProblem[],
): void {
  const words: [string, number][] = [];
  let i = from;
  while (i < to) {
    while (i < to && (value[i] === ' ' || value[i] === '\t')) i++;
    const s = i;
    while (i < to && value[i] !== ' ' && value[i] !== '\t') i++;
    if (i > s) words.push([value.slice(s, i), s]);
  }
  const head = words[0];
  if (head === undefined) return;
  const [rawName, offset] = head;
  const problem = (
    code: string,
    severity: 'error' | 'warning',
    message: string,
    at = offset,
  ): void => {
    problems.push({ code, severity, message, offset: at });
  };
  const name = rawName.toLowerCase();
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    problem(
      'feature_policy.feature.syntax',
      'error',
      `${JSON.stringify(rawName)} is not a feature name`,
    );
    return;
  }
  if (!isKnownFeature(name) && !LEGACY_FEATURES.has(name)) {
    problem(
      'feature_policy.feature.unknown',
      'warning',
      `unknown feature ${name} is ignored by browsers`,
    );
  }
  if (name in features) {
    problem(
      'feature_policy.feature.repeated',
      'warning',
      `${name} appears again; the first one wins`,
    );
    return;
  }
  let allowlist: Allowlist = [];
  const entries: string[] = [];
  let none = false;
  for (const [word, at] of words.slice(1)) {
    const w = word.toLowerCase();
    if (w === '*') allowlist = '*';
    else if (w === "'self'") entries.push('self');
    else if (w === "'src'") entries.push('src');
    else if (w === "'none'") none = true;
    else if (originProblem(word) === undefined) entries.push(word);
    else
      problem(
        'feature_policy.allowlist.entry',
        'error',
        `${JSON.stringify(word)} is not *, 'self', 'src', 'none' or an origin`,
        at,
      );
  }
  // Chromium: an empty allowlist means 'self'.
  if (allowlist !== '*') allowlist = none ? [] : words.length === 1 ? ['self'] : entries;
  features[name] = allowlist;
  directives.push({ feature: name, allowlist, offset });
}
