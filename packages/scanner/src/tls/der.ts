/**
 * One home for DER (ITU-T X.690 §8, §10): a small, bounds-checked reader and
 * the few encoders Barbican needs. The CLI's `pin` reads keys, certificates
 * and CSRs with it; the gateway builds OCSP requests and reads OCSP
 * responses with it; the throw-away CA (`./ca.ts`) writes certificates.
 *
 * Input is untrusted (a file from anywhere, a certificate from any server,
 * an OCSP responder's answer), so every length is checked against the bytes
 * that are really there and a problem is a {@link DerError} carrying the
 * byte offset — never an out-of-range read or an exception from deep inside.
 *
 * @example
 * ```ts
 * import { X509Certificate } from 'node:crypto';
 * import { children, readRoot } from '@barbican/scanner/der';
 * const der = new X509Certificate(pem).raw;
 * const [tbs, signatureAlgorithm, signature] = children(der, readRoot(der));
 * ```
 * @module
 */
/** A malformed or truncated DER encoding; `offset` is the byte where it went wrong. */
export class DerError extends Error {
  override readonly name = 'DerError';
  /** Byte offset into the DER buffer. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** One decoded tag-length-value element; offsets index into the source buffer. */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset one past the last content byte. */
  readonly end: number;
}

/** ASN.1 universal tags Barbican looks at (X.680 §8.4). */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** `[0]` constructed, context-specific: certificate version, CSR attributes. */
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
} as const;

/**
 * Reads the element that starts at `offset` and must end by `limit`.
 * DER (X.690 §10.1) forbids the indefinite length form, so it is refused;
 * high tag numbers never occur in the structures read here, so they are too.
 */
export function readTlv(der: Uint8Array, offset: number, limit: number = der.length): Tlv {
  if (offset >= limit) throw new DerError('truncated: expected an element', offset);
  const tag = der[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) throw new DerError('unsupported high-number tag', offset);
  if (offset + 1 >= limit) throw new DerError('truncated: element has no length', offset + 1);
  const first = der[offset + 1] ?? 0;
  let length: number;
  let contentStart: number;
  if (first < 0x80) {
    length = first;
    contentStart = offset + 2;
  } else if (first === 0x80) {
    throw new DerError('indefinite length is not allowed in DER', offset + 1);
  } else {
    const count = first & 0x7f;
    // Four length octets already describe 4 GiB; more is corruption, not a key.
    if (count > 4) throw new DerError(`length uses ${count} octets`, offset + 1);
    if (offset + 2 + count > limit) {
      throw new DerError('truncated: length octets run past the end', offset + 1);
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[offset + 2 + i] ?? 0);
    contentStart = offset + 2 + count;
  }
  const end = contentStart + length;
  if (end > limit) {
    throw new DerError(
      `truncated: element declares ${length} bytes but only ${Math.max(0, limit - contentStart)} remain`,
      offset,
    );
  }
  return { tag, start: offset, contentStart, end };
}

/** Reads the elements directly inside a constructed element. */
export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = parent.contentStart;
  while (at < parent.end) {
    const child = readTlv(der, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** Reads one top-level element that must cover the whole buffer. */
export function readRoot(der: Uint8Array): Tlv {
  if (der.length === 0) throw new DerError('empty input', 0);
  const root = readTlv(der, 0);
  if (root.end !== der.length) {
    throw new DerError(`${der.length - root.end} bytes of trailing data`, root.end);
  }
  return root;
}

/** The bytes of an element, header included. */
export function bytesOf(der: Uint8Array, tlv: Tlv): Uint8Array {
  return der.subarray(tlv.start, tlv.end);
}

/** Decodes an OBJECT IDENTIFIER's content to dotted form (X.690 §8.19). */
export function decodeOid(der: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.OID) throw new DerError('expected an OBJECT IDENTIFIER', tlv.start);
  if (tlv.end === tlv.contentStart) throw new DerError('empty OBJECT IDENTIFIER', tlv.start);
  const arcs: number[] = [];
  let value = 0;
  for (let i = tlv.contentStart; i < tlv.end; i++) {
    const byte = der[i] ?? 0;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large', i);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    } else if (i === tlv.end - 1) {
      throw new DerError('truncated OBJECT IDENTIFIER', i);
    }
  }
  const head = arcs.shift() ?? 0;
  const first = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [first, head - first * 40, ...arcs].join('.');
}

/**
 * Decodes a UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5: seconds present,
 * `Z` only; RFC 6960 reuses it) to a Date.
 */
export function decodeTime(der: Uint8Array, tlv: Tlv): Date {
  const text = new TextDecoder('latin1').decode(der.subarray(tlv.contentStart, tlv.end));
  // GeneralizedTime may carry fractional seconds (OCSP responders add them).
  const m =
    tlv.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : tlv.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d{1,9})?Z$/.exec(text)
        : null;
  if (m === null) throw new DerError('expected a UTC or Generalized time', tlv.start);
  const [, y = '', mo = '', d = '', h = '', mi = '', s = ''] = m;
  const year = y.length === 2 ? (Number(y) < 50 ? 2000 : 1900) + Number(y) : Number(y);
  const date = new Date(
    Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)),
  );
  if (Number.isNaN(date.getTime())) throw new DerError('invalid time', tlv.start);
  return date;
}

// ---- Encoders (DER, definite lengths only) ----

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one element: identifier octet, definite length, content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** Encodes a SEQUENCE of already-encoded elements. */
export function seq(...items: Uint8Array[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(items));
}

/** Encodes a non-negative INTEGER from its big-endian magnitude. */
export function integer(bytes: Uint8Array): Buffer {
  // DER integers are two's complement: a leading 1 bit needs a 0x00 pad.
  const first = bytes[0] ?? 0;
  return tlv(TAG.INTEGER, first & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** Encodes a BIT STRING with `unusedBits` padding bits in the last byte. */
export function bitString(bytes: Uint8Array, unusedBits: number): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** Encodes an OBJECT IDENTIFIER from dotted form (X.690 §8.19). */
export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift((v & 0x7f) | (chunk.length === 0 ? 0 : 0x80));
      v = Math.floor(v / 128);
    } while (v > 0);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
}
