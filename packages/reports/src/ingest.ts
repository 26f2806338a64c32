/**
 * The ingest endpoint, `POST /report/<site>`: every abuse control a public
 * collector needs, in the order that spends the least on a hostile request.
 *
 * 1. OPTIONS answers the Reporting API's CORS preflight; other methods 405.
 * 2. The site must be a well-formed name (and on the allow-list, if any): 404.
 * 3. The media type must be one browsers send, uncompressed: 415.
 * 4. A per-client token bucket: over it, 204 (or 429) without reading the body.
 * 5. The body is capped while it streams (64 KiB single, 1 MiB batch): 413.
 * 6. UTF-8 (fatal decoding) and JSON: 400. The shape and each report: 400.
 * 7. Extension and unactionable noise is counted, not stored.
 * 8. A per-site quota on stored reports: over it, 204 (or 429).
 * 9. The reports join the next durable commit; 204 only after it: else 503.
 *
 * Over-limit answers are 204 by default because browsers retry anything
 * else: a 429 makes every page view re-send its reports later, which is
 * the load the limit exists to shed.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReportsErrorCode } from './errors.ts';
import { fingerprint } from './fingerprint.ts';
import { noiseReason } from './filters.ts';
import type { DropReason, IncomingReport, NormalizedReport } from './model.ts';
import {
  MAX,
  MAX_DEPTH,
  boundedString,
  nestsDeeperThan,
  parseReports,
  truncateIp,
  type ReadOptions,
} from './normalize/index.ts';
import { TokenBuckets, type RateLimit } from './rate.ts';
import { QueueFullError, type WriteQueue } from './store/queue.ts';

/** Per-site settings. */
export interface SiteRule {
  /** Document hosts the site serves (`*.example.com` for subdomains); others are dropped. */
  readonly hosts?: readonly string[];
}

/** Options of {@link createIngest}. */
export interface IngestOptions extends ReadOptions {
  readonly queue: WriteQueue;
  /**
   * The sites reports are accepted for: a list of names, or names → rules.
   * Absent: any well-formed name.
   */
  readonly sites?: readonly string[] | Readonly<Record<string, SiteRule>>;
  /** Requests per second per client (IPv4 address or IPv6 /64); false = no limit. Default 20/s, burst 200. */
  readonly perClient?: RateLimit | false;
  /** Stored reports per second per site; false = no limit. Default 500/s, burst 5000. */
  readonly perSite?: RateLimit | false;
  /** The answer when a limit is hit: 204 (default, browsers do not retry) or 429. */
  readonly overLimitStatus?: 204 | 429;
  /** Body caps in bytes. */
  readonly maxSingleBytes?: number;
  readonly maxBatchBytes?: number;
  /** The most reports in one Reporting API batch (default 100). */
  readonly maxBatchReports?: number;
  /** The client's address (default: the socket peer; the server passes proxy-aware resolution). */
  readonly clientAddress?: (req: IncomingMessage) => string | undefined;
  readonly now?: () => number;
}

/** Counters since start, for the dashboard and `/api/stats`. */
export interface IngestStats {
  requests: number;
  accepted: number;
  dropped: number;
  overLimit: number;
  busy: number;
  rejected: Partial<Record<ReportsErrorCode, number>>;
}

const SITE = /^[a-z0-9][\w.-]{0,63}$/i;

/** Media types browsers use for reports → which body cap applies. */
const MEDIA_TYPES: Readonly<Record<string, 'single' | 'batch'>> = {
  'application/csp-report': 'single',
  'application/json': 'single',
  'application/expect-ct-report+json': 'single',
  'application/reports+json': 'batch',
};

const CORS = { 'access-control-allow-origin': '*' } as const;

const PREFLIGHT = {
  ...CORS,
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type',
  // Browsers cap this (Chromium at 2 hours); a day asks for the most.
  'access-control-max-age': '86400',
} as const;

const decoder = new TextDecoder('utf-8', { fatal: true });

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** Reads the body, or returns null after answering 413 when it outgrows `cap`. */
function readBody(req: IncomingMessage, cap: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.off('data', onData);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (size <= cap) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.once('error', reject);
  });
}

/** Why a request is answered before its reports are read: what the answer needs. */
interface Admitted {
  readonly rule: SiteRule;
  readonly client: string | null;
  readonly cap: number;
}

