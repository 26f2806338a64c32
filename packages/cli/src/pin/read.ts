/**
 * Computing RFC 7469 pins from files: private keys, public keys, certificates
 * (every one in a chain file) and certificate signing requests, in PEM or DER.
 *
 * RFC 7469 §2.4: a pin is base64(SHA-256(the DER SubjectPublicKeyInfo)). It
 * hashes the key, not the certificate, so a key, its CSR and every
 * certificate issued for it share one pin. (`X509Certificate.fingerprint256`
 * hashes the whole certificate and is the wrong number.)
 *
 * @module
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { children, decodeOid, DerError, KEY_ALGORITHM_OIDS, readTlv, sniffDer } from './der.ts';
import { looksLikePem, parsePem, PemError, type PemBlock } from './pem.ts';
import { certificateValidity } from '@barbican/scanner';
import { BarbicanError } from '../errors.ts';
import { readRegularFile } from '@barbican/core/files';

/** What a pin was computed from. */
export type PinKind = 'private-key' | 'public-key' | 'certificate' | 'csr';

/** One pin with where it came from: the element type of `barbican pin --json`. */
export interface PinEntry {
  /** The file (or `host:port`) the key was read from. */
  readonly source: string;
  /** 1-based position of the key in a file holding several (a chain, a bundle). */
  readonly block?: number;
  readonly kind: PinKind;
  /** `RSA-2048`, `EC-P-256`, `Ed25519`… */
  readonly algorithm: string;
  /** Certificate or CSR subject, `C=…, O=…, CN=…`. */
  readonly subject?: string;
  /** Certificate issuer. */
  readonly issuer?: string;
  /**
   * Certificate expiry, ISO 8601; null when the certificate's notAfter is
   * not a valid date (a malformed certificate that browsers reject).
   */
  readonly notAfter?: string | null;
  /** base64(SHA-256(SPKI DER)), without the `pin-sha256=""` wrapping. */
  readonly pin: string;
}

/** Options for reading keys. */
export interface ReadOptions {
  /** Passphrase for encrypted private keys (PKCS#8 or legacy PEM encryption). */
  readonly passphrase?: string;
}

/** Files larger than this are not keys or chains; refuse instead of buffering them. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** The RFC 7469 pin of a DER SubjectPublicKeyInfo. */
export function pinOfSpki(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('base64');
}

/** The RFC 7469 pin of a key (private keys are reduced to their public half). */
export function pinOfKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pinOfSpki(pub.export({ type: 'spki', format: 'der' }));
}

const CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * Names the key's algorithm, refusing ones no TLS server certificate can use
 * (DSA, DH, X25519, curves browsers do not negotiate): a pin of such a key
 * could never match a served chain, so it is a mistake, not a backup.
 */
export function keyAlgorithm(key: KeyObject, source: string): string {
  // A string, not the KeyType union: OpenSSL keeps adding types (ML-DSA…) and all are refused.
  const type: string = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails;
  if (type === 'rsa') return `RSA-${details?.modulusLength ?? '?'}`;
  if (type === 'rsa-pss') return `RSA-PSS-${details?.modulusLength ?? '?'}`;
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'ed448') return 'Ed448';
  if (type === 'ec') {
    const curve = CURVES[details?.namedCurve ?? ''];
    if (curve !== undefined) return `EC-${curve}`;
    throw new BarbicanError('BARBICAN_E_PIN_ALGORITHM', 'unsupported elliptic curve', {
      path: source,
      value: details?.namedCurve ?? 'explicit parameters',
      allowed: 'P-256, P-384, P-521',
    });
  }
  throw new BarbicanError('BARBICAN_E_PIN_ALGORITHM', 'unsupported key algorithm', {
    path: source,
    value: type,
    allowed: 'RSA, EC P-256/P-384/P-521, Ed25519, Ed448',
  });
}

/**
 * Reads every key, certificate and CSR in a file and returns their pins.
 *
 * @example
 * ```ts
 * const [entry] = await readPinFile('server.key');
 * console.log(`pin-sha256="${entry.pin}"`);
 * ```
 * @throws {BarbicanError} `BARBICAN_E_PIN_INPUT`, `_PIN_PASSPHRASE` or `_PIN_ALGORITHM`.
 */
