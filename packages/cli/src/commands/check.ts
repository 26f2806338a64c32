/**
 * `barbican check`: validate a config file and list its warnings.
 *
 * @module
 */
import { escapeControl, type SectionWarning } from '@barbican/core';
import type { Command } from 'commander';
import { discoverConfig, errorLocations, loadPolicy, CONFIG_FILE_NAMES } from '../config.ts';
import type { Io } from '../io.ts';
import { DEFAULT_SECTIONS, type SectionSource } from '../sections.ts';
import { toJson } from '../util.ts';
import { BarbicanError } from '../errors.ts';

/** The `--json` report of `barbican check` (stable). */
export interface CheckReport {
  readonly valid: boolean;
  /** The file that was checked. */
  readonly file: string;
  readonly preset?: string;
  /** The package sections the file holds and that were validated (e.g. `["gateway"]`). */
  readonly sections?: readonly string[];
  /** The policy's warnings, then the sections' (their owners' codes). */
  readonly warnings: readonly SectionWarning[];
  /** Present when `valid` is false: the error's code, message, path, value… */
  readonly error?: Record<string, unknown>;
}

/**
 * Resolves `--config`, or finds `barbican.config.{json,yaml,yml}` in the
 * working directory. Throws a usage error when there is none.
 */
export async function resolveConfigPath(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const found = await discoverConfig();
  if (found === undefined) {
    throw new BarbicanError('BARBICAN_E_USAGE', 'no config file found', {
      path: '--config',
      hint: `Create ${CONFIG_FILE_NAMES.join(', ')} in this directory, or pass --config FILE`,
    });
  }
  return found;
}

/**
 * Formats one warning as a line: `warning headers.hsts: … [CODE]`. The path
 * and message carry config keys and values: escaped, like every error.
 */
export function formatWarning(io: Io, w: { path: string; message: string; code: string }): string {
  return `${io.color.yellow('warning')} ${escapeControl(`${w.path || '(root)'}: ${w.message}`)} [${w.code}]`;
}

/** Registers `barbican check`; `sections` are the package sections a file may hold. */
export function registerCheck(
  program: Command,
  io: Io,
  sections: readonly SectionSource[] = DEFAULT_SECTIONS,
): void {
  program
    .command('check')
    .description(
      'Validate a policy config and list its warnings (exit 0 valid, warnings do not fail; exit 2 invalid).',
    )
    .option(
      '-c, --config <file>',
      `config file (default: the first of ${CONFIG_FILE_NAMES.join(', ')} in the working directory)`,
    )
    .option('--json', 'print {"valid", "file", "preset", "warnings"} as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  barbican check\n  barbican check --config barbican.config.yaml --json',
    )
    .action(async (opts: { config?: string; json?: boolean }) => {
      const file = await resolveConfigPath(opts.config);
      let loaded;
      try {
        loaded = await loadPolicy(file, sections);
      } catch (error) {
        // A script reading --json still gets a report on stdout; the error
        // itself always goes to stderr (printed by run()) with exit code 2.
        if (opts.json === true && error instanceof BarbicanError) {
          const where = errorLocations.get(error);
          const report: CheckReport = {
            valid: false,
            file,
            warnings: [],
            error: { ...error.toJSON(), ...(where === undefined ? {} : { location: where }) },
          };
          io.out(toJson(report));
        }
        throw error;
      }
      const { policy } = loaded;
      const warnings = [...policy.warnings, ...loaded.sectionWarnings];
      const names = Object.keys(loaded.sections);
      if (opts.json === true) {
        const report: CheckReport = {
          valid: true,
          file,
          preset: policy.preset,
          sections: names,
          warnings,
        };
        io.out(toJson(report));
        return;
      }
      const count = warnings.length;
      const with_ = names.length === 0 ? '' : `, sections ${names.join(', ')}`;
      io.out(
        `${io.color.green('✓')} ${escapeControl(file)} is a valid policy (preset ${policy.preset}${with_}, ${count} warning${count === 1 ? '' : 's'})`,
      );
      for (const w of warnings) io.out(formatWarning(io, w));
    });
}
