/**
 * `--ca FILE` for every command that connects (`scan`, `pin --host`,
 * `pin --check`): one reader, so a file one command refuses is refused by
 * all of them. Node's `ca` option silently skips PEM blocks it cannot parse,
 * which would turn a corrupt private CA into "trust the system roots".
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { BarbicanError } from './errors.ts';
import { readRegularFile } from '@barbican/core/files';
import { looksLikePem, parsePem, PemError } from './pin/pem.ts';

/** A CA bundle is a few hundred kilobytes (Mozilla's is about 220 KB). */
export const MAX_CA_BYTES = 4 * 1024 * 1024;

function caError(file: string, problem: string, hint?: string, cause?: unknown): BarbicanError {
  return new BarbicanError('BARBICAN_E_CA_FILE', problem, {
    path: '--ca',
    value: file,
    ...(hint === undefined ? {} : { hint }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads a PEM file of CA certificates, refusing it unless every
 * `CERTIFICATE` block in it is a certificate Node can load, and there is
 * at least one.
 *
 * @example
 * ```ts
 * const ca = await readCaFile('private-ca.pem');
 * await scan('https://staging.internal/', { ca });
 * ```
 * @throws {BarbicanError} `BARBICAN_E_CA_FILE`.
 */
export async function readCaFile(file: string): Promise<Buffer> {
  const bytes = await readRegularFile(file, {
    maxBytes: MAX_CA_BYTES,
    fail: ({ problem, hint, cause }) => caError(file, problem, hint, cause),
  });
  if (!looksLikePem(bytes)) {
    throw caError(file, 'is not PEM', 'Pass PEM certificates (-----BEGIN CERTIFICATE-----)');
  }
  let certificates = 0;
  try {
    for (const block of parsePem(bytes)) {
      if (block.label !== 'CERTIFICATE') continue;
      certificates++;
      try {
        new X509Certificate(block.der);
      } catch (error) {
        throw caError(
          file,
          `holds a corrupt certificate (block ${certificates}, at byte ${block.offset})`,
          (error as Error).message,
          error,
        );
      }
    }
  } catch (error) {
    if (error instanceof PemError) {
      throw caError(file, `is not valid PEM at byte ${error.offset}`, error.message, error);
    }
    throw error;
  }
  if (certificates === 0) {
    throw caError(
      file,
      'holds no PEM certificate',
      'Pass a PEM file with -----BEGIN CERTIFICATE-----',
    );
  }
  return bytes;
}
