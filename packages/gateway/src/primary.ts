/**
 * Starting, reloading and stopping a gateway: in this process (one worker),
 * or as a cluster primary that forks one worker per core and keeps for
 * itself what must be single: the admin listener (summing the workers'
 * metrics), file watching and SIGHUP, TLS session-ticket keys (shared by
 * every worker, rotated), and restarting a worker that dies.
 *
 * Reload = validate first: the new configuration is loaded, its files read
 * and compiled (TLS contexts included) in the primary; only then is it sent
 * to the workers. On any error the old configuration keeps serving and the
 * reason is logged (`BARBICAN_E_GATEWAY_RELOAD`).
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BarbicanError, type GatewayErrorCode } from './errors.ts';
import type { ErrorCode } from '@barbican/core';
import { LineWriter, eventLog, pipeSafeSink, type EventLog, type Sink } from './access-log.ts';
import { createAdminServer } from './admin.ts';
import {
  compileGateway,
  readGatewayFiles,
  type CompiledGateway,
  type GatewayFiles,
  type GatewayInput,
} from './config.ts';
import {
  isOurs,
  serializeError,
  type SerializedError,
  type ToPrimary,
  type ToWorker,
} from './ipc.ts';
import { GatewayMetrics, clusterRegistry } from './metrics.ts';
import { GatewayServer, listen, type Addresses } from './server.ts';
import { OcspStapler, type Staple } from './stapling.ts';

/** How a gateway is run. */
export interface StartOptions {
  /**
   * Re-reads the configuration for a reload (SIGHUP, a watched file
   * changed, or {@link RunningGateway.reload}). Default: the start input
   * again, with its files re-read.
   */
  readonly load?: () => Promise<GatewayInput>;
  /** The gateway's own events (JSON lines on stderr by default). */
  readonly events?: EventLog;
  /** Where access-log lines go (stdout by default). */
  readonly accessLog?: Sink;
  /** Handle SIGHUP (reload) and SIGTERM/SIGINT (graceful stop). Default false; the CLI turns it on. */
  readonly signals?: boolean;
  /**
   * Serve from forked worker processes even when there is one worker (the
   * primary then only supervises, like nginx's master). Default false: one
   * worker serves in this process. The CLI turns it on, so the serving
   * process carries neither the CLI nor its other commands.
   */
  readonly fork?: boolean;
}

/** The outcome of a reload. */
export interface ReloadResult {
  readonly applied: boolean;
  /** Why it was refused. */
  readonly error?: BarbicanError;
}

/** A started gateway. */
export interface RunningGateway {
  /** Where it listens (in a cluster: the first worker's view; all share the ports). */
  readonly addresses: Addresses;
  /** Worker processes (1 = this process serves). */
  readonly workers: number;
  /** The configuration in force. */
  readonly compiled: CompiledGateway;
  /** Validates and applies the configuration again (see {@link StartOptions.load}). */
  reload(): Promise<ReloadResult>;
  /** Graceful stop. */
  close(): Promise<void>;
  /** Resolves when the gateway has stopped (by close() or a signal). */
  readonly closed: Promise<void>;
}

/**
 * A smaller young generation for workers. A proxy makes one short-lived
 * Buffer per socket read; with V8's default semi-space (16 MB and more)
 * tens of megabytes of dead read buffers wait for a scavenge: a 1 GiB
 * upload lifted a worker's RSS to ~200 MB. With 4 MB it peaked at ~170 MB,
 * and throughput stayed within the noise of the default (2 MB cost 10–20%
 * CPU per request; both measured with bench/gateway.ts's CPU-per-request).
 */
const WORKER_SEMI_SPACE = '--max-semi-space-size=4';

/** Rebuilds a worker's error as a BarbicanError when it was one. */
function revive(e: SerializedError): Error {
  if (e.code?.startsWith('BARBICAN_E_') === true) {
    return new BarbicanError(
      e.code as ErrorCode | GatewayErrorCode,
      e.message.replace(/ \[BARBICAN_E_[A-Z0-9_]+\]$/, ''),
    );
  }
  return new Error(e.message);
}

