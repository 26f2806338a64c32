/**
 * The `barbican` command: declarative commander program, one file per
 * subcommand under `commands/`.
 *
 * @module
 */
import { BarbicanError } from '@barbican/core';
import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.ts';
import { registerHeaders } from './commands/headers.ts';
import { EXIT, processIo, type Io } from './io.ts';

export function buildProgram(io: Io): Command {
  const program = new Command('barbican')
    .description('Secure HTTP responses by default, and proof that they are.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
    })
    .showHelpAfterError();
  registerCheck(program, io);
  registerHeaders(program, io);
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors exit 2.
      return error.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    if (error instanceof BarbicanError) {
      io.err(`barbican: ${error.message}`);
      return EXIT.ERROR;
    }
    io.err(
      `barbican: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT.ERROR;
  }
}
