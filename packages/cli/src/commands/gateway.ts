/**
 * `barbican gateway`: parse flags, read the config (policy options plus the
 * `gateway` section), start `@barbican/gateway` (imported lazily, so other
 * commands never load undici), print what runs and what to set next, and
 * stay up until SIGTERM/SIGINT. SIGHUP reloads.
 *
 * With no config file and `--upstream URL`, it starts a quick-start gateway:
 * the `barbican` preset, loopback listeners, and a self-signed certificate
 * made on first run under `.barbican/gateway/`.
 *
 * @module
 */
import { dirname, resolve } from 'node:path';
import { isPlainObject } from '@barbican/core/parsers';
import { BarbicanError } from '../errors.ts';
import type { GatewayInput, RunningGateway, SelfSigned } from '@barbican/gateway';
import type { Command } from 'commander';
import {
  CONFIG_FILE_NAMES,
  discoverConfig,
  errorLocations,
  readStructuredFile,
  type ConfigFile,
} from '../config.ts';
import type { Io } from '../io.ts';
import { DEFAULT_SECTIONS, splitSections } from '../sections.ts';

/** Command-line flags (each overrides the same `gateway.*` option of the file). */
export interface GatewayFlags {
  config?: string;
  upstream?: string[];
  listen?: string;
  httpListen?: string;
  adminListen?: string;
  workers?: string;
}

/** The quick start's hosts: the self-signed certificate's names. */
const QUICK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** `off` turns a listener off, as `false` does in the file. */
function listenFlag(value: string | undefined): string | false | undefined {
  return value === 'off' ? false : value;
}

function flagOverrides(flags: GatewayFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.upstream !== undefined) out['upstreams'] = flags.upstream;
  if (flags.listen !== undefined) out['listen'] = flags.listen;
  const http = listenFlag(flags.httpListen);
  if (http !== undefined) out['httpListen'] = http;
  const admin = listenFlag(flags.adminListen);
  if (admin !== undefined) out['adminListen'] = admin;
  if (flags.workers !== undefined) {
    const n = Number(flags.workers);
    if (!Number.isInteger(n) || n < 0) {
      throw new BarbicanError('BARBICAN_E_USAGE', 'expected a whole number of workers', {
        path: '--workers',
        value: flags.workers,
        hint: '0 = one per CPU core',
      });
    }
    out['workers'] = n;
  }
  return out;
}

/** The file's gateway section with the flags over it (`--upstream` replaces `upstream` and `upstreams`). */
function withFlags(section: Record<string, unknown>, flags: GatewayFlags): Record<string, unknown> {
  const over = flagOverrides(flags);
  const out = { ...section, ...over };
  if (over['upstreams'] !== undefined) delete out['upstream'];
  return out;
}

/** What the command built, for printing. */
interface Built {
  readonly input: GatewayInput;
  readonly file: ConfigFile | undefined;
  readonly selfSigned: SelfSigned | undefined;
}

function hasCertificates(policy: Record<string, unknown>): boolean {
  const tls = policy['tls'];
  return isPlainObject(tls) && Array.isArray(tls['certificates']) && tls['certificates'].length > 0;
}

/**
 * Builds the gateway input from the config file (or the quick start) and
 * the flags. A config without certificates gets the first-run certificate.
 */
async function buildInput(flags: GatewayFlags): Promise<Built> {
  const gw = await import('@barbican/gateway');
  const path = flags.config ?? (await discoverConfig());
  let policy: Record<string, unknown>;
  let section: Record<string, unknown>;
  let file: ConfigFile | undefined;
  if (path === undefined) {
    if (flags.upstream === undefined) {
      throw new BarbicanError('BARBICAN_E_USAGE', 'no config file and no --upstream', {
        path: '--upstream',
        hint: `Try: barbican gateway --upstream http://127.0.0.1:3000 (or create ${CONFIG_FILE_NAMES[1]})`,
      });
    }
    policy = { preset: 'barbican', allowedHosts: QUICK_HOSTS };
    section = { listen: '127.0.0.1:8443', httpListen: '127.0.0.1:8080' };
  } else {
    const read = await readStructuredFile(path);
    file = read;
    // The CLI's section split: a misspelt top-level key gets "did you mean".
    const split = located(read, () => splitSections(read.data, DEFAULT_SECTIONS));
    policy = split.options;
    const gateway = split.raw.get('gateway');
    if (gateway !== undefined && !isPlainObject(gateway)) {
      const error = new BarbicanError('BARBICAN_E_TYPE', 'expected an object', { path: 'gateway' });
      locate(error, read);
      throw error;
    }
    section = gateway ?? {};
  }
  let selfSigned: SelfSigned | undefined;
  if (!hasCertificates(policy)) {
    selfSigned = await gw.ensureSelfSigned();
    const tls = isPlainObject(policy['tls']) ? policy['tls'] : {};
    policy = {
      ...policy,
      tls: { ...tls, certificates: [{ cert: selfSigned.certFile, key: selfSigned.keyFile }] },
    };
  }
  const baseDir = file === undefined ? process.cwd() : dirname(resolve(file.file));
  return {
    input: {
      policy,
      gateway: withFlags(section, flags),
      baseDir,
      configFile: file === undefined ? undefined : resolve(file.file),
    },
    file,
    selfSigned,
  };
}

