/**
 * `barbican pin`: RFC 7469 pins from keys, CSRs, certificates and live hosts,
 * and `Public-Key-Pins` headers built and checked before anyone deploys them —
 * the three openssl pipelines of the usual how-to in one command.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT, type Io, FindingsExit } from '../io.ts';
import {
  buildPkpHeader,
  checkPins,
  fetchChain,
  HPKP_OBSOLETE_NOTE,
  parseHostPort,
  parsePinArgument,
  parsePkpValue,
  readPinFile,
  type FetchedChain,
  type HostPinEntry,
  type PinEntry,
} from '../pin/index.ts';
import { readCaFile } from '../ca.ts';
import { BarbicanError } from '../errors.ts';
import { readRegularFile } from '@barbican/core/files';
import { terminalSafe, toJson } from '../util.ts';

interface PinOpts {
  json?: boolean;
  passphraseFile?: string;
  host?: string;
  servername?: string;
  ca?: string;
  insecure?: boolean;
  timeout: string;
  header?: string | boolean;
  maxAge?: string;
  includeSubdomains?: boolean;
  reportUri?: string;
  reportOnly?: boolean;
  force?: boolean;
  check?: string;
}

const EXAMPLES = `
Examples:
  barbican pin server.key server.csr chain.pem
  barbican pin --passphrase-file pass.txt encrypted.key --json
  barbican pin --host example.com:443
  barbican pin --host 10.0.0.5:8443 --servername app.internal --ca private-ca.pem
  barbican pin --header --max-age 86400 server.key backup.pub
  barbican pin --check example.com --header 'pin-sha256="…"; pin-sha256="…"; max-age=86400'

Exit codes: 0 ok, 1 --check found a problem (no live pin, no backup…), 2 usage or input error.
Note: browsers removed HPKP (Chrome 72, Firefox 72). Prefer CAA records and
Certificate Transparency monitoring; see docs/pin.md.`;

/** Registers `barbican pin` on the program. */
export function registerPin(program: Command, io: Io): void {
  program
    .command('pin')
    .description(
      'Compute RFC 7469 pin-sha256 values from keys, CSRs, certificates or a live host; build and check Public-Key-Pins headers.',
    )
    .argument('[inputs...]', 'key, CSR or certificate files (PEM or DER); with --header also pins')
    .option('--json', 'print JSON ([{"source","kind","subject"?,"pin",…}])')
    .option(
      '--passphrase-file <file>',
      'passphrase for encrypted private keys (first line is used)',
    )
    .option('--host <host[:port]>', 'connect and pin every certificate the host serves (port 443)')
    .option('--servername <name>', 'SNI name to send (default: the host, unless it is an IP)')
    .option('--ca <file>', 'trust these PEM CA certificates instead of the system roots')
    .option('--insecure', 'read the chain even if it does not verify (the output says so)')
    .option('--timeout <ms>', 'connect and handshake timeout in milliseconds', '10000')
    .option(
      '--header [value]',
      'build a Public-Key-Pins header from PIN_OR_FILE...; with --check, the header to check',
    )
    .option(
      '--max-age <seconds>',
      'max-age for --header (default 86400; over 5184000 needs --force)',
    )
    .option('--include-subdomains', 'add includeSubDomains to --header')
    .option('--report-uri <uri>', 'add report-uri to --header')
    .option('--report-only', 'build Public-Key-Pins-Report-Only instead')
    .option('--force', 'allow max-age over 60 days')
    .option(
      '--check <host[:port]>',
      'check which pins of --header VALUE match the chain the host serves',
    )
    .addHelpText('after', EXAMPLES)
    .action(async (inputs: string[], opts: PinOpts) => {
      // run() in cli.ts signals failure only by exceptions (exit 2) and has no
      // findings exit (1) yet; a failed --check therefore throws after its report.
      await runPin(inputs, opts, io);
    });
}

/** Options that shape the header --header builds; anywhere else they would be silently ignored. */
const HEADER_BUILD_OPTIONS = [
  ['maxAge', '--max-age'],
  ['includeSubdomains', '--include-subdomains'],
  ['reportUri', '--report-uri'],
  ['reportOnly', '--report-only'],
  ['force', '--force'],
] as const;

