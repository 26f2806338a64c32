/**
 * Retrieval: everything the analysers look at, fetched once. The HTTP and
 * HTTPS redirect chains (every hop recorded with its raw header lines), a
 * CORS request to the final URL, and optionally the hstspreload www check.
 *
 * Built on `node:http`/`node:https` rather than `fetch` because the graders
 * need what fetch normalises away: duplicate header lines in order
 * (`rawHeaders`), each redirect hop, and whether the chain verified.
 *
 * Hostile servers are expected: every request has a deadline, header
 * size is capped, bodies are read only for HTML and cut at 1 MiB or when they
 * trickle in too slowly, and redirects stop after 10 hops. Each failure ends
 * its chain with a `Chain.error` (a stable `BARBICAN_E_SCAN_*` code first),
 * never an exception.
 *
 * @module
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, connect as tcpConnect, type LookupFunction, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  createSecureContext,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import type { ScannerErrorCode } from '../errors.ts';
import { redactCredentials } from '../redact.ts';
import { isPublicAddress, privateAddressError, publicOnlyLookup } from './public-only.ts';
import {
  PROBE_ORIGIN,
  finalResponse,
  type CapturedResponse,
  type Chain,
  type Retrieval,
} from '../model.ts';

/** Options for {@link retrieve}. */
export interface RetrieveOptions {
  /** Port for the `http://` chain; default 80 (or the URL's port when it is http). */
  readonly httpPort?: number;
  /** Port for the `https://` chain; default 443 (or the URL's port when it is https). */
  readonly httpsPort?: number;
  /** PEM CA certificate(s) trusted instead of the system roots (`--ca`). */
  readonly ca?: string | Buffer;
  /**
   * `--insecure`: read HTTPS responses whose chain does not verify as if it
   * did (curl's `-k`), so headers can be graded; the result says
   * `insecure: true`.
   */
  readonly insecure?: boolean;
  /** Deadline for one request, headers and body; default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Redirect hops followed per chain; default 10. */
  readonly maxRedirects?: number;
  /** Largest response head accepted; default 32 KiB. */
  readonly maxHeaderBytes?: number;
  /** Largest HTML body kept; default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Custom DNS lookup (see `staticLookup`). */
  readonly lookup?: LookupFunction;
  /** Also run the hstspreload www check (`www.<host>:443`); default false. */
  readonly probeWww?: boolean;
  /**
   * `--no-private`: connect only to public addresses, checked after DNS
   * resolution and for every redirect (see public-only.ts); default false.
   */
  readonly publicOnly?: boolean;
}

/** Stable prefixes of `Chain.error` strings; also listed in docs/errors.md. */
export const RETRIEVE_ERRORS = {
  redirects: 'BARBICAN_E_SCAN_REDIRECTS',
  timeout: 'BARBICAN_E_SCAN_TIMEOUT',
  response: 'BARBICAN_E_SCAN_RESPONSE',
  connect: 'BARBICAN_E_SCAN_CONNECT',
  private: 'BARBICAN_E_SCAN_PRIVATE',
} as const satisfies Record<string, ScannerErrorCode>;

const DEFAULTS = {
  timeoutMs: 10_000,
  maxRedirects: 10,
  maxHeaderBytes: 32 * 1024,
  maxBodyBytes: 1024 * 1024,
};

const USER_AGENT = 'barbican-scan/0.1 (+https://github.com/barbican)';

/**
 * Fetches `http://` and `https://` for the URL's host and path, following
 * redirects, then sends the CORS request to the final URL.
 *
 * @example
 * ```ts
 * const r = await retrieve('https://example.com/', { timeoutMs: 5000 });
 * console.log(r.https.responses.map((x) => x.status), r.https.error);
 * ```
 */
export async function retrieve(url: string, given: RetrieveOptions = {}): Promise<Retrieval> {
  const opts: RetrieveOptions =
    given.publicOnly === true ? { ...given, lookup: publicOnlyLookup(given.lookup) } : given;
  const start = startUrls(url, opts);
  const [http, https, www] = await Promise.all([
    followChain(start.http, opts),
    followChain(start.https, opts),
    opts.probeWww === true
      ? probeWww(new URL(url).hostname, start.httpsPort, opts)
      : Promise.resolve(undefined),
  ]);
  // Observatory's "auto" response: HTTPS when it answered, HTTP as fallback.
  const final = finalResponse(https) ?? finalResponse(http);
  let cors: CapturedResponse | undefined;
  if (final !== undefined) {
    const probe = await fetchOnce(final.url, opts, { origin: PROBE_ORIGIN }).catch(() => undefined);
    if (probe !== undefined && 'response' in probe) cors = probe.response;
  }
  return {
    url,
    http,
    https,
    ...(cors === undefined ? {} : { cors }),
    ...(opts.insecure === true ? { insecure: true } : {}),
    ...(www === undefined ? {} : { www }),
  };
}

/**
 * Where {@link retrieve} starts its two chains for `url`: the same host and
 * path over `http://` and `https://`, on the URL's port for its own scheme
 * or the `httpPort`/`httpsPort` options (default 80 and 443).
 *
 * @example
 * ```ts
 * startUrls('https://example.com:8443/a', {}).http; // 'http://example.com/a'
 * ```
 */
