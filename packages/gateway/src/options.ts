/**
 * The `gateway` section of `barbican.config.{json,yaml}`: listeners,
 * upstreams, timeouts, limits, rate limiting, logging. Written with core's
 * schema DSL, so validation errors (code, option path, "did you mean") and
 * the JSON Schema look like every other section's.
 *
 * This module is the light subpath `@barbican/gateway/options`: it imports
 * nothing but core, so `barbican check` and `barbican schema` can validate
 * the section without loading undici, prom-client or redis.
 *
 * @example
 * ```ts
 * import { gatewayOptionsSchema, resolveGatewayOptions } from '@barbican/gateway/options';
 * const options = gatewayOptionsSchema.parse({ upstreams: ['http://127.0.0.1:3000'] }, 'gateway');
 * resolveGatewayOptions(options).listen; // { host: '0.0.0.0', port: 443 }
 * ```
 * @module
 */
import { BarbicanError, type GatewayWarningCode } from './errors.ts';
import { defineConfigSection, type ConfigSection, type Policy } from '@barbican/core';
import {
  array,
  boolean,
  enumeration,
  integer,
  literal,
  object,
  refine,
  string,
  union,
  type Infer,
} from '@barbican/core/schema';
import { TCHAR } from '@barbican/core/parsers';

/** A listener address: `host:port`, `[v6]:port`, `:port` (all interfaces) or `port`. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** RFC 9110 method token (upper case by convention; compared exactly, as methods are case-sensitive). */
const METHOD = new RegExp(`^[${TCHAR}]{1,32}$`);
/** RFC 9110 field name (a token), at most 64 characters. */
const HEADER_NAME = new RegExp(`^[${TCHAR}]{1,64}$`);

/**
 * Parses `host:port`, `[::1]:port`, `:port` or `port`. Returns a string
 * describing the problem when `text` is none of those.
 */
export function parseListen(text: string): ListenAddress | string {
  const m = /^(?:(\[[0-9a-f:.]+\]|[a-z0-9.-]*):)?(\d{1,5})$/i.exec(text);
  if (m === null) return 'expected host:port, [v6]:port, :port or port';
  const port = Number(m[2]);
  if (port > 65535) return 'port above 65535';
  const rawHost = m[1] ?? '';
  const host = rawHost.startsWith('[')
    ? rawHost.slice(1, -1)
    : rawHost === ''
      ? '0.0.0.0'
      : rawHost;
  return { host, port };
}

const listenString = (description: string) =>
  refine(string({ maxLength: 300, description }), (value, path) => {
    const parsed = parseListen(value);
    if (typeof parsed === 'string') {
      throw new BarbicanError('BARBICAN_E_GATEWAY_LISTEN', parsed, { path, value });
    }
    return value;
  });

const upstreamUrl = refine(
  string({
    maxLength: 2000,
    description: 'An upstream origin: http://host:port (an optional path prefix is not supported).',
  }),
  (value, path) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new BarbicanError('BARBICAN_E_GATEWAY_UPSTREAM', 'not a URL', { path, value });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new BarbicanError('BARBICAN_E_GATEWAY_UPSTREAM', 'expected an http: or https: URL', {
        path,
        value,
      });
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
      throw new BarbicanError('BARBICAN_E_GATEWAY_UPSTREAM', 'expected an origin without a path', {
        path,
        value,
        hint: `Write ${url.origin}; the request path is forwarded as is`,
      });
    }
    if (url.username !== '' || url.password !== '') {
      throw new BarbicanError('BARBICAN_E_GATEWAY_UPSTREAM', 'credentials in an upstream URL', {
        path,
        value: url.origin,
        hint: 'Remove user:password@; they would end up in logs',
      });
    }
    return url.origin;
  },
);

const ms = (description: string, min = 1, max = 3_600_000) =>
  integer({ min, max, unit: 'milliseconds', description });

