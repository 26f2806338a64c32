/**
 * A small, bounds-checked DER reader (ITU-T X.690 §8, §10): just enough ASN.1
 * to tell keys, certificates and CSRs apart and to lift the
 * SubjectPublicKeyInfo out of a PKCS#10 CertificationRequest, which
 * `node:crypto` cannot parse.
 *
 * Input is untrusted (a file from anywhere, a certificate from any server),
 * so every length is checked against the bytes that are really there and a
 * problem is a {@link DerError} carrying the byte offset — never an
 * out-of-range read or an exception from deep inside. The reader itself is
 * the scanner's (`@barbican/scanner/der`, the one DER module); this file
 * holds what only pins need: shape sniffing and names.
 *
 * @module
 */
import {
  bytesOf,
  children,
  decodeOid,
  DerError,
  readRoot,
  TAG,
  type Tlv,
} from '@barbican/scanner/der';

export { children, decodeOid, DerError, readTlv } from '@barbican/scanner/der';
export type { Tlv } from '@barbican/scanner/der';

/** Names of the public-key algorithm OIDs a pin may meet (RFC 3279, 5480, 8410). */
export const KEY_ALGORITHM_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.2.1': 'id-ecPublicKey',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.3.1': 'DH',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/** What a DER buffer holds, as far as its shape tells. */
export type DerShape =
  | { readonly type: 'certificate'; readonly spki: Uint8Array }
  | { readonly type: 'csr'; readonly spki: Uint8Array; readonly subject: string }
  | { readonly type: 'spki'; readonly algorithm: string }
  | { readonly type: 'pkcs1-public' }
  | { readonly type: 'pkcs8' }
  | { readonly type: 'encrypted-pkcs8' }
  | { readonly type: 'pkcs1-private' }
  | { readonly type: 'sec1' };

/**
 * Classifies a DER buffer by its ASN.1 shape and, for certificates and CSRs,
 * returns the SubjectPublicKeyInfo bytes exactly as encoded: RFC 7469 §2.4
 * hashes those bytes, so they are never re-encoded.
 *
 * @throws {DerError} when the buffer is not DER or is none of the known shapes.
 */
export function sniffDer(der: Uint8Array): DerShape {
  const root = readRoot(der);
  if (root.tag !== TAG.SEQUENCE) throw new DerError('expected a SEQUENCE', 0);
  const top = children(der, root);
  const [a, b, c] = top;
  if (a === undefined) throw new DerError('empty SEQUENCE', root.start);

  // Certificate (RFC 5280 §4.1) and CertificationRequest (RFC 2986 §4.2) share
  // SEQUENCE { info SEQUENCE, signatureAlgorithm SEQUENCE, signature BIT STRING }.
  if (
    top.length === 3 &&
    a.tag === TAG.SEQUENCE &&
    b?.tag === TAG.SEQUENCE &&
    c?.tag === TAG.BIT_STRING
  ) {
    const info = children(der, a);
    // CertificationRequestInfo: version INTEGER, subject Name, SPKI, [0] attributes.
    if (
      info.length === 4 &&
      info[0]?.tag === TAG.INTEGER &&
      info[1]?.tag === TAG.SEQUENCE &&
      info[2]?.tag === TAG.SEQUENCE &&
      info[3]?.tag === TAG.CONTEXT_0
    ) {
      const spki = info[2];
      checkSpki(der, spki);
      return { type: 'csr', spki: bytesOf(der, spki), subject: decodeName(der, info[1]) };
    }
    // TBSCertificate: [0] version?, serial, signature, issuer, validity, subject, SPKI, ...
    const offset = info[0]?.tag === TAG.CONTEXT_0 ? 1 : 0;
    const spki = info[offset + 5];
    if (info[offset]?.tag === TAG.INTEGER && spki?.tag === TAG.SEQUENCE) {
      checkSpki(der, spki);
      return { type: 'certificate', spki: bytesOf(der, spki) };
    }
    throw new DerError('signed structure is neither a certificate nor a CSR', a.start);
  }
  // SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): SEQUENCE { AlgorithmIdentifier, BIT STRING }.
  if (top.length === 2 && a.tag === TAG.SEQUENCE && b?.tag === TAG.BIT_STRING) {
    return { type: 'spki', algorithm: checkSpki(der, root) };
  }
  // EncryptedPrivateKeyInfo (RFC 5958 §3): SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
  if (top.length === 2 && a.tag === TAG.SEQUENCE && b?.tag === TAG.OCTET_STRING) {
    return { type: 'encrypted-pkcs8' };
  }
  // RSAPublicKey (RFC 8017 §A.1.1): SEQUENCE { modulus, publicExponent }.
  if (top.length === 2 && a.tag === TAG.INTEGER && b?.tag === TAG.INTEGER) {
    return { type: 'pkcs1-public' };
  }
  if (a.tag === TAG.INTEGER) {
    // PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2): version, AlgorithmIdentifier, OCTET STRING.
    if (b?.tag === TAG.SEQUENCE && c?.tag === TAG.OCTET_STRING) return { type: 'pkcs8' };
    // ECPrivateKey (RFC 5915 §3): version 1, privateKey OCTET STRING, [0] params, [1] publicKey.
    if (b?.tag === TAG.OCTET_STRING) return { type: 'sec1' };
    // RSAPrivateKey (RFC 8017 §A.1.2): version and eight INTEGERs (more for multi-prime).
    if (top.length >= 9 && top.every((t) => t.tag === TAG.INTEGER)) {
      return { type: 'pkcs1-private' };
    }
  }
  throw new DerError('not a key, certificate or certificate signing request', 0);
}

/** Checks a SubjectPublicKeyInfo's shape; returns its algorithm OID. */
function checkSpki(der: Uint8Array, spki: Tlv): string {
  const [alg, key, extra] = children(der, spki);
  if (alg?.tag !== TAG.SEQUENCE || key?.tag !== TAG.BIT_STRING || extra !== undefined) {
    throw new DerError('malformed SubjectPublicKeyInfo', spki.start);
  }
  const oid = children(der, alg)[0];
  if (oid === undefined) throw new DerError('AlgorithmIdentifier has no OID', alg.start);
  return decodeOid(der, oid);
}

/** Short names for the attribute types people put in a subject (RFC 4514 §3). */
const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/**
 * Decodes an X.501 Name to `C=US, O=Example, CN=host`, for labels only.
 * Unknown attribute types show their OID; unknown string types their hex.
 */
export function decodeName(der: Uint8Array, name: Tlv): string {
  const parts: string[] = [];
  for (const rdn of children(der, name)) {
    if (rdn.tag !== TAG.SET) throw new DerError('expected a SET in a Name', rdn.start);
    for (const atv of children(der, rdn)) {
      const [type, value] = children(der, atv);
      if (type === undefined || value === undefined) {
        throw new DerError('malformed AttributeTypeAndValue', atv.start);
      }
      const oid = decodeOid(der, type);
      parts.push(`${NAME_ATTRIBUTES[oid] ?? oid}=${decodeString(der, value)}`);
    }
  }
  return parts.join(', ');
}

function decodeString(der: Uint8Array, tlv: Tlv): string {
  const bytes = der.subarray(tlv.contentStart, tlv.end);
  switch (tlv.tag) {
    case TAG.UTF8_STRING:
      return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      return new TextDecoder('latin1').decode(bytes);
    case TAG.BMP_STRING:
      return new TextDecoder('utf-16be', { fatal: false }).decode(bytes);
    default:
      return `#${Buffer.from(bytes).toString('hex')}`;
  }
}