export function startUrls(
  url: string,
  opts: Pick<RetrieveOptions, 'httpPort' | 'httpsPort'> = {},
): { http: string; https: string; httpsPort: number } {
  const target = new URL(url);
  const path = `${target.pathname}${target.search}`;
  const host = target.hostname;
  const httpPort =
    opts.httpPort ?? (target.protocol === 'http:' && target.port !== '' ? Number(target.port) : 80);
  const httpsPort =
    opts.httpsPort ??
    (target.protocol === 'https:' && target.port !== '' ? Number(target.port) : 443);
  return {
    http: originUrl('http:', host, httpPort, 80, path),
    https: originUrl('https:', host, httpsPort, 443, path),
    httpsPort,
  };
}

function originUrl(
  scheme: 'http:' | 'https:',
  host: string,
  port: number,
  defaultPort: number,
  path: string,
): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${scheme}//${h}${port === defaultPort ? '' : `:${port}`}${path}`;
}

/**
 * Follows redirects from `start`, recording every response. Bounded by
 * `maxRedirects`; a redirect without a usable `Location` ends the chain.
 */
export async function followChain(start: string, opts: RetrieveOptions = {}): Promise<Chain> {
  const maxRedirects = opts.maxRedirects ?? DEFAULTS.maxRedirects;
  const responses: CapturedResponse[] = [];
  let next = start;
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const result = await fetchOnce(next, opts, {});
    if ('error' in result) {
      return {
        responses: [...responses, ...(result.partial ? [result.partial] : [])],
        error: result.error,
      };
    }
    const { response } = result;
    responses.push(response);
    const location = response.headers.find(([n]) => n === 'location')?.[1];
    if (response.status < 300 || response.status > 399 || location === undefined) {
      return { responses };
    }
    let resolved: URL;
    try {
      resolved = new URL(location, next);
    } catch {
      return {
        responses,
        error: redactCredentials(
          `${RETRIEVE_ERRORS.redirects}: ${next} redirects to an invalid Location ${JSON.stringify(location.slice(0, 200))}`,
        ),
      };
    }
    if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
      return {
        responses,
        error: redactCredentials(
          `${RETRIEVE_ERRORS.redirects}: ${next} redirects to a non-HTTP URL (${resolved.protocol})`,
        ),
      };
    }
    next = resolved.href;
  }
  return {
    responses,
    error: redactCredentials(
      `${RETRIEVE_ERRORS.redirects}: more than ${maxRedirects} redirects from ${start}`,
    ),
  };
}

type FetchResult =
  | { readonly response: CapturedResponse }
  | { readonly error: string; readonly partial?: CapturedResponse };

/**
 * One GET without following redirects. Resolves with the captured response,
 * or an error string; never rejects.
 */
export function fetchOnce(
  url: string,
  opts: RetrieveOptions,
  extra: { origin?: string; host?: string },
): Promise<FetchResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxBody = opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  // Node skips the lookup for IP literals, so --no-private checks them here.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (opts.publicOnly === true && isIP(literal) !== 0 && !isPublicAddress(literal)) {
    const refused = privateAddressError(literal, literal).message;
    return Promise.resolve({
      error: redactCredentials(`${RETRIEVE_ERRORS.private}: ${url}: ${refused}`),
    });
  }
  return new Promise((resolve) => {
    let settled = false;
    let captured: CapturedResponse | undefined;
    const finish = (r: FetchResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const fail = (code: string, message: string): void => {
      finish({
        error: redactCredentials(`${code}: ${url}: ${message}`),
        ...(captured ? { partial: captured } : {}),
      });
    };
    const requestFn = secure ? httpsRequest : httpRequest;
    const req = requestFn(url, {
      method: 'GET',
      agent: false,
      headers: {
        'user-agent': USER_AGENT,
        accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
        ...(extra.origin === undefined ? {} : { origin: extra.origin }),
        // A Host other than the URL's (the drift probe's unlisted host).
        ...(extra.host === undefined ? {} : { host: extra.host }),
      },
      maxHeaderSize: opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
      ...(opts.lookup === undefined ? {} : { lookup: opts.lookup }),
      ...(secure
        ? {
            // Verification is recorded, not enforced: an invalid chain is a
            // graded result (hsts-invalid-cert), not a reason to see nothing.
            rejectUnauthorized: false,
            ...(opts.ca === undefined ? {} : { secureContext: contextFor(opts.ca) }),
            // Node takes SNI from the Host header when not told otherwise;
            // SNI names the URL's host (none for an IP literal, RFC 6066 §3).
            ...(extra.host === undefined
              ? {}
              : {
                  servername:
                    isIP(target.hostname.replace(/^\[|\]$/g, '')) === 0 ? target.hostname : '',
                }),
          }
        : {}),
    });
    // One deadline for the whole exchange: connect, headers and body. A
    // server that trickles bytes cannot hold us past it.
    const timer = setTimeout(() => {
      if (captured !== undefined) {
        fail(
          RETRIEVE_ERRORS.timeout,
          `the body was still arriving after ${timeoutMs} ms (cut off)`,
        );
      } else {
        fail(RETRIEVE_ERRORS.timeout, `no response within ${timeoutMs} ms`);
      }
    }, timeoutMs);
    timer.unref();
    req.on('error', (error: NodeJS.ErrnoException) => {
      fail(...describeError(error, opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes));
    });
    req.on('response', (res: IncomingMessage) => {
      const socket = res.socket as TLSSocket | null;
      const verified = secure
        ? opts.insecure === true || (socket !== null && socket.authorized)
        : undefined;
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        headers.push([(res.rawHeaders[i] ?? '').toLowerCase(), res.rawHeaders[i + 1] ?? '']);
      }
      const base = {
        url,
        status: res.statusCode ?? 0,
        headers,
        ...(verified === undefined ? {} : { verified }),
      };
      captured = base;
      const type = headers.find(([n]) => n === 'content-type')?.[1] ?? '';
      const isRedirect = base.status >= 300 && base.status <= 399;
      // Only HTML bodies matter (meta CSP, SRI); anything else is not read.
      if (isRedirect || !/html/i.test(type)) {
        finish({ response: base });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        const room = maxBody - size;
        if (room <= 0) return;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        chunks.push(part);
        size += part.length;
        captured = { ...base, body: Buffer.concat(chunks).toString('utf8') };
        // Enough kept: stop reading instead of draining a huge body.
        if (size >= maxBody) finish({ response: captured });
      });
      res.on('end', () => {
        finish({ response: { ...base, body: Buffer.concat(chunks).toString('utf8') } });
      });
      res.on('error', (error: NodeJS.ErrnoException) => {
        fail(...describeError(error, opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes));
      });
    });
    req.end();
  });
}

