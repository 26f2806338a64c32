/**
 * `barbican import`: foreign security configs → Barbican config. One file
 * per source; this registry is what the command and the docs list.
 *
 * @module
 */
import type { ImportOptions, ImportResult } from './common.ts';
import { importHelmet } from './helmet.ts';
import { importKrakend } from './krakend.ts';
import { importTraefik } from './traefik.ts';
import { importUnrolled } from './unrolled.ts';

export type { ImportOptions, ImportResult, ImportWarning } from './common.ts';

/** The sources `barbican import --from` accepts. */
export const IMPORT_SOURCES = ['krakend', 'traefik', 'helmet', 'unrolled'] as const;

/** One of {@link IMPORT_SOURCES}. */
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** The importer for each source; each takes the parsed file (an object). */
export const IMPORTERS: Record<
  ImportSource,
  (doc: Record<string, unknown>, opts?: ImportOptions) => ImportResult
> = {
  krakend: importKrakend,
  traefik: importTraefik,
  helmet: importHelmet,
  unrolled: importUnrolled,
};
