/**
 * What every importer shares: typed, injection-safe reading of a foreign
 * config ({@link SourceReader}), and {@link ImportBuilder}, which collects the
 * Barbican options, reports what does not carry over exactly, and proves the
 * result is a valid policy before it is printed.
 *
 * Importers target the core's registry at run time (`HEADER_MODULES`,
 * `policyOptionsSchema`), so an option the core does not have becomes a
 * `BARBICAN_W_IMPORT_LOSSY` warning instead of an invalid config.
 *
 * @module
 */
import {
  createPolicy,
  HEADER_KEYS,
  HEADER_MODULES,
  PRESETS,
  policyOptionsSchema,
  type BarbicanWarning,
  type PolicyOptions,
  type PresetName,
} from '@barbican/core';
import { assertFieldSafe, didYouMean, isPlainObject, parseCsp } from '@barbican/core/parsers';
import { BarbicanError } from '../errors.ts';

/** One thing that did not carry over exactly, located in the source file. */
export interface ImportWarning {
  readonly code: 'BARBICAN_W_IMPORT_LOSSY';
  /** The option in the source, e.g. `extra_config.security/http.hpkp_public_key`. */
  readonly path: string;
  readonly message: string;
}

/** What an importer returns. */
export interface ImportResult {
  /** The Barbican config: valid input for `createPolicy`, ready for `barbican.config.json`. */
  readonly config: PolicyOptions;
  /** Everything that does not carry over exactly, one entry per source option. */
  readonly warnings: readonly ImportWarning[];
  /** Warnings the core raises for the imported policy (short HSTS, deprecated headers…). */
  readonly policyWarnings: readonly BarbicanWarning[];
}

/** Options every importer takes. */
export interface ImportOptions {
  /**
   * Only the headers the source sent: every other header is turned off and
   * nothing is removed. Without it the result starts from a preset, so the
   * headers the source did not set get Barbican's secure defaults.
   */
  readonly exact?: boolean;
  /** Traefik: which middleware to read when the file defines several. */
  readonly middleware?: string;
  /** Traefik: which `tls.options` entry to read when there are several and none is `default`. */
  readonly tlsOptions?: string;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Joins a path and a key; keys that are not identifiers are bracketed. */
export function joinPath(base: string, key: string): string {
  const part = /^[A-Z_$][\w$-]*$/i.test(key) ? key : JSON.stringify(key);
  return base === '' ? part : /^[A-Z_$]/i.test(part) ? `${base}.${part}` : `${base}[${part}]`;
}

/**
 * Reads one object of a foreign config with type checks. Every string is
 * checked for CR, LF, NUL and non-ASCII (`BARBICAN_E_UNSAFE_VALUE` with the
 * source path), because an imported value ends up in a header. Keys never
 * read are reported as lossy by {@link SourceReader.rest}.
 */
export class SourceReader {
  readonly path: string;
  readonly #data: Record<string, unknown>;
  readonly #used = new Set<string>();

  constructor(data: Record<string, unknown>, path: string) {
    this.#data = data;
    this.path = path;
  }

  /** The source path of `key`. */
  at(key: string): string {
    return joinPath(this.path, key);
  }

  /** True when `key` is present (and not null). */
  has(key: string): boolean {
    return Object.hasOwn(this.#data, key) && this.#data[key] != null;
  }

  /** The raw value of `key`, marked as read. */
  raw(key: string): unknown {
    this.#used.add(key);
    return Object.hasOwn(this.#data, key) ? this.#data[key] : undefined;
  }

  #fail(key: string, expected: string, value: unknown, rightType = false): never {
    // "not a number" about -5 would be false: say the type only when it is wrong.
    throw new BarbicanError(
      'BARBICAN_E_IMPORT',
      rightType ? `expected ${expected}` : `expected ${expected}, not ${typeName(value)}`,
      { path: this.at(key), value },
    );
  }

  /** A boolean, or undefined when absent. */
  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v == null) return undefined;
    if (typeof v !== 'boolean') this.#fail(key, 'true or false', v);
    return v;
  }

  /** A finite number ≥ 0, or undefined when absent. */
  number(key: string): number | undefined {
    const v = this.raw(key);
    if (v == null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      this.#fail(key, 'a finite number of 0 or more', v, typeof v === 'number');
    }
    return v;
  }

