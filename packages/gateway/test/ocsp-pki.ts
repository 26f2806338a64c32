/**
 * A throw-away PKI made with Debian's `openssl` for the OCSP stapling
 * tests: a CA, a delegated OCSP responder certificate, leaves whose
 * Authority Information Access names a responder on loopback, and the
 * responder itself. Answers are made by `openssl ocsp -index … -rsigner …
 * -CA …` (OpenSSL's own responder code); a node:http front on 127.0.0.1
 * carries them, because OpenSSL 3.0's `openssl ocsp -port` binds every
 * interface and tests stay on loopback.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs openssl; a missing binary names the Debian package. */
export function openssl(args: readonly string[], cwd: string, timeout = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new Error("openssl was not found: install Debian's openssl package"));
      } else if (error !== null) {
        reject(new Error(`openssl ${args[0] ?? ''} failed: ${stderr}`));
      } else {
        resolve(`${stdout}\n${stderr}`);
      }
    });
  });
}

/** What the loopback responder does with a request. */
export type ResponderMode = 'openssl' | 'garbage' | 'hang' | 'huge' | 'http-500';

/** The responder and the PKI it answers for. */
export interface OcspPki {
  readonly dir: string;
  readonly caFile: string;
  /** Leaf for `good.test`, status good. */
  readonly good: { readonly certFile: string; readonly keyFile: string };
  /** Leaf for `revoked.test`, revoked in the index. */
  readonly revoked: { readonly certFile: string; readonly keyFile: string };
  /** Leaf for `plain.test` without an OCSP URL. */
  readonly plain: { readonly certFile: string; readonly keyFile: string };
  readonly responderUrl: string;
  mode: ResponderMode;
  /** OCSP requests the responder received. */
  requests: number;
  /** Stops answering (connections refused from now on). */
  stopResponder(): Promise<void>;
  cleanup(): Promise<void>;
}

/** A new P-256 key, unencrypted (`openssl req` arguments). */
const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const CA_EXT = [
  '-addext',
  'basicConstraints=critical,CA:TRUE',
  '-addext',
  'keyUsage=critical,keyCertSign,cRLSign',
];

async function issue(
  dir: string,
  name: string,
  serial: string,
  ext: string,
): Promise<{ certFile: string; keyFile: string }> {
  const keyFile = join(dir, `${name}-key.pem`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  await openssl(
    ['req', ...NEW_EC_KEY, '-keyout', keyFile, '-out', `${name}.csr`, '-subj', `/CN=${name}`],
    dir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-set_serial',
      `0x${serial}`,
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      extFile,
    ],
    dir,
  );
  // The served file is the full chain, as certbot's fullchain.pem.
  const certFile = join(dir, `${name}-chain.pem`);
  writeFileSync(
    certFile,
    readFileSync(join(dir, `${name}.pem`), 'utf8') + readFileSync(join(dir, 'ca.pem'), 'utf8'),
  );
  return { certFile, keyFile };
}

/** Answers one DER request with `openssl ocsp` as the responder. */
async function answer(dir: string, request: Buffer, n: number): Promise<Buffer> {
  const reqFile = join(dir, `req-${n}.der`);
  const respFile = join(dir, `resp-${n}.der`);
  writeFileSync(reqFile, request);
  await openssl(
    [
      'ocsp',
      '-index',
      'index.txt',
      '-rsigner',
      'responder.pem',
      '-rkey',
      'responder-key.pem',
      '-CA',
      'ca.pem',
      '-reqin',
      reqFile,
      '-respout',
      respFile,
      '-nmin',
      '60',
    ],
    dir,
  );
  return readFileSync(respFile);
}

/** Makes the PKI and starts the responder on a random loopback port. */
export async function makeOcspPki(): Promise<OcspPki> {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-ocsp-test-'));
  let server: Server | undefined;
  const pki = {} as { mode: ResponderMode; requests: number };
  pki.mode = 'openssl';
  pki.requests = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = ++pki.requests;
      const send = (body: Buffer, status = 200): void => {
        res.writeHead(status, { 'content-type': 'application/ocsp-response' }).end(body);
      };
      if (pki.mode === 'hang') return;
      if (pki.mode === 'garbage') send(Buffer.from('<html>not OCSP</html>'));
      else if (pki.mode === 'huge') send(Buffer.alloc(200 * 1024, 0x30));
      else if (pki.mode === 'http-500') send(Buffer.alloc(0), 500);
      else answer(dir, Buffer.concat(chunks), n).then(send, () => send(Buffer.alloc(0), 500));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const responderUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const caSubject = ['-subj', '/CN=Barbican OCSP test CA', '-days', '2', ...CA_EXT];
  await openssl(
    ['req', '-x509', ...NEW_EC_KEY, '-keyout', 'ca-key.pem', '-out', 'ca.pem', ...caSubject],
    dir,
  );
  const leafExt = (name: string, aia: boolean): string =>
    `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth\n${aia ? `authorityInfoAccess=OCSP;URI:${responderUrl}\n` : ''}`;
  const good = await issue(dir, 'good.test', '1001', leafExt('good.test', true));
  const revoked = await issue(dir, 'revoked.test', '1002', leafExt('revoked.test', true));
  const plain = await issue(dir, 'plain.test', '1003', leafExt('plain.test', false));
  await issue(
    dir,
    'responder',
    '2001',
    'extendedKeyUsage=OCSPSigning\nkeyUsage=critical,digitalSignature\n',
  );
  // openssl's index: status, expiry, revocation time, serial (hex), file, subject.
  writeFileSync(
    join(dir, 'index.txt'),
    'V\t301231000000Z\t\t1001\tunknown\t/CN=good.test\n' +
      'R\t301231000000Z\t261201000000Z\t1002\tunknown\t/CN=revoked.test\n' +
      'V\t301231000000Z\t\t1003\tunknown\t/CN=plain.test\n',
  );
  const stopResponder = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  };
  return Object.assign(pki, {
    dir,
    caFile: join(dir, 'ca.pem'),
    good,
    revoked,
    plain,
    responderUrl,
    stopResponder,
    cleanup: async () => {
      await stopResponder();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** What `openssl s_client -status` saw of the staple. */
export interface StatusResult {
  readonly handshake: boolean;
  /** `good`, `revoked`, … or undefined when no staple was sent. */
  readonly certStatus: string | undefined;
  readonly output: string;
}

/** Connects with `openssl s_client -status` and reads the stapled status. */
export function sClientStatus(
  port: number,
  servername: string,
  caFile: string,
): Promise<StatusResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        servername,
        '-status',
        '-CAfile',
        caFile,
        '-verify_return_error',
      ],
      { timeout: 10_000 },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          reject(new Error("openssl was not found: install Debian's openssl package"));
          return;
        }
        const output = `${stdout}\n${stderr}`;
        const cipher = /Cipher is (\S+)/.exec(output)?.[1];
        resolve({
          handshake:
            cipher !== undefined &&
            cipher !== '(NONE)' &&
            /Verify return code: 0 \(ok\)/.test(output),
          certStatus: /Cert Status: (\w+)/.exec(output)?.[1],
          output,
        });
      },
    );
    child.stdin?.end();
  });
}
