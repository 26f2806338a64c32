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
import { escapeControl } from '@barbican/core';
import { errorLocations } from './config.ts';
import { EXIT, FindingsExit, ReportedError, processIo, type Io } from './io.ts';
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
      // Usage errors are printed by run() like every other error: one line
      // with a BARBICAN_E_USAGE code, not commander's text and the whole help.
      outputError: () => undefined,
    })
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
    return reportFailure(error, program, argv, io);
  }
}

/**
 * The one place a failure becomes an exit code and, for errors, one line on
 * stderr: `barbican: [file:line:column: ]message [BARBICAN_E_*]`, escaped.
 */
function reportFailure(error: unknown, program: Command, argv: string[], io: Io): number {
  if (error instanceof FindingsExit) return EXIT.FINDINGS;
  if (error instanceof ReportedError) return EXIT.ERROR;
  if (error instanceof CommanderError) {
    // --help and --version exit 0; `barbican` alone printed the help (exit 2).
    if (error.exitCode === 0) return EXIT.OK;
    if (error.code === 'commander.help') return EXIT.ERROR;
    return reportFailure(usageError(error, program, argv), program, argv, io);
  }
  if (error instanceof BarbicanError) {
    const where = errorLocations.get(error);
    const line = `${where === undefined ? '' : `${where}: `}${error.message}`;
    io.err(`barbican: ${escapeControl(line)}`);
    return EXIT.ERROR;
  }
  // A bug, not bad input: still one line, the stack only on request.
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.err(
    `barbican: ${escapeControl(`internal error: ${what}. This is a bug; please report it (BARBICAN_DEBUG=1 prints the stack trace)`)} [BARBICAN_E_INTERNAL]`,
  );
  if (process.env.BARBICAN_DEBUG !== undefined && error instanceof Error) {
    io.err(error.stack ?? '');
  }
  return EXIT.ERROR;
}

/** A commander parse error (unknown option, missing argument…) as a `BARBICAN_E_USAGE` error. */
function usageError(error: CommanderError, program: Command, argv: string[]): BarbicanError {
  // "error: unknown option '--jsn'\n(Did you mean --json?)" → one sentence.
  const text = error.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ')
    .replace(/\.$/, '');
  const names = new Set(program.commands.map((c) => c.name()));
  const command = argv.find((a) => names.has(a));
  return new BarbicanError('BARBICAN_E_USAGE', text, {
    hint: `See barbican ${command === undefined ? '' : `${command} `}--help`,
  });
}