  /** A header-safe string, or undefined when absent. */
  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v == null) return undefined;
    if (typeof v !== 'string') this.#fail(key, 'a string', v);
    assertFieldSafe(v, this.at(key));
    return v;
  }

  /** A list of header-safe strings (a lone string counts as a list of one). */
  stringList(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v == null) return undefined;
    const list: unknown[] =
      typeof v === 'string' ? [v] : Array.isArray(v) ? v : this.#fail(key, 'a list of strings', v);
    return list.map((item, i) => {
      const p = `${this.at(key)}[${i}]`;
      if (typeof item !== 'string') {
        throw new BarbicanError('BARBICAN_E_IMPORT', `expected a string, not ${typeName(item)}`, {
          path: p,
          value: item,
        });
      }
      assertFieldSafe(item, p);
      return item;
    });
  }

  /** A list of numbers or header-safe strings (KrakenD's numeric TLS ids, Go names). */
  scalarList(key: string): (string | number)[] | undefined {
    const v = this.raw(key);
    if (v == null) return undefined;
    if (!Array.isArray(v)) this.#fail(key, 'a list', v);
    return v.map((item: unknown, i) => {
      const p = `${this.at(key)}[${i}]`;
      if (typeof item === 'number' && Number.isSafeInteger(item)) return item;
      if (typeof item !== 'string') {
        throw new BarbicanError(
          'BARBICAN_E_IMPORT',
          `expected a name or a number, not ${typeName(item)}`,
          {
            path: p,
            value: item,
          },
        );
      }
      assertFieldSafe(item, p);
      return item;
    });
  }

  /** Each object of a list as its own reader (`keys[]`, `certificates[]`). */
  objectList(key: string): SourceReader[] {
    const v = this.raw(key);
    if (v == null) return [];
    if (!Array.isArray(v)) this.#fail(key, 'a list of objects', v);
    return v.map((item: unknown, i) => {
      const p = `${this.at(key)}[${i}]`;
      if (!isPlainObject(item)) {
        throw new BarbicanError('BARBICAN_E_IMPORT', `expected an object, not ${typeName(item)}`, {
          path: p,
          value: item,
        });
      }
      return new SourceReader(item, p);
    });
  }

  /** A map of header-safe strings (names and values both checked). */
  stringMap(key: string): [string, string][] | undefined {
    const v = this.raw(key);
    if (v == null) return undefined;
    if (!isPlainObject(v)) this.#fail(key, 'an object of strings', v);
    return Object.entries(v).map(([k, item]) => {
      const p = joinPath(this.at(key), k);
      assertFieldSafe(k, p);
      if (typeof item !== 'string') {
        throw new BarbicanError('BARBICAN_E_IMPORT', `expected a string, not ${typeName(item)}`, {
          path: p,
          value: item,
        });
      }
      assertFieldSafe(item, p);
      return [k, item];
    });
  }

  /** A nested object as its own reader, or undefined when absent. */
  object(key: string): SourceReader | undefined {
    const v = this.raw(key);
    if (v == null) return undefined;
    if (!isPlainObject(v)) this.#fail(key, 'an object', v);
    return new SourceReader(v, this.at(key));
  }

  /** Keys present but never read: options the importer does not know. */
  rest(): string[] {
    return Object.keys(this.#data).filter((k) => !this.#used.has(k));
  }
}

/** Finds the header module key that writes exactly `headerName`, if the core has one. */
export function keyForHeader(headerName: string): string | undefined {
  const wanted = headerName.toLowerCase();
  for (const key of HEADER_KEYS) {
    const names = (HEADER_MODULES[key] as { headerNames: readonly string[] }).headerNames;
    if (names.length === 1 && names[0]?.toLowerCase() === wanted) return key;
  }
  return undefined;
}

const POLICY_KEYS = new Set(Object.keys(policyOptionsSchema.shape));

/** True when the core's policy options have a top-level `key` (request options land over time). */
export function hasPolicyOption(key: string): boolean {
  return POLICY_KEYS.has(key);
}

/**
 * Collects the Barbican config an importer builds, with the source path of
 * every value, so a problem found later still names the user's option.
 */
export class ImportBuilder {
  readonly warnings: ImportWarning[] = [];
  readonly #headers = new Map<string, { value: unknown; from: string }>();
  readonly #top = new Map<string, { value: unknown; from: string }>();
  readonly #remove: string[] = [];
  readonly #keep: string[] = [];
  readonly #preset: PresetName;
  readonly #exact: boolean;

  constructor(preset: PresetName, opts: ImportOptions = {}) {
    this.#preset = preset;
    this.#exact = opts.exact === true;
  }

  /** Records that `path` does not carry over exactly, and why. */
  lossy(path: string, message: string): void {
    this.warnings.push({ code: 'BARBICAN_W_IMPORT_LOSSY', path, message });
  }