/**
 * One secure context per `--ca` value: building one parses the PEM and
 * copies the trust store, which dominated a many-URL scan's CPU profile.
 * Bounded: a handful of CAs per process at most.
 */
const contexts = new Map<string | Buffer, SecureContext>();
function contextFor(ca: string | Buffer): SecureContext {
  let context = contexts.get(ca);
  if (context === undefined) {
    if (contexts.size >= 8) contexts.clear();
    context = createSecureContext({ ca });
    contexts.set(ca, context);
  }
  return context;
}

function describeError(error: NodeJS.ErrnoException, maxHeader: number): [string, string] {
  const code = error.code ?? '';
  switch (code) {
    case RETRIEVE_ERRORS.private:
      return [RETRIEVE_ERRORS.private, error.message];
    case 'HPE_HEADER_OVERFLOW':
      return [RETRIEVE_ERRORS.response, `the response head is larger than ${maxHeader} bytes`];
    case 'ECONNREFUSED':
      return [RETRIEVE_ERRORS.connect, 'connection refused'];
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return [RETRIEVE_ERRORS.connect, 'the host name does not resolve'];
    case 'ECONNRESET':
      return [RETRIEVE_ERRORS.response, 'the server reset the connection'];
    case 'ETIMEDOUT':
      return [RETRIEVE_ERRORS.timeout, 'the connection timed out'];
    default:
      if (code.startsWith('HPE_')) {
        return [RETRIEVE_ERRORS.response, `malformed HTTP response (${code})`];
      }
      if (
        code.startsWith('ERR_SSL') ||
        code.startsWith('ERR_TLS') ||
        /SSL|TLS/.test(error.message)
      ) {
        return [RETRIEVE_ERRORS.connect, `TLS handshake failed (${code || error.message})`];
      }
      return [RETRIEVE_ERRORS.connect, code === '' ? error.message : `${code}: ${error.message}`];
  }
}

/**
 * hstspreload's www check: does `www.<host>:443` accept TCP, and if so does
 * TLS succeed there? Skipped (undefined) for hosts that already start with
 * `www.` and for IP literals.
 */
async function probeWww(
  host: string,
  port: number,
  opts: RetrieveOptions,
): Promise<{ tlsOk: boolean } | 'no-tcp' | undefined> {
  if (host.startsWith('www.') || /^[\d.]+$|:/.test(host)) return undefined;
  const www = `www.${host}`;
  const timeoutMs = Math.min(opts.timeoutMs ?? DEFAULTS.timeoutMs, 5000);
  const tcp = await connects(
    tcpConnect({ host: www, port, ...(opts.lookup ? { lookup: opts.lookup } : {}) }),
    'connect',
    timeoutMs,
  );
  if (!tcp) return 'no-tcp';
  const tlsOk = await connects(
    tlsConnect({
      host: www,
      port,
      servername: www,
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      rejectUnauthorized: opts.insecure !== true,
    }),
    'secureConnect',
    timeoutMs,
  );
  return { tlsOk };
}

export { staticLookup } from './lookup.ts';

/**
 * Resolves true when `socket` emits `ready` within `timeoutMs`, false on an
 * error or the deadline; the socket is always destroyed (a probe, not a use).
 */
function connects(
  socket: Socket,
  ready: 'connect' | 'secureConnect',
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once(ready, () => done(true));
    socket.once('error', () => done(false));
  });
}
