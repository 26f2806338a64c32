/** Programmatic entry to the `barbican` CLI (used by tests). */
export { run, buildProgram } from './cli.ts';
export { readConfigFile, loadConfig } from './config.ts';
