/**
 * The request path: one {@link Exchange} per request, which is also the
 * undici dispatch handler, so a proxied request allocates one object of
 * ours, the forwarded header list, and the response header list.
 *
 * Order (each step can answer without the upstream seeing anything):
 * 1. method allow-list (405), request-target (414, unsafe path 400),
 *    framing and header count (400, 431) — see inspect.ts;
 * 2. core's engine, the same `evaluateRequest` the middleware runs: host
 *    allow-list, HTTPS redirect, CSRF origins, proxy trust;
 * 3. rate limit (429 with Retry-After), body size (413);
 * 4. undici dispatch, bodies streamed both ways with backpressure.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import {
  createNonce,
  evaluateRequest,
  type RequestFacts,
  type ResponsePlan,
  type Verdict,
} from '@barbican/core';
import { isToken } from '@barbican/core/parsers';
import type { Dispatcher } from 'undici';
import { checkTarget, inspectHeaders, isRefusal, type Inspection } from './inspect.ts';
import { responseHeaders, STATUS_TEXT, type HeaderPlan, type OwnKind } from './respond.ts';
import type { ListenerView, Runtime } from './runtime.ts';
import { classify, type Upstream } from './upstreams.ts';

/** A request from node:http or the HTTP/2 compatibility layer. */
export type AnyRequest = IncomingMessage | Http2ServerRequest;
/** A response from node:http or the HTTP/2 compatibility layer. */
export type AnyResponse = ServerResponse | Http2ServerResponse;

/** Discarding an intercepted upstream body stops (and the connection closes) past this. */
const MAX_DISCARD = 64 * 1024;

/** Thrown into the upstream request when a chunked body goes over the limit. */
class BodyTooLarge extends Error {
  readonly code = 'BARBICAN_BODY_TOO_LARGE';
}

/** The request method (node:http types it as optional; a parsed request always has one). */
export function methodOf(req: AnyRequest): string {
  return req.method ?? 'GET';
}

/** The request-target as received. */
export function targetOf(req: AnyRequest): string {
  return req.url ?? '/';
}

/** `writeHead` with a flat header list, on either response type. */
function writeHead(
  res: AnyResponse,
  status: number,
  headers: readonly (string | string[])[],
): void {
  (res as ServerResponse).writeHead(status, headers as string[]);
}

/** The peer address without the IPv4-mapped prefix. */
export function peerOf(req: AnyRequest): string | undefined {
  const a = req.socket.remoteAddress;
  return a !== undefined && a.startsWith('::ffff:') && a.indexOf('.') !== -1 ? a.slice(7) : a;
}

