/**
 * Test helpers for `barbican pin`: a temp dir, the openssl CLI, the openssl
 * pin pipelines of the Koozali SME Server HSTS/HPKP guide, a root → intermediate → leaf chain, and an in-memory
 * run of the CLI.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli.ts';
import type { Io } from '../../src/io.ts';
import pc from 'picocolors';

/** A temp directory removed by `cleanup`. */
export function tempDir(): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-pin-'));
  return {
    dir,
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs openssl with arguments in `cwd`; throws with its stderr on failure. */
export function openssl(cwd: string, ...args: string[]): string {
  return execFileSync('openssl', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function sh(cwd: string, script: string): string {
  return execFileSync('sh', ['-c', script], { cwd, encoding: 'utf8' }).trim();
}

const DIGEST = 'openssl dgst -sha256 -binary | openssl enc -base64';

/** The Koozali SME Server HSTS/HPKP guide's key pipeline (generalised from `openssl rsa` to `openssl pkey`). */
export function opensslKeyPin(cwd: string, file: string, extra = ''): string {
  return sh(cwd, `openssl pkey -in '${file}' ${extra} -pubout -outform der | ${DIGEST}`);
}

/** The SME Server guide's CSR pipeline. */
export function opensslCsrPin(cwd: string, file: string, inform = 'PEM'): string {
  return sh(
    cwd,
    `openssl req -inform ${inform} -in '${file}' -pubkey -noout | openssl pkey -pubin -outform der | ${DIGEST}`,
  );
}

/** The SME Server guide's certificate pipeline. */
export function opensslCertPin(cwd: string, file: string): string {
  return sh(
    cwd,
    `openssl x509 -in '${file}' -pubkey -noout | openssl pkey -pubin -outform der | ${DIGEST}`,
  );
}

/** The SME Server guide's RSA-only pipelines, verbatim but for file names. */
export const guideRsa = {
  key: (cwd: string, file: string): string =>
    sh(cwd, `openssl rsa -in '${file}' -outform der -pubout 2>/dev/null | ${DIGEST}`),
  csr: (cwd: string, file: string): string =>
    sh(
      cwd,
      `openssl req -in '${file}' -pubkey -noout | openssl rsa -pubin -outform der 2>/dev/null | ${DIGEST}`,
    ),
  cert: (cwd: string, file: string): string =>
    sh(
      cwd,
      `openssl x509 -in '${file}' -pubkey -noout | openssl rsa -pubin -outform der 2>/dev/null | ${DIGEST}`,
    ),
};

/**
 * Makes root (EC P-256) → intermediate (RSA 2048) → leaf (EC P-384, for
 * localhost and 127.0.0.1) with openssl; writes `chain.pem` = leaf + intermediate.
 */
export function makeChain(dir: string): void {
  const days = ['-days', '30'];
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'root.key',
    '-out',
    'root.crt',
    '-subj',
    '/CN=Barbican Test Root',
    ...days,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  writeFileSync(
    join(dir, 'ca.ext'),
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
  );
  writeFileSync(
    join(dir, 'leaf.ext'),
    'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    dir,
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'int.key',
    '-out',
    'int.csr',
    '-subj',
    '/CN=Barbican Test Intermediate',
  );
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'root.crt',
    '-CAkey',
    'root.key',
    '-set_serial',
    '2',
    '-out',
    'int.crt',
    ...days,
    '-extfile',
    'ca.ext',
  );
  openssl(
    dir,
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-384',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/CN=localhost/O=Barbican Tests',
  );
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'int.crt',
    '-CAkey',
    'int.key',
    '-set_serial',
    '3',
    '-out',
    'leaf.crt',
    ...days,
    '-extfile',
    'leaf.ext',
  );
  sh(dir, 'cat leaf.crt int.crt > chain.pem && cat leaf.crt int.crt root.crt > fullchain.pem');
}

/** What one in-memory CLI run printed, and its exit code. */
export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `barbican ...args` in-process with captured, colourless output. */
export async function cli(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (err += t.endsWith('\n') ? t : `${t}\n`),
    color: pc.createColors(false),
  };
  process.exitCode = undefined;
  const code = await run(args, io);
  // run() reads process.exitCode; leave it clean so the test process exits 0.
  process.exitCode = undefined;
  return { code, out, err };
}
