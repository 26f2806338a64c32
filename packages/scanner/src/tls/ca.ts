/**
 * A throw-away certificate authority built with `node:crypto` alone: DER
 * encoding by hand, signing with `crypto.sign`. The demo (`barbican demo`)
 * and the tests use it to serve HTTPS on loopback without the openssl
 * binary or any file on disk.
 *
 * Never use these certificates outside a test or demo: the CA key lives in
 * memory and is discarded with the process.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1 (certificate fields)
 * @module
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, integer, oid, seq, tlv } from './der.ts';

/** A certificate with its private key, both PEM. */
export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
}

/** What to put in a leaf certificate. */
export interface LeafOptions {
  /** DNS names and IP addresses for subjectAltName; the first is also the CN. */
  readonly names: readonly string[];
  /** Key type; default `ec` (P-256). */
  readonly keyType?: 'ec' | 'rsa';
  /** RSA modulus length; default 2048. */
  readonly rsaBits?: number;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** A CA that can issue leaves; `cert` is the PEM to trust (`--ca`). */
export interface ThrowawayCa extends IssuedCertificate {
  /** Issues a server certificate for `names`, signed by this CA. */
  issue(options: LeafOptions): IssuedCertificate;
}

const DAY_MS = 86_400_000;

/**
 * Creates a self-signed EC P-256 root valid for 90 days (so the demo is not flagged as expiring), able to issue leaves.
 *
 * @example
 * ```ts
 * const ca = createThrowawayCa('Barbican Demo CA');
 * const { cert, key } = ca.issue({ names: ['demo.barbican.test'] });
 * https.createServer({ cert: cert + ca.cert, key }, handler);
 * ```
 */
export function createThrowawayCa(commonName = 'Barbican Throw-away CA'): ThrowawayCa {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = encodeName(commonName);
  const now = Date.now();
  const caDer = buildCertificate({
    subject: name,
    issuer: name,
    publicKey,
    signer: privateKey,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 90 * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, seq(BOOLEAN_TRUE)),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)), // keyCertSign, cRLSign
    ],
  });
  const cert = pem('CERTIFICATE', caDer);
  return {
    cert,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    issue(options) {
      const first = options.names[0];
      if (first === undefined) throw new TypeError('a leaf certificate needs at least one name');
      const keys =
        options.keyType === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: options.rsaBits ?? 2048 })
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const der = buildCertificate({
        subject: encodeName(first),
        issuer: name,
        publicKey: keys.publicKey,
        signer: privateKey,
        notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
        notAfter: options.notAfter ?? new Date(Date.now() + 90 * DAY_MS),
        extensions: [
          extension(OID.basicConstraints, true, seq()),
          extension(OID.subjectAltName, false, seq(...options.names.map(generalName))),
          extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
        ],
      });
      return {
        cert: pem('CERTIFICATE', der),
        key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      };
    },
  };
}

const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

const BOOLEAN_TRUE = Buffer.from([0x01, 0x01, 0xff]);

function buildCertificate(c: {
  subject: Buffer;
  issuer: Buffer;
  publicKey: KeyObject;
  signer: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): Buffer {
  // The CA key is always EC P-256, so the signature is always ECDSA-SHA256
  // (RFC 5758 §3.2: no parameters).
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  // A positive 16-byte serial (RFC 5280 §4.1.2.2 allows up to 20 octets).
  // The first byte is forced into 0x40–0x7f: a high bit would make it
  // negative, and a zero byte before a byte < 0x80 is non-minimal DER, which
  // OpenSSL rejects ("illegal padding") one certificate in 256.
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    c.issuer,
    seq(time(c.notBefore), time(c.notAfter)),
    c.subject,
    c.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...c.extensions)),
  );
  const signature = sign('sha256', tbs, c.signer);
  return seq(tbs, algorithm, bitString(signature, 0));
}

function encodeName(commonName: string): Buffer {
  const value = tlv(0x0c, Buffer.from(commonName, 'utf8'));
  return seq(tlv(0x31, seq(oid(OID.commonName), value)));
}

function time(date: Date): Buffer {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  const year = date.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

function generalName(name: string): Buffer {
  const family = isIP(name);
  if (family === 4) return tlv(0x87, Buffer.from(name.split('.').map(Number)));
  if (family === 6) return tlv(0x87, ipv6Bytes(name));
  return tlv(0x82, Buffer.from(name, 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [BOOLEAN_TRUE] : []), tlv(0x04, value));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END ${label}-----\n`;
}