function asBarbican(error: unknown): BarbicanError {
  if (error instanceof BarbicanError) return error;
  return new BarbicanError(
    'BARBICAN_E_GATEWAY_RELOAD',
    error instanceof Error ? error.message : String(error),
  );
}

/** Watches files for changes (polling stat: follows symlink swaps such as certbot's renewals). */
class Watcher {
  #files: readonly string[] = [];
  readonly #onChange: () => void;
  #timer: NodeJS.Timeout | undefined;
  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }
  set(files: readonly string[]): void {
    for (const f of this.#files) unwatchFile(f, this.#listener);
    this.#files = files;
    for (const f of files) watchFile(f, { interval: 500, persistent: false }, this.#listener);
  }
  readonly #listener = (): void => {
    // Several files change together (cert + key, an editor's rename): settle first.
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onChange, 300);
    this.#timer.unref();
  };
  stop(): void {
    this.set([]);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

/** Generates and rotates the shared session-ticket keys when tickets are on. */
class TicketKeys {
  #timer: NodeJS.Timeout | undefined;
  keys: Buffer | undefined;
  update(compiled: CompiledGateway, apply: (keys: Buffer) => void): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!compiled.tls.sessionTickets) {
      this.keys = undefined;
      return;
    }
    this.keys ??= randomBytes(48);
    apply(this.keys);
    // A ticket outlives its key by at most one rotation period.
    const period = Math.max(60, compiled.tls.sessionTimeout) * 1000;
    this.#timer = setInterval(() => {
      this.keys = randomBytes(48);
      apply(this.keys);
    }, period);
    this.#timer.unref();
  }
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }
}

/** The parts shared by the single-process and cluster implementations. */
abstract class Supervisor implements RunningGateway {
  abstract readonly addresses: Addresses;
  abstract readonly workers: number;
  compiled: CompiledGateway;
  readonly events: EventLog;
  readonly closed: Promise<void>;
  protected readonly load: () => Promise<GatewayInput>;
  protected readonly watcher: Watcher;
  protected readonly tickets = new TicketKeys();
  /** OCSP staples: fetched here once, handed to whoever serves. */
  protected readonly stapler: OcspStapler;
  readonly #signals: boolean;
  #resolveClosed!: () => void;
  #reloading: Promise<ReloadResult> | undefined;
  #closing: Promise<void> | undefined;

