/**
 * OCSP for stapling (RFC 6960), the pure part: which certificate can be
 * stapled and how to ask for its status (a DER `OCSPRequest` built here),
 * and whether a responder's answer may be stapled (parsed and verified
 * here). Fetching, caching and sharing are `./stapling.ts`.
 *
 * A staple that a client cannot verify is worse than none, so an answer is
 * only accepted when it is a successful `id-pkix-ocsp-basic` response
 * signed by the issuer itself or by a delegated responder the issuer
 * certified for OCSP signing (§4.2.2.2), names this very certificate, and
 * is current — nginx's `ssl_stapling_verify on`, always.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960
 * @module
 */
import { X509Certificate, createHash, verify, type KeyObject } from 'node:crypto';
import {
  bytesOf,
  children,
  decodeOid,
  decodeTime,
  DerError,
  oid,
  readRoot,
  seq,
  TAG,
  tlv,
  type Tlv,
} from '@barbican/scanner/der';

/** One certificate as OCSP sees it: where to ask and what to ask. */
export interface OcspTarget {
  /** {@link certificateKey} of the leaf: how workers find its staple. */
  readonly key: string;
  /** The leaf's subject, for logs. */
  readonly subject: string;
  /** The responder URL from the leaf's Authority Information Access. */
  readonly url: string;
  /** The DER `OCSPRequest` to POST. */
  readonly request: Buffer;
  /** SHA-1 of the issuer's Name, SHA-1 of its key, and the serial, to find the answer. */
  readonly nameHash: Buffer;
  readonly keyHash: Buffer;
  readonly serial: Buffer;
  /** The issuer (first of the chain that issued and signed the leaf). */
  readonly issuer: X509Certificate;
}

/** Why a certificate cannot be stapled (logged once, not an error). */
export interface OcspSkip {
  readonly key: string;
  readonly subject: string;
  readonly reason: string;
}

/** A verified answer, ready to staple. */
export interface OcspAnswer {
  readonly status: 'good' | 'revoked';
  readonly thisUpdate: Date;
  /** Absent when the responder says newer information is always available. */
  readonly nextUpdate: Date | undefined;
  readonly revokedAt?: Date;
}

/** An OCSP answer that must not be stapled; `message` says why (one line). */
export class OcspError extends Error {
  override readonly name = 'OcspError';
}

const OIDS = {
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  sha1: '1.3.14.3.2.26',
} as const;

/** Signature algorithms an OCSP responder uses, as `crypto.verify` digests (null: the key decides). */
const SIGNATURE_DIGESTS: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
  '1.3.101.113': null, // Ed448
};

/** `OCSPResponseStatus` names (§4.2.1), for messages. */
const RESPONSE_STATUS = [
  'successful',
  'malformedRequest',
  'internalError',
  'tryLater',
  '(unused)',
  'sigRequired',
  'unauthorized',
];