  /** Reports every unread key of `reader` as not imported. */
  unknownKeys(reader: SourceReader, known: readonly string[]): void {
    for (const key of reader.rest()) {
      // Core's did-you-mean: case and separators ignored, then a small edit distance.
      const near = didYouMean(key, known);
      this.lossy(
        reader.at(key),
        `not an option Barbican imports; ignored${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
      );
    }
  }

  /** Sets `headers[key]`, or reports it as lossy when the core has no such header. */
  header(key: string, value: unknown, from: string): void {
    if (!(HEADER_KEYS as readonly string[]).includes(key)) {
      this.lossy(from, `Barbican has no headers.${key} option yet; not imported`);
      return;
    }
    this.#headers.set(key, { value, from });
  }

  /** The value already set for `headers[key]`, if any. */
  getHeader(key: string): unknown {
    return this.#headers.get(key)?.value;
  }

  /** Sets a raw header value by header name (custom response headers). */
  headerByName(name: string, value: string, from: string): boolean {
    const key = keyForHeader(name);
    if (key === undefined) return false;
    this.header(key, value, from);
    return true;
  }

  /** Sets a top-level option (request protections), or reports it as lossy when the core lacks it. */
  option(key: string, value: unknown, from: string): void {
    if (!hasPolicyOption(key)) {
      this.lossy(from, `Barbican has no ${key} option yet; not imported`);
      return;
    }
    this.#top.set(key, { value, from });
  }

  /** The value already set for a top-level option, if any. */
  getOption(key: string): unknown {
    return this.#top.get(key)?.value;
  }

  /** Asks Barbican to strip a response header (the source removed it). */
  remove(name: string): void {
    if (!this.#remove.some((n) => n.toLowerCase() === name.toLowerCase())) this.#remove.push(name);
  }

  /** Asks Barbican not to strip a header its preset would strip (the source kept it). */
  keep(name: string): void {
    this.#keep.push(name);
  }

  /**
   * Builds the config. Each header is validated on its own so a value the
   * core refuses (ALLOW-FROM, an unquoted CSP keyword…) is dropped with a
   * lossy warning naming the source option, while unsafe bytes — which
   * could only be an attack or a corrupted file — stop the import.
   */
  finish(): ImportResult {
    const headers: Record<string, unknown> = {};
    for (const [key, { value, from }] of this.#headers) {
      try {
        createPolicy({ preset: this.#preset, headers: { [key]: value } });
        headers[key] = value;
      } catch (error) {
        if (!(error instanceof BarbicanError)) throw error;
        if (error.code === 'BARBICAN_E_UNSAFE_VALUE') {
          throw new BarbicanError('BARBICAN_E_UNSAFE_VALUE', 'unsafe value', {
            path: from,
            value: error.value,
            ...(error.offset === undefined ? {} : { offset: error.offset }),
            hint: error.detail,
          });
        }
        // The warning carries its own code: quote the error without its [CODE].
        this.lossy(
          from,
          `Barbican refuses this value (${error.code}), so it is not imported: ${error.detail}`,
        );
      }
    }
    if (this.#exact) {
      for (const key of HEADER_KEYS) if (!(key in headers)) headers[key] = false;
    }
    const config: Record<string, unknown> = { preset: this.#preset, headers };
    const removeDefault = PRESETS[this.#preset].removeHeaders;
    if (this.#exact) {
      config.removeHeaders = this.#remove.length > 0 ? [...this.#remove] : false;
    } else if (this.#remove.length > 0 || this.#keep.length > 0) {
      config.removeHeaders =
        removeDefault === false
          ? [...this.#remove]
          : {
              ...(this.#remove.length > 0 ? { add: [...this.#remove] } : {}),
              ...(this.#keep.length > 0 ? { keep: [...this.#keep] } : {}),
            };
    }
    for (const [key, { value }] of this.#top) config[key] = value;
    const options = config as PolicyOptions;
    let policyWarnings: readonly BarbicanWarning[];
    try {
      policyWarnings = createPolicy(options).warnings;
    } catch (error) {
      // Each header passed alone; only a combination can fail here.
      // Re-thrown as is: its own code and path say exactly what clashes.
      if (error instanceof BarbicanError) throw error;
      throw new BarbicanError('BARBICAN_E_IMPORT', 'the imported options do not combine', {
        hint: String(error),
        cause: error,
      });
    }
    return { config: options, warnings: this.warnings, policyWarnings };
  }
}

/**
 * Converts a raw CSP string into the directives object with the core's CSP
 * parser. Falls back to the raw string (which the core then validates) when
 * the parser reports an error or finds more than one policy, so nothing is
 * guessed. A directive repeated in the string keeps its first value, as
 * browsers do (CSP3 §2.2.1), and is reported as lossy by the caller.
 */
export function cspFromString(value: string): {
  value: string | { directives: Record<string, string[] | boolean> };
  duplicates: string[];
} {
  const result = parseCsp(value);
  const policies = result.policies;
  const first = policies[0];
  if (result.problems.some((p) => p.severity === 'error') || policies.length !== 1 || !first) {
    return { value, duplicates: [] };
  }
  const directives: Record<string, string[] | boolean> = {};
  for (const [name, list] of first.directives) {
    // defineProperty: a directive name can never reach a prototype setter.
    Object.defineProperty(directives, name, {
      value: list.length === 0 ? true : [...list],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  // The parser keeps the first of a repeated directive (as browsers do) and
  // drops the rest; count names here so the loss can be reported.
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const part of value.split(';')) {
    const name =
      part
        .trim()
        .split(/[\t ]+/)[0]
        ?.toLowerCase() ?? '';
    if (name === '') continue;
    if (seen.has(name) && !duplicates.includes(name)) duplicates.push(name);
    seen.add(name);
  }
  return { value: { directives }, duplicates };
}
