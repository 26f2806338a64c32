/**
 * The `barbican` command: declarative commander program, one file per
 * subcommand under `commands/`. Each `register*` call adds one command, so
 * a new command is one import and one line here.
 *
 * @module
 */
import { Command, CommanderError } from 'commander';
// By the package's own name, so the path holds both here and in the packed
// tarball, where src/ is flattened.
import manifest from '@barbican/cli/package.json' with { type: 'json' };
import { registerCheck } from './commands/check.ts';
import { registerCsp } from './commands/csp.ts';
import { registerDemo } from './commands/demo.ts';
import { registerExport } from './commands/export.ts';
import { registerGateway } from './commands/gateway.ts';
import { registerHeaders } from './commands/headers.ts';
import { registerImport } from './commands/import.ts';
import { registerPin } from './commands/pin.ts';
import { registerReports } from './commands/reports.ts';
import { registerScan } from './commands/scan.ts';
import { registerSchema } from './commands/schema.ts';
import { errorLocations } from './config.ts';
import { EXIT, FindingsExit, processIo, type Io } from './io.ts';
import { BarbicanError } from './errors.ts';
import { DEFAULT_SECTIONS, type SectionSource } from './sections.ts';

/** What an embedder or a test may change about the program. */
export interface ProgramOptions {
  /** Package sections a config file may hold; default: every section the CLI knows. */
  readonly sections?: readonly SectionSource[];
}

/**
 * Builds the commander program writing through `io`. Exposed so tests and
 * embedders can run commands without a child process.
 *
 * @example
 * ```ts
 * const program = buildProgram(processIo());
 * await program.parseAsync(['check'], { from: 'user' });
 * ```
 */
export function buildProgram(io: Io, options: ProgramOptions = {}): Command {
  const sections = options.sections ?? DEFAULT_SECTIONS;
  const program = new Command('barbican')
    .description('Secure HTTP responses by default, and proof that they are.')
    .version(manifest.version)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(io.color.red(s)),
    })
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 findings, 2 usage, config or internal error.\n\nExample:\n  barbican check --config barbican.config.yaml',
    );
  registerCheck(program, io, sections);
  registerHeaders(program, io, sections);
  registerSchema(program, io, sections);
  registerImport(program, io);
  registerPin(program, io);
  registerScan(program, io);
  registerDemo(program, io);
  registerCsp(program, io);
  registerExport(program, io);
  registerGateway(program, io);
  registerReports(program, io);
  return program;
}

/**
 * Runs the CLI with `argv` (without node and script); resolves to the exit
 * code instead of exiting, so it can run in-process.
 *
 * @example
 * ```ts
 * import { run } from '@barbican/cli';
 * process.exitCode = await run(['headers', '--preset', 'strict', '--json']);
 * ```
 */
export async function run(
  argv: string[],
  io: Io = processIo(),
  options: ProgramOptions = {},
): Promise<number> {
  const program = buildProgram(io, options);
  try {
    await program.parseAsync(argv, { from: 'user' });
    // Commands signal failure by throwing; finishing means success. (They
    // never set process.exitCode, so in-process runs cannot leak into each other.)
    return EXIT.OK;
  } catch (error) {
    if (error instanceof FindingsExit) return EXIT.FINDINGS;
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2.
      return error.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    if (error instanceof BarbicanError) {
      const where = errorLocations.get(error);
      io.err(`barbican: ${where === undefined ? '' : `${where}: `}${error.message}`);
      return EXIT.ERROR;
    }
    io.err(
      `barbican: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT.ERROR;
  }
}