/** The schema of the `gateway` section: the single source for validation, types and JSON Schema. */
export const gatewayOptionsSchema = object(
  {
    upstream: upstreamUrl,
    upstreams: array(upstreamUrl, {
      minItems: 1,
      maxItems: 64,
      unique: true,
      description: 'Upstream origins, used round-robin (http://127.0.0.1:3000).',
    }),
    listen: listenString('The HTTPS listener (TLS, HTTP/2 and HTTP/1.1). Default 0.0.0.0:443.'),
    httpListen: union([literal(false), listenString('')], {
      description:
        'The plain-HTTP listener: redirects to HTTPS, except /.well-known/acme-challenge/. false = none. Default 0.0.0.0:80.',
    }),
    adminListen: union([literal(false), listenString('')], {
      description: '/healthz and /metrics. Default 127.0.0.1:9901 (loopback). false = none.',
    }),
    adminTokenFile: string({
      maxLength: 4096,
      fieldSafe: false,
      description:
        'A file holding the bearer token the admin listener requires; mandatory when it is not on loopback.',
    }),
    workers: integer({
      min: 0,
      max: 256,
      description: 'Worker processes; 0 = one per CPU core (default).',
    }),
    http2: boolean({ description: 'Offer HTTP/2 through ALPN. Default true.' }),
    preserveHost: boolean({
      description: "Send the client's Host to the upstream (default true); false = the upstream's.",
    }),
    methods: array(string({ pattern: METHOD, patternDescription: 'an HTTP method token' }), {
      minItems: 1,
      maxItems: 64,
      unique: true,
      description:
        'Methods let through; others get 405. Default GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS.',
    }),
    keepUpstreamHeaders: array(
      string({ pattern: HEADER_NAME, patternDescription: 'a header name' }),
      {
        maxItems: 64,
        description:
          "Policy headers for which the upstream's own value wins when it sends one (default: none; the policy overrides).",
      },
    ),
    nonceHeader: string({
      pattern: HEADER_NAME,
      patternDescription: 'a header name',
      description:
        'Request header carrying the CSP nonce to the upstream when the policy uses one. Default X-CSP-Nonce.',
    }),
    requestIdHeader: union([
      literal(false),
      string({
        pattern: HEADER_NAME,
        patternDescription: 'a header name',
        description:
          'Request header carrying the request id to the upstream. Default X-Request-Id. false = none.',
      }),
    ]),
    timeouts: object(
      {
        connect: ms('Upstream connect timeout (502). Default 5000.'),
        upstreamHeaders: ms('Upstream response-head timeout (504). Default 60000.'),
        upstreamBody: ms('Upstream silence during a body (504 or cut). Default 60000.'),
        upstreamIdle: ms(
          'Idle upstream keep-alive connections are closed after this. Default 4000.',
        ),
        clientHeaders: ms('Time a client has to send the request head (408). Default 15000.'),
        clientRequest: ms('Time a client has to send the whole request (408). Default 300000.', 0),
        clientIdle: ms('Idle client keep-alive connections are closed after this. Default 5000.'),
        shutdown: ms('Graceful-shutdown grace period. Default 10000.'),
        ocsp: ms('Time an OCSP responder has to answer (tls.ocspStapling). Default 5000.'),
      },
      { description: 'Timeouts in milliseconds.' },
    ),
    limits: object(
      {
        requestBody: integer({
          min: 0,
          max: Number.MAX_SAFE_INTEGER,
          unit: 'bytes',
          description: 'Largest request body (413). 0 = unlimited. Default 104857600 (100 MiB).',
        }),
        headerBytes: integer({
          min: 1024,
          max: 1_048_576,
          unit: 'bytes',
          description: 'Largest request head (431). Default 16384.',
        }),
        headerCount: integer({
          min: 8,
          max: 1000,
          description: 'Most request header fields (431). Default 100.',
        }),
        urlLength: integer({
          min: 64,
          max: 65536,
          unit: 'bytes',
          description: 'Longest request-target (414). Default 8192.',
        }),
        responseHeaderBytes: integer({
          min: 1024,
          max: 1_048_576,
          unit: 'bytes',
          description: 'Largest upstream response head (502 when over). Default 32768.',
        }),
        upstreamConnections: integer({
          min: 1,
          max: 10_000,
          description: 'Keep-alive connections per upstream and worker. Default 128.',
        }),
      },
      { description: 'Size limits.' },
    ),
    rateLimit: union([
      literal(false),
      object(
        {
          requests: integer({ min: 1, max: 1_000_000_000, description: 'Requests per window.' }),
          window: integer({
            min: 1,
            max: 86_400,
            unit: 'seconds',
            description: 'Window length. Default 60.',
          }),
          store: refine(
            string({
              maxLength: 2000,
              fieldSafe: false,
              description:
                '"memory" (per process, the default) or a redis:// URL shared by every worker and gateway.',
            }),
            (value, path) => {
              if (value === 'memory' || /^rediss?:\/\/\S+$/.test(value)) return value;
              throw new BarbicanError('BARBICAN_E_TYPE', 'expected "memory" or a redis:// URL', {
                path,
                value: value.replace(/\/\/[^@/]*@/, '//…@'),
              });
            },
          ),
          keyPrefix: string({
            pattern: /^[\w:.-]{1,64}$/,
            patternDescription: 'letters, digits and : _ . - (at most 64)',
            description:
              'Prefix of the Redis keys, for a Redis shared with other applications or gateway fleets. Default barbican:rl:.',
          }),
          onStoreError: enumeration(['open', 'closed'], {
            description:
              'When the store is unreachable: "open" serves (default, logged), "closed" answers 503.',
          }),
        },
        { description: 'Per-client-IP fixed-window rate limit (429 with Retry-After).' },
      ),
    ]),
    healthCheck: object(
      {
        path: string({
          pattern: /^\/[\x21-\x7e]*$/,
          patternDescription: 'a path starting with /',
          description: 'Active check: GET this path on each upstream (2xx/3xx = healthy).',
        }),
        interval: ms('Time between active checks. Default 10000.', 100),
        failures: integer({
          min: 1,
          max: 100,
          description:
            'Consecutive failures (connect errors, resets, failed checks) before an upstream is taken out. Default 3.',
        }),
        cooldown: ms(
          'How long a failed upstream stays out before it is tried again. Default 10000.',
        ),
      },
      { description: 'Passive (always on) and active upstream health checks.' },
    ),
    accessLog: union([
      boolean(),
      object(
        {
          redactQuery: array(string({ maxLength: 100 }), {
            maxItems: 200,
            description:
              'Query parameter names whose values are logged as "[redacted]" (case-insensitive substring match). Default: a list of common secret names.',
          }),
        },
        { description: 'The JSON access log on stdout.' },
      ),
    ]),
    watch: boolean({
      description: 'Reload when the config file or a certificate changes (default true).',
    }),
  },
  { description: 'barbican gateway: listeners, upstreams and limits.' },
);

