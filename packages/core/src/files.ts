/**
 * The one reader for every file a user names: on the command line, config
 * files (`check`, `headers`), foreign configs (`import`), keys and
 * certificates (`pin`, `reports serve`), CA bundles (`--ca`), URL lists
 * (`--input`) and passphrase files (`--passphrase-file`); in the gateway's
 * config, certificates, keys, the error page and the admin token file.
 * Node-only, so a subpath of its own (`@barbican/core/files`): the main
 * entry stays runtime-neutral.
 *
 * A path is untrusted input like any other: `/dev/zero`, a FIFO nobody
 * writes to, a directory or a multi-gigabyte log must be refused at once,
 * in bounded time and memory, with the caller's own error code.
 *
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** What a refusal says; the caller turns it into its own `BarbicanError`. */
export interface FileProblem {
  readonly problem: string;
  readonly hint?: string;
  readonly cause?: unknown;
}

/** How much to read, and how to fail. */
export interface ReadLimits {
  /** Refuse files larger than this many bytes. */
  readonly maxBytes: number;
  /** Builds the caller's error (its code, option name and wording of the file). */
  readonly fail: (problem: FileProblem) => Error;
}

const ERRNO_HINTS: Readonly<Record<string, string>> = {
  ENOENT: 'The file does not exist',
  EACCES: 'Permission denied',
  EPERM: 'Permission denied',
  ELOOP: 'Too many symbolic links',
  ENAMETOOLONG: 'The path is too long',
  ENOTDIR: 'A part of the path is not a directory',
  EISDIR: 'It is a directory',
  EMFILE: 'Too many open files',
};

/** Reading in pieces of this size bounds memory before the size is known to be honest. */
const CHUNK = 64 * 1024;

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function errnoHint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return ERRNO_HINTS[code] ?? (code === '' ? String(error) : code);
}

/**
 * Reads a regular file of at most `limits.maxBytes` bytes.
 *
 * The file is opened non-blocking (a FIFO without a writer would otherwise
 * hang the open itself), then checked on the open descriptor, so what is
 * checked is what is read. Reading stops one byte past the limit, so a file
 * that lies about its size (procfs reports 0) or grows meanwhile is still
 * refused without being buffered.
 *
 * @example
 * ```ts
 * const bytes = await readRegularFile('ca.pem', {
 *   maxBytes: 4 << 20,
 *   fail: ({ problem, hint }) => new BarbicanError('BARBICAN_E_USAGE', problem, { path: '--ca', hint }),
 * });
 * ```
 * @throws {BarbicanError} whatever `limits.fail` builds: missing, unreadable,
 *   not a regular file, or too large.
 */
export async function readRegularFile(file: string, limits: ReadLimits): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw limits.fail({ problem: 'cannot be read', hint: errnoHint(error), cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw limits.fail({
        problem: `is ${kindOf(info)}, not a regular file`,
        hint: 'Name a file (devices, pipes and directories are refused)',
      });
    }
    if (info.size > limits.maxBytes) throw tooLarge(info.size, limits);
    return await readAtMost(handle, limits);
  } finally {
    await handle.close();
  }
}

function tooLarge(size: number | undefined, limits: ReadLimits): Error {
  return limits.fail({
    problem: `is ${size === undefined ? 'larger than the limit' : `${size} bytes`}; at most ${limits.maxBytes} bytes are read`,
    hint: 'Is this the right file?',
  });
}

async function readAtMost(handle: FileHandle, limits: ReadLimits): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, limits.maxBytes + 1 - total));
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
    } catch (error) {
      throw limits.fail({ problem: 'cannot be read', hint: errnoHint(error), cause: error });
    }
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    if (total > limits.maxBytes) throw tooLarge(undefined, limits);
  }
  return Buffer.concat(chunks, total);
}
