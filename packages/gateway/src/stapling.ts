/**
 * OCSP stapling: fetches each certificate's OCSP response from its
 * responder, keeps it until shortly before its `nextUpdate`, refreshes it in
 * the background and hands every new staple to the processes that serve
 * (all workers of a cluster get the same one). Runs once per gateway, in
 * the primary (or the single process), like the ticket keys.
 *
 * A responder that is down, slow or answers garbage never reaches a
 * handshake: the staple is only replaced by a response that passed
 * `checkOcspResponse`; until the old one expires it is still served; after
 * that, handshakes go on without one. Each failure is a logged warning with
 * a stable code, retried with backoff.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960#appendix-A.1 (OCSP over HTTP)
 * @module
 */
import { Agent, request } from 'undici';
import type { EventLog } from './access-log.ts';
import type { GatewayWarningCode } from './errors.ts';
import { checkOcspResponse, ocspTarget, type OcspAnswer, type OcspTarget } from './ocsp.ts';
import type { CertificatePem } from './tls.ts';

/** A staple as the serving processes keep it (plain data: it crosses IPC as base64). */
export interface Staple {
  /** {@link certificateKey} of the leaf it belongs to. */
  readonly key: string;
  /** The DER OCSPResponse, base64. */
  readonly response: string;
  /** Epoch ms after which it must no longer be stapled (its nextUpdate). */
  readonly expires: number;
}

/** Where staples go: a new one, or `undefined` to drop the certificate's staple. */
export type PublishStaple = (key: string, staple: Staple | undefined) => void;

/** OCSP responses are a few kilobytes; a responder sending more is broken or hostile. */
export const MAX_OCSP_RESPONSE_BYTES = 64 * 1024;
/** Refresh at most this long after a fetch, however long the response is valid. */
const MAX_REFRESH_MS = 60 * 60_000;
/** Never refresh sooner than this after a fetch (a response valid for seconds). */
const MIN_REFRESH_MS = 5000;
/** How long a response without nextUpdate is stapled ("newer information is always available"). */
const NO_NEXT_UPDATE_MS = 2 * MAX_REFRESH_MS;
/** Retry after a failure: doubling from the first to the last. */
const RETRY_MS = [60_000, 15 * 60_000] as const;

/** When to fetch again after a good answer, and until when to staple it. */
export function stapleTimes(answer: OcspAnswer, now: number): { refresh: number; expires: number } {
  if (answer.nextUpdate === undefined) {
    return { refresh: now + MAX_REFRESH_MS, expires: now + NO_NEXT_UPDATE_MS };
  }
  const expires = answer.nextUpdate.getTime();
  // Halfway to nextUpdate, at most an hour away: revocation news arrives within the hour,
  // and a responder outage has half the validity left to be repaired.
  const wait = Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, (expires - now) / 2));
  return { refresh: now + wait, expires };
}

interface Entry {
  readonly target: OcspTarget;
  staple: Staple | undefined;
  timer: NodeJS.Timeout | undefined;
  failures: number;
  abort: AbortController | undefined;
}

class FetchError extends Error {
  override readonly name = 'FetchError';
}

/** Fetches and keeps the staples of a gateway's certificates. */
export class OcspStapler {
  readonly #entries = new Map<string, Entry>();
  /** Certificates already reported as not stapleable: logged once, not at every reload. */
  readonly #skipped = new Set<string>();
  readonly #events: EventLog;
  readonly #publish: PublishStaple;
  readonly #agent: Agent;
  #timeout: number;
  #stopped = false;

  constructor(options: { events: EventLog; publish: PublishStaple; timeout: number }) {
    this.#events = options.events;
    this.#publish = options.publish;
    this.#timeout = options.timeout;
    // Time is bounded per fetch by an AbortSignal (the timeout may change on reload).
    this.#agent = new Agent({ connections: 1, maxResponseSize: MAX_OCSP_RESPONSE_BYTES });
  }

