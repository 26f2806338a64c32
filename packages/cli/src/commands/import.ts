/**
 * `barbican import --from SOURCE FILE`: print the equivalent Barbican config
 * on stdout, and one `BARBICAN_W_IMPORT_LOSSY` line on stderr for every
 * option that does not carry over exactly.
 *
 * @module
 */
import { isPlainObject } from '@barbican/core/parsers';
import { Option, type Command } from 'commander';
import { parseConfigText, readStructuredFile } from '../config.ts';
import { unwrapJsObject } from '../import/helmet.ts';
import { IMPORT_SOURCES, IMPORTERS, type ImportSource } from '../import/index.ts';
import type { Io } from '../io.ts';
import { toJson } from '../util.ts';
import { formatWarning } from './check.ts';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { BarbicanError } from '../errors.ts';

interface ImportOpts {
  from: ImportSource;
  exact?: boolean;
  middleware?: string;
  tlsOptions?: string;
}

/** Reads the source file; a helmet `.js`/`.mjs`/`.cjs` module is read as an object literal, never run. */
async function readSource(file: string, from: ImportSource): Promise<Record<string, unknown>> {
  const ext = extname(file).toLowerCase();
  if (from === 'helmet' && ['.js', '.mjs', '.cjs', '.ts'].includes(ext)) {
    // Reuse the hardened reader for size, binary and UTF-8 checks first.
    await readStructuredFile(file).catch((error: unknown) => {
      if (error instanceof BarbicanError && error.message.includes('not valid YAML')) return;
      throw error;
    });
    const text = unwrapJsObject(await readFile(file, 'utf8'));
    const data = parseConfigText(`${file}.yaml`, text);
    if (!isPlainObject(data)) {
      throw new BarbicanError(
        'BARBICAN_E_IMPORT',
        'expected one object literal of helmet options',
        {
          path: file,
        },
      );
    }
    return data;
  }
  return (await readStructuredFile(file)).data;
}

/** Registers `barbican import`. */
export function registerImport(program: Command, io: Io): void {
  program
    .command('import')
    .description(
      'Convert KrakenD, Traefik, helmet or unrolled/secure security (and KrakenD/Traefik TLS) settings into a Barbican config (stdout); what does not carry over exactly is listed on stderr.',
    )
    .argument('<file>', 'the source file (JSON or YAML; for helmet also a .js object literal)')
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
      const doc = await readSource(file, opts.from);
      const result = IMPORTERS[opts.from](doc, {
        ...(opts.exact === true ? { exact: true } : {}),
        ...(opts.middleware === undefined ? {} : { middleware: opts.middleware }),
        ...(opts.tlsOptions === undefined ? {} : { tlsOptions: opts.tlsOptions }),
      });
      io.out(toJson(result.config));
      for (const w of result.warnings) {
        io.err(`${io.color.yellow('warning')} ${w.path || '(root)'}: ${w.message} [${w.code}]`);
      }
      for (const w of result.policyWarnings) io.err(formatWarning(io, w));
    });
}
