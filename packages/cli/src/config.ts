/**
 * Loading `barbican.config.json` / `.yaml`: parse errors name the file, line
 * and column; validation errors are the core's, with the option path.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { BarbicanError, type PolicyOptions } from '@barbican/core';
import { parseDocument } from 'yaml';

/** Reads and parses a config file into unvalidated options. */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BarbicanError('BARBICAN_E_CONFIG_FILE', `cannot read ${file}`, {
      cause: error,
      hint:
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'The file does not exist'
          : String(error),
    });
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new BarbicanError('BARBICAN_E_CONFIG_FILE', `${file} is not valid JSON`, {
        cause: error,
        hint: (error as Error).message,
      });
    }
  }
  // YAML is a superset of JSON, so unknown extensions are read as YAML too.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    throw new BarbicanError('BARBICAN_E_CONFIG_FILE', `${file} is not valid YAML`, {
      hint: `${first.message.split('\n')[0] ?? ''}${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}`,
      ...(first.pos[0] >= 0 ? { offset: first.pos[0] } : {}),
    });
  }
  return doc.toJS() as unknown;
}

/** Reads a config file; validation happens in `createPolicy`. */
export async function loadConfig(file: string): Promise<PolicyOptions> {
  return (await readConfigFile(file)) as PolicyOptions;
}