/** The `gateway` section as written by a user. */
export type GatewayOptions = Infer<typeof gatewayOptionsSchema>;

/** Query parameter names redacted in the access log by default (substring match, lower case). */
export const DEFAULT_REDACT_QUERY: readonly string[] = Object.freeze([
  'token',
  'secret',
  'pass',
  'pwd',
  'key',
  'auth',
  'code',
  'session',
  'sig',
  'jwt',
  'credential',
  'ticket',
]);

/** Methods let through by default: the ones browsers and REST APIs use; no TRACE, no CONNECT. */
export const DEFAULT_METHODS: readonly string[] = Object.freeze([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

/** The gateway section with every default applied. */
export interface ResolvedGatewayOptions {
  readonly upstreams: readonly string[];
  readonly listen: ListenAddress;
  readonly httpListen: ListenAddress | false;
  readonly adminListen: ListenAddress | false;
  readonly adminTokenFile: string | undefined;
  readonly workers: number;
  readonly http2: boolean;
  readonly preserveHost: boolean;
  readonly methods: readonly string[];
  readonly keepUpstreamHeaders: readonly string[];
  readonly nonceHeader: string;
  readonly requestIdHeader: string | false;
  readonly timeouts: Readonly<Required<NonNullable<GatewayOptions['timeouts']>>>;
  readonly limits: Readonly<Required<NonNullable<GatewayOptions['limits']>>>;
  readonly rateLimit:
    | false
    | {
        readonly requests: number;
        readonly window: number;
        readonly store: string;
        readonly onStoreError: 'open' | 'closed';
        readonly keyPrefix: string;
      };
  readonly healthCheck: {
    readonly path: string | undefined;
    readonly interval: number;
    readonly failures: number;
    readonly cooldown: number;
  };
  readonly accessLog: false | { readonly redactQuery: readonly string[] };
  readonly watch: boolean;
}

/** Defaults for the `timeouts` object (milliseconds). */
export const DEFAULT_TIMEOUTS = Object.freeze({
  connect: 5000,
  upstreamHeaders: 60_000,
  upstreamBody: 60_000,
  upstreamIdle: 4000,
  clientHeaders: 15_000,
  clientRequest: 300_000,
  clientIdle: 5000,
  shutdown: 10_000,
  ocsp: 5000,
});

/** Defaults for the `limits` object. */
export const DEFAULT_LIMITS = Object.freeze({
  requestBody: 100 * 1024 * 1024,
  headerBytes: 16_384,
  headerCount: 100,
  urlLength: 8192,
  responseHeaderBytes: 32_768,
  upstreamConnections: 128,
});

function listenOf(value: string): ListenAddress {
  const parsed = parseListen(value);
  if (typeof parsed === 'string') throw new BarbicanError('BARBICAN_E_GATEWAY_LISTEN', parsed);
  return parsed;
}

/**
 * Applies the defaults to a validated `gateway` section. Throws
 * `BARBICAN_E_GATEWAY_UPSTREAM` when no upstream is configured.
 *
 * @example
 * ```ts
 * resolveGatewayOptions({ upstreams: ['http://127.0.0.1:3000'] }).workers; // 0 = one per core
 * ```
 */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  if (options.upstream !== undefined && options.upstreams !== undefined) {
    throw new BarbicanError('BARBICAN_E_CONFLICT', 'both upstream and upstreams are set', {
      path: 'gateway.upstream',
      hint: 'Keep one: upstream for one origin, upstreams for several',
    });
  }
  const upstreams = options.upstreams ?? (options.upstream === undefined ? [] : [options.upstream]);
  if (upstreams.length === 0) {
    throw new BarbicanError('BARBICAN_E_GATEWAY_UPSTREAM', 'no upstream configured', {
      path: 'gateway.upstream',
      hint: 'Set gateway.upstream: "http://127.0.0.1:3000" or pass --upstream URL',
    });
  }
  const rl = options.rateLimit;
  const log = options.accessLog;
  return Object.freeze({
    upstreams: Object.freeze([...upstreams]),
    listen: listenOf(options.listen ?? '0.0.0.0:443'),
    httpListen: options.httpListen === false ? false : listenOf(options.httpListen ?? '0.0.0.0:80'),
    adminListen:
      options.adminListen === false ? false : listenOf(options.adminListen ?? '127.0.0.1:9901'),
    adminTokenFile: options.adminTokenFile,
    workers: options.workers ?? 0,
    http2: options.http2 ?? true,
    preserveHost: options.preserveHost ?? true,
    methods: Object.freeze([...(options.methods ?? DEFAULT_METHODS)]),
    keepUpstreamHeaders: Object.freeze(
      (options.keepUpstreamHeaders ?? []).map((h) => h.toLowerCase()),
    ),
    nonceHeader: (options.nonceHeader ?? 'X-CSP-Nonce').toLowerCase(),
    requestIdHeader:
      options.requestIdHeader === false
        ? false
        : (options.requestIdHeader ?? 'X-Request-Id').toLowerCase(),
    timeouts: Object.freeze({ ...DEFAULT_TIMEOUTS, ...options.timeouts }),
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...options.limits }),
    rateLimit:
      rl === undefined || rl === false
        ? false
        : Object.freeze({
            requests: rl.requests ?? 600,
            window: rl.window ?? 60,
            store: rl.store ?? 'memory',
            onStoreError: rl.onStoreError ?? 'open',
            keyPrefix: rl.keyPrefix ?? 'barbican:rl:',
          }),
    healthCheck: Object.freeze({
      path: options.healthCheck?.path,
      interval: options.healthCheck?.interval ?? 10_000,
      failures: options.healthCheck?.failures ?? 3,
      cooldown: options.healthCheck?.cooldown ?? 10_000,
    }),
    accessLog:
      log === false
        ? false
        : Object.freeze({
            redactQuery: Object.freeze(
              (typeof log === 'object'
                ? (log.redactQuery ?? DEFAULT_REDACT_QUERY)
                : DEFAULT_REDACT_QUERY
              ).map((n) => n.toLowerCase()),
            ),
          }),
    watch: options.watch ?? true,
  });
}