export async function readPinFile(file: string, options: ReadOptions = {}): Promise<PinEntry[]> {
  const bytes = await readRegularFile(file, {
    maxBytes: MAX_FILE_BYTES,
    fail: ({ problem, hint, cause }) =>
      new BarbicanError('BARBICAN_E_PIN_INPUT', problem, {
        path: file,
        ...(hint === undefined ? {} : { hint }),
        ...(cause === undefined ? {} : { cause }),
      }),
  });
  return pinsFromBytes(bytes, file, options);
}

/**
 * Computes the pins of everything in a PEM or DER buffer; `source` names it in
 * entries and errors.
 */
export function pinsFromBytes(
  bytes: Uint8Array,
  source: string,
  options: ReadOptions = {},
): PinEntry[] {
  if (bytes.length === 0 || Buffer.from(bytes).toString('latin1').trim() === '') {
    throw new BarbicanError('BARBICAN_E_PIN_INPUT', 'is empty', { path: source });
  }
  if (!looksLikePem(bytes)) {
    // Every DER structure read here is a SEQUENCE; anything else is not one of ours.
    if (bytes[0] !== 0x30) {
      throw new BarbicanError('BARBICAN_E_PIN_INPUT', 'is not a key, certificate or CSR', {
        path: source,
        hint: 'Expected PEM (-----BEGIN …-----) or DER (starting with a SEQUENCE, byte 0x30)',
      });
    }
    return [withoutBlock(fromDer(Buffer.from(bytes), source, undefined, options))];
  }
  let blocks: PemBlock[];
  try {
    blocks = parsePem(bytes);
  } catch (error) {
    if (error instanceof PemError) {
      throw new BarbicanError('BARBICAN_E_PIN_INPUT', error.message, {
        path: source,
        offset: error.offset,
      });
    }
    throw error;
  }
  const entries: PinEntry[] = [];
  const skipped: string[] = [];
  for (const block of blocks) {
    const entry = fromPemBlock(block, source, entries.length + 1, options);
    if (entry === undefined) skipped.push(block.label);
    else entries.push(entry);
  }
  if (entries.length === 0) {
    throw new BarbicanError('BARBICAN_E_PIN_INPUT', 'holds no key, certificate or CSR', {
      path: source,
      ...(skipped.length > 0 ? { hint: `Found only: ${skipped.join(', ')}` } : {}),
    });
  }
  // A single key needs no position; a chain does.
  return entries.length === 1 && entries[0] !== undefined ? [withoutBlock(entries[0])] : entries;
}

