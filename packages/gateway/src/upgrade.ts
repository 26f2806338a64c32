/**
 * WebSocket pass-through (HTTP/1.1 `Upgrade: websocket`). The upgrade
 * request goes through the same checks as any other (method, target,
 * framing, core's engine, rate limit); then undici opens the upstream
 * upgrade, the upstream's 101 is relayed with fingerprinting headers
 * stripped, and the two sockets are piped both ways.
 *
 * Other upgrades (h2c, TLS) are refused: the gateway speaks HTTP/2 itself
 * through ALPN, and would not know how to police another protocol.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { admit, peerOf, upstreamHeaders } from './proxy.ts';
import { responseHeaders, STATUS_TEXT, type OwnKind, type UpstreamHeaders } from './respond.ts';
import type { ListenerView } from './runtime.ts';
import { classify, type Upstream } from './upstreams.ts';

/** Largest upstream body relayed when it refuses an upgrade (e.g. a 401 page). */
const MAX_REFUSAL_BODY = 64 * 1024;

/** Serialises a status line and header list for a raw socket (values are already field-safe). */
function head(status: number, headers: readonly (string | string[])[]): string {
  let out = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? (status === 101 ? 'Switching Protocols' : 'Status')}\r\n`;
  for (let i = 0; i < headers.length; i += 2) {
    const v = headers[i + 1];
    const name = headers[i] as string;
    if (Array.isArray(v)) for (const x of v) out += `${name}: ${x}\r\n`;
    else out += `${name}: ${String(v)}\r\n`;
  }
  return `${out}\r\n`;
}

/** A flat name/value list without its Content-Length pair (the body is re-framed). */
function withoutContentLength(headers: (string | string[])[]): (string | string[])[] {
  const out: (string | string[])[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] === 'content-length') continue;
    out.push(headers[i] as string, headers[i + 1] as string | string[]);
  }
  return out;
}

/** One upgrade through the gateway; also its undici handler. */
class UpgradeExchange implements Dispatcher.DispatchHandler {
  readonly view: ListenerView;
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly headBytes: Buffer;
  readonly start = performance.now();
  readonly id: string;
  upstream: Upstream | undefined;
  status = 0;
  refusal: Buffer[] = [];
  refusalBytes = 0;
  refusalHeaders: (string | string[])[] = [];
  done = false;

  constructor(view: ListenerView, req: IncomingMessage, socket: Duplex, headBytes: Buffer) {
    this.view = view;
    this.req = req;
    this.socket = socket;
    this.headBytes = headBytes;
    this.id = view.rt.ids.next();
  }

  run(): void {
    const { view, req, socket } = this;
    const rt = view.rt;
    socket.on('error', () => socket.destroy());
    const peer = peerOf(req);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      this.own(400, 'text', view.earlyPlan, undefined, 'upgrade other than websocket');
      return;
    }
    const a = admit(view, req, peer, false);
    if (!a.ok) {
      this.own(a.status, a.kind, a.plan, a.extra, a.reason, a.body);
      return;
    }
    const clientIp = a.verdict.clientIp ?? peer ?? 'unknown';
    const go = (n: number): void => {
      if (n === 0)
        this.forward(
          a.path,
          upstreamHeaders(view, a.insp, peer, this.id, undefined),
          a.verdict.plan,
        );
      else
        this.own(
          n < 0 ? 503 : 429,
          'text',
          a.verdict.plan,
          n < 0 ? undefined : ['retry-after', String(n)],
          'rate limited',
        );
    };
    const r = rt.limiter?.hit(clientIp) ?? 0;
    if (typeof r === 'number') go(r);
    else r.then(go, () => go(0));
  }

  forward(path: string, headers: string[], plan: ListenerView['earlyPlan']): void {
    const rt = this.view.rt;
    this.planned = plan;
    const u = rt.upstreams.pick();
    this.upstream = u;
    try {
      u.pool.dispatch({ method: 'GET', path, headers, body: null, upgrade: 'websocket' }, this);
    } catch (error) {
      this.onResponseError(undefined, error as Error);
    }
  }

  planned: ListenerView['earlyPlan'] | undefined;

  onRequestStart(): void {}

  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: UpstreamHeaders,
    upstream: Duplex,
  ): void {
    const rt = this.view.rt;
    const { socket } = this;
    this.done = true;
    if (this.upstream !== undefined) rt.upstreams.succeeded(this.upstream);
    const plan = rt.planFor(this.planned ?? this.view.earlyPlan);
    // The plan drops Connection/Upgrade as hop-by-hop; a 101 needs them back.
    const out = responseHeaders(plan, headers, undefined);
    out.push('connection', 'Upgrade', 'upgrade', 'websocket');
    socket.write(head(status, out));
    if (this.headBytes.length > 0) upstream.write(this.headBytes);
    const close = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
    upstream.pipe(socket);
    socket.pipe(upstream);
    this.finish(101, undefined);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: UpstreamHeaders,
  ): void {
    if (status < 200) return;
    this.status = status;
    const plan = this.view.rt.planFor(this.planned ?? this.view.earlyPlan);
    this.refusalHeaders = withoutContentLength(responseHeaders(plan, headers, undefined));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.refusalBytes += chunk.length;
    if (this.refusalBytes > MAX_REFUSAL_BODY) controller.abort(new Error('refusal body too large'));
    else this.refusal.push(chunk);
  }

  onResponseEnd(): void {
    if (this.done) return;
    const body = Buffer.concat(this.refusal);
    this.done = true;
    this.socket.end(
      Buffer.concat([
        Buffer.from(
          head(this.status, [
            ...this.refusalHeaders,
            'content-length',
            String(body.length),
            'connection',
            'close',
          ]),
          'latin1',
        ),
        body,
      ]),
    );
    this.finish(this.status, 'upstream refused the upgrade');
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.done) return;
    const c = classify(error);
    const rt = this.view.rt;
    rt.metrics.upstreamErrors.labels(c.kind).inc();
    if (this.upstream !== undefined && c.upstreamFault) rt.upstreams.failed(this.upstream);
    const page = rt.intercept[c.status] === 1;
    this.own(
      c.status,
      page ? 'html' : 'text',
      this.planned ?? this.view.earlyPlan,
      undefined,
      `upstream ${c.kind}`,
      page ? rt.page(c.status, this.id) : undefined,
    );
  }

  own(
    status: number,
    kind: OwnKind,
    plan: ListenerView['earlyPlan'],
    extra: readonly string[] | undefined,
    reason: string,
    text?: string,
  ): void {
    if (this.done) return;
    this.done = true;
    const rt = this.view.rt;
    const body = text ?? (kind === 'empty' ? '' : `${STATUS_TEXT[status] ?? 'Error'}\n`);
    const headers = [
      ...rt.ownFor(plan, kind),
      'content-length',
      String(Buffer.byteLength(body)),
      'connection',
      'close',
      ...(extra ?? []),
    ];
    if (this.socket.writable) this.socket.end(head(status, headers) + body);
    else this.socket.destroy();
    this.finish(status, reason);
  }

  finish(status: number, reason: string | undefined): void {
    const rt = this.view.rt;
    const seconds = (performance.now() - this.start) / 1000;
    rt.metrics.observe(status, seconds);
    rt.log?.record({
      id: this.id,
      client: peerOf(this.req),
      method: this.req.method ?? 'GET',
      host: this.req.headers.host,
      target: this.req.url ?? '/',
      proto: `HTTP/${this.req.httpVersion}`,
      status,
      bytes: 0,
      ms: seconds * 1000,
      upstream: this.upstream?.origin,
      userAgent: this.req.headers['user-agent'],
      reason,
    });
  }
}

/** The server's `upgrade` listener for one listener kind. */
export function upgradeListener(
  current: () => ListenerView,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, headBytes) => {
    new UpgradeExchange(current(), req, socket, headBytes).run();
  };
}
