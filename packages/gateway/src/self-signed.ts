/**
 * The first-run certificate: when no `tls.certificates` are configured, the
 * gateway serves a certificate for `localhost`, `127.0.0.1` and `::1` made
 * on first run by a throw-away CA (the scanner's, built with node:crypto
 * alone). The CA's private key is never written anywhere: nobody can issue
 * another certificate from it. Its certificate is saved beside the leaf so
 * that `curl --cacert` or a browser can be told to trust this one gateway.
 *
 * The files are reused on later runs until 7 days before they expire.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createThrowawayCa } from '@barbican/scanner/ca';

/** Where the first-run certificate lives, and whether this run made it. */
export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly created: boolean;
  readonly names: readonly string[];
  readonly notAfter: Date;
}

const NAMES = ['localhost', '127.0.0.1', '::1'] as const;
const RENEW_BEFORE_MS = 7 * 86_400_000;

async function existing(dir: string): Promise<SelfSigned | undefined> {
  const certFile = join(dir, 'cert.pem');
  try {
    const cert = new X509Certificate(await readFile(certFile));
    await readFile(join(dir, 'key.pem'));
    const notAfter = new Date(cert.validTo);
    if (notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) return undefined;
    return {
      certFile,
      keyFile: join(dir, 'key.pem'),
      caFile: join(dir, 'ca.pem'),
      created: false,
      names: NAMES,
      notAfter,
    };
  } catch {
    return undefined;
  }
}

/**
 * Returns the first-run certificate in `dir` (default `.barbican/gateway`
 * under the working directory), making it when absent or about to expire.
 * The key file is written with mode 0600.
 *
 * @example
 * ```ts
 * const s = await ensureSelfSigned();
 * // tls: { certificates: [{ cert: s.certFile, key: s.keyFile }] }
 * ```
 */
export async function ensureSelfSigned(
  dir: string = join(process.cwd(), '.barbican', 'gateway'),
): Promise<SelfSigned> {
  const found = await existing(dir);
  if (found !== undefined) return found;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = createThrowawayCa('Barbican gateway first-run CA (throw-away)');
  const leaf = ca.issue({ names: [...NAMES] });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'ca.pem');
  await writeFile(keyFile, leaf.key, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, leaf.cert + ca.cert);
  await writeFile(caFile, ca.cert);
  return {
    certFile,
    keyFile,
    caFile,
    created: true,
    names: NAMES,
    notAfter: new Date(new X509Certificate(leaf.cert).validTo),
  };
}
