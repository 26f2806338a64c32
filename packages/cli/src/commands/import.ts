import type { Command } from 'commander';
import type { Io } from '../io.ts';
/** Registers `barbican import`. */
export function registerImport(_program: Command, _io: Io): void {}