async function runPin(inputs: string[], opts: PinOpts, io: Io): Promise<number> {
  const building = opts.header !== undefined && opts.check === undefined;
  const stray = HEADER_BUILD_OPTIONS.filter(([k]) => opts[k] !== undefined).map(([, f]) => f);
  if (!building && stray.length > 0) {
    throw usage(
      `${stray.join(', ')} only ${stray.length === 1 ? 'applies' : 'apply'} when building a header with --header (without --check)`,
    );
  }
  if (opts.check !== undefined) {
    if (typeof opts.header !== 'string') {
      throw usage('--check needs the header to check: --header \'pin-sha256="…"; …; max-age=…\'');
    }
    if (inputs.length > 0 || opts.host !== undefined) {
      throw usage('--check takes no files and no --host');
    }
    return checkCommand(opts.check, opts.header, opts, io);
  }
  if (opts.header !== undefined) {
    if (opts.host !== undefined)
      throw usage('--header builds from pins and files; use --check to compare with a host');
    // commander binds the first PIN_OR_FILE to `--header [value]`; it belongs to the list.
    const items = typeof opts.header === 'string' ? [opts.header, ...inputs] : inputs;
    return headerCommand(items, opts, io);
  }
  if (opts.host !== undefined) {
    if (inputs.length > 0) throw usage('--host takes no files');
    return hostCommand(opts.host, opts, io);
  }
  if (inputs.length === 0) {
    throw usage(
      'name at least one key, CSR or certificate file, or use --host, --header or --check',
    );
  }
  return filesCommand(inputs, opts, io);
}

function usage(problem: string): BarbicanError {
  return new BarbicanError('BARBICAN_E_USAGE', problem, { hint: 'See barbican pin --help' });
}

/** OpenSSL reads at most 1 KiB of a passphrase; a file far larger is the wrong file. */
const MAX_PASSPHRASE_BYTES = 64 * 1024;

async function readPassphrase(opts: PinOpts): Promise<string | undefined> {
  if (opts.passphraseFile === undefined) return undefined;
  const file = opts.passphraseFile;
  const bytes = await readRegularFile(file, {
    maxBytes: MAX_PASSPHRASE_BYTES,
    fail: ({ problem, hint, cause }) =>
      new BarbicanError('BARBICAN_E_PIN_PASSPHRASE', `the passphrase file ${problem}`, {
        path: '--passphrase-file',
        value: file,
        ...(hint === undefined ? {} : { hint }),
        ...(cause === undefined ? {} : { cause }),
      }),
  });
  // Like openssl's -passin file:, only the first line is the passphrase.
  return bytes.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
}

async function filesCommand(files: string[], opts: PinOpts, io: Io): Promise<number> {
  const passphrase = await readPassphrase(opts);
  const entries: PinEntry[] = [];
  for (const file of files) {
    entries.push(...(await readPinFile(file, passphrase === undefined ? {} : { passphrase })));
  }
  warnMalformed(io, entries);
  if (opts.json === true) {
    io.out(toJson(entries));
    return EXIT.OK;
  }
  const c = io.color;
  for (const e of entries) {
    const where = e.block === undefined ? e.source : `${e.source} [${e.block}]`;
    io.out(`${c.bold(terminalSafe(where))}: ${kindLabel(e.kind)}, ${e.algorithm}`);
    const label = describe(e);
    if (label !== '') io.out(c.dim(`  ${label}`));
    io.out(`  pin-sha256="${e.pin}"`);
  }
  return EXIT.OK;
}

async function hostCommand(hostArg: string, opts: PinOpts, io: Io): Promise<number> {
  const chain = await connectFor(hostArg, '--host', opts);
  warnMalformed(io, chain.entries);
  if (opts.json === true) {
    io.out(toJson(chain.entries));
  } else {
    const c = io.color;
    const source = chain.entries[0]?.source ?? hostArg;
    io.out(c.bold(terminalSafe(`${source}: ${verifiedLabel(chain, opts)}`)));
    for (const e of chain.entries) {
      io.out(`${c.cyan(e.role.padEnd(12))} ${terminalSafe(e.subject ?? '')}`);
      io.out(
        c.dim(`  issued by ${terminalSafe(e.issuer ?? '')}; expires ${expiry(e)}; ${e.algorithm}`),
      );
      io.out(`  pin-sha256="${e.pin}"`);
    }
  }
  if (!chain.verified)
    io.err(
      terminalSafe(
        `warning: the chain was NOT verified (${chain.verifyError ?? 'unknown'}); --insecure`,
      ),
    );
  return EXIT.OK;
}

