/**
 * The `features` option shared by Permissions-Policy and Feature-Policy:
 * `{ [feature]: '*' | ('self' | 'src' | '*' | origin)[] }`, validated with
 * teaching errors.
 *
 * @module
 */
import { BarbicanError, didYouMean } from '../../errors.ts';
import { assertFieldSafe, URI_SCHEME } from '../../field.ts';
import { isPlainObject, type Schema } from '../../schema/index.ts';
import { isKey } from '../../structured-fields/index.ts';
import { isKnownFeature, KNOWN_FEATURES, LEGACY_FEATURES } from './features.ts';

/** An allowlist: `'*'` (every origin) or a list of `'self'`, `'src'`, `'*'` and origins; `[]` allows none. */
export type Allowlist = '*' | string[];

/** Feature name → allowlist. */
export type Features = Record<string, Allowlist>;

/**
 * The option form: an allowlist per feature, or `null` to drop a feature the
 * preset sets (overrides merge feature by feature, so this is the only way to
 * remove one without restating the rest).
 */
export type FeaturesOption = Record<string, Allowlist | null>;

/**
 * `scheme://host[:port]` with nothing after it. Host: a DNS name (optionally
 * `*.` for every subdomain, which Permissions Policy supports), an IPv4
 * address or a bracketed IPv6 address. Each repetition is anchored on a
 * character the previous one cannot match, so the pattern is linear.
 */
const ORIGIN = new RegExp(
  `^${URI_SCHEME}://(?:\\*\\.)?(?:[a-z0-9-]+(?:\\.[a-z0-9-]+)*|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`,
  'i',
);

/** `scheme://host/…`: a URL with a path, where an origin was expected. */
const URL_WITH_PATH = new RegExp(`^${URI_SCHEME}://[^/]+/.`, 'i');

/** Returns why `value` is not an origin, or undefined when it is one. */
export function originProblem(value: string): string | undefined {
  const m = ORIGIN.exec(value);
  if (m === null) {
    if (URL_WITH_PATH.test(value) || value.endsWith('/'))
      return 'an origin has no path (not even a trailing "/")';
    if (!value.includes('://')) return 'an origin starts with a scheme, such as https://';
    return 'not an origin (scheme://host[:port])';
  }
  const port = m[1];
  if (port !== undefined && Number(port) > 65535) return 'the port is over 65535';
  return undefined;
}

const KEYWORDS = ['self', 'src', '*'] as const;

function allowlistError(path: string, problem: string, value: unknown, hint?: string): never {
  throw new BarbicanError('BARBICAN_E_PERMISSIONS_ALLOWLIST', problem, {
    path,
    value,
    allowed: '"self", "src", "*" or an origin such as "https://example.com"',
    ...(hint === undefined ? {} : { hint }),
  });
}

/** Validates one allowlist entry. */
export function checkAllowlistItem(input: unknown, path: string): string {
  if (typeof input !== 'string') {
    throw new BarbicanError('BARBICAN_E_TYPE', 'an allowlist entry is a string', {
      path,
      value: input,
    });
  }
  assertFieldSafe(input, path);
  if ((KEYWORDS as readonly string[]).includes(input)) return input;
  const bare = input.replace(/^'(.*)'$/, '$1');
  if (bare === 'none') {
    allowlistError(path, '"none" is not an allowlist entry', input, 'Write [] to allow no origin');
  }
  if (bare !== input && (KEYWORDS as readonly string[]).includes(bare)) {
    allowlistError(
      path,
      'keywords are written without quotes here',
      input,
      `Write "${bare}" (the quotes are Feature-Policy and CSP syntax)`,
    );
  }
  if (!input.includes(':')) {
    const suggestion = didYouMean(input, KEYWORDS);
    allowlistError(
      path,
      'not a keyword or an origin',
      input,
      suggestion === undefined ? undefined : `Did you mean "${suggestion}"?`,
    );
  }
  const problem = originProblem(input);
  if (problem !== undefined) allowlistError(path, problem, input);
  return input;
}

/** The schema of one feature's allowlist. */
export const allowlistSchema: Schema<Allowlist> = {
  expected: '"*" or a list of "self", "src", "*" and origins',
  parse(input, path) {
    if (input === '*') return '*';
    if (typeof input === 'string') {
      allowlistError(
        path,
        'an allowlist is "*" or a list',
        input,
        `Write [${JSON.stringify(input)}]${input === 'none' || input === "'none'" ? ', or [] for none' : ''}`,
      );
    }
    if (!Array.isArray(input)) {
      throw new BarbicanError('BARBICAN_E_TYPE', 'expected "*" or a list of allowlist entries', {
        path,
        value: input,
      });
    }
    const out = input.map((v, i) => checkAllowlistItem(v, `${path}[${i}]`));
    const seen = new Set<string>();
    out.forEach((v, i) => {
      if (seen.has(v))
        allowlistError(`${path}[${i}]`, 'listed twice', v, 'Remove the duplicate entry');
      seen.add(v);
    });
    return out;
  },
  toJsonSchema: () => ({
    anyOf: [
      { const: '*' },
      {
        type: 'array',
        uniqueItems: true,
        items: {
          anyOf: [{ enum: [...KEYWORDS] }, { type: 'string', pattern: ORIGIN.source }],
        },
      },
    ],
  }),
};

