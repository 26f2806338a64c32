/**
 * The listeners of one gateway process: HTTPS (TLS, ALPN `h2` and
 * `http/1.1`), plain HTTP (the HTTPS redirect, ACME path exempt), and, when
 * this process is not a cluster worker, the admin listener.
 *
 * Reload swaps the whole {@link Runtime}: new requests see the new
 * configuration at once, new handshakes get the new certificates
 * (`setSecureContext`), in-flight requests finish on the old runtime, whose
 * pools are then closed.
 *
 * @module
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2Session,
  type SecureServerOptions,
} from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { BarbicanError } from './errors.ts';
import { certificateKey } from './ocsp.ts';
import type { Staple } from './stapling.ts';
import { createAdminServer } from './admin.ts';
import type { EventLog, LineWriter } from './access-log.ts';
import type { CompiledGateway } from './config.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { ListenAddress } from './options.ts';
import { continueListener, requestListener } from './proxy.ts';
import { STATUS_TEXT } from './respond.ts';
import { Runtime, type ListenerView } from './runtime.ts';
import { upgradeListener } from './upgrade.ts';

/** The addresses a process listens on (ports resolved when 0 was asked for). */
export interface Addresses {
  readonly https: AddressInfo;
  readonly http: AddressInfo | undefined;
  readonly admin: AddressInfo | undefined;
}

/** What a gateway process is given besides its configuration. */
export interface ProcessContext {
  readonly metrics: GatewayMetrics;
  readonly events: EventLog;
  /** The access-log writer; undefined = no access log. */
  readonly writer: LineWriter | undefined;
  /** True when this process serves the admin endpoints (single process); false in cluster workers. */
  readonly admin: boolean;
  /** For the admin endpoint in a single process: the metrics text. */
  readonly metricsText?: () => Promise<{ text: string; contentType: string }>;
  /** OCSP staples already fetched (a worker started after the primary fetched them). */
  readonly staples?: readonly Staple[];
}