async function headerCommand(items: string[], opts: PinOpts, io: Io): Promise<number> {
  if (items.length === 0) throw usage('--header needs pins or key/certificate files');
  const passphrase = await readPassphrase(opts);
  const pins: string[] = [];
  const origins: string[] = [];
  for (const item of items) {
    const pin = parsePinArgument(item);
    if (pin !== undefined) {
      pins.push(pin);
      origins.push(`pin ${JSON.stringify(pin)}`);
      continue;
    }
    if (!existsSync(item)) {
      // Not a pin and not a file: say which the user most likely meant,
      // instead of "the file does not exist" for a mistyped pin.
      const pinLike = /^pin-sha256\b|^"|^[A-Z0-9+/]{16,}={0,2}"?;?$/i.test(item);
      throw new BarbicanError(
        pinLike ? 'BARBICAN_E_HPKP_PINS' : 'BARBICAN_E_PIN_INPUT',
        pinLike ? 'is not a valid pin' : 'is neither a pin nor an existing file',
        {
          path: '--header',
          value: item,
          allowed:
            'pin-sha256="<base64 of a 32-byte SHA-256 digest: 44 characters ending in =>", the bare base64, or a key, certificate or CSR file',
        },
      );
    }
    for (const e of await readPinFile(item, passphrase === undefined ? {} : { passphrase })) {
      pins.push(e.pin);
      origins.push(
        `${e.block === undefined ? e.source : `${e.source} [${e.block}]`} (${kindLabel(e.kind)})`,
      );
    }
  }
  const maxAge = opts.maxAge === undefined ? undefined : parseMaxAge(opts.maxAge);
  const header = buildPkpHeader({
    pins,
    origins,
    ...(maxAge === undefined ? {} : { maxAge }),
    ...(opts.includeSubdomains === true ? { includeSubDomains: true } : {}),
    ...(opts.reportUri === undefined ? {} : { reportUri: opts.reportUri }),
    ...(opts.reportOnly === true ? { reportOnly: true } : {}),
    ...(opts.force === true ? { force: true } : {}),
  });
  if (opts.json === true) {
    io.out(
      toJson({
        name: header.name,
        value: header.value,
        pins: pins.map((pin, i) => ({ pin, origin: origins[i] })),
      }),
    );
  } else {
    io.out(`${header.name}: ${header.value}`);
  }
  io.err(`note: ${HPKP_OBSOLETE_NOTE}`);
  io.err(
    'note: check the set against the live chain before deploying: barbican pin --check HOST --header VALUE',
  );
  return EXIT.OK;
}