/** Checks a feature name's grammar (a structured-field key); whether it is known is checked in `checkFeatureName`. */
const featureNameSchema: Schema<string> = {
  expected: 'a feature name',
  parse(input, path) {
    if (typeof input !== 'string' || !isKey(input)) {
      const lower = typeof input === 'string' ? input.toLowerCase() : undefined;
      throw new BarbicanError('BARBICAN_E_PERMISSIONS_FEATURE', 'not a valid feature name', {
        path,
        value: input,
        allowed: 'lower-case letters, digits and -_.* starting with a letter',
        ...(lower !== undefined && isKey(lower) ? { hint: `Write "${lower}"` } : {}),
      });
    }
    return input;
  },
  toJsonSchema: () => ({ type: 'string', pattern: '^[a-z*][a-z0-9_.*-]*$' }),
};

/** The `features` map. A null-prototype object, so a feature named `constructor` cannot collide with Object.prototype. */
export const featuresSchema: Schema<FeaturesOption> = {
  expected: 'an object mapping feature names to allowlists',
  parse(input, path) {
    if (!isPlainObject(input)) {
      throw new BarbicanError('BARBICAN_E_TYPE', 'expected an object of feature → allowlist', {
        path,
        value: input,
        hint: 'For example { camera: [], geolocation: ["self"] }',
      });
    }
    const out = Object.create(null) as FeaturesOption;
    for (const name of Object.keys(input)) {
      const p = `${path}.${name}`;
      featureNameSchema.parse(name, p);
      const v = input[name];
      out[name] = v === null ? null : allowlistSchema.parse(v, p);
    }
    return out;
  },
  toJsonSchema: () => ({
    type: 'object',
    description:
      'Feature name → allowlist. [] = no origin, "*" = every origin, or a list of "self", "src" and origins; null drops a feature the preset sets.',
    propertyNames: featureNameSchema.toJsonSchema(),
    additionalProperties: { anyOf: [allowlistSchema.toJsonSchema(), { type: 'null' }] },
    examples: [{ camera: [], geolocation: ['self', 'https://maps.example'] }],
  }),
};

/**
 * Refuses a feature browsers do not define, with "did you mean". Legacy
 * Feature-Policy names are accepted only when `legacyAllowed`.
 */
export function checkFeatureName(
  name: string,
  path: string,
  opts: { allowUnknown: boolean; legacyAllowed: boolean },
): void {
  if (isKnownFeature(name)) return;
  if (LEGACY_FEATURES.has(name)) {
    if (opts.legacyAllowed) return;
    const replacement = LEGACY_FEATURES.get(name);
    throw new BarbicanError(
      'BARBICAN_E_PERMISSIONS_FEATURE',
      'a Feature-Policy name that Permissions-Policy does not define',
      {
        path,
        value: name,
        hint:
          replacement === undefined
            ? 'Browsers dropped this feature; remove it'
            : `Permissions-Policy calls it "${replacement}"`,
      },
    );
  }
  if (opts.allowUnknown) return;
  const suggestion = didYouMean(name, KNOWN_FEATURES);
  throw new BarbicanError('BARBICAN_E_PERMISSIONS_FEATURE', 'unknown feature', {
    path,
    value: name,
    hint:
      suggestion === undefined
        ? 'If browsers added it after this Barbican release, set allowUnknownFeatures: true'
        : `Did you mean "${suggestion}"? (For a feature newer than this release, set allowUnknownFeatures: true.)`,
  });
}

/** Merges two `features` maps feature by feature (the override wins per feature; `null` survives so it still drops the feature). */
export function mergeFeatures(
  base: FeaturesOption | undefined,
  over: FeaturesOption | undefined,
): FeaturesOption {
  return Object.assign(Object.create(null) as FeaturesOption, base, over);
}

/** The features to send: `null` entries (dropped features) removed. */
export function effectiveFeatures(features: FeaturesOption | undefined): Features {
  const out = Object.create(null) as Features;
  for (const [name, allowlist] of Object.entries(features ?? {})) {
    if (allowlist !== null) out[name] = allowlist;
  }
  return out;
}