/**
 * The policy for the plain-HTTP listener: the HTTPS redirect (ACME path
 * exempt) to `httpsPort`, unless the policy turns the redirect off. Port 0
 * (pick one) is resolved once the HTTPS listener is bound.
 */
export function httpPolicyOf(
  policy: Policy,
  gateway: ResolvedGatewayOptions,
  httpsPort: number,
): Policy {
  const own = policy.options.sslRedirect;
  if (own === false || gateway.httpListen === false) return policy;
  const base = typeof own === 'object' ? own : {};
  const port = base.port ?? (httpsPort === 443 || httpsPort === 0 ? undefined : httpsPort);
  try {
    return policy.extend({ sslRedirect: { ...base, ...(port === undefined ? {} : { port }) } });
  } catch (error) {
    if (error instanceof BarbicanError && error.code === 'BARBICAN_E_OPEN_REDIRECT') {
      throw new BarbicanError(
        'BARBICAN_E_OPEN_REDIRECT',
        'the plain-HTTP listener redirects to HTTPS, but the target host would come from an unvalidated Host header',
        {
          path: 'gateway.httpListen',
          hint: 'Set allowedHosts (or sslRedirect.host), or turn the listener off with gateway.httpListen: false',
        },
      );
    }
    throw error;
  }
}

