/**
 * One TLS server on loopback presents the certificate fuzzing first found
 * (notAfter month 99, RFC 5280 §4.1.2.5 makes it malformed). `scan`,
 * `pin --host` and `pin --check` must describe it the same way: a
 * malformed date (JSON `notAfter: null`), never an invented one, never
 * `Invalid time value` or a stack.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { month99Leaf } from '../../scanner/test/tls/certs.ts';
import { cli } from './run.ts';

const server = createServer(month99Leaf(), (_req, res) => res.end('<p>ok'));
server.on('tlsClientError', () => undefined);
let host = '';

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** What no command may print about this certificate. */
const INVENTED = /Invalid (Date|time value)|NaN|1970-01-01|RangeError|\n\s+at /;

interface JsonEntry {
  readonly notAfter: string | null;
  readonly pin: string;
  readonly role: string;
}

describe('a server presenting a month-99 certificate', () => {
  it('scan: the chain does not verify, the leaf has no valid expiry, tls.cert.invalid-date', async () => {
    const args = [
      'scan',
      `https://${host}/`,
      '--insecure',
      '--http-port',
      '1',
      '--timeout',
      '3000',
    ];
    const text = await cli(...args);
    assert.ok([0, 1].includes(text.code), text.err);
    assert.match(text.out, /the leaf has no valid expiry date/);
    assert.match(text.out, /notAfter that is not a valid date.*\(tls\.cert\.invalid-date\)/);
    assert.doesNotMatch(text.out + text.err, INVENTED);

    const json = await cli(...args, '--json');
    const result = JSON.parse(json.out) as {
      tls: { chain: { notAfter: string | null }[]; daysToExpiry: number | null };
      findings: { code: string; severity: string }[];
    };
    assert.equal(result.tls.chain[0]?.notAfter, null);
    assert.equal(result.tls.daysToExpiry, null);
    assert.ok(
      result.findings.some((f) => f.code === 'tls.cert.invalid-date' && f.severity === 'high'),
    );
  });

  it('scan without --insecure still says why HTTPS failed, in one line per URL', async () => {
    const r = await cli('scan', `https://${host}/`, '--http-port', '1', '--timeout', '3000');
    assert.doesNotMatch(r.out + r.err, INVENTED);
    assert.match(r.out + r.err, /ERROR_IN_CERT_NOT_AFTER_FIELD|notAfter/);
  });

  it('pin --host: the pin, and "never" for an expiry that is not a date, with one warning', async () => {
    const text = await cli('pin', '--host', host, '--insecure');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /expires never: notAfter is not a valid date/);
    assert.match(
      text.err,
      /^warning: 127\.0\.0\.1:\d+ \[1\]: the certificate's notAfter is not a valid date; every browser rejects this certificate \(RFC 5280 §4\.1\.2\.5\)$/m,
    );
    assert.doesNotMatch(text.out + text.err, INVENTED);

    const json = await cli('pin', '--host', host, '--insecure', '--json');
    const [leaf] = JSON.parse(json.out) as JsonEntry[];
    assert.equal(leaf?.role, 'leaf');
    assert.equal(leaf.notAfter, null);
    assert.match(leaf.pin, /^[A-Z0-9+/]{43}=$/i);
  });

  it('pin --host without --insecure: one line, exit 2, the reason named', async () => {
    const r = await cli('pin', '--host', host);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /^barbican: [^\n]*ERROR_IN_CERT_NOT_AFTER_FIELD[^\n]*\[BARBICAN_E_[A-Z_]+\]\n$/,
    );
  });

  it('pin --check: the served pin is live, the malformed date does not stop the check', async () => {
    const [leaf] = JSON.parse(
      (await cli('pin', '--host', host, '--insecure', '--json')).out,
    ) as JsonEntry[];
    const header = `pin-sha256="${leaf?.pin ?? ''}"; pin-sha256="${'A'.repeat(43)}="; max-age=60`;
    const r = await cli('pin', '--check', host, '--header', header, '--insecure');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /at least one live pin and one backup pin/);
    assert.doesNotMatch(r.out + r.err, INVENTED);
  });
});
