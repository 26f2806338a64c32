/**
 * `barbican import --from SOURCE FILE`: print the equivalent Barbican config
 * on stdout, and one `BARBICAN_W_IMPORT_LOSSY` line on stderr for every
 * option that does not carry over exactly.
 *
 * @module
 */
import { Option, type Command } from 'commander';
import {
  errorLocations,
  MAX_IMPORT_BYTES,
  readStructuredFile,
  type ConfigFile,
} from '../config.ts';
import { BarbicanError } from '../errors.ts';
import { unwrapJsObject } from '../import/helmet-module.ts';
import {
  IMPORT_SOURCES,
  IMPORTERS,
  type ImportResult,
  type ImportSource,
} from '../import/index.ts';
import type { Io } from '../io.ts';
import { toJson } from '../util.ts';
import { formatWarning } from './check.ts';
import { extname } from 'node:path';

interface ImportOpts {
  from: ImportSource;
  exact?: boolean;
  middleware?: string;
  tlsOptions?: string;
}

/** Reads the source file; a helmet `.js`/`.mjs`/`.cjs`/`.ts` module is read as an object literal, never run. */
async function readSource(file: string, from: ImportSource): Promise<ConfigFile> {
  const module = from === 'helmet' && JS_EXTENSIONS.has(extname(file).toLowerCase());
  return readStructuredFile(file, {
    maxBytes: MAX_IMPORT_BYTES,
    objectHint: `Expected the ${from} configuration as one object`,
    // An object literal without comments is YAML flow: parsed, never executed.
    ...(module ? { format: 'yaml' as const, extract: unwrapJsObject } : {}),
  });
}

/** Runs the importer; an error about a key of the source is located in the file, as config errors are. */
function importFrom(source: ConfigFile, opts: ImportOpts): ImportResult {
  try {
    return IMPORTERS[opts.from](source.data, {
      ...(opts.exact === true ? { exact: true } : {}),
      ...(opts.middleware === undefined ? {} : { middleware: opts.middleware }),
      ...(opts.tlsOptions === undefined ? {} : { tlsOptions: opts.tlsOptions }),
    });
  } catch (error) {
    if (error instanceof BarbicanError && error.code === 'BARBICAN_E_IMPORT') {
      const at = error.path === undefined ? undefined : source.locate(error.path);
      errorLocations.set(
        error,
        at === undefined ? source.file : `${source.file}:${at.line}:${at.column}`,
      );
    }
    throw error;
  }
}

const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts']);

/** Registers `barbican import`. */
export function registerImport(program: Command, io: Io): void {
  program
    .command('import')
    .description(
      'Convert KrakenD, Traefik, helmet or unrolled/secure security (and KrakenD/Traefik TLS) settings into a Barbican config (stdout); what does not carry over exactly is listed on stderr.',
    )
    .argument(
      '<file>',
      'the source file (JSON or YAML; for helmet also a .js/.ts module, never run)',
    )
    .addOption(
      new Option('--from <source>', 'what the file is')
        .choices(IMPORT_SOURCES)
        .makeOptionMandatory(),
    )
    .option(
      '--exact',
      'turn off every header the source did not send (default: they keep the preset’s secure values)',
    )
    .option(
      '--middleware <name>',
      'Traefik: the headers middleware to import when there are several',
    )
    .option(
      '--tls-options <name>',
      'Traefik: the tls.options entry to import when there are several (default: "default")',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  barbican import --from krakend krakend.json > barbican.config.json\n  barbican import --from traefik dynamic.yml --middleware secure-headers --tls-options default\n  barbican import --from helmet helmet-options.json --exact',
    )
    .action(async (file: string, opts: ImportOpts) => {
      const result = importFrom(await readSource(file, opts.from), opts);
      io.out(toJson(result.config));
      for (const w of [...result.warnings, ...result.policyWarnings]) io.err(formatWarning(io, w));
    });
}
