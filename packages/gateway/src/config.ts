/**
 * From a config (policy options + `gateway` section) to everything a worker
 * needs, in two steps so that a cluster reads files once:
 *
 * 1. {@link readGatewayFiles} (primary, async): validates, then reads the
 *    certificate, key, error-page and admin-token files;
 * 2. {@link compileGateway} (every worker, sync): builds the policies and TLS
 *    contexts from the validated input and those file contents.
 *
 * Both throw `BarbicanError`s naming the option path; a reload that throws
 * is refused and the old configuration keeps serving.
 *
 * @module
 */
import { isAbsolute, resolve } from 'node:path';
import { createPolicy, type Policy, type ResolvedErrors, type ResolvedTls } from '@barbican/core';
import { readRegularFile } from '@barbican/core/files';
import { BarbicanError } from './errors.ts';
import {
  gatewayOptionsSchema,
  gatewayWarnings,
  httpPolicyOf,
  type GatewayWarning,
  resolveGatewayOptions,
  type ListenAddress,
  type ResolvedGatewayOptions,
} from './options.ts';
import { buildContexts, readCertificates, type CertificatePem, type TlsContexts } from './tls.ts';

/** What the gateway is started (or reloaded) with: plain data, safe to send to workers. */
export interface GatewayInput {
  /** The config without its `gateway` section: policy options, `tls` and `errors` included. */
  readonly policy: Readonly<Record<string, unknown>>;
  /** The `gateway` section, as written (validated here). */
  readonly gateway: Readonly<Record<string, unknown>>;
  /** Directory that relative file paths are resolved against (the config file's). */
  readonly baseDir: string;
  /** The config file, when there is one (watched for reloads). */
  readonly configFile?: string | undefined;
}

/** File contents the configuration points at, read once by the primary. */
export interface GatewayFiles {
  readonly certificates: readonly CertificatePem[];
  /** The `errors.page` HTML, or undefined for the built-in page. */
  readonly page: string | undefined;
  /** The admin bearer token, when `gateway.adminTokenFile` is set. */
  readonly adminToken: string | undefined;
}

/** A validated configuration, ready to serve. */
export interface CompiledGateway {
  readonly input: GatewayInput;
  readonly files: GatewayFiles;
  /** The policy for the HTTPS listener. */
  readonly policy: Policy;
  /** The policy for the plain-HTTP listener: the same, plus the HTTPS redirect. */
  readonly httpPolicy: Policy;
  readonly tls: ResolvedTls;
  readonly errors: ResolvedErrors;
  readonly gateway: ResolvedGatewayOptions;
  readonly contexts: TlsContexts;
  /** Files whose change triggers a reload. */
  readonly watched: readonly string[];
  /** The policy's warnings and the gateway section's (logged at start and reload). */
  readonly warnings: readonly {
    readonly code: string;
    readonly path: string;
    readonly message: string;
  }[];
}

/** An error page over this size is a mistaken path, not a page. */
const MAX_PAGE_BYTES = 1024 * 1024;
/** A bearer token shorter than this can be guessed. */
const MIN_TOKEN_LENGTH = 32;

interface Validated {
  readonly policy: Policy;
  readonly tls: ResolvedTls;
  readonly errors: ResolvedErrors;
  readonly gateway: ResolvedGatewayOptions;
  readonly warnings: readonly GatewayWarning[];
}

function validate(input: GatewayInput): Validated {
  const options = gatewayOptionsSchema.parse(input.gateway, 'gateway');
  const gateway = resolveGatewayOptions(options);
  const policy = createPolicy(input.policy);
  checkAdmin(gateway);
  const warnings = gatewayWarnings(options, policy);
  return { policy, tls: policy.tls, errors: policy.errors, gateway, warnings };
}

function isLoopback(a: ListenAddress): boolean {
  return a.host === 'localhost' || a.host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a.host);
}

