/**
 * TLS termination: the policy's `tls` section turned into Node secure
 * contexts, one per certificate, chosen by SNI.
 *
 * The protocol range, suites, groups and ticket settings come from core's
 * `nodeTlsOptions(policy.tls)` (one mapping for every consumer; it drops a
 * group the running OpenSSL lacks, such as X25519MLKEM768 before 3.5).
 * This module reads the certificate files and builds one context per
 * certificate. A context picked through SNI changes the certificate only;
 * protocol and cipher policy stay the default context's (reference notes
 * §1), so every context is built from the same options.
 *
 * @see https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions
 * @module
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { nodeTlsOptions, type ResolvedTls } from '@barbican/core';
import { readRegularFile } from '@barbican/core/files';
import { BarbicanError } from './errors.ts';

/** A certificate chain and key as PEM text, with the SNI names it answers for. */
export interface CertificatePem {
  /** Where it came from (for messages and file watching). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
  /** Lower-case DNS names (`*.example.com` allowed); empty = default only. */
  readonly names: readonly string[];
}

/** PEM files are small; anything larger is a mistaken path. */
const MAX_PEM_BYTES = 1024 * 1024;

async function readPem(file: string, what: string, path: string): Promise<string> {
  // Core's one reader of user-named files: /dev/zero, a FIFO or a directory
  // is refused at once, and nothing over the limit is buffered.
  const bytes = await readRegularFile(file, {
    maxBytes: MAX_PEM_BYTES,
    fail: ({ problem, hint }) =>
      new BarbicanError('BARBICAN_E_GATEWAY_CERT', `the ${what} file ${problem}`, {
        path,
        value: file,
        ...(hint === undefined ? {} : { hint }),
      }),
  });
  const text = bytes.toString('utf8');
  if (!text.includes('-----BEGIN ')) {
    throw new BarbicanError('BARBICAN_E_GATEWAY_CERT', `the ${what} file holds no PEM block`, {
      path,
      value: file,
    });
  }
  return text;
}

/** DNS names from a certificate's subjectAltName (falling back to its CN). */
export function certificateNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) names.push(part.slice(4).toLowerCase());
  }
  if (names.length === 0) {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
    if (cn !== undefined && /^[a-z0-9*.-]+$/i.test(cn)) names.push(cn.toLowerCase());
  }
  return names;
}

/**
 * Reads every `tls.certificates` entry (paths relative to `baseDir`) and
 * checks that each key matches its certificate, so a swapped or truncated
 * file is refused before any handshake could fail on it.
 */
export async function readCertificates(
  tls: ResolvedTls,
  baseDir: string,
): Promise<CertificatePem[]> {
  const out: CertificatePem[] = [];
  for (const [i, entry] of tls.certificates.entries()) {
    const path = `tls.certificates[${i}]`;
    const certFile = isAbsolute(entry.cert) ? entry.cert : resolve(baseDir, entry.cert);
    const keyFile = isAbsolute(entry.key) ? entry.key : resolve(baseDir, entry.key);
    const cert = await readPem(certFile, 'certificate', `${path}.cert`);
    const key = await readPem(keyFile, 'key', `${path}.key`);
    const names = checkPair(cert, key, path);
    out.push({
      certFile,
      keyFile,
      cert,
      key,
      names: entry.names.length === 0 ? names : entry.names.map((n) => n.toLowerCase()),
    });
  }
  return out;
}

/** Parses both PEMs and checks that they belong together; returns the certificate's names. */
export function checkPair(cert: string, key: string, path: string): string[] {
  let x509: X509Certificate;
  let priv: KeyObject;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new BarbicanError(
      'BARBICAN_E_GATEWAY_CERT',
      'the certificate is not a valid PEM certificate',
      {
        path: `${path}.cert`,
        hint: (error as Error).message,
      },
    );
  }
  try {
    priv = createPrivateKey(key);
  } catch (error) {
    throw new BarbicanError(
      'BARBICAN_E_GATEWAY_CERT',
      'the key is not a valid unencrypted PEM private key',
      {
        path: `${path}.key`,
        hint: (error as Error).message,
      },
    );
  }
  if (!x509.checkPrivateKey(priv)) {
    throw new BarbicanError('BARBICAN_E_GATEWAY_CERT', 'the key does not match the certificate', {
      path: `${path}.key`,
      hint: 'Pair each certificate with the key it was issued for',
    });
  }
  return certificateNames(x509);
}

/** Certificates as secure contexts, looked up by SNI name. */
export interface TlsContexts {
  /** Options for the server's default context (the first certificate). */
  readonly defaultOptions: SecureContextOptions;
  /** Context for an SNI name: exact name, then `*.parent`, else undefined (default context). */
  lookup(servername: string): SecureContext | undefined;
}

/**
 * Builds one secure context per certificate. Throws `BARBICAN_E_GATEWAY_TLS`
 * when OpenSSL refuses the options (no cipher or curve it knows).
 */
export function buildContexts(tls: ResolvedTls, certs: readonly CertificatePem[]): TlsContexts {
  const first = certs[0];
  if (first === undefined) {
    throw new BarbicanError('BARBICAN_E_GATEWAY_CERT', 'no certificate', {
      path: 'tls.certificates',
      hint: 'Add { cert: "fullchain.pem", key: "privkey.pem" }',
    });
  }
  const base: SecureContextOptions = { ...nodeTlsOptions(tls, process.versions.openssl).options };
  const byName = new Map<string, SecureContext>();
  for (const c of certs) {
    let ctx: SecureContext;
    try {
      ctx = createSecureContext({ ...base, cert: c.cert, key: c.key });
    } catch (error) {
      throw new BarbicanError('BARBICAN_E_GATEWAY_TLS', 'OpenSSL refused the TLS settings', {
        path: 'tls',
        hint: (error as Error).message,
        cause: error,
      });
    }
    for (const n of c.names) if (!byName.has(n)) byName.set(n, ctx);
  }
  return {
    defaultOptions: { ...base, cert: first.cert, key: first.key },
    lookup(servername) {
      const name = servername.toLowerCase();
      const exact = byName.get(name);
      if (exact !== undefined) return exact;
      const dot = name.indexOf('.');
      return dot === -1 ? undefined : byName.get(`*${name.slice(dot)}`);
    },
  };
}