/** A warning about the `gateway` section: data, with a gateway code (the shape of core's section warnings). */
export interface GatewayWarning {
  readonly code: GatewayWarningCode;
  /** Option path from the top of the file. */
  readonly path: string;
  readonly message: string;
}

/**
 * Cross-checks the section against the built policy: the errors a start
 * would hit (no upstream, a redirect with no validated host) and the
 * warnings worth knowing before it (`barbican check` prints them, and the
 * gateway logs them at start).
 */
export function gatewayWarnings(options: GatewayOptions, policy: Policy): GatewayWarning[] {
  const g = resolveGatewayOptions(options);
  httpPolicyOf(policy, g, g.listen.port);
  const out: GatewayWarning[] = [];
  const warn = (code: GatewayWarningCode, path: string, message: string): void => {
    out.push({ code, path, message });
  };
  if (policy.tls.certificates.length === 0) {
    warn(
      'BARBICAN_W_GATEWAY_SELF_SIGNED',
      'tls.certificates',
      'no certificate: barbican gateway serves a self-signed first-run certificate (browsers warn); list your certificate and key',
    );
  }
  if (g.rateLimit !== false && g.rateLimit.store === 'memory' && g.workers !== 1) {
    warn(
      'BARBICAN_W_GATEWAY_RATE_LIMIT_PER_PROCESS',
      'gateway.rateLimit.store',
      `each worker counts in its own memory, so a client may get up to ${g.workers === 0 ? 'cores' : g.workers} × ${g.rateLimit.requests} requests per window; use a redis:// store to share the count`,
    );
  }
  return out;
}

/** The undici `Pool` options the gateway gives each upstream (a subset of undici's `Pool.Options`). */
export interface UpstreamPoolOptions {
  readonly connections: number;
  readonly pipelining: number;
  readonly connectTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly keepAliveTimeout: number;
  readonly keepAliveMaxTimeout: number;
  readonly maxHeaderSize: number;
}

/**
 * How the gateway configures the keep-alive pool of each upstream, per
 * worker: `limits.upstreamConnections` connections, no pipelining (a slow
 * response must not hold up the ones queued behind it), and the gateway's
 * timeouts. Plain data, so that `bench/gateway.ts`'s floor proxy builds the
 * same pool without this module loading undici.
 *
 * @see https://undici.nodejs.org/#/docs/api/Pool
 * @example
 * ```ts
 * const g = resolveGatewayOptions({ upstream: 'http://127.0.0.1:3000' });
 * new Pool(g.upstreams[0], upstreamPoolOptions(g)); // 128 connections, idle 4 s
 * ```
 */
export function upstreamPoolOptions(g: ResolvedGatewayOptions): UpstreamPoolOptions {
  const t = g.timeouts;
  return {
    connections: g.limits.upstreamConnections,
    pipelining: 1,
    connectTimeout: t.connect,
    headersTimeout: t.upstreamHeaders,
    bodyTimeout: t.upstreamBody,
    keepAliveTimeout: t.upstreamIdle,
    keepAliveMaxTimeout: t.upstreamIdle,
    maxHeaderSize: g.limits.responseHeaderBytes,
  };
}

/**
 * The `gateway` section of `barbican.config.*`, as the CLI's config loader
 * takes it (name, schema, cross-check): `barbican check` validates it and
 * `barbican schema` includes it without loading the gateway itself.
 */
export const gatewaySection: ConfigSection<GatewayOptions> = defineConfigSection({
  name: 'gateway',
  description: 'barbican gateway: listeners, upstreams, limits, rate limiting and logs.',
  schema: gatewayOptionsSchema,
  check: (value, policy) => gatewayWarnings(value, policy),
});
