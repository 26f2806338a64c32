/**
 * Loading `barbican.config.json` / `.yaml` / `.yml`: parse errors name the
 * file, line, column and byte offset; validation errors are the core's, with
 * the option path. The same reader parses the foreign files `barbican import`
 * reads, so both get the same defences against hostile input.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { createPolicy, type Policy, type PolicyOptions, type SectionWarning } from '@barbican/core';
import { isPlainObject } from '@barbican/core/parsers';
import { isNode, parseDocument, type Document } from 'yaml';
import {
  DEFAULT_SECTIONS,
  splitSections,
  validateSections,
  type SectionSource,
} from './sections.ts';
import { BarbicanError } from './errors.ts';
import { readRegularFile } from '@barbican/core/files';
import { jsonTooDeep, yamlTooDeep } from './nesting.ts';

/** The names `barbican` looks for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'barbican.config.json',
  'barbican.config.yaml',
  'barbican.config.yml',
] as const;

/**
 * Config files are a few kilobytes; refusing anything over 1 MiB keeps a
 * mistaken path (a log, a disk image) from eating memory before it fails.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Foreign configs given to `barbican import` are whole gateway or proxy
 * configurations (a KrakenD file with hundreds of endpoints passes 1 MiB),
 * so they may be larger; the depth and alias bounds still apply.
 */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

/** Nesting deeper than this is never a policy; refusing it keeps recursion bounded. */
const MAX_DEPTH = 64;

/** A parsed config file: where it came from and what it holds (not yet validated). */
export interface ConfigFile {
  readonly file: string;
  readonly data: Record<string, unknown>;
  /** Finds an option path in the file (for error positions). */
  locate(optionPath: string): TextPosition | undefined;
}

/** Where in a text a problem is: 1-based line and column, and a 0-based byte offset. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/**
 * Turns a UTF-16 index into line, column and UTF-8 byte offset. Columns count
 * characters, as editors do; the byte offset is what `hexdump` shows.
 */
export function positionAt(text: string, index: number): TextPosition {
  const before = text.slice(0, Math.max(0, Math.min(index, text.length)));
  const lines = before.split('\n');
  const last = lines[lines.length - 1] ?? '';
  return {
    line: lines.length,
    column: Array.from(last).length + 1,
    offset: Buffer.byteLength(before, 'utf8'),
  };
}