function withoutBlock(entry: PinEntry): PinEntry {
  if (entry.block === undefined) return entry;
  const { source, kind, algorithm, subject, issuer, notAfter, pin } = entry;
  return {
    source,
    kind,
    algorithm,
    ...(subject === undefined ? {} : { subject }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(notAfter === undefined ? {} : { notAfter }),
    pin,
  };
}

function fromPemBlock(
  block: PemBlock,
  source: string,
  index: number,
  options: ReadOptions,
): PinEntry | undefined {
  const where = { source, block: index, pemOffset: block.offset };
  switch (block.label) {
    case 'CERTIFICATE':
    case 'X509 CERTIFICATE':
      return fromDer(block.der, source, where, options, 'certificate');
    case 'TRUSTED CERTIFICATE':
      // OpenSSL appends trust settings after the certificate; pin the certificate only.
      return fromDer(firstElement(block.der, where), source, where, options, 'certificate');
    case 'CERTIFICATE REQUEST':
    case 'NEW CERTIFICATE REQUEST':
      return fromDer(block.der, source, where, options, 'csr');
    case 'PUBLIC KEY':
    case 'RSA PUBLIC KEY':
      return keyEntry(
        importKey(() => createPublicKey(block.text), source, where),
        'public-key',
        where,
      );
    case 'PRIVATE KEY':
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY':
    case 'DSA PRIVATE KEY':
    case 'ENCRYPTED PRIVATE KEY': {
      const encrypted =
        block.label === 'ENCRYPTED PRIVATE KEY' ||
        (block.headers['Proc-Type'] ?? '').includes('ENCRYPTED');
      return keyEntry(
        privateKey(block.text, 'pem', undefined, encrypted, source, where, options),
        'private-key',
        where,
      );
    }
    case 'OPENSSH PRIVATE KEY':
      throw new BarbicanError('BARBICAN_E_PIN_INPUT', 'is an OpenSSH key', {
        path: source,
        offset: block.offset,
        hint: 'Convert it first: ssh-keygen -p -m PKCS8 -f FILE (on a copy)',
      });
    default:
      // EC PARAMETERS, X509 CRL, DH PARAMETERS…: not keys, skipped.
      return undefined;
  }
}

interface Where {
  readonly source: string;
  readonly block: number;
  readonly pemOffset: number;
}

function firstElement(der: Buffer, where: Where): Buffer {
  try {
    const first = readTlv(der, 0);
    return der.subarray(0, first.end);
  } catch (error) {
    throw derFailure(error, where.source, where);
  }
}

function fromDer(
  der: Buffer,
  source: string,
  where: Where | undefined,
  options: ReadOptions,
  expected?: 'certificate' | 'csr',
): PinEntry {
  let shape;
  try {
    shape = sniffDer(der);
  } catch (error) {
    throw derFailure(error, source, where);
  }
  if (expected !== undefined && shape.type !== expected) {
    throw new BarbicanError(
      'BARBICAN_E_PIN_INPUT',
      `is labelled ${expected === 'csr' ? 'a CSR' : 'a certificate'} but holds ${shape.type}`,
      { path: label(source, where), ...(where ? { offset: where.pemOffset } : {}) },
    );
  }
  const at = where ?? { source, block: 1, pemOffset: 0 };
  switch (shape.type) {
    case 'certificate':
      return certificateEntry(der, shape.spki, at);
    case 'csr': {
      const key = importKey(
        () => createPublicKey({ key: Buffer.from(shape.spki), format: 'der', type: 'spki' }),
        source,
        where,
        spkiAlgorithm(shape.spki),
      );
      return {
        ...keyEntry(key, 'csr', at),
        ...(shape.subject === '' ? {} : { subject: shape.subject }),
        // The SPKI exactly as the CSR encodes it (RFC 7469 §2.4).
        pin: pinOfSpki(shape.spki),
      };
    }
    case 'spki':
    case 'pkcs1-public':
      return keyEntry(
        importKey(
          () =>
            createPublicKey({
              key: der,
              format: 'der',
              type: shape.type === 'spki' ? 'spki' : 'pkcs1',
            }),
          source,
          where,
          shape.type === 'spki' ? shape.algorithm : undefined,
        ),
        'public-key',
        at,
      );
    case 'pkcs8':
    case 'encrypted-pkcs8':
    case 'pkcs1-private':
    case 'sec1':
      return keyEntry(
        privateKey(
          der,
          'der',
          shape.type === 'pkcs1-private' ? 'pkcs1' : shape.type === 'sec1' ? 'sec1' : 'pkcs8',
          shape.type === 'encrypted-pkcs8',
          source,
          where,
          options,
        ),
        'private-key',
        at,
      );
  }
}

/**
 * A certificate's entry. The pin hashes the SPKI bytes as they appear in the
 * certificate, which is what a browser hashed (RFC 7469 §2.6).
 */
export function certificateEntry(der: Uint8Array, spki: Uint8Array, where: Where): PinEntry {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (error) {
    throw new BarbicanError('BARBICAN_E_PIN_INPUT', 'is a corrupt certificate', {
      path: label(where.source, where),
      hint: (error as Error).message,
      cause: error,
    });
  }
  const key = importKey(
    () => createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
    where.source,
    where,
    spkiAlgorithm(spki),
  );
  return {
    source: where.source,
    block: where.block,
    kind: 'certificate',
    algorithm: keyAlgorithm(key, label(where.source, where)),
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    notAfter: certificateValidity(cert).notAfter,
    pin: pinOfSpki(spki),
  };
}

/** The SPKI of a DER certificate, as encoded in it. */
export function certificateSpki(der: Uint8Array): Uint8Array {
  const shape = sniffDer(der);
  if (shape.type !== 'certificate') throw new DerError('not a certificate', 0);
  return shape.spki;
}

/** The dotted algorithm OID of an SPKI, for error messages; undefined when unreadable. */
function spkiAlgorithm(spki: Uint8Array): string | undefined {
  try {
    const alg = children(spki, readTlv(spki, 0))[0];
    const oid = alg === undefined ? undefined : children(spki, alg)[0];
    return oid === undefined ? undefined : decodeOid(spki, oid);
  } catch {
    return undefined;
  }
}

/** Algorithms whose keys TLS server certificates carry (RFC 8446 §4.2.3). */
const PINNABLE_OIDS = new Set([
  '1.2.840.113549.1.1.1',
  '1.2.840.113549.1.1.10',
  '1.2.840.10045.2.1',
  '1.3.101.112',
  '1.3.101.113',
]);

function keyEntry(key: KeyObject, kind: PinKind, where: Where | undefined): PinEntry {
  const source = where?.source ?? '';
  return {
    source,
    ...(where === undefined ? {} : { block: where.block }),
    kind,
    algorithm: keyAlgorithm(key, label(source, where)),
    pin: pinOfKey(key),
  };
}

function privateKey(
  key: string | Buffer,
  format: 'pem' | 'der',
  type: 'pkcs1' | 'pkcs8' | 'sec1' | undefined,
  encrypted: boolean,
  source: string,
  where: Where | undefined,
  options: ReadOptions,
): KeyObject {
  if (encrypted && options.passphrase === undefined) {
    throw new BarbicanError('BARBICAN_E_PIN_PASSPHRASE', 'is an encrypted private key', {
      path: label(source, where),
      hint: 'Pass its passphrase with --passphrase-file FILE',
    });
  }
  try {
    return createPrivateKey({
      key,
      format,
      ...(type === undefined ? {} : { type }),
      ...(encrypted && options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    });
  } catch (error) {
    if (encrypted) {
      throw new BarbicanError(
        'BARBICAN_E_PIN_PASSPHRASE',
        'cannot be decrypted: wrong passphrase',
        {
          path: label(source, where),
          hint: 'Check the --passphrase-file (only its first line is used)',
          cause: error,
        },
      );
    }
    throw cryptoFailure(error, source, where, 'private key');
  }
}

function importKey(
  make: () => KeyObject,
  source: string,
  where: Where | undefined,
  algorithm?: string,
): KeyObject {
  try {
    return make();
  } catch (error) {
    // node:crypto refuses algorithms OpenSSL cannot load (GOST, SM2…): say which.
    if (algorithm !== undefined && !PINNABLE_OIDS.has(algorithm)) {
      throw new BarbicanError('BARBICAN_E_PIN_ALGORITHM', 'unsupported key algorithm', {
        path: label(source, where),
        value: KEY_ALGORITHM_OIDS[algorithm] ?? algorithm,
        allowed: 'RSA, EC P-256/P-384/P-521, Ed25519, Ed448',
        cause: error,
      });
    }
    throw cryptoFailure(error, source, where, 'public key');
  }
}

function cryptoFailure(
  error: unknown,
  source: string,
  where: Where | undefined,
  what: string,
): BarbicanError {
  const message = error instanceof Error ? error.message : String(error);
  const unsupported = /unsupported|curve/i.test(message);
  return new BarbicanError(
    unsupported ? 'BARBICAN_E_PIN_ALGORITHM' : 'BARBICAN_E_PIN_INPUT',
    unsupported ? `holds a ${what} Node cannot load` : `holds a corrupt ${what}`,
    {
      path: label(source, where),
      ...(where === undefined ? {} : { offset: where.pemOffset }),
      hint: message,
      cause: error,
    },
  );
}

function derFailure(error: unknown, source: string, where: Where | undefined): BarbicanError {
  if (error instanceof DerError) {
    const inBlock =
      where === undefined ? '' : ` (DER inside the PEM block at byte ${where.pemOffset})`;
    return new BarbicanError(
      'BARBICAN_E_PIN_INPUT',
      where === undefined && error.offset === 0 && /not a key/.test(error.message)
        ? 'is not a key, certificate or CSR (neither PEM nor recognisable DER)'
        : `corrupt DER: ${error.message}${inBlock}`,
      { path: label(source, where), offset: error.offset, cause: error },
    );
  }
  return new BarbicanError('BARBICAN_E_PIN_INPUT', 'cannot be decoded', {
    path: label(source, where),
    hint: String(error),
    cause: error,
  });
}

function label(source: string, where: Where | undefined): string {
  return where === undefined || where.block === 1 ? source : `${source} (block ${where.block})`;
}