function checkAdmin(g: ResolvedGatewayOptions): void {
  if (g.adminListen !== false && !isLoopback(g.adminListen) && g.adminTokenFile === undefined) {
    throw new BarbicanError(
      'BARBICAN_E_GATEWAY_ADMIN',
      'the admin listener is not on loopback and has no token',
      {
        path: 'gateway.adminListen',
        value: `${g.adminListen.host}:${g.adminListen.port}`,
        hint: 'Bind it to 127.0.0.1, or set gateway.adminTokenFile to a file holding a long random token',
      },
    );
  }
}

function absolute(baseDir: string, file: string): string {
  return isAbsolute(file) ? file : resolve(baseDir, file);
}

/** A small file through core's one reader (devices, FIFOs and directories refused); the caller names it. */
async function readSmall(file: string, max: number): Promise<string> {
  const bytes = await readRegularFile(file, {
    maxBytes: max,
    fail: ({ problem, hint }) => new Error(hint === undefined ? problem : `${problem}: ${hint}`),
  });
  return bytes.toString('utf8');
}

/**
 * Validates `input` and reads the files it names. Throws a `BarbicanError`
 * naming the option (and file) at fault.
 */
export async function readGatewayFiles(input: GatewayInput): Promise<GatewayFiles> {
  const v = validate(input);
  const certificates = await readCertificates(v.tls, input.baseDir);
  let page: string | undefined;
  if (v.errors.page !== undefined) {
    const file = absolute(input.baseDir, v.errors.page);
    try {
      page = await readSmall(file, MAX_PAGE_BYTES);
    } catch (error) {
      throw new BarbicanError('BARBICAN_E_GATEWAY_ERROR_PAGE', 'cannot read the error page', {
        path: 'errors.page',
        value: file,
        hint: (error as Error).message,
      });
    }
  }
  let adminToken: string | undefined;
  if (v.gateway.adminTokenFile !== undefined) {
    const file = absolute(input.baseDir, v.gateway.adminTokenFile);
    try {
      adminToken = (await readSmall(file, 4096)).trim();
    } catch (error) {
      throw new BarbicanError('BARBICAN_E_GATEWAY_ADMIN', 'cannot read the admin token file', {
        path: 'gateway.adminTokenFile',
        value: file,
        hint: (error as Error).message,
      });
    }
    if (adminToken.length < MIN_TOKEN_LENGTH) {
      throw new BarbicanError('BARBICAN_E_GATEWAY_ADMIN', 'the admin token is too short', {
        path: 'gateway.adminTokenFile',
        allowed: `at least ${MIN_TOKEN_LENGTH} characters`,
        hint: 'Generate one: openssl rand -hex 32 > admin.token',
      });
    }
  }
  return { certificates, page, adminToken };
}

/**
 * Builds a servable configuration from validated input and file contents.
 * Synchronous and free of disk access, so every worker of a cluster builds
 * exactly what the primary validated.
 */
export function compileGateway(input: GatewayInput, files: GatewayFiles): CompiledGateway {
  const v = validate(input);
  const contexts = buildContexts(v.tls, files.certificates);
  const watched = [
    ...(input.configFile === undefined ? [] : [input.configFile]),
    ...files.certificates.flatMap((c) => [c.certFile, c.keyFile]),
    ...(v.errors.page === undefined ? [] : [absolute(input.baseDir, v.errors.page)]),
  ];
  return {
    input,
    files,
    policy: v.policy,
    httpPolicy: httpPolicyOf(v.policy, v.gateway, v.gateway.listen.port),
    tls: v.tls,
    errors: v.errors,
    gateway: v.gateway,
    contexts,
    watched: [...new Set(watched)],
    warnings: [...v.policy.warnings, ...v.warnings],
  };
}

/**
 * Validates, reads and compiles in one step (the single-process path).
 *
 * @example
 * ```ts
 * const compiled = await loadGateway({ policy: { preset: 'barbican', allowedHosts: ['app.example'], tls: { certificates: [{ cert: 'c.pem', key: 'k.pem' }] } }, gateway: { upstreams: ['http://127.0.0.1:3000'] }, baseDir: process.cwd() });
 * ```
 */
export async function loadGateway(input: GatewayInput): Promise<CompiledGateway> {
  return compileGateway(input, await readGatewayFiles(input));
}