/** Adds `file:line:column` to a validation error, as `barbican check` does. */
function locate(error: unknown, file: ConfigFile | undefined): void {
  if (!(error instanceof BarbicanError) || file === undefined || errorLocations.has(error)) return;
  const at = error.path === undefined ? undefined : file.locate(error.path);
  errorLocations.set(error, at === undefined ? file.file : `${file.file}:${at.line}:${at.column}`);
}

/** Runs `step`, locating any error it throws in `file`. */
function located<T>(file: ConfigFile, step: () => T): T {
  try {
    return step();
  } catch (error) {
    locate(error, file);
    throw error;
  }
}

function summary(io: Io, gw: RunningGateway, built: Built): string {
  const c = gw.compiled;
  const a = gw.addresses;
  const host = (h: string): string =>
    h === '0.0.0.0' || h === '::' ? 'localhost' : h.includes(':') ? `[${h}]` : h;
  const lines = [
    `barbican gateway: ${built.file === undefined ? 'no config file: quick start with' : `${built.file.file}, `} preset ${c.policy.preset}, ${gw.workers} worker${gw.workers === 1 ? '' : 's'}`,
    `  HTTPS  https://${host(a.https.address)}:${a.https.port}/  (TLS ${c.tls.protocols.join(', ')}, ${c.tls.profile}${c.gateway.http2 ? ', HTTP/2' : ''}) → ${c.gateway.upstreams.join(', ')}`,
  ];
  if (a.http !== undefined) {
    const redirects = c.policy.options.sslRedirect !== false;
    lines.push(
      `  HTTP   http://${host(a.http.address)}:${a.http.port}/  ${redirects ? 'redirects to HTTPS (/.well-known/acme-challenge/ exempt)' : 'proxies plain HTTP (sslRedirect: false)'}`,
    );
  }
  if (a.admin !== undefined) {
    lines.push(`  admin  http://${host(a.admin.address)}:${a.admin.port}/healthz and /metrics`);
  }
  const s = built.selfSigned;
  if (s !== undefined) {
    lines.push(
      `  ${io.color.yellow('certificate')}: ${s.created ? 'made' : 'using'} a self-signed certificate for ${s.names.join(', ')} (until ${s.notAfter.toISOString().slice(0, 10)}): ${s.certFile}`,
      `    browsers will warn; to test: curl --cacert ${s.caFile} https://localhost:${a.https.port}/`,
    );
  }
  if (built.file === undefined || s !== undefined) {
    lines.push(
      '',
      'Next: put the real names and certificate in barbican.config.yaml, then `barbican check` and `barbican gateway`:',
      '  allowedHosts: [your-site.example]',
      '  tls:',
      '    certificates: [{ cert: /etc/letsencrypt/live/your-site.example/fullchain.pem, key: /etc/letsencrypt/live/your-site.example/privkey.pem }]',
      `  gateway: { upstreams: [${c.gateway.upstreams.join(', ')}], listen: ":443", httpListen: ":80" }`,
      'See docs/gateway.md for every option and a production checklist.',
    );
  }
  lines.push('Access log: JSON lines on stdout. SIGHUP reloads; SIGTERM stops gracefully.');
  return lines.join('\n');
}

/** Registers `barbican gateway`. */
export function registerGateway(program: Command, io: Io): void {
  program
    .command('gateway')
    .description(
      'Run a TLS-terminating reverse proxy that enforces the policy in front of any app: HTTPS with HTTP/2, the HTTPS redirect, host and request checks, the policy headers, error obscuring, rate limits. Runs until SIGTERM; SIGHUP reloads.',
    )
    .option(
      '-c, --config <file>',
      `config file (default: the first of ${CONFIG_FILE_NAMES.join(', ')} in the working directory)`,
    )
    .option('--upstream <url...>', 'upstream origin(s), round-robin (gateway.upstreams)')
    .option('--listen <addr:port>', 'HTTPS listener (gateway.listen; default 0.0.0.0:443)')
    .option(
      '--http-listen <addr:port|off>',
      'plain-HTTP listener that redirects (gateway.httpListen)',
    )
    .option('--admin-listen <addr:port|off>', '/healthz and /metrics (gateway.adminListen)')
    .option('--workers <n>', 'worker processes; 0 = one per core (gateway.workers)')
    .addHelpText(
      'after',
      '\nExamples:\n  barbican gateway --upstream http://127.0.0.1:3000          # quick start, self-signed certificate\n  barbican gateway --config barbican.config.yaml\n  barbican gateway --listen :8443 --http-listen off --workers 2',
    )
    .action(async (flags: GatewayFlags) => {
      const built = await buildInput(flags);
      const { startGateway } = await import('@barbican/gateway');
      let gw: RunningGateway;
      try {
        gw = await startGateway(built.input, {
          signals: true,
          fork: true,
          load: async () => (await buildInput(flags)).input,
        });
      } catch (error) {
        locate(error, built.file);
        throw error;
      }
      io.err(summary(io, gw, built));
      await gw.closed;
    });
}