/** Clocks disagree; a response "from the future" by less than this is accepted. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The key a staple is stored under: the leaf DER's SHA-256 (what Node hands the OCSPRequest event). */
export function certificateKey(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g;

function sha1(bytes: Uint8Array): Buffer {
  return createHash('sha1').update(bytes).digest();
}

/** The fields of a TBSCertificate that OCSP needs (RFC 5280 §4.1). */
function tbsFields(der: Uint8Array): { serial: Tlv; issuer: Tlv; spki: Tlv; extensions?: Tlv } {
  const [tbs] = children(der, readRoot(der));
  if (tbs?.tag !== TAG.SEQUENCE) throw new OcspError('not a certificate');
  const f = children(der, tbs);
  const at = f[0]?.tag === TAG.CONTEXT_0 ? 1 : 0;
  const [serial, , issuer, , , spki] = f.slice(at);
  if (serial?.tag !== TAG.INTEGER || issuer?.tag !== TAG.SEQUENCE || spki?.tag !== TAG.SEQUENCE) {
    throw new OcspError('not a certificate');
  }
  const extensions = f.find((t) => t.tag === 0xa3);
  return { serial, issuer, spki, ...(extensions === undefined ? {} : { extensions }) };
}

/** The first `http://` OCSP responder URL of a certificate's Authority Information Access. */
function responderUrl(der: Uint8Array, extensions: Tlv | undefined): string | undefined {
  if (extensions === undefined) return undefined;
  const [list] = children(der, extensions);
  for (const ext of list === undefined ? [] : children(der, list)) {
    const parts = children(der, ext);
    const [id] = parts;
    const value = parts[parts.length - 1];
    if (id === undefined || value === undefined || decodeOid(der, id) !== OIDS.authorityInfoAccess)
      continue;
    // The extension's OCTET STRING holds the DER of AuthorityInfoAccessSyntax.
    const inner = der.subarray(value.contentStart, value.end);
    for (const desc of children(inner, readRoot(inner))) {
      const [method, location] = children(inner, desc);
      // accessLocation is a GeneralName; [6] IMPLICIT IA5String is a URI.
      if (method === undefined || location?.tag !== 0x86) continue;
      if (decodeOid(inner, method) !== OIDS.ocsp) continue;
      const url = new TextDecoder('latin1').decode(
        inner.subarray(location.contentStart, location.end),
      );
      if (/^https?:\/\/[\x21-\x7e]+$/i.test(url)) return url;
    }
  }
  return undefined;
}

/** The issuer of `leaf` among the chain's certificates: it must have issued and signed it. */
function findIssuer(
  leaf: X509Certificate,
  chain: readonly X509Certificate[],
): X509Certificate | undefined {
  return chain.find((c) => leaf.checkIssued(c) && leaf.verify(c.publicKey));
}

/**
 * What stapling needs of a certificate file (leaf first, then its chain):
 * the responder URL, the issuer and the DER request — or why it cannot be
 * stapled (no OCSP URL, no issuer in the file).
 */
export function ocspTarget(chainPem: string): OcspTarget | OcspSkip {
  const certs = (chainPem.match(PEM_CERTIFICATE) ?? []).map((p) => new X509Certificate(p));
  const leaf = certs[0];
  if (leaf === undefined) return { key: '', subject: '', reason: 'no certificate in the file' };
  const der = leaf.raw;
  const key = certificateKey(der);
  const subject = leaf.subject.replace(/\n/g, ', ');
  let fields: ReturnType<typeof tbsFields>;
  let url: string | undefined;
  try {
    fields = tbsFields(der);
    url = responderUrl(der, fields.extensions);
  } catch (error) {
    return { key, subject, reason: `the certificate cannot be read: ${(error as Error).message}` };
  }
  if (url === undefined) {
    return { key, subject, reason: 'the certificate names no http(s) OCSP responder (AIA)' };
  }
  const issuer = findIssuer(leaf, certs.slice(1));
  if (issuer === undefined) {
    return {
      key,
      subject,
      reason:
        'the issuer certificate is not in the certificate file: use the full chain (fullchain.pem)',
    };
  }
  const nameHash = sha1(bytesOf(der, fields.issuer));
  const keyHash = sha1(subjectKeyBits(issuer.raw));
  const serial = Buffer.from(bytesOf(der, fields.serial));
  // OCSPRequest { TBSRequest { requestList { Request { CertID } } } } (§4.1.1); no nonce:
  // a staple is one answer served to many clients, so it cannot carry theirs.
  const certId = seq(
    seq(oid(OIDS.sha1), Buffer.from([TAG.NULL, 0])),
    tlv(TAG.OCTET_STRING, nameHash),
    tlv(TAG.OCTET_STRING, keyHash),
    serial,
  );
  const request = seq(seq(seq(seq(certId))));
  return { key, subject, url, request, nameHash, keyHash, serial, issuer };
}

/** The subjectPublicKey BIT STRING's value, without its unused-bits octet (§4.1.1 issuerKeyHash). */
function subjectKeyBits(certDer: Uint8Array): Uint8Array {
  const { spki } = tbsFields(certDer);
  const bits = children(certDer, spki)[1];
  if (bits?.tag !== TAG.BIT_STRING) throw new OcspError('malformed issuer public key');
  return certDer.subarray(bits.contentStart + 1, bits.end);
}

/** Checks that the elements have these tags, in order; otherwise `what` is malformed. */
function expectTags(
  der: Uint8Array,
  tlvs: readonly (Tlv | undefined)[],
  tags: number[],
  what: string,
) {
  tags.forEach((tag, i) => {
    if (tlvs[i]?.tag !== tag) throw new OcspError(`malformed ${what}`);
  });
}

/** The BasicOCSPResponse inside an OCSPResponse (§4.2.1), after its status. */
function basicResponse(der: Uint8Array): Uint8Array {
  const root = readRoot(der);
  const [status, bytes] = children(der, root);
  if (root.tag !== TAG.SEQUENCE || status?.tag !== 0x0a || status.end - status.contentStart !== 1) {
    throw new OcspError('not an OCSP response');
  }
  const code = der[status.contentStart] ?? 0;
  if (code !== 0) {
    throw new OcspError(`the responder answered ${RESPONSE_STATUS[code] ?? `status ${code}`}`);
  }
  if (bytes?.tag !== TAG.CONTEXT_0) throw new OcspError('a successful response without a body');
  const [rb] = children(der, bytes);
  const [type, octets] = rb === undefined ? [] : children(der, rb);
  expectTags(der, [type, octets], [TAG.OID, TAG.OCTET_STRING], 'ResponseBytes');
  if (decodeOid(der, type as Tlv) !== OIDS.ocspBasic) {
    throw new OcspError('not a basic OCSP response');
  }
  return der.subarray((octets as Tlv).contentStart, (octets as Tlv).end);
}

/** Who may sign: the issuer, or a certificate it issued for OCSP signing and that is valid now. */
function signers(
  der: Uint8Array,
  certs: Tlv | undefined,
  issuer: X509Certificate,
  now: number,
): KeyObject[] {
  const out = [issuer.publicKey];
  const [list] = certs === undefined ? [] : children(der, certs);
  for (const c of list === undefined ? [] : children(der, list)) {
    let x: X509Certificate;
    try {
      x = new X509Certificate(bytesOf(der, c));
    } catch {
      continue;
    }
    const delegated =
      x.checkIssued(issuer) &&
      x.verify(issuer.publicKey) &&
      // Node's types say string[], but it is undefined without an extendedKeyUsage extension.
      ((x.keyUsage as string[] | undefined) ?? []).includes(OIDS.ocspSigning) &&
      x.validFromDate.getTime() <= now + CLOCK_SKEW_MS &&
      now <= x.validToDate.getTime();
    if (delegated) out.push(x.publicKey);
  }
  return out;
}

/** Checks the response's signature against the issuer or a delegated responder (§4.2.2.2). */
function checkSignature(der: Uint8Array, target: OcspTarget, now: number): Tlv {
  const [data, algorithm, signature, certs] = children(der, readRoot(der));
  expectTags(
    der,
    [data, algorithm, signature],
    [TAG.SEQUENCE, TAG.SEQUENCE, TAG.BIT_STRING],
    'BasicOCSPResponse',
  );
  const [algOid] = children(der, algorithm as Tlv);
  const algName = algOid === undefined ? '' : decodeOid(der, algOid);
  const digest = SIGNATURE_DIGESTS[algName];
  if (digest === undefined) {
    throw new OcspError(`unsupported signature algorithm ${algName}`);
  }
  const tbs = bytesOf(der, data as Tlv);
  const sig = der.subarray((signature as Tlv).contentStart + 1, (signature as Tlv).end);
  const signedBy = signers(
    der,
    certs?.tag === TAG.CONTEXT_0 ? certs : undefined,
    target.issuer,
    now,
  );
  const ok = signedBy.some((key) => {
    try {
      return verify(digest, tbs, key, sig);
    } catch {
      return false;
    }
  });
  if (!ok)
    throw new OcspError('the signature is not the issuer’s or an OCSP signer’s it certified');
  return data as Tlv;
}

/** True when a CertID names the target (SHA-1 hashes and serial, §4.1.1). */
function sameCertId(der: Uint8Array, certId: Tlv, target: OcspTarget): boolean {
  const [alg, name, key, serial] = children(der, certId);
  if (alg === undefined || name === undefined || key === undefined || serial === undefined) {
    return false;
  }
  const [hash] = children(der, alg);
  const content = (t: Tlv): Uint8Array => der.subarray(t.contentStart, t.end);
  return (
    hash !== undefined &&
    decodeOid(der, hash) === OIDS.sha1 &&
    target.nameHash.equals(content(name)) &&
    target.keyHash.equals(content(key)) &&
    target.serial.equals(bytesOf(der, serial))
  );
}

/** Reads the SingleResponse for the target (§4.2.1). */
function singleAnswer(der: Uint8Array, data: Tlv, target: OcspTarget): OcspAnswer {
  const fields = children(der, data);
  const at = fields[0]?.tag === TAG.CONTEXT_0 ? 1 : 0;
  const responses = fields[at + 2];
  if (responses?.tag !== TAG.SEQUENCE) throw new OcspError('malformed ResponseData');
  for (const single of children(der, responses)) {
    const [certId, status, thisUpdate, ...rest] = children(der, single);
    if (certId === undefined || !sameCertId(der, certId, target)) continue;
    if (status === undefined || thisUpdate === undefined) break;
    const next = rest.find((t) => t.tag === TAG.CONTEXT_0);
    const nextTime = next === undefined ? undefined : children(der, next)[0];
    const times = {
      thisUpdate: decodeTime(der, thisUpdate),
      nextUpdate: nextTime === undefined ? undefined : decodeTime(der, nextTime),
    };
    if (status.tag === 0x80) return { status: 'good', ...times };
    if (status.tag === 0xa1) {
      const [when] = children(der, status);
      return {
        status: 'revoked',
        ...times,
        ...(when === undefined ? {} : { revokedAt: decodeTime(der, when) }),
      };
    }
    throw new OcspError('the responder does not know the certificate (status unknown)');
  }
  throw new OcspError('the response does not name this certificate');
}

/**
 * Parses and verifies a responder's answer for `target`. Throws
 * {@link OcspError} when it must not be stapled.
 *
 * @example
 * ```ts
 * const target = ocspTarget(readFileSync('fullchain.pem', 'utf8'));
 * if ('url' in target) checkOcspResponse(await fetchAnswer(target), target).status; // 'good'
 * ```
 */
export function checkOcspResponse(
  response: Uint8Array,
  target: OcspTarget,
  now: number = Date.now(),
): OcspAnswer {
  try {
    return checkAnswer(response, target, now);
  } catch (error) {
    if (error instanceof DerError) {
      throw new OcspError(`not an OCSP response: ${error.message} at byte ${error.offset}`);
    }
    throw error;
  }
}

function checkAnswer(response: Uint8Array, target: OcspTarget, now: number): OcspAnswer {
  const basic = basicResponse(response);
  const data = checkSignature(basic, target, now);
  const answer = singleAnswer(basic, data, target);
  if (answer.thisUpdate.getTime() > now + CLOCK_SKEW_MS) {
    throw new OcspError(
      `the response is from the future (thisUpdate ${answer.thisUpdate.toISOString()})`,
    );
  }
  if (answer.nextUpdate !== undefined && answer.nextUpdate.getTime() <= now) {
    throw new OcspError(`the response has expired (nextUpdate ${answer.nextUpdate.toISOString()})`);
  }
  return answer;
}