  constructor(compiled: CompiledGateway, options: StartOptions, events: EventLog) {
    this.compiled = compiled;
    this.events = events;
    this.load = options.load ?? (() => Promise.resolve(compiled.input));
    this.closed = new Promise((r) => (this.#resolveClosed = r));
    this.watcher = new Watcher(() => void this.reload());
    this.#signals = options.signals === true;
    this.stapler = new OcspStapler({
      events,
      publish: (key, staple) => this.publishStaple(key, staple),
      timeout: compiled.gateway.timeouts.ocsp,
    });
  }

  /** Staples this configuration's certificates when the policy says so (none otherwise). */
  #staple(c: CompiledGateway): void {
    this.stapler.update(c.files.certificates, c.tls.ocspStapling, c.gateway.timeouts.ocsp);
  }

  protected afterStart(): void {
    this.#staple(this.compiled);
    if (this.compiled.gateway.watch) this.watcher.set(this.compiled.watched);
    if (this.#signals) {
      process.on('SIGHUP', this.#onHup);
      process.on('SIGTERM', this.#onStop);
      process.on('SIGINT', this.#onStop);
    }
  }

  readonly #onHup = (): void => void this.reload();
  readonly #onStop = (): void => void this.close();

  reload(): Promise<ReloadResult> {
    // One reload at a time; a change during a reload triggers another after it.
    const run = async (): Promise<ReloadResult> => {
      let next: CompiledGateway;
      try {
        const input = await this.load();
        const files = await readGatewayFiles(input);
        next = compileGateway(input, files);
        await this.apply(next);
      } catch (error) {
        const e = asBarbican(error);
        this.events('error', 'reload refused; the previous configuration keeps serving', {
          code: 'BARBICAN_E_GATEWAY_RELOAD',
          reason: e.message,
        });
        this.metrics.reloads.labels('refused').inc();
        return { applied: false, error: e };
      }
      this.compiled = next;
      this.#staple(next);
      if (next.gateway.watch) this.watcher.set(next.watched);
      else this.watcher.set([]);
      this.metrics.reloads.labels('applied').inc();
      this.events('info', 'configuration reloaded', { files: next.watched.length });
      return { applied: true };
    };
    const p = (this.#reloading ?? Promise.resolve()).then(run, run);
    this.#reloading = p;
    return p;
  }

  protected abstract readonly metrics: GatewayMetrics;
  protected abstract apply(next: CompiledGateway): Promise<void>;
  protected abstract publishStaple(key: string, staple: Staple | undefined): void;
  protected abstract stop(): Promise<void>;

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.watcher.stop();
      this.tickets.stop();
      await this.stapler.stop();
      if (this.#signals) {
        process.removeListener('SIGHUP', this.#onHup);
        process.removeListener('SIGTERM', this.#onStop);
        process.removeListener('SIGINT', this.#onStop);
      }
      await this.stop();
      this.events('info', 'stopped');
      this.#resolveClosed();
    })();
    return this.#closing;
  }
}

/** One process serves everything. */
class SingleProcess extends Supervisor {
  readonly workers = 1;
  protected readonly metrics = new GatewayMetrics();
  readonly #writer: LineWriter;
  #server!: GatewayServer;

  constructor(compiled: CompiledGateway, options: StartOptions, events: EventLog) {
    super(compiled, options, events);
    const sink =
      options.accessLog ??
      pipeSafeSink(process.stdout, (code) =>
        events('warn', 'stdout is closed: access log lines are dropped from now on', { code }),
      );
    this.#writer = new LineWriter(sink);
  }

  get addresses(): Addresses {
    return this.#server.addresses;
  }

  async start(): Promise<void> {
    this.#server = await GatewayServer.start(this.compiled, {
      metrics: this.metrics,
      events: this.events,
      writer: this.#writer,
      admin: true,
    });
    this.tickets.update(this.compiled, (k) => this.#server.setTicketKeys(k));
    this.afterStart();
  }

  protected async apply(next: CompiledGateway): Promise<void> {
    await this.#server.reload(next);
    this.tickets.update(next, (k) => this.#server.setTicketKeys(k));
  }

  protected publishStaple(key: string, staple: Staple | undefined): void {
    this.#server.setStaple(key, staple);
  }

  protected async stop(): Promise<void> {
    await this.#server.close(this.compiled.gateway.timeouts.shutdown);
    this.#writer.flush();
  }
}

/** A cluster primary with one worker per core (or `gateway.workers`). */
class ClusterPrimary extends Supervisor {
  readonly workers: number;
  protected readonly metrics = new GatewayMetrics();
  readonly #aggregator = clusterRegistry();
  #addresses: Addresses | undefined;
  #admin: Server | undefined;
  #files: GatewayFiles;
  #stopping = false;
  #nextId = 0;
  readonly #pending = new Map<number, (m: ToPrimary) => void>();
  readonly #restarts: number[] = [];

  constructor(compiled: CompiledGateway, options: StartOptions, events: EventLog, workers: number) {
    super(compiled, options, events);
    this.workers = workers;
    this.#files = compiled.files;
  }

  get addresses(): Addresses {
    if (this.#addresses === undefined) throw new Error('not started');
    return this.#addresses;
  }

  async start(): Promise<void> {
    const self = fileURLToPath(import.meta.url);
    cluster.setupPrimary({
      exec: self.replace(/primary\.(ts|js)$/, 'worker.$1'),
      args: [],
      execArgv: [
        ...process.execArgv.filter((a) => !a.startsWith('--max-semi-space-size')),
        WORKER_SEMI_SPACE,
      ],
    });
    cluster.on('message', this.#onMessage);
    const started = await Promise.allSettled(
      Array.from({ length: this.workers }, () => this.#fork()),
    );
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await this.#stopWorkers();
      throw failed.reason;
    }
    const first = (started[0] as PromiseFulfilledResult<Addresses>).value;
    let admin: AddressInfo | undefined;
    const at = this.compiled.gateway.adminListen;
    if (at !== false) {
      this.#admin = createAdminServer(
        {
          health: () => this.#lastHealth,
          metrics: async () => {
            this.#refreshHealth();
            return {
              text: await this.#aggregator.clusterMetrics(),
              contentType: this.#aggregator.contentType,
            };
          },
        },
        this.#files.adminToken,
      );
      admin = await listen(this.#admin, at, 'gateway.adminListen');
    }
    this.#addresses = { ...first, admin };
    this.tickets.update(this.compiled, (k) =>
      this.#broadcast({ type: 'barbican:ticket-keys', keys: k.toString('base64') }),
    );
    cluster.on('exit', this.#onExit);
    this.#healthTimer = setInterval(() => this.#refreshHealth(), 1000);
    this.#healthTimer.unref();
    this.#refreshHealth();
    this.afterStart();
  }

  #healthTimer: NodeJS.Timeout | undefined;
  #lastHealth = { healthy: 1, total: 1 };

  #refreshHealth(): void {
    const id = ++this.#nextId;
    const answers: { healthy: number; total: number }[] = [];
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected() === true);
    if (workers.length === 0) {
      this.#lastHealth = { healthy: 0, total: this.compiled.gateway.upstreams.length };
      return;
    }
    this.#pending.set(id, (m) => {
      if (m.type !== 'barbican:health') return;
      answers.push({ healthy: m.healthy, total: m.total });
      if (answers.length === workers.length) {
        this.#pending.delete(id);
        // An upstream counts as up when any worker still uses it.
        this.#lastHealth = {
          healthy: Math.max(...answers.map((a) => a.healthy)),
          total: answers[0]?.total ?? 0,
        };
      }
    });
    for (const w of workers) w?.send({ type: 'barbican:health', id } satisfies ToWorker);
    setTimeout(() => this.#pending.delete(id), 2000).unref();
  }

  #fork(): Promise<Addresses> {
    const worker = cluster.fork();
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        if (!isOurs(m)) return;
        const msg = m as ToPrimary;
        if (msg.type === 'barbican:ready') {
          worker.removeListener('message', onMessage);
          resolve(msg.addresses);
        } else if (msg.type === 'barbican:failed') {
          worker.removeListener('message', onMessage);
          reject(revive(msg.error));
        }
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) =>
        reject(new Error(`a worker exited during start-up (code ${code})`)),
      );
      worker.once('online', () => {
        const start: ToWorker = {
          type: 'barbican:start',
          input: this.compiled.input,
          files: this.#files,
          ...(this.tickets.keys === undefined
            ? {}
            : { ticketKeys: this.tickets.keys.toString('base64') }),
          staples: this.stapler.current(),
        };
        worker.send(start);
      });
    });
  }

  readonly #onMessage = (_worker: Worker, m: unknown): void => {
    if (!isOurs(m)) return;
    const msg = m as ToPrimary;
    if (msg.type === 'barbican:reloaded' || msg.type === 'barbican:health')
      this.#pending.get(msg.id)?.(msg);
  };

  readonly #onExit = (worker: Worker, code: number | null, signal: string | null): void => {
    if (this.#stopping) return;
    this.events('error', 'a worker exited; starting a new one', {
      pid: worker.process.pid,
      code,
      signal,
    });
    const now = Date.now();
    this.#restarts.push(now);
    while ((this.#restarts[0] ?? now) < now - 60_000) this.#restarts.shift();
    if (this.#restarts.length > 10 * this.workers) {
      this.events(
        'error',
        'workers keep dying (over 10 restarts per worker in a minute); stopping',
      );
      void this.close();
      return;
    }
    this.#fork().catch((error: unknown) => {
      if (this.#stopping) return;
      this.events(
        'error',
        'a replacement worker failed to start',
        serializeError(error) as unknown as Record<string, unknown>,
      );
    });
  };

  #broadcast(m: ToWorker): void {
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected() === true) w.send(m);
  }

  protected publishStaple(key: string, staple: Staple | undefined): void {
    this.#broadcast({ type: 'barbican:ocsp', key, ...(staple === undefined ? {} : { staple }) });
  }

  protected async apply(next: CompiledGateway): Promise<void> {
    const id = ++this.#nextId;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected() === true);
    const errors: SerializedError[] = [];
    await new Promise<void>((resolve) => {
      let left = workers.length;
      if (left === 0) resolve();
      this.#pending.set(id, (m) => {
        if (m.type !== 'barbican:reloaded') return;
        if (m.error !== undefined) errors.push(m.error);
        if (--left === 0) resolve();
      });
      for (const w of workers)
        w?.send({
          type: 'barbican:reload',
          id,
          input: next.input,
          files: next.files,
        } satisfies ToWorker);
      setTimeout(resolve, 10_000).unref();
    });
    this.#pending.delete(id);
    this.#files = next.files;
    const first = errors[0];
    if (first !== undefined) throw revive(first);
    this.tickets.update(next, (k) =>
      this.#broadcast({ type: 'barbican:ticket-keys', keys: k.toString('base64') }),
    );
  }

  async #stopWorkers(): Promise<void> {
    this.#stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    const grace = this.compiled.gateway.timeouts.shutdown;
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) {
              resolve();
              return;
            }
            const kill = setTimeout(() => w.process.kill('SIGKILL'), grace + 2000);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            if (w.isConnected()) w.send({ type: 'barbican:stop' } satisfies ToWorker);
            else w.process.kill('SIGTERM');
          }),
      ),
    );
  }

  protected async stop(): Promise<void> {
    if (this.#healthTimer !== undefined) clearInterval(this.#healthTimer);
    cluster.removeListener('exit', this.#onExit);
    await this.#stopWorkers();
    cluster.removeListener('message', this.#onMessage);
    await new Promise<void>((r) =>
      this.#admin === undefined ? r() : this.#admin.close(() => r()),
    );
  }
}

/**
 * Validates the configuration, reads its files and starts serving: in this
 * process when `gateway.workers` is 1, else as a cluster of that many
 * workers (0 = one per core). Throws a `BarbicanError` naming the option at
 * fault; nothing is left running then.
 *
 * @example
 * ```ts
 * import { startGateway } from '@barbican/gateway';
 * const gw = await startGateway({
 *   policy: { preset: 'barbican', allowedHosts: ['app.example'], tls: { certificates: [{ cert: 'fullchain.pem', key: 'privkey.pem' }] } },
 *   gateway: { upstreams: ['http://127.0.0.1:3000'], listen: ':8443', httpListen: ':8080' },
 *   baseDir: process.cwd(),
 * });
 * console.log(gw.addresses.https.port);
 * await gw.close();
 * ```
 */
export async function startGateway(
  input: GatewayInput,
  options: StartOptions = {},
): Promise<RunningGateway> {
  const events = options.events ?? eventLog();
  const files = await readGatewayFiles(input);
  const compiled = compileGateway(input, files);
  for (const w of compiled.warnings) events('warn', w.message, { code: w.code, path: w.path });
  const configured = compiled.gateway.workers;
  const workers = configured === 0 ? availableParallelism() : configured;
  if (workers <= 1 && options.fork !== true) {
    const single = new SingleProcess(compiled, options, events);
    await single.start();
    return single;
  }
  const primary = new ClusterPrimary(compiled, options, events, workers);
  await primary.start();
  return primary;
}
