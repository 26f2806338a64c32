/**
 * `barbican export`: the policy as configuration for a server, gateway or
 * static host. The renderers live in `@barbican/export` (loaded only when
 * this command runs); this file parses arguments and prints.
 *
 * stdout gets the snippet to paste or include (or, with `--out`, the list of
 * files written); every feature the target cannot express is one
 * `BARBICAN_W_EXPORT_LOSSY` warning on stderr.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { escapeControl, type PresetName } from '@barbican/core';
import { TARGET_NAMES } from '@barbican/export/target';
import { Option, type Command } from 'commander';
import type { Io } from '../io.ts';
import { toJson } from '../util.ts';
import { formatWarning } from './check.ts';
import { policySourceOptions, resolvePolicy } from './headers.ts';

/**
 * The export targets, from export's leaf module (it imports only types), so
 * `--help` lists them without loading the renderers.
 */
export const TARGETS = TARGET_NAMES;

interface ExportOpts {
  target: string;
  config?: string;
  preset?: PresetName;
  out?: string;
  targetVersion?: string;
  opensslVersion?: string;
  upstream?: string;
  dir?: string;
  json?: boolean;
}

/** Registers `barbican export`. */
export function registerExport(program: Command, io: Io): void {
  policySourceOptions(
    program
      .command('export')
      .description(
        'Write the policy as configuration for a server, gateway or static host (stdout: the snippet to include).',
      )
      .addOption(
        new Option('-t, --target <target>', 'what to export to')
          .choices(TARGETS)
          .makeOptionMandatory(),
      ),
  )
    .option(
      '-o, --out <dir>',
      'write the full commented set, with a complete example config, into this directory',
    )
    .option(
      '--target-version <version>',
      "the target's version (default: Debian 12's where packaged)",
    )
    .option(
      '--openssl-version <version>',
      'the OpenSSL the server uses (nginx, apache, haproxy; default 3.0)',
    )
    .option('--upstream <url>', 'the app the example config proxies to', 'http://127.0.0.1:3000')
    .option(
      '--dir <path>',
      'where the files are installed on the server (include paths in the example)',
    )
    .option(
      '--json',
      'print {"target", "version", "snippet", "files", "warnings"} as JSON on stdout',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  barbican export --target nginx --preset strict > /etc/nginx/snippets/barbican.conf\n  barbican export --target caddy --config barbican.config.yaml --out ./caddy\n  barbican export --target nginx --target-version 1.27.3 --openssl-version 3.5',
    )
    .action(async (opts: ExportOpts) => {
      const policy = await resolvePolicy(opts, io);
      const { exportPolicy } = await import('@barbican/export');
      const result = exportPolicy(policy, opts.target, {
        ...(opts.targetVersion === undefined ? {} : { targetVersion: opts.targetVersion }),
        ...(opts.opensslVersion === undefined ? {} : { opensslVersion: opts.opensslVersion }),
        deploy: {
          ...(opts.upstream === undefined ? {} : { upstream: opts.upstream }),
          ...(opts.dir === undefined ? {} : { dir: opts.dir }),
        },
      });
      for (const w of [...policy.warnings, ...result.warnings]) io.err(formatWarning(io, w));
      if (opts.json === true) {
        io.out(toJson(result));
        return;
      }
      if (opts.out === undefined) {
        io.out(result.snippet);
        return;
      }
      const dir = resolve(opts.out);
      await mkdir(dir, { recursive: true });
      for (const file of result.files) {
        await writeFile(join(dir, file.path), file.content);
        io.out(`${io.color.cyan(escapeControl(join(opts.out, file.path)))}  ${file.purpose}`);
      }
    });
}
