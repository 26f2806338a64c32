/**
 * Fetching the certificate chain a host serves, for pins (RFC 7469 §2.6: pins
 * are checked against the chain the UA validated, so we pin what the server
 * really sends, plus the root the chain was validated against).
 *
 * @module
 */
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { peerChain } from '@barbican/scanner';
import { DerError } from './der.ts';
import { certificateEntry, certificateSpki, type PinEntry } from './read.ts';
import { BarbicanError } from '../errors.ts';

/** A certificate's place in the chain. */
export type ChainRole = 'leaf' | 'intermediate' | 'root';

/** A pin from a live host: a {@link PinEntry} with the certificate's role. */
export interface HostPinEntry extends PinEntry {
  readonly role: ChainRole;
  /** False when the chain did not verify and `insecure` let us read it anyway. */
  readonly verified: boolean;
}

/** Where to connect and what to trust. */
export interface FetchChainOptions {
  readonly host: string;
  readonly port: number;
  /** SNI name; defaults to `host` unless it is an IP address (RFC 6066 §3 forbids IP literals). */
  readonly servername?: string;
  /** PEM CA certificates to trust instead of the system roots (private CAs, tests). */
  readonly ca?: string | Buffer;
  /** Read the chain even when it does not verify; entries say `verified: false`. */
  readonly insecure?: boolean;
  /** Give up when connect plus handshake take longer than this; default 10 s. */
  readonly timeoutMs?: number;
}

/** The served chain, leaf first, and whether it verified. */
export interface FetchedChain {
  readonly entries: HostPinEntry[];
  readonly verified: boolean;
  /** OpenSSL's reason when the chain did not verify (`SELF_SIGNED_CERT_IN_CHAIN`…). */
  readonly verifyError?: string;
}

/**
 * Parses `host`, `host:port`, `[v6]` or `[v6]:port`; port defaults to 443.
 *
 * @throws {BarbicanError} `BARBICAN_E_USAGE` for anything else.
 */
export function parseHostPort(input: string, option = '--host'): { host: string; port: number } {
  const bad = (hint: string): BarbicanError =>
    new BarbicanError('BARBICAN_E_USAGE', 'expected HOST[:PORT]', {
      path: option,
      value: input,
      hint,
    });
  let host: string;
  let portText: string | undefined;
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0) throw bad('An IPv6 address needs its closing "]"');
    host = input.slice(1, close);
    const rest = input.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw bad('Write [v6-address]:port');
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = input.lastIndexOf(':');
    if (colon >= 0 && input.indexOf(':') !== colon) {
      throw bad('Put an IPv6 address in brackets: [::1]:443');
    }
    host = colon < 0 ? input : input.slice(0, colon);
    portText = colon < 0 ? undefined : input.slice(colon + 1);
  }
  if (host === '' || !/^[\w.:-]+$/.test(host))
    throw bad('The host name is empty or has invalid characters');
  const port = portText === undefined ? 443 : Number(portText);
  if (!/^\d{1,5}$/.test(portText ?? '443') || port < 1 || port > 65535) {
    throw bad('The port must be a number from 1 to 65535');
  }
  return { host, port };
}

/**
 * Connects, completes a TLS handshake and returns every certificate of the
 * chain with its pin and role.
 *
 * @example
 * ```ts
 * const { entries } = await fetchChain({ host: 'example.com', port: 443 });
 * for (const e of entries) console.log(e.role, e.pin);
 * ```
 * @throws {BarbicanError} `BARBICAN_E_TLS_CONNECT` when the host does not
 *   answer TLS in time, `BARBICAN_E_TLS_VERIFY` when the chain does not
 *   verify and `insecure` is off.
 */
export function fetchChain(options: FetchChainOptions): Promise<FetchedChain> {
  const { host, port } = options;
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const servername = options.servername ?? (isIP(host) === 0 ? host : undefined);
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket = connect({
      host,
      port,
      ...(servername === undefined ? {} : { servername }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      // We verify ourselves below, so the error can say why and --insecure can go on.
      rejectUnauthorized: false,
      // A pin check must not be fooled by a TLS 1.0 downgrade of the handshake.
      minVersion: 'TLSv1.2',
    });
    const fail = (error: BarbicanError): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(error);
    };
    const connectError = (reason: string, cause?: unknown): BarbicanError =>
      new BarbicanError('BARBICAN_E_TLS_CONNECT', `${target} did not answer TLS: ${reason}`, {
        path: '--host',
        ...(cause === undefined ? {} : { cause }),
      });
    const timer = setTimeout(() => {
      fail(connectError(`no TLS handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(connectError(describeSocketError(error), error));
    });
    socket.once('close', () => {
      clearTimeout(timer);
      fail(connectError('the connection closed before the handshake completed'));
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      if (settled) return;
      const verified = socket.authorized;
      const verifyError = verified ? undefined : String(socket.authorizationError);
      if (!verified && options.insecure !== true) {
        fail(
          new BarbicanError(
            'BARBICAN_E_TLS_VERIFY',
            `the chain ${target} served does not verify (${verifyError ?? 'unknown reason'})`,
            {
              path: '--host',
              hint: 'For a private CA pass --ca CA.pem; to read an untrusted chain anyway pass --insecure',
            },
          ),
        );
        return;
      }
      let entries: HostPinEntry[];
      try {
        entries = chainEntries(socket.getPeerCertificate(true), target, verified);
      } catch (error) {
        fail(
          error instanceof BarbicanError
            ? error
            : connectError(`the served certificate cannot be read (${String(error)})`, error),
        );
        return;
      }
      settled = true;
      socket.end();
      resolve({ entries, verified, ...(verifyError === undefined ? {} : { verifyError }) });
    });
  });
}

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ECONNRESET: 'the peer reset the connection (not a TLS server?)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the peer does not speak TLS (plain HTTP?)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the peer does not speak TLS (plain HTTP?)',
  ERR_SSL_HTTP_REQUEST: 'the peer does not speak TLS (plain HTTP?)',
};

function describeSocketError(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  const known = SOCKET_ERRORS[code];
  if (known !== undefined) return known;
  return code === '' ? error.message : `${code}: ${error.message}`;
}

/**
 * Walks Node's issuer links, leaf first. Node appends the root it validated
 * against when the server did not send it; the loop stops at a self-issued
 * certificate, whose issuer link points at itself.
 */
function chainEntries(
  leaf: DetailedPeerCertificate,
  target: string,
  verified: boolean,
): HostPinEntry[] {
  if (Object.keys(leaf).length === 0) {
    throw new BarbicanError('BARBICAN_E_TLS_CONNECT', `${target} served no certificate`, {
      path: '--host',
    });
  }
  // Bounded: a hostile server cannot make us loop on a cyclic chain.
  const certs = peerChain(leaf, 16);
  return certs.map((c, i) => {
    let spki: Uint8Array;
    try {
      spki = certificateSpki(c.raw);
    } catch (error) {
      throw new BarbicanError('BARBICAN_E_TLS_CONNECT', `${target} served a corrupt certificate`, {
        path: '--host',
        hint:
          error instanceof DerError ? `${error.message} at byte ${error.offset}` : String(error),
      });
    }
    const entry = certificateEntry(c.raw, spki, { source: target, block: i + 1, pemOffset: 0 });
    const selfIssued = entry.subject === entry.issuer;
    const role: ChainRole = i === 0 ? 'leaf' : selfIssued ? 'root' : 'intermediate';
    return { ...entry, role, verified };
  });
}