/** Binds `server` to `at`, turning bind failures into a one-line error with a hint. */
export function listen(
  server: {
    listen(port: number, host: string, cb: () => void): unknown;
    once(e: 'error', l: (e: Error) => void): unknown;
    removeListener(e: 'error', l: (e: Error) => void): unknown;
    address(): unknown;
  },
  at: ListenAddress,
  option: string,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      const code = (error as NodeJS.ErrnoException).code;
      reject(
        new BarbicanError('BARBICAN_E_GATEWAY_LISTEN', `cannot listen on ${at.host}:${at.port}`, {
          path: option,
          hint:
            code === 'EADDRINUSE'
              ? 'Another process uses this port'
              : code === 'EACCES'
                ? 'Ports below 1024 need a capability: see docs/gateway.md, "Ports below 1024 without root"'
                : error.message,
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.removeListener('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** A raw HTTP/1.1 answer for a request Node's parser refused (it never reached a handler). */
function rawAnswer(view: ListenerView, status: number): string {
  const body = `${STATUS_TEXT[status] ?? 'Bad Request'}\n`;
  const headers = view.rt.ownFor(view.earlyPlan, 'text');
  let out = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n`;
  for (let i = 0; i < headers.length; i += 2)
    out += `${headers[i] ?? ''}: ${headers[i + 1] ?? ''}\r\n`;
  return `${out}content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`;
}

/** Node's parser errors, answered with the policy's headers instead of a bare 400. */
function clientErrorListener(current: () => ListenerView): (error: Error, socket: Duplex) => void {
  return (error, socket) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (
      code === 'ECONNRESET' ||
      !socket.writable ||
      (socket as unknown as { _httpMessage?: { headersSent?: boolean } })._httpMessage
        ?.headersSent === true
    ) {
      socket.destroy();
      return;
    }
    const status =
      code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const view = current();
    view.rt.metrics.observe(status, 0);
    view.rt.metrics.refused.labels(String(status)).inc();
    socket.end(rawAnswer(view, status));
  };
}

/** One gateway process's listeners. */
export class GatewayServer {
  #rt: Runtime;
  readonly #ctx: ProcessContext;
  readonly #tls: Http2SecureServer;
  readonly #http: HttpServer | undefined;
  #admin: HttpServer | undefined;
  #addresses: Addresses | undefined;
  readonly #sessions = new Set<Http2Session>();
  /** TLS sockets, so a shutdown can end HTTP/1.1 keep-alive connections the HTTP/2 server does not track. */
  readonly #sockets = new Set<Socket>();
  #ticketKeys: Buffer | undefined;
  /** OCSP staples by certificate key, as the primary fetched them. */
  readonly #staples = new Map<string, { readonly der: Buffer; readonly expires: number }>();

  private constructor(rt: Runtime, ctx: ProcessContext) {
    this.#rt = rt;
    this.#ctx = ctx;
    const c = rt.compiled;
    const g = c.gateway;
    const tlsView = (): ListenerView => this.#rt.tls;
    const httpView = (): ListenerView => this.#rt.http;
    const options: SecureServerOptions = {
      ...c.contexts.defaultOptions,
      allowHTTP1: true,
      ALPNProtocols: g.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => {
        cb(null, this.#rt.compiled.contexts.lookup(name));
      },
      settings: { maxHeaderListSize: g.limits.headerBytes, enablePush: false },
      maxSessionInvalidFrames: 100,
      maxSessionRejectedStreams: 100,
      // The HTTP/1.1 side of the secure server (Node shares http.Server's options).
      maxHeaderSize: g.limits.headerBytes,
      headersTimeout: g.timeouts.clientHeaders,
      requestTimeout: g.timeouts.clientRequest,
      keepAliveTimeout: g.timeouts.clientIdle,
      connectionsCheckingInterval: Math.min(1000, g.timeouts.clientHeaders),
      requireHostHeader: false,
    } as SecureServerOptions;
    this.#tls = createSecureServer(options);
    this.#tls.setTimeout(g.timeouts.clientRequest);
    this.#wire(this.#tls, tlsView);
    this.#tls.on('session', (s: Http2Session) => {
      this.#sessions.add(s);
      s.once('close', () => this.#sessions.delete(s));
    });
    this.#tls.on('secureConnection', (s: Socket) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
    // A handshake that fails (bad protocol, no shared suite) must not crash anything.
    this.#tls.on('tlsClientError', () => undefined);
    this.#syncStapling();
    if (g.httpListen !== false) {
      this.#http = createHttpServer({
        maxHeaderSize: g.limits.headerBytes,
        headersTimeout: g.timeouts.clientHeaders,
        requestTimeout: g.timeouts.clientRequest,
        keepAliveTimeout: g.timeouts.clientIdle,
        connectionsCheckingInterval: Math.min(1000, g.timeouts.clientHeaders),
        joinDuplicateHeaders: false,
        // The gateway refuses a missing Host itself, with the policy's headers.
        requireHostHeader: false,
      });
      this.#wire(this.#http, httpView);
    }
  }

  #wire(server: HttpServer | Http2SecureServer, view: () => ListenerView): void {
    const s = server as HttpServer;
    s.maxHeadersCount = this.#rt.compiled.gateway.limits.headerCount + 1;
    s.on('request', requestListener(view));
    s.on('checkContinue', continueListener(view));
    s.on('upgrade', upgradeListener(view));
    s.on('clientError', clientErrorListener(view));
  }

  /** Builds the runtime and listens. */
  static async start(compiled: CompiledGateway, ctx: ProcessContext): Promise<GatewayServer> {
    const rt = await Runtime.create(compiled, ctx.metrics, ctx.writer, ctx.events);
    const server = new GatewayServer(rt, ctx);
    // Before listening, so no handshake of a new worker goes without them.
    for (const st of ctx.staples ?? []) server.setStaple(st.key, st);
    try {
      await server.#listen();
    } catch (error) {
      await server.close(0);
      throw error;
    }
    return server;
  }

  async #listen(): Promise<void> {
    const g = this.#rt.compiled.gateway;
    const https = await listen(this.#tls, g.listen, 'gateway.listen');
    this.#rt.redirectTo(https.port);
    const http =
      this.#http !== undefined && g.httpListen !== false
        ? await listen(this.#http, g.httpListen, 'gateway.httpListen')
        : undefined;
    let admin: AddressInfo | undefined;
    if (this.#ctx.admin && g.adminListen !== false) {
      const metricsText = this.#ctx.metricsText;
      this.#admin = createAdminServer(
        {
          health: () => ({
            healthy: this.#rt.upstreams.healthyCount(),
            total: this.#rt.upstreams.list.length,
          }),
          metrics: async () => {
            this.#ctx.metrics.healthyUpstreams.set(this.#rt.upstreams.healthyCount());
            if (metricsText !== undefined) return metricsText();
            const r = this.#ctx.metrics.registry;
            return { text: await r.metrics(), contentType: r.contentType };
          },
        },
        this.#rt.compiled.files.adminToken,
      );
      admin = await listen(this.#admin, g.adminListen, 'gateway.adminListen');
    }
    this.#addresses = { https, http, admin };
  }

  /** Where this process listens. */
  get addresses(): Addresses {
    if (this.#addresses === undefined) throw new Error('not listening');
    return this.#addresses;
  }

  /** The configuration in force. */
  get compiled(): CompiledGateway {
    return this.#rt.compiled;
  }

  /** Upstreams currently in rotation (for health reports). */
  healthyUpstreams(): { healthy: number; total: number } {
    return { healthy: this.#rt.upstreams.healthyCount(), total: this.#rt.upstreams.list.length };
  }

  /**
   * Applies a new configuration. Listener addresses, worker count and HTTP/2
   * on/off take effect on restart only (logged); everything else at once.
   */
  async reload(compiled: CompiledGateway): Promise<void> {
    const next = await Runtime.create(
      compiled,
      this.#ctx.metrics,
      this.#ctx.writer,
      this.#ctx.events,
    );
    const prev = this.#rt;
    if (this.#addresses !== undefined) next.redirectTo(this.#addresses.https.port);
    this.#tls.setSecureContext(compiled.contexts.defaultOptions);
    this.#rt = next;
    this.#syncStapling();
    if (this.#ticketKeys !== undefined) this.setTicketKeys(this.#ticketKeys);
    const a = prev.compiled.gateway;
    const b = compiled.gateway;
    const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
    if (
      !same(a.listen, b.listen) ||
      !same(a.httpListen, b.httpListen) ||
      !same(a.adminListen, b.adminListen) ||
      a.http2 !== b.http2 ||
      a.workers !== b.workers
    ) {
      this.#ctx.events(
        'warn',
        'listener addresses, workers and http2 change on restart only; the rest of the new configuration is applied',
      );
    }
    // In-flight requests keep their pools until they finish.
    prev.close().catch(() => undefined);
  }

  /**
   * Node consults the OCSPRequest listener in a certificate callback on every
   * handshake while one is attached, so it is attached only while the policy
   * staples (new connections see the change at once).
   */
  #syncStapling(): void {
    const on = this.#rt.compiled.tls.ocspStapling;
    const attached = this.#tls.listenerCount('OCSPRequest') > 0;
    if (on && !attached) this.#tls.on('OCSPRequest', this.#onOcspRequest);
    if (!on && attached) this.#tls.removeListener('OCSPRequest', this.#onOcspRequest);
  }

  /** Answers a client's status_request with the certificate's staple, if there is a current one. */
  readonly #onOcspRequest = (
    certificate: Buffer,
    _issuer: Buffer,
    done: (error: Error | null, response?: Buffer | null) => void,
  ): void => {
    const staple =
      this.#staples.size === 0 ? undefined : this.#staples.get(certificateKey(certificate));
    done(null, staple !== undefined && Date.now() < staple.expires ? staple.der : null);
  };

  /** Sets (or with `undefined`, drops) the OCSP staple of the certificate `key`. */
  setStaple(key: string, staple: Staple | undefined): void {
    if (staple === undefined) this.#staples.delete(key);
    else
      this.#staples.set(key, {
        der: Buffer.from(staple.response, 'base64'),
        expires: staple.expires,
      });
  }

  /** Sets the TLS session-ticket keys (48 bytes) on every context: shared by all workers, rotated by the primary. */
  setTicketKeys(keys: Buffer): void {
    this.#ticketKeys = keys;
    this.#tls.setTicketKeys(keys);
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs`,
   * then closes what is left.
   */
  close(graceMs: number): Promise<void> {
    this.#closing ??= this.#close(graceMs);
    return this.#closing;
  }

  #closing: Promise<void> | undefined;

  async #close(graceMs: number): Promise<void> {
    const servers = [this.#tls, this.#http, this.#admin].filter((s) => s !== undefined);
    const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const s of [this.#http, this.#admin]) s?.closeIdleConnections();
    for (const s of this.#sessions) s.close();
    const deadline = Date.now() + graceMs;
    const timer = setTimeout(() => {
      for (const s of [this.#http, this.#admin]) s?.closeAllConnections();
      for (const s of this.#sessions) s.destroy();
      for (const s of this.#sockets) s.destroy();
    }, graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
    // Upstream requests still running after the grace period are cut, so a
    // stuck upstream cannot hold the process forever.
    const left = Math.max(0, deadline - Date.now());
    let cut: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#rt.close(),
      new Promise<void>((resolve) => {
        cut = setTimeout(() => void this.#rt.destroy().finally(resolve), left);
      }),
    ]);
    clearTimeout(cut);
  }
}