async function checkCommand(
  hostArg: string,
  value: string,
  opts: PinOpts,
  io: Io,
): Promise<number> {
  const parsed = parsePkpValue(value);
  const chain = await connectFor(hostArg, '--check', opts);
  const result = checkPins(
    parsed,
    chain.entries.map((e) => ({ pin: e.pin, label: `${e.role} ${e.subject ?? ''}` })),
  );
  if (opts.json === true) {
    io.out(
      toJson({
        host: chain.entries[0]?.source ?? hostArg,
        verified: chain.verified,
        ok: result.ok,
        verdicts: result.verdicts,
        problems: result.problems,
        chain: chain.entries,
      }),
    );
  } else {
    const c = io.color;
    const source = chain.entries[0]?.source ?? hostArg;
    io.out(
      c.bold(
        terminalSafe(`Public-Key-Pins checked against ${source} (${verifiedLabel(chain, opts)})`),
      ),
    );
    for (const v of result.verdicts) {
      const status =
        v.status === 'live'
          ? c.green('live     ')
          : v.status === 'backup'
            ? c.cyan('backup   ')
            : c.red(v.status.padEnd(9));
      const note =
        v.status === 'live'
          ? `matches ${terminalSafe(v.matches ?? '')}`
          : v.status === 'backup'
            ? 'not in the served chain (a spare key)'
            : '';
      io.out(`  ${status} pin-sha256="${terminalSafe(v.pin)}"  ${c.dim(note)}`);
    }
    for (const p of result.problems) io.out(`${c.red('✗')} ${terminalSafe(p)}`);
    if (result.ok) io.out(`${c.green('✓')} at least one live pin and one backup pin`);
  }
  io.err(`note: ${HPKP_OBSOLETE_NOTE}`);
  if (!result.ok) {
    // A failed check is a finding (exit 1), not a usage error (exit 2): the
    // report above says why; stderr repeats it with the stable code.
    const finding = new BarbicanError('BARBICAN_E_HPKP_PINS', 'the pin set fails the check', {
      path: '--check',
      hint: result.problems.join('; '),
    });
    io.err(`barbican: ${finding.message}`);
    throw new FindingsExit();
  }
  return EXIT.OK;
}

async function connectFor(hostArg: string, option: string, opts: PinOpts): Promise<FetchedChain> {
  const { host, port } = parseHostPort(hostArg, option);
  const timeoutMs = Number(opts.timeout);
  if (!/^\d+$/.test(opts.timeout) || timeoutMs < 1 || timeoutMs > 600_000) {
    throw new BarbicanError('BARBICAN_E_RANGE', 'expected milliseconds', {
      path: '--timeout',
      value: opts.timeout,
      allowed: '1 to 600000',
    });
  }
  const ca = opts.ca === undefined ? undefined : await readCaFile(opts.ca);
  return fetchChain({
    host,
    port,
    timeoutMs,
    ...(opts.servername === undefined ? {} : { servername: opts.servername }),
    ...(ca === undefined ? {} : { ca }),
    ...(opts.insecure === true ? { insecure: true } : {}),
  });
}

function parseMaxAge(text: string): number {
  if (!/^\d{1,15}$/.test(text)) {
    throw new BarbicanError('BARBICAN_E_RANGE', 'max-age must be a whole number of seconds', {
      path: '--max-age',
      value: text,
      allowed: '0 to 5184000 (60 days)',
    });
  }
  return Number(text);
}

function verifiedLabel(chain: FetchedChain, opts: PinOpts): string {
  if (chain.verified)
    return opts.ca === undefined ? 'chain verified' : `chain verified against ${opts.ca}`;
  return `chain NOT verified: ${chain.verifyError ?? 'unknown reason'} (read anyway because of --insecure)`;
}

function kindLabel(kind: PinEntry['kind']): string {
  switch (kind) {
    case 'private-key':
      return 'private key';
    case 'public-key':
      return 'public key';
    case 'certificate':
      return 'certificate';
    case 'csr':
      return 'certificate signing request';
  }
}

function describe(e: PinEntry | HostPinEntry): string {
  const parts: string[] = [];
  if (e.subject !== undefined) parts.push(`subject ${terminalSafe(e.subject)}`);
  if (e.issuer !== undefined) parts.push(`issuer ${terminalSafe(e.issuer)}`);
  if (e.notAfter !== undefined) parts.push(`expires ${expiry(e)}`);
  return parts.join('; ');
}

const MALFORMED_DATE = 'never: notAfter is not a valid date (a malformed certificate)';

function expiry(e: PinEntry): string {
  return e.notAfter === null ? MALFORMED_DATE : (e.notAfter ?? '?');
}

/** One stderr line per certificate with a malformed notAfter: the pin is right, the certificate is not. */
function warnMalformed(io: Io, entries: readonly PinEntry[]): void {
  for (const e of entries) {
    if (e.notAfter !== null) continue;
    const where = e.block === undefined ? e.source : `${e.source} [${e.block}]`;
    io.err(
      `warning: ${terminalSafe(where)}: the certificate's notAfter is not a valid date; every browser rejects this certificate (RFC 5280 §4.1.2.5)`,
    );
  }
}
