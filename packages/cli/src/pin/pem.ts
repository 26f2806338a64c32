/**
 * PEM armour (RFC 7468, plus the RFC 1421 headers OpenSSL's legacy encrypted
 * keys carry): splits a text file into labelled blocks and decodes their
 * base64 strictly, with byte offsets for errors.
 *
 * @module
 */

/** One `-----BEGIN LABEL----- … -----END LABEL-----` block. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE` or `ENCRYPTED PRIVATE KEY`. */
  readonly label: string;
  /** RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL encryption). */
  readonly headers: Readonly<Record<string, string>>;
  /** The decoded body. */
  readonly der: Buffer;
  /** The block re-assembled with LF line ends, for `node:crypto`. */
  readonly text: string;
  /** Byte offset of the BEGIN line in the file. */
  readonly offset: number;
}

/** A PEM problem: `offset` is a byte offset into the file. */
export class PemError extends Error {
  override readonly name = 'PemError';
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

// Anchored, no nested or overlapping quantifiers: linear on hostile input.
const BEGIN = /^-----BEGIN ([A-Z0-9][A-Z0-9 ]{0,62})-----$/;
const END = /^-----END ([A-Z0-9][A-Z0-9 ]{0,62})-----$/;
const BASE64 = /^[A-Z0-9+/]*={0,2}$/i;

/** True when the bytes look like PEM rather than DER. */
export function looksLikePem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 64 * 1024)).includes('-----BEGIN ');
}

/**
 * Returns every PEM block in `bytes`. Text outside blocks is ignored (OpenSSL
 * writes `-text` dumps and `Bag Attributes` there). CRLF and CR line ends are
 * accepted: files pass through Windows editors and mail.
 *
 * @throws {PemError} for a block without its END line, a mismatched END
 *   label, or a body that is not base64.
 */
export function parsePem(bytes: Uint8Array): PemBlock[] {
  // latin1 maps each byte to one UTF-16 unit, so string offsets are byte offsets.
  const text = Buffer.from(bytes).toString('latin1');
  const blocks: PemBlock[] = [];
  let at = 0;
  let open: { label: string; offset: number; lines: string[]; bodyOffset: number } | undefined;
  while (at < text.length) {
    let eol = at;
    while (eol < text.length && text[eol] !== '\n' && text[eol] !== '\r') eol++;
    const line = text.slice(at, eol).trim();
    const lineOffset = at;
    at = eol;
    if (text[at] === '\r') at++;
    if (text[at] === '\n') at++;
    if (open === undefined) {
      const begin = BEGIN.exec(line);
      if (begin !== null) {
        open = { label: begin[1] ?? '', offset: lineOffset, lines: [], bodyOffset: at };
      }
      continue;
    }
    const end = END.exec(line);
    if (end !== null) {
      if (end[1] !== open.label) {
        throw new PemError(
          `"-----END ${end[1] ?? ''}-----" does not close "-----BEGIN ${open.label}-----"`,
          lineOffset,
        );
      }
      blocks.push(finishBlock(open.label, open.lines, open.offset, open.bodyOffset));
      open = undefined;
      continue;
    }
    if (BEGIN.test(line)) {
      throw new PemError(
        `"-----BEGIN ${open.label}-----" has no END line before the next BEGIN`,
        open.offset,
      );
    }
    open.lines.push(line);
  }
  if (open !== undefined) {
    throw new PemError(
      `truncated PEM: "-----BEGIN ${open.label}-----" has no "-----END ${open.label}-----" line`,
      open.offset,
    );
  }
  return blocks;
}

function finishBlock(label: string, lines: string[], offset: number, bodyOffset: number): PemBlock {
  const headers: Record<string, string> = {};
  let i = 0;
  // RFC 1421 §4.4 headers sit before a blank line; only legacy encrypted keys use them.
  if (lines.some((l) => l === '') && (lines[0] ?? '').includes(':')) {
    for (; i < lines.length && lines[i] !== ''; i++) {
      const line = lines[i] ?? '';
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    i++;
  }
  const body = lines.slice(i).join('');
  if (!BASE64.test(body) || body.length % 4 === 1) {
    const bad = /[^A-Z0-9+/=]/i.exec(body);
    throw new PemError(
      bad === null
        ? `the body of "${label}" is not valid base64 (wrong length or padding)`
        : `the body of "${label}" contains ${JSON.stringify(bad[0])}, which is not base64`,
      bodyOffset,
    );
  }
  const der = Buffer.from(body, 'base64');
  const wrapped = body.match(/.{1,64}/g) ?? [];
  const headerText = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
  const text = `-----BEGIN ${label}-----\n${headerText}${headerText === '' ? '' : '\n'}${wrapped.join('\n')}\n-----END ${label}-----\n`;
  return { label, headers, der, text, offset };
}
