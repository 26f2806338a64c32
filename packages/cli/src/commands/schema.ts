/**
 * `barbican schema`: print the JSON Schema of `barbican.config.json`.
 *
 * The schema is generated from the core's option schema at run time, plus
 * the schema of every package section (`gateway`, …), so it is never a
 * second, hand-kept copy that could drift.
 *
 * @module
 */
import { toJsonSchema } from '@barbican/core';
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { DEFAULT_SECTIONS, withSectionSchemas, type SectionSource } from '../sections.ts';
import { toJson } from '../util.ts';

/** Registers `barbican schema`; the package `sections` are part of the document. */
export function registerSchema(
  program: Command,
  io: Io,
  sections: readonly SectionSource[] = DEFAULT_SECTIONS,
): void {
  program
    .command('schema')
    .description(
      'Print the JSON Schema (draft 2020-12) of barbican.config.json for editor completion.',
    )
    .addHelpText(
      'after',
      '\nExample:\n  barbican schema > barbican.schema.json\n  # then in barbican.config.json: { "$schema": "./barbican.schema.json", "preset": "strict" }',
    )
    .action(async () => {
      io.out(toJson(await withSectionSchemas(toJsonSchema(), sections)));
    });
}