function fileError(
  file: string,
  problem: string,
  at?: TextPosition,
  hint?: string,
  cause?: unknown,
): BarbicanError {
  return new BarbicanError('BARBICAN_E_CONFIG_FILE', problem, {
    // `file:line:column` is what editors and terminals turn into a link.
    path: at === undefined ? file : `${file}:${at.line}:${at.column}`,
    ...(at === undefined ? {} : { offset: at.offset }),
    ...(hint === undefined ? {} : { hint }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Decodes bytes as UTF-8, refusing binary files and invalid UTF-8 with the
 * offset of the first bad byte, so garbage is never half-parsed.
 */
function decode(file: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw fileError(file, 'is a binary file (contains a NUL byte), not JSON or YAML', {
      ...positionAt(new TextDecoder().decode(bytes.subarray(0, nul)), nul),
      offset: nul,
    });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const loose = new TextDecoder('utf-8').decode(bytes);
    const index = loose.indexOf('\uFFFD');
    throw fileError(
      file,
      'is not valid UTF-8',
      index === -1 ? undefined : positionAt(loose, index),
      'Save the file as UTF-8',
    );
  }
}

/** How a file is parsed: JSON for `.json`, YAML for anything else. */
export type ConfigFormat = 'json' | 'yaml';

/** The format of `file`, by its extension. */
export function formatOf(file: string): ConfigFormat {
  return extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/**
 * Parses config text as JSON (for `.json`) or YAML (anything else, or as
 * `format` says). Throws `BARBICAN_E_CONFIG_FILE` naming `file:line:column`
 * and the byte offset. Duplicate keys are errors in both formats: the last
 * one silently winning is how a hardened value gets undone by a forgotten
 * line further down.
 */
export function parseConfigText(
  file: string,
  input: string | Uint8Array,
  format: ConfigFormat = formatOf(file),
): unknown {
  return parseWithDocument(file, input, format).value;
}

interface Parsed {
  readonly value: unknown;
  readonly text: string;
  readonly doc: Document.Parsed;
}

function parseWithDocument(file: string, input: string | Uint8Array, format: ConfigFormat): Parsed {
  const text = typeof input === 'string' ? input : decode(file, input);
  refuseDeepNesting(file, text, format);
  const doc = parseStrict(file, text, format);
  let value: unknown;
  try {
    // maxAliasCount bounds "billion laughs" alias expansion.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw fileError(file, 'cannot be read', undefined, (error as Error).message, error);
  }
  const parsed = { value, text, doc };
  try {
    checkKeys(file, value, '', 0);
  } catch (error) {
    // A refused key is located like a validation error; the file's own
    // errors already name the file (once).
    if (error instanceof BarbicanError && error.code !== 'BARBICAN_E_CONFIG_FILE') {
      const at = error.path === undefined ? undefined : locateOption(parsed, error.path);
      errorLocations.set(error, at === undefined ? file : `${file}:${at.line}:${at.column}`);
    }
    throw error;
  }
  return parsed;
}

/**
 * Refuses absurd nesting before any parser recurses into it (see
 * nesting.ts). YAML's estimate may over-count by a level or two, so it gets
 * that slack; {@link checkKeys} applies the exact limit after parsing.
 */
function refuseDeepNesting(file: string, text: string, format: ConfigFormat): void {
  if (format === 'json') {
    const at = jsonTooDeep(text, MAX_DEPTH);
    if (at !== undefined) {
      throw fileError(file, `nests deeper than ${MAX_DEPTH} levels`, positionAt(text, at));
    }
    return;
  }
  const at = yamlTooDeep(text, MAX_DEPTH + 2);
  if (at !== undefined) {
    throw fileError(file, `nests deeper than ${MAX_DEPTH} levels`, positionAt(text, at));
  }
}

/** YAML warning codes that mean "a tag we will not resolve", for a better hint. */
const TAG_CODES = new Set(['TAG_RESOLVE_FAILED', 'BAD_COLLECTION_TYPE']);

function parseStrict(file: string, text: string, format: ConfigFormat): Document.Parsed {
  const isJson = format === 'json';
  let jsonProblem: string | undefined;
  if (isJson) {
    try {
      JSON.parse(text);
    } catch (error) {
      // V8 quotes the surrounding text in its message, newlines included;
      // keep only the first clause so the error stays one safe line.
      jsonProblem = (error as Error).message.split(/,\s*"|\n/)[0]?.replace(/[^\x20-\x7e]/g, '?');
    }
  }
  // YAML 1.2 is a superset of JSON, so one parser gives both formats line and
  // column positions and duplicate-key detection (JSON.parse has neither).
  // The core schema has no timestamps, binary or language-specific tags, and
  // resolveKnownTags: false keeps the YAML 1.1 ones (!!binary, !!timestamp,
  // !!set, !!omap, !!pairs) unresolved, so they are refused below instead of
  // becoming a Buffer, a Date or a Set that validation then misdescribes.
  const doc = parseDocument(text, {
    prettyErrors: true,
    uniqueKeys: true,
    schema: isJson ? 'json' : 'core',
    resolveKnownTags: false,
    strict: true,
  });
  // Warnings (unknown tags such as `!!js/function`, keys that would be
  // stringified) are refused too: a security config must mean one thing.
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first !== undefined || jsonProblem !== undefined) {
    const index = first?.pos[0] ?? text.length;
    const headline = (first?.message.split('\n')[0] ?? '').replace(
      / at line \d+, column \d+:?$/,
      '',
    );
    const tagHint =
      first !== undefined && TAG_CODES.has(first.code)
        ? `${headline}: a config holds only strings, numbers, booleans, lists and maps, so YAML tags such as !!binary, !!timestamp, !!set and !!js/... are refused`
        : undefined;
    throw fileError(
      file,
      `is not valid ${isJson ? 'JSON' : 'YAML'}`,
      positionAt(text, index),
      jsonProblem ?? tagHint ?? headline,
    );
  }
  return doc;
}

/**
 * Finds where an option path such as `headers.hsts.maxAge` or
 * `removeHeaders[2]` sits in the parsed file, so a validation error can
 * point at `file:line:column` like a parse error does.
 */
export function locateOption(parsed: Parsed, optionPath: string): TextPosition | undefined {
  const segments: (string | number)[] = [];
  for (const m of optionPath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    segments.push(m[2] === undefined ? (m[1] ?? '') : Number(m[2]));
  }
  // Walk down as far as the path exists: an unknown key's parent is still useful.
  while (segments.length > 0) {
    const node: unknown = parsed.doc.getIn(segments, true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      return positionAt(parsed.text, node.range[0]);
    }
    segments.pop();
  }
  return undefined;
}

/**
 * Refuses `__proto__` keys anywhere. The parsers already store them as plain
 * data, but code that later copies entries with `out[key] = …` would then
 * replace an object's prototype; refusing them here makes that impossible
 * whatever a later consumer does.
 */
function checkKeys(file: string, value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) {
    throw fileError(file, `nests deeper than ${MAX_DEPTH} levels, at ${path}`);
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkKeys(file, v, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const key of Object.keys(value)) {
    const keyPath = path === '' ? key : `${path}.${key}`;
    if (key === '__proto__') {
      throw new BarbicanError('BARBICAN_E_UNKNOWN_OPTION', 'refused key "__proto__"', {
        path: keyPath,
        hint: 'Remove it: it is never an option, and it is how prototype pollution starts',
      });
    }
    checkKeys(file, (value as Record<string, unknown>)[key], keyPath, depth + 1);
  }
}

function describe(value: unknown, doc: Document.Parsed): string {
  // An empty file (or only comments) has no contents; `null` is a value.
  if (doc.contents === null) return 'nothing (the file is empty)';
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object of another kind' : `a ${typeof value}`;
}

/**
 * Thrown by a {@link ReadStructuredOptions.extract} function that finds
 * nothing to parse: reported as `BARBICAN_E_CONFIG_FILE` at `offset`.
 */
export class ExtractError extends Error {
  override readonly name = 'ExtractError';
  readonly problem: string;
  readonly offset: number;
  readonly hint: string | undefined;
  constructor(problem: string, offset: number, hint?: string) {
    super(problem);
    this.problem = problem;
    this.offset = offset;
    this.hint = hint;
  }
}

/** Options of {@link readStructuredFile}. */
export interface ReadStructuredOptions {
  /** Refuse larger files; default {@link MAX_CONFIG_BYTES}. */
  readonly maxBytes?: number;
  /** Parse as this format whatever the extension. */
  readonly format?: ConfigFormat;
  /**
   * Turns the decoded text into the text to parse (a helmet module's object
   * literal). It must keep every character's offset, so positions still
   * point into the file. Throws {@link ExtractError} when there is none.
   */
  readonly extract?: (text: string) => string;
  /** The hint when the file holds something other than an object. */
  readonly objectHint?: string;
}

/** `extract(text)`, its {@link ExtractError} turned into a located file error. */
function extracted(file: string, text: string, extract?: (text: string) => string): string {
  if (extract === undefined) return text;
  try {
    return extract(text);
  } catch (error) {
    if (!(error instanceof ExtractError)) throw error;
    const at = { ...positionAt(text, error.offset), offset: error.offset };
    throw fileError(file, error.problem, at, error.hint);
  }
}

/** Reads and parses a file into a plain object (not yet validated as a policy). */
export async function readStructuredFile(
  file: string,
  options: ReadStructuredOptions = {},
): Promise<ConfigFile> {
  const bytes = await readRegularFile(file, {
    maxBytes: options.maxBytes ?? MAX_CONFIG_BYTES,
    fail: ({ problem, hint, cause }) => fileError(file, problem, undefined, hint, cause),
  });
  const text = decode(file, bytes);
  const parsed = parseWithDocument(
    file,
    extracted(file, text, options.extract),
    options.format ?? formatOf(file),
  );
  const data = parsed.value;
  if (!isPlainObject(data)) {
    throw fileError(
      file,
      `must hold an object of options, not ${describe(data, parsed.doc)}`,
      undefined,
      options.objectHint ?? 'Start with {"preset": "barbican"}',
    );
  }
  return { file, data, locate: (optionPath) => locateOption(parsed, optionPath) };
}

/** Reads a config file into unvalidated options (kept for API compatibility). */
export async function readConfigFile(file: string): Promise<unknown> {
  return (await readStructuredFile(file)).data;
}

/**
 * Finds the config file in `dir`: the first of {@link CONFIG_FILE_NAMES}.
 * Two of them at once is an error, since either silently winning would
 * leave the other's settings believed but unapplied.
 */
export async function discoverConfig(dir: string = process.cwd()): Promise<string | undefined> {
  const found: string[] = [];
  for (const name of CONFIG_FILE_NAMES) {
    try {
      if ((await stat(join(dir, name))).isFile()) found.push(name);
    } catch {
      // absent: try the next name
    }
  }
  if (found.length > 1) {
    throw new BarbicanError('BARBICAN_E_CONFIG_FILE', 'more than one config file', {
      path: dir,
      value: found,
      hint: 'Keep one, or pass --config FILE',
    });
  }
  return found[0] === undefined ? undefined : join(dir, found[0]);
}

/**
 * Reads and validates a config file. Validation errors are the core's
 * (`BARBICAN_E_*` with the option path); the file name is added to the hint
 * so the user knows which file to open.
 */
export async function loadConfig(file: string): Promise<PolicyOptions> {
  return (await loadPolicy(file)).options;
}

/**
 * Where in which file a validation error was found (`file:line:column`).
 * The core's error stays untouched (same code, path and message); the CLI
 * prints this location in front of it.
 */
export const errorLocations = new WeakMap<Error, string>();

/** A config file turned into a built policy. */
export interface LoadedPolicy {
  readonly file: string;
  readonly options: PolicyOptions;
  readonly policy: Policy;
  /** Validated sections owned by other packages (`gateway`, …), by name. */
  readonly sections: Readonly<Record<string, unknown>>;
  /** Warnings the sections' owners raised (their own codes). */
  readonly sectionWarnings: readonly SectionWarning[];
}

/**
 * Reads `file`, splits off the package sections, validates the policy with
 * the core and each section with its owner, and builds the policy.
 * `sections` lists the sections the file may hold (default: every package
 * section the CLI knows, see `sections.ts`).
 *
 * @example
 * ```ts
 * const { policy, sections } = await loadPolicy('barbican.config.yaml');
 * sections.gateway; // validated by @barbican/gateway, if present
 * ```
 */
export async function loadPolicy(
  file: string,
  sections: readonly SectionSource[] = DEFAULT_SECTIONS,
): Promise<LoadedPolicy> {
  const config = await readStructuredFile(file);
  try {
    const split = splitSections(config.data, sections);
    const options = split.options as PolicyOptions;
    const policy = createPolicy(options);
    const loaded = await validateSections(split.raw, sections, policy);
    return {
      file,
      options,
      policy,
      sections: loaded.values,
      sectionWarnings: loaded.warnings,
    };
  } catch (error) {
    if (error instanceof BarbicanError && error.path !== undefined) {
      const at = config.locate(error.path);
      if (at !== undefined) errorLocations.set(error, `${file}:${at.line}:${at.column}`);
    }
    if (error instanceof Error && !errorLocations.has(error)) errorLocations.set(error, file);
    throw error;
  }
}