/** The endpoint's state: settings resolved once, buckets, counters. */
class IngestEndpoint {
  readonly stats: IngestStats = {
    requests: 0,
    accepted: 0,
    dropped: 0,
    overLimit: 0,
    busy: 0,
    rejected: {},
  };
  readonly #queue: WriteQueue;
  readonly #perClient: TokenBuckets | undefined;
  readonly #perSite: TokenBuckets | undefined;
  readonly #overLimit: 204 | 429;
  readonly #caps: Readonly<Record<'single' | 'batch', number>>;
  readonly #maxBatch: number;
  readonly #now: () => number;
  readonly #address: (req: IncomingMessage) => string | undefined;
  readonly #sites: ReadonlyMap<string, SiteRule> | undefined;
  readonly #read: ReadOptions;

  constructor(opts: IngestOptions) {
    this.#queue = opts.queue;
    const bucket = (limit: RateLimit | false | undefined, def: RateLimit) =>
      limit === false ? undefined : new TokenBuckets(limit ?? def);
    this.#perClient = bucket(opts.perClient, { rate: 20, burst: 200 });
    this.#perSite = bucket(opts.perSite, { rate: 500, burst: 5000 });
    this.#overLimit = opts.overLimitStatus ?? 204;
    this.#caps = {
      single: opts.maxSingleBytes ?? 64 * 1024,
      batch: opts.maxBatchBytes ?? 1024 * 1024,
    };
    this.#maxBatch = opts.maxBatchReports ?? 100;
    this.#now = opts.now ?? Date.now;
    this.#address = opts.clientAddress ?? ((req) => req.socket.remoteAddress);
    const sites = opts.sites;
    this.#sites =
      sites === undefined
        ? undefined
        : new Map(Array.isArray(sites) ? sites.map((s: string) => [s, {}]) : Object.entries(sites));
    this.#read = {
      ...(opts.keepQuery === undefined ? {} : { keepQuery: opts.keepQuery }),
      ...(opts.keepReferrer === undefined ? {} : { keepReferrer: opts.keepReferrer }),
    };
  }

  refuse(
    res: ServerResponse,
    status: number,
    code: ReportsErrorCode,
    message: string,
    extra: Record<string, string> = {},
  ): void {
    this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1;
    const body = `${code}: ${message}\n`;
    res.writeHead(status, {
      ...CORS,
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
      ...extra,
    });
    res.end(body);
  }

  #over(res: ServerResponse, site: string, reason: DropReason, n: number): void {
    this.stats.overLimit++;
    this.#queue.drop(site, reason, n, this.#now());
    if (this.#overLimit === 429) res.writeHead(429, { ...CORS, 'retry-after': '60' }).end();
    else res.writeHead(204, CORS).end();
  }

  #drop(site: string, drops: Partial<Record<DropReason, number>>): void {
    for (const [reason, n] of Object.entries(drops) as [DropReason, number][]) {
      this.stats.dropped += n;
      this.#queue.drop(site, reason, n, this.#now());
    }
  }

  #store(res: ServerResponse, reports: IncomingReport[]): void {
    this.#queue.submit(reports).then(
      () => {
        this.stats.accepted += reports.length;
        res.writeHead(204, CORS).end();
      },
      (error: unknown) => {
        this.stats.busy++;
        const full = error instanceof QueueFullError;
        this.refuse(
          res,
          503,
          'BARBICAN_E_REPORTS_BUSY',
          full ? 'too many reports are waiting to be written' : 'the reports could not be written',
          { 'retry-after': full ? '5' : '30' },
        );
      },
    );
  }

  /** Steps 1–4: method, site, media type, client bucket. Undefined = already answered. */
  #admit(req: IncomingMessage, res: ServerResponse, site: string): Admitted | undefined {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, PREFLIGHT).end();
      return undefined;
    }
    if (req.method !== 'POST') {
      this.refuse(res, 405, 'BARBICAN_E_REPORT_METHOD', 'reports are sent with POST', {
        allow: 'POST, OPTIONS',
      });
      return undefined;
    }
    const rule = this.#sites === undefined ? {} : this.#sites.get(site);
    if (!SITE.test(site) || rule === undefined) {
      this.refuse(res, 404, 'BARBICAN_E_REPORT_SITE', 'no such site on this collector');
      return undefined;
    }
    const kind = MEDIA_TYPES[mediaType(req)];
    const encoding = req.headers['content-encoding'];
    if (kind === undefined || (encoding !== undefined && encoding !== 'identity')) {
      this.refuse(
        res,
        415,
        'BARBICAN_E_REPORT_MEDIA_TYPE',
        'expected an uncompressed report media type',
      );
      return undefined;
    }
    const peer = this.#address(req);
    const client = truncateIp(peer);
    // IPv4: one address per client; IPv6: the /64 (one subscriber's prefix).
    const key = peer?.includes(':') === true && !peer.startsWith('::ffff:') ? client : peer;
    if (this.#perClient !== undefined && !this.#perClient.take(key ?? '?', 1, this.#now())) {
      this.#over(res, site, 'ip-rate', 1);
      return undefined;
    }
    return { rule, client, cap: this.#caps[kind] };
  }

  /** Steps 5–6: the capped body, its depth, UTF-8, JSON and shape. Undefined = already answered. */
  async #parse(req: IncomingMessage, res: ServerResponse, cap: number) {
    const tooLarge = () =>
      this.refuse(res, 413, 'BARBICAN_E_REPORT_TOO_LARGE', `the body is over ${cap} bytes`, {
        connection: 'close',
      });
    if (Number(req.headers['content-length']) > cap) return tooLarge();
    const body = await readBody(req, cap);
    if (body === null) return tooLarge();
    if (nestsDeeperThan(body)) {
      return this.refuse(
        res,
        400,
        'BARBICAN_E_REPORT_SHAPE',
        `the JSON nests deeper than ${MAX_DEPTH} levels`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(body));
    } catch (error) {
      if (error instanceof SyntaxError)
        this.refuse(res, 400, 'BARBICAN_E_REPORT_JSON', 'the body is not JSON');
      else this.refuse(res, 400, 'BARBICAN_E_REPORT_ENCODING', 'the body is not UTF-8');
      return undefined;
    }
    const parsed = parseReports(json, {
      ...this.#read,
      userAgent: boundedString(req.headers['user-agent'], MAX.userAgent),
      maxBatch: this.#maxBatch,
    });
    if (parsed.ok) return parsed;
    const status = parsed.code === 'BARBICAN_E_REPORT_TOO_LARGE' ? 413 : 400;
    return this.refuse(res, status, parsed.code, parsed.message);
  }

  /** Handles one request for `/report/<site>`. */
  async handle(req: IncomingMessage, res: ServerResponse, site: string): Promise<void> {
    this.stats.requests++;
    const admitted = this.#admit(req, res, site);
    if (admitted === undefined) return;
    const parsed = await this.#parse(req, res, admitted.cap);
    if (parsed === undefined) return;
    // Steps 7–9: noise, the site quota, the durable commit.
    const drops = { ...parsed.drops };
    const keep: NormalizedReport[] = [];
    for (const r of parsed.reports) {
      const reason = noiseReason(r, admitted.rule);
      if (reason === undefined) keep.push(r);
      else drops[reason] = (drops[reason] ?? 0) + 1;
    }
    this.#drop(site, drops);
    if (keep.length === 0) return void res.writeHead(204, CORS).end();
    const receivedAt = this.#now();
    if (this.#perSite !== undefined && !this.#perSite.take(site, keep.length, receivedAt)) {
      return this.#over(res, site, 'site-quota', keep.length);
    }
    const { client } = admitted;
    this.#store(
      res,
      keep.map((r) => ({ ...r, site, receivedAt, client, fingerprint: fingerprint(site, r) })),
    );
  }
}

/**
 * Builds the handler for `/report/<site>` requests. The caller routes by
 * path and passes the raw site segment.
 *
 * @example
 * ```ts
 * const ingest = createIngest({ queue: new WriteQueue(store) });
 * http.createServer((req, res) => ingest.handle(req, res, 'shop'));
 * ```
 */
export function createIngest(opts: IngestOptions) {
  const endpoint = new IngestEndpoint(opts);
  return {
    /** Handles one request for `/report/<site>`; never throws. */
    handle(req: IncomingMessage, res: ServerResponse, site: string): void {
      endpoint.handle(req, res, site).catch(() => {
        // A stream error mid-body: the client is gone; nothing to answer.
        if (!res.headersSent) res.writeHead(400, CORS).end();
      });
    },
    stats: endpoint.stats,
  };
}

/** The ingest handler {@link createIngest} returns. */
export type Ingest = ReturnType<typeof createIngest>;