/** core's view of a request (see `RequestFacts`), reading the raw header list. */
class Facts implements RequestFacts {
  readonly #req: AnyRequest;
  readonly #host: string | undefined;
  readonly tls: boolean;
  readonly peer: string | undefined;
  constructor(req: AnyRequest, https: boolean, host: string | undefined, peer: string | undefined) {
    this.#req = req;
    this.tls = https;
    this.#host = host;
    this.peer = peer;
  }
  get method(): string {
    return methodOf(this.#req);
  }
  get target(): string {
    return targetOf(this.#req);
  }
  headerValues(name: string): readonly string[] {
    // Duplicate Host was refused during inspection; HTTP/2's :authority counts as Host.
    if (name === 'host') return this.#host === undefined ? [] : [this.#host];
    const raw = this.#req.rawHeaders;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      if ((raw[i] as string).toLowerCase() === name) out.push(raw[i + 1] as string);
    }
    return out;
  }
}

/** RFC 7239 node syntax: IPv6 in brackets and quotes, IPv4 bare. */
function forwardedNode(ip: string | undefined): string {
  if (ip === undefined) return 'unknown';
  return ip.indexOf(':') === -1 ? ip : `"[${ip}]"`;
}

/** A quoted-string (RFC 9110 §5.6.4) for a Forwarded `host=` value. */
function quoted(text: string): string {
  return isToken(text) ? text : `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Completes the header list sent upstream. Forwarding headers: from an
 * untrusted peer, whatever the client sent was already dropped and the
 * gateway's own values stand alone; from a trusted proxy (core's
 * `trustedProxies`), its chain is kept and the peer appended (RFC 7239 §4).
 * Then Host (when preserved), the request id and the CSP nonce.
 */
export function upstreamHeaders(
  view: ListenerView,
  insp: Inspection,
  peer: string | undefined,
  id: string,
  nonce: string | undefined,
): string[] {
  const out = insp.headers;
  const g = view.rt.compiled.gateway;
  const proxy = view.policy.guards.proxy;
  const trusted = proxy !== undefined && proxy.isTrusted(peer);
  const host = insp.host;
  const proto = view.https ? 'https' : 'http';
  const p = peer ?? 'unknown';
  out.push('x-forwarded-for', trusted && insp.xff !== undefined ? `${insp.xff}, ${p}` : p);
  out.push('x-forwarded-proto', trusted && insp.xfp !== undefined ? insp.xfp : proto);
  const fwdHost = trusted && insp.xfh !== undefined ? insp.xfh : host;
  if (fwdHost !== undefined) out.push('x-forwarded-host', fwdHost);
  let element = `for=${forwardedNode(peer)};proto=${proto}`;
  if (host !== undefined) element += `;host=${quoted(host)}`;
  out.push(
    'forwarded',
    trusted && insp.forwarded !== undefined ? `${insp.forwarded}, ${element}` : element,
  );
  if (g.preserveHost && host !== undefined) out.push('host', host);
  if (g.requestIdHeader !== false) out.push(g.requestIdHeader, id);
  if (nonce !== undefined) out.push(g.nonceHeader, nonce);
  return out;
}

/** A request the gateway answers itself, before the upstream sees it. */
export interface Refused {
  readonly ok: false;
  readonly status: number;
  readonly kind: OwnKind;
  readonly extra: readonly string[] | undefined;
  readonly body: string | undefined;
  readonly reason: string;
  /** The core plan whose headers the answer carries. */
  readonly plan: ResponsePlan;
  readonly hasBody: boolean;
  /** The framing was ambiguous: nothing else on this connection can be trusted. */
  readonly poison: boolean;
}

/** A request that may go upstream (rate limit and body size still to check). */
export interface Admitted {
  readonly ok: true;
  /** Origin-form path to forward. */
  readonly path: string;
  readonly insp: Inspection;
  readonly verdict: Verdict & { kind: 'pass' };
  readonly hasBody: boolean;
}

function refused(
  view: ListenerView,
  status: number,
  reason: string,
  hasBody: boolean,
  extra?: readonly string[],
  poison = false,
): Refused {
  return {
    ok: false,
    status,
    kind: 'text',
    extra,
    body: undefined,
    reason,
    plan: view.earlyPlan,
    hasBody,
    poison,
  };
}

/** Before inspection: whether a body may follow (then the connection is closed after a refusal). */
function mayHaveBody(req: AnyRequest, h2: boolean): boolean {
  if (h2) return !(req as Http2ServerRequest).stream.endAfterHeaders;
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] ?? '0') !== '0';
}

/**
 * The checks every request and WebSocket upgrade goes through, in order:
 * method, target, framing, then core's engine (hosts, redirect, CSRF,
 * proxy trust).
 */
export function admit(
  view: ListenerView,
  req: AnyRequest,
  peer: string | undefined,
  h2: boolean,
): Refused | Admitted {
  const rt = view.rt;
  const limits = rt.compiled.gateway.limits;
  if (!rt.methods.has(methodOf(req)))
    return refused(view, 405, 'method not allowed', mayHaveBody(req, h2), ['allow', rt.allow]);
  const path = checkTarget(targetOf(req), limits.urlLength);
  if (isRefusal(path)) return refused(view, path.status, path.reason, mayHaveBody(req, h2));
  const insp = inspectHeaders(
    req.rawHeaders,
    rt.kinds,
    limits.headerCount,
    req.httpVersionMajor === 1 && req.httpVersionMinor === 0,
    h2,
  );
  if (isRefusal(insp)) return refused(view, insp.status, insp.reason, true, undefined, !h2);
  const hasBody = h2 ? !(req as Http2ServerRequest).stream.endAfterHeaders : insp.hasBody;
  const verdict = evaluateRequest(view.policy, new Facts(req, view.https, insp.host, peer));
  if (verdict.kind === 'pass') return { ok: true, path, insp, verdict, hasBody };
  const extra: string[] = [];
  let kind: OwnKind = 'empty';
  for (const [n, v] of verdict.headers) {
    if (n === 'location') extra.push(n, v);
    else if (n === 'content-type') kind = 'text';
  }
  const plan =
    verdict.status >= 300 && verdict.status < 400 ? view.policy.guards.http : view.earlyPlan;
  return {
    ok: false,
    status: verdict.status,
    kind,
    extra,
    body: verdict.body,
    reason: verdict.reason,
    plan,
    hasBody,
    poison: false,
  };
}

/**
 * Connections whose framing was found ambiguous. Node parses pipelined
 * requests as soon as they arrive, so a request behind a refused one may
 * already be on its way to a handler: it is dropped, and the connection
 * closes after the refusal (RFC 9112 §6.3: close after a framing error).
 */
const poisoned = new WeakSet<object>();

/** One request through the gateway; also its undici dispatch handler. */
export class Exchange implements Dispatcher.DispatchHandler {
  readonly view: ListenerView;
  readonly rt: Runtime;
  readonly req: AnyRequest;
  readonly res: AnyResponse;
  readonly start = performance.now();
  readonly id: string;
  readonly h2: boolean;
  peer: string | undefined;
  host: string | undefined;
  clientIp: string | undefined;
  plan: HeaderPlan | undefined;
  /** Core plan used for the gateway's own answers. */
  ownPlan: ResponsePlan;
  nonce: string | undefined;
  upstream: Upstream | undefined;
  controller: Dispatcher.DispatchController | undefined;
  dispatchOptions: Dispatcher.DispatchOptions | undefined;
  hasBody = false;
  attempts = 0;
  status = 0;
  bytes = 0;
  discarded = 0;
  intercepted = false;
  done = false;
  clientGone = false;
  tooLarge = false;
  reason: string | undefined;

  constructor(view: ListenerView, req: AnyRequest, res: AnyResponse) {
    this.view = view;
    this.rt = view.rt;
    this.req = req;
    this.res = res;
    this.id = view.rt.ids.next();
    this.h2 = req.httpVersionMajor === 2;
    this.ownPlan = view.earlyPlan;
  }

  /** Runs the checks and, when they pass, forwards the request. */
  run(): void {
    const { req, rt } = this;
    this.peer = peerOf(req);
    if (poisoned.has(req.socket)) {
      this.done = true;
      return;
    }
    const a = admit(this.view, req, this.peer, this.h2);
    if (!a.ok) {
      if (a.poison) poisoned.add(req.socket);
      this.reason = a.reason;
      this.ownPlan = a.plan;
      this.hasBody = a.hasBody;
      rt.metrics.refused.labels(String(a.status)).inc();
      this.sendOwn(a.status, a.kind, a.extra, a.body);
      return;
    }
    const { insp, verdict } = a;
    this.host = insp.host;
    this.hasBody = a.hasBody;
    this.ownPlan = verdict.plan;
    this.plan = rt.planFor(verdict.plan);
    this.clientIp = verdict.clientIp ?? this.peer;
    const max = rt.compiled.gateway.limits.requestBody;
    if (max > 0 && insp.contentLength > max) return this.refuse(413, 'body over the limit');
    const r = rt.limiter?.hit(this.clientIp ?? 'unknown') ?? 0;
    if (typeof r === 'number') {
      if (r === 0) this.forward(a.path, insp, verdict);
      else this.limited(r);
      return;
    }
    r.then(
      (n) => (n === 0 ? this.forward(a.path, insp, verdict) : this.limited(n)),
      () => this.forward(a.path, insp, verdict),
    );
  }

  /** Builds the upstream request and dispatches it. */
  forward(path: string, insp: Inspection, verdict: Verdict & { kind: 'pass' }): void {
    if (this.clientGone) return this.finish(499, 'client closed');
    const { rt, req } = this;
    const g = rt.compiled.gateway;
    if (verdict.plan.nonced.length > 0) this.nonce = createNonce();
    const headers = upstreamHeaders(this.view, insp, this.peer, this.id, this.nonce);
    const max = g.limits.requestBody;
    let body: Readable | null = null;
    if (this.hasBody) {
      // A declared length is enforced by the HTTP parser; a chunked body is counted.
      body =
        max > 0 && insp.contentLength < 0
          ? Readable.from(this.limitedBody(req, max), { objectMode: false })
          : req;
    }
    this.dispatchOptions = { method: methodOf(req), path, headers, body };
    this.res.once('close', this.onClientClose);
    this.dispatch();
  }

  dispatch(): void {
    this.attempts++;
    const u = this.rt.upstreams.pick();
    this.upstream = u;
    try {
      u.pool.dispatch(this.dispatchOptions as Dispatcher.DispatchOptions, this);
    } catch (error) {
      this.onResponseError(undefined, error as Error);
    }
  }

  async *limitedBody(src: AnyRequest, max: number): AsyncGenerator<Buffer> {
    let n = 0;
    for await (const chunk of src as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > max) {
        this.tooLarge = true;
        throw new BodyTooLarge('request body over the limit');
      }
      yield chunk;
    }
  }

  /**
   * The response closed. Unless this exchange already finished, the client
   * went away (an HTTP/2 stream reset, a dropped connection): abort the
   * upstream request, or its connection would stay busy — paused on a
   * `drain` that never comes — and enough resets would exhaust the pool.
   * (`writableFinished` cannot tell: a destroyed HTTP/2 stream reports it.)
   */
  readonly onClientClose = (): void => {
    if (this.done) return;
    this.clientGone = true;
    this.controller?.abort(new Error('client closed the connection'));
    this.finish(499, 'client closed');
  };

  // --- undici handler -----------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (status < 200 || this.done) return; // 1xx: informational, not forwarded
    const u = this.upstream;
    if (u !== undefined) this.rt.upstreams.succeeded(u);
    if (this.rt.intercept[status] === 1) {
      this.intercepted = true;
      this.reason = 'upstream error intercepted';
      this.sendPage(status);
      return;
    }
    const out = responseHeaders(this.plan as HeaderPlan, headers, this.nonce);
    try {
      if (!this.h2) (this.res as ServerResponse).sendDate = headers['date'] === undefined;
      writeHead(this.res, status, out);
    } catch {
      // A header Node will not send (bytes undici accepted): treat as garbage.
      controller.abort(new Error('unsendable upstream header'));
      this.reason = 'unsendable upstream header';
      this.sendPage(502);
      return;
    }
    this.status = status;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.intercepted || this.done) {
      this.discarded += chunk.length;
      if (this.discarded > MAX_DISCARD) controller.abort(new Error('discarded enough'));
      return;
    }
    this.bytes += chunk.length;
    if (!(this.res as ServerResponse).write(chunk)) {
      controller.pause();
      this.res.once('drain', this.resume);
    }
  }

  readonly resume = (): void => {
    this.controller?.resume();
  };

  onResponseEnd(): void {
    if (this.done) return;
    this.res.end();
    this.finish(this.status, this.reason);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.done || this.clientGone) return;
    const { rt, res } = this;
    if (this.tooLarge) {
      this.reason = 'body over the limit';
      this.sendOwn(413, 'text');
      return;
    }
    const c = classify(error);
    rt.metrics.upstreamErrors.labels(c.kind).inc();
    const u = this.upstream;
    if (u !== undefined && c.upstreamFault) rt.upstreams.failed(u);
    if (res.headersSent) {
      // Mid-body: the status is gone; cut the response so the client sees it is incomplete.
      this.reason = `upstream ${c.kind} after headers`;
      this.finish(this.status, this.reason);
      res.destroy();
      return;
    }
    if (c.retryable && !this.hasBody && this.attempts < rt.upstreams.list.length) {
      this.dispatch();
      return;
    }
    this.reason = `upstream ${c.kind}`;
    this.sendPage(c.status);
  }

  // --- the gateway's own answers --------------------------------------------

  refuse(status: number, reason: string): void {
    this.reason = reason;
    this.rt.metrics.refused.labels(String(status)).inc();
    this.sendOwn(status, 'text');
  }

  limited(retryAfter: number): void {
    if (retryAfter < 0) {
      this.reason = 'rate-limit store unreachable';
      this.sendPage(503);
      return;
    }
    this.reason = 'rate limited';
    this.rt.metrics.refused.labels('429').inc();
    this.sendOwn(429, 'text', ['retry-after', String(retryAfter)]);
  }

  /** An intercepted or gateway-made 5xx: the error page when its status is in `errors.intercept`. */
  sendPage(status: number): void {
    if (this.rt.intercept[status] !== 1) {
      this.sendOwn(status, 'text');
      return;
    }
    this.sendOwn(status, 'html', ['x-request-id', this.id], this.rt.page(status, this.id));
  }

  sendOwn(status: number, kind: OwnKind, extra?: readonly string[], text?: string): void {
    if (this.done) return;
    const res = this.res;
    const body = text ?? (kind === 'empty' ? '' : `${STATUS_TEXT[status] ?? 'Error'}\n`);
    const headers = this.rt.ownFor(this.ownPlan, kind).slice();
    headers.push('content-length', String(Buffer.byteLength(body)));
    if (extra !== undefined) headers.push(...extra);
    // A request body we will not read must not be parsed as the next request.
    if (!this.h2 && this.hasBody) headers.push('connection', 'close');
    this.status = status;
    this.bytes = body.length;
    try {
      if (!res.headersSent) writeHead(res, status, headers);
      res.end(body);
    } catch {
      res.destroy();
    }
    this.finish(status, this.reason);
  }

  finish(status: number, reason: string | undefined): void {
    if (this.done) return;
    this.done = true;
    const rt = this.rt;
    const seconds = (performance.now() - this.start) / 1000;
    rt.metrics.observe(status, seconds);
    const log = rt.log;
    if (log !== undefined) {
      const req = this.req;
      log.record({
        id: this.id,
        client: this.clientIp ?? this.peer,
        method: methodOf(req),
        host: this.host,
        target: targetOf(req),
        proto: this.h2 ? 'HTTP/2' : `HTTP/${req.httpVersion}`,
        status,
        bytes: this.bytes,
        ms: seconds * 1000,
        upstream: this.upstream?.origin,
        userAgent: req.headers['user-agent'],
        reason,
      });
    }
  }
}

/**
 * The request listener of one listener kind. `current()` returns the view of
 * the configuration in force, so a reload is picked up by the next request.
 */
export function requestListener(
  current: () => ListenerView,
): (req: AnyRequest, res: AnyResponse) => void {
  return (req, res) => {
    new Exchange(current(), req, res).run();
  };
}

/**
 * The `checkContinue` listener: `Expect: 100-continue` gets its 100 only
 * after the checks pass, so an oversized or refused upload is answered
 * before the client sends a byte of it.
 */
export function continueListener(
  current: () => ListenerView,
): (req: AnyRequest, res: AnyResponse) => void {
  return (req, res) => {
    const ex = new Exchange(current(), req, res);
    const orig = ex.forward.bind(ex);
    ex.forward = (path, insp, verdict) => {
      (res as ServerResponse).writeContinue();
      orig(path, insp, verdict);
    };
    ex.run();
  };
}
