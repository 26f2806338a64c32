/**
 * `barbican pin` as a library: RFC 7469 pins from keys, CSRs, certificates
 * and live hosts, and `Public-Key-Pins` header building and checking.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7469
 * @example
 * ```ts
 * import { readPinFile } from './pin/index.ts';
 * for (const e of await readPinFile('chain.pem')) console.log(e.subject, e.pin);
 * ```
 * @module
 */
export { readPinFile, pinsFromBytes, pinOfSpki, pinOfKey, keyAlgorithm } from './read.ts';
export type { PinEntry, PinKind, ReadOptions } from './read.ts';
export { fetchChain, parseHostPort } from './tls.ts';
export type { ChainRole, FetchChainOptions, FetchedChain, HostPinEntry } from './tls.ts';
export {
  buildPkpHeader,
  checkPins,
  parsePkpValue,
  parsePinArgument,
  DEFAULT_MAX_AGE,
  MAX_AGE_CAP,
  HPKP_OBSOLETE_NOTE,
} from './header.ts';
export type { BuildPkpOptions, ParsedPkp, PinCheck, PinVerdict, PkpHeader } from './header.ts';
export { DerError, readTlv, sniffDer } from './der.ts';
export type { DerShape, Tlv } from './der.ts';
export { parsePem, PemError } from './pem.ts';
export type { PemBlock } from './pem.ts';
