/**
 * Config-file sections owned by other packages (`gateway`, …): which exist,
 * how each is loaded, and how a parsed config file is split into the policy
 * options (for `createPolicy`) and the sections (validated by their owner).
 *
 * To plug a package in, add one {@link SectionSource} to
 * {@link DEFAULT_SECTIONS}: its name and a `load` that imports the
 * package's light subpath lazily, so a command never pays for a package
 * the file does not use. Tests and embedders pass their own list instead.
 *
 * @see ../../../ARCHITECTURE.md#config-file-sections-owned-by-packages
 * @module
 */
import {
  policyOptionsSchema,
  type ConfigSection,
  type JsonSchema,
  type Policy,
  type SectionWarning,
} from '@barbican/core';
import { didYouMean } from '@barbican/core/parsers';
import { BarbicanError } from './errors.ts';

/** Where a section comes from: its name (known without loading anything) and its loader. */
export interface SectionSource {
  readonly name: string;
  /** Imports the owning package's section, e.g. `import('@barbican/gateway/options')`. */
  load(): Promise<ConfigSection>;
}

/**
 * The sections `barbican` knows: `gateway`, from `@barbican/gateway/options`
 * (a light subpath: the schema and its cross-check, no undici).
 */
export const DEFAULT_SECTIONS: readonly SectionSource[] = [
  {
    name: 'gateway',
    load: async () => (await import('@barbican/gateway/options')).gatewaySection as ConfigSection,
  },
];

/** Wraps an already-loaded section as a source (tests, embedders). */
export function sectionSource(section: ConfigSection): SectionSource {
  return { name: section.name, load: () => Promise.resolve(section) };
}

const POLICY_KEYS = Object.keys(policyOptionsSchema.shape);

/** Refuses two sources with one name, or a section named like a policy option. */
function checkSources(sources: readonly SectionSource[]): void {
  const seen = new Set<string>();
  for (const { name } of sources) {
    if (POLICY_KEYS.includes(name) || seen.has(name)) {
      throw new BarbicanError('BARBICAN_E_CONFLICT', `config section "${name}" is defined twice`, {
        hint: 'A package section cannot reuse a policy option name or another section’s name',
      });
    }
    seen.add(name);
  }
}

/** A config file's data split in two. */
export interface SplitConfig {
  /** What `createPolicy` gets. */
  readonly options: Record<string, unknown>;
  /** Section name → its raw value, for the sections the file has. */
  readonly raw: ReadonlyMap<string, unknown>;
}

/**
 * Splits the top-level keys of a parsed config into policy options and
 * package sections. A key that is neither is `BARBICAN_E_UNKNOWN_OPTION`
 * with "did you mean" over both (`gateway` for `gatewayy`).
 */
export function splitSections(
  data: Readonly<Record<string, unknown>>,
  sources: readonly SectionSource[],
): SplitConfig {
  checkSources(sources);
  const names = sources.map((s) => s.name);
  const options: Record<string, unknown> = {};
  const raw = new Map<string, unknown>();
  for (const key of Object.keys(data)) {
    if (names.includes(key)) raw.set(key, data[key]);
    else if (POLICY_KEYS.includes(key)) options[key] = data[key];
    else {
      const suggestion = didYouMean(key, [...POLICY_KEYS, ...names]);
      throw new BarbicanError('BARBICAN_E_UNKNOWN_OPTION', 'unknown option', {
        path: key,
        allowed: [...POLICY_KEYS, ...names].join(', '),
        ...(suggestion === undefined ? {} : { hint: `Did you mean "${suggestion}"?` }),
      });
    }
  }
  return { options, raw };
}

/** The validated sections of a config file and their warnings. */
export interface LoadedSections {
  /** Section name → its validated value. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly warnings: readonly SectionWarning[];
}

/**
 * Loads the sections a file uses and validates each (schema, then its
 * cross-check against the built policy). Errors are the owner's
 * `BarbicanError`s with paths from the top of the file (`gateway.port`).
 */
export async function validateSections(
  raw: ReadonlyMap<string, unknown>,
  sources: readonly SectionSource[],
  policy: Policy,
): Promise<LoadedSections> {
  const values: [string, unknown][] = [];
  const warnings: SectionWarning[] = [];
  for (const source of sources) {
    if (!raw.has(source.name)) continue;
    const section = await source.load();
    const value = section.schema.parse(raw.get(source.name), source.name);
    values.push([source.name, value]);
    warnings.push(...(section.check?.(value, policy) ?? []));
  }
  // Names come from the sources, never from the file, so no key is hostile.
  return {
    values: Object.freeze(Object.fromEntries(values)),
    warnings: Object.freeze(warnings),
  };
}

/**
 * Adds every section's JSON Schema to the policy's, for `barbican schema`:
 * one document an editor can complete the whole file from.
 */
export async function withSectionSchemas(
  base: JsonSchema,
  sources: readonly SectionSource[],
): Promise<JsonSchema> {
  checkSources(sources);
  const properties = { ...(base.properties as Record<string, unknown>) };
  for (const source of sources) {
    const section = await source.load();
    properties[source.name] = {
      ...section.schema.toJsonSchema(),
      description: section.description,
    };
  }
  return { ...base, properties };
}
