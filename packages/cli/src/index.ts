/**
 * Programmatic entry to the `barbican` CLI: run it in-process, load config
 * files with the same checks, or import foreign configs.
 *
 * @example
 * ```ts
 * import { loadPolicy, run } from '@barbican/cli';
 * const { policy } = await loadPolicy('barbican.config.yaml');
 * process.exitCode = await run(['check', '--json']);
 * ```
 * @module
 */
export { run, buildProgram } from './cli.ts';
export type { ProgramOptions } from './cli.ts';
export {
  DEFAULT_SECTIONS,
  sectionSource,
  splitSections,
  validateSections,
  withSectionSchemas,
} from './sections.ts';
export type { SectionSource, SplitConfig, LoadedSections } from './sections.ts';
export {
  readConfigFile,
  readStructuredFile,
  loadConfig,
  loadPolicy,
  discoverConfig,
  parseConfigText,
  CONFIG_FILE_NAMES,
} from './config.ts';
export type { ConfigFile, LoadedPolicy, TextPosition } from './config.ts';
export { EXIT, memoryIo, processIo } from './io.ts';
export type { Io } from './io.ts';
export { IMPORTERS, IMPORT_SOURCES } from './import/index.ts';
export type { ImportResult, ImportWarning, ImportOptions, ImportSource } from './import/index.ts';
export type { CheckReport } from './commands/check.ts';
export type { HeadersReport } from './commands/headers.ts';