  /** The staples in force, for a worker that starts later. */
  current(): Staple[] {
    const now = Date.now();
    return [...this.#entries.values()]
      .map((e) => e.staple)
      .filter((s): s is Staple => s !== undefined && s.expires > now);
  }

  /**
   * Staples these certificates (none when stapling is off): new ones are
   * fetched at once, unchanged ones keep their staple and schedule, removed
   * ones are dropped.
   */
  update(certificates: readonly CertificatePem[], enabled: boolean, timeout: number): void {
    this.#timeout = timeout;
    const wanted = new Map<string, OcspTarget>();
    for (const c of enabled ? certificates : []) {
      const t = this.#target(c);
      if (t !== undefined && !wanted.has(t.key)) wanted.set(t.key, t);
    }
    for (const [key, entry] of this.#entries) {
      if (wanted.has(key)) continue;
      this.#cancel(entry);
      this.#entries.delete(key);
      this.#publish(key, undefined);
    }
    for (const [key, target] of wanted) {
      if (this.#entries.has(key)) continue;
      const entry: Entry = {
        target,
        staple: undefined,
        timer: undefined,
        failures: 0,
        abort: undefined,
      };
      this.#entries.set(key, entry);
      void this.#refresh(entry);
    }
  }

  #target(c: CertificatePem): OcspTarget | undefined {
    let t: ReturnType<typeof ocspTarget>;
    try {
      t = ocspTarget(c.cert);
    } catch (error) {
      t = { key: c.certFile, subject: c.certFile, reason: (error as Error).message };
    }
    if ('url' in t) return t;
    if (!this.#skipped.has(t.key)) {
      this.#skipped.add(t.key);
      this.#warn('BARBICAN_W_GATEWAY_OCSP_SKIPPED', 'no OCSP staple for this certificate', {
        certificate: c.certFile,
        subject: t.subject,
        reason: t.reason,
      });
    }
    return undefined;
  }

  async #refresh(entry: Entry): Promise<void> {
    entry.timer = undefined;
    const { target } = entry;
    const abort = new AbortController();
    entry.abort = abort;
    let answer: OcspAnswer;
    let der: Buffer;
    try {
      der = await this.#fetch(target, abort.signal);
      if (abort.signal.aborted || this.#stopped) return;
      answer = checkOcspResponse(der, target);
    } catch (error) {
      if (abort.signal.aborted || this.#stopped) return;
      this.#failed(entry, error);
      return;
    } finally {
      if (entry.abort === abort) entry.abort = undefined;
    }
    const now = Date.now();
    const { refresh, expires } = stapleTimes(answer, now);
    entry.failures = 0;
    entry.staple = { key: target.key, response: der.toString('base64'), expires };
    this.#publish(target.key, entry.staple);
    if (answer.status === 'revoked') {
      this.#warn(
        'BARBICAN_W_GATEWAY_OCSP_REVOKED',
        'the responder says this certificate is revoked; the revoked status is stapled',
        {
          subject: target.subject,
          responder: target.url,
          ...(answer.revokedAt === undefined ? {} : { revokedAt: answer.revokedAt.toISOString() }),
        },
      );
    } else {
      this.#events('info', 'OCSP staple fetched', {
        subject: target.subject,
        responder: target.url,
        ...(answer.nextUpdate === undefined ? {} : { nextUpdate: answer.nextUpdate.toISOString() }),
      });
    }
    this.#schedule(entry, refresh - now);
  }

  #failed(entry: Entry, error: unknown): void {
    const { target } = entry;
    const fetchFailed = error instanceof FetchError;
    const wait = Math.min(RETRY_MS[1], RETRY_MS[0] * 2 ** entry.failures);
    entry.failures++;
    const kept = entry.staple !== undefined && entry.staple.expires > Date.now();
    this.#warn(
      fetchFailed ? 'BARBICAN_W_GATEWAY_OCSP_FETCH' : 'BARBICAN_W_GATEWAY_OCSP_INVALID',
      fetchFailed
        ? 'cannot fetch an OCSP response; handshakes go on without a new staple'
        : 'the OCSP responder’s answer cannot be stapled; handshakes go on without a new staple',
      {
        subject: target.subject,
        responder: target.url,
        reason: (error as Error).message,
        staple: kept ? 'the previous staple is served until it expires' : 'none',
        retryInSeconds: wait / 1000,
      },
    );
    if (!kept && entry.staple !== undefined) {
      entry.staple = undefined;
      this.#publish(target.key, undefined);
    }
    this.#schedule(entry, wait);
  }

  #schedule(entry: Entry, ms: number): void {
    if (this.#stopped) return;
    entry.timer = setTimeout(() => void this.#refresh(entry), Math.max(0, ms));
    entry.timer.unref();
  }

  /** POSTs the request (§A.1); bounded in time and size, no redirect followed. */
  async #fetch(target: OcspTarget, signal: AbortSignal): Promise<Buffer> {
    const timeout = AbortSignal.timeout(this.#timeout);
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(target.url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: {
          'content-type': 'application/ocsp-request',
          accept: 'application/ocsp-response',
        },
        body: target.request,
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      throw new FetchError(describe(error, timeout, this.#timeout));
    }
    try {
      if (res.statusCode !== 200) {
        throw new FetchError(`the responder answered HTTP ${res.statusCode}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_OCSP_RESPONSE_BYTES) {
          throw new FetchError(`the response is over ${MAX_OCSP_RESPONSE_BYTES} bytes`);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    } catch (error) {
      if (error instanceof FetchError) throw error;
      throw new FetchError(describe(error, timeout, this.#timeout));
    } finally {
      res.body.destroy();
    }
  }

  #warn(code: GatewayWarningCode, message: string, fields: Record<string, unknown>): void {
    this.#events('warn', message, { code, ...fields });
  }

  #cancel(entry: Entry): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.abort?.abort();
  }

  /** Stops every fetch and timer. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const e of this.#entries.values()) this.#cancel(e);
    this.#entries.clear();
    await this.#agent.destroy().catch(() => undefined);
  }
}

/** One line for a network failure: what happened, never a stack. */
function describe(error: unknown, timeout: AbortSignal, ms: number): string {
  if (timeout.aborted) return `no complete answer within ${ms} ms`;
  const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code =
    typeof e.code === 'string'
      ? e.code
      : typeof e.cause?.code === 'string'
        ? e.cause.code
        : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE')
    return `the response is over ${MAX_OCSP_RESPONSE_BYTES} bytes`;
  const message = typeof e.message === 'string' ? e.message : String(error);
  return code === undefined ? message : `${message} (${code})`;
}
