import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { fingerprint, openStore, WriteQueue, type NormalizedReport } from '@barbican/reports';
import { run } from '../src/cli.ts';
import { parseSince } from '../src/commands/reports.ts';
import { memoryIo } from '../src/io.ts';

const ANSI = /\u001b\[/;
const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

function violation(directive: string, blockedUrl: string): NormalizedReport {
  return {
    type: 'csp-violation',
    url: 'https://shop.example/',
    directive,
    blockedUrl,
    blockedHost: null,
    sourceFile: null,
    line: 3,
    column: null,
    disposition: 'report',
    sample: '\u001b[2Jgone',
    statusCode: 200,
    policy: null,
    details: {},
    userAgent: 'UA',
    age: 0,
  };
}

describe('barbican reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-reports-cli-'));
  const db = `sqlite:${join(dir, 'r.db')}`;
  before(async () => {
    const store = await openStore(db);
    const queue = new WriteQueue(store);
    const now = Date.now();
    const reports = [
      violation('script-src-elem', 'inline'),
      violation('img-src', 'https://cdn.example/a.png'),
      violation('img-src', 'https://cdn.example/a.png'),
      violation('img-src', 'https://cdn.example/\u001b[31mred'),
    ];
    await queue.submit(
      reports.map((r) => ({
        ...r,
        site: 'shop',
        receivedAt: now,
        client: null,
        fingerprint: fingerprint('shop', r),
      })),
    );
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('list --json prints normalised, de-duplicated records without colour', async () => {
    const io = memoryIo({ color: true });
    assert.equal(await run(['reports', 'list', '--db', db, '--site', 'shop', '--json'], io), 0);
    assert.doesNotMatch(io.stdout, ANSI);
    const records = JSON.parse(io.stdout) as {
      type: string;
      site: string;
      directive: string;
      blockedUrl: string;
      count: number;
      receivedAt: number;
      userAgent: string;
      line: number;
    }[];
    assert.equal(records.length, 3);
    const img = records.find((r) => r.blockedUrl === 'https://cdn.example/a.png');
    assert.deepEqual(
      img && {
        type: img.type,
        site: img.site,
        directive: img.directive,
        count: img.count,
        line: img.line,
        userAgent: img.userAgent,
      },
      {
        type: 'csp-violation',
        site: 'shop',
        directive: 'img-src',
        count: 2,
        line: 3,
        userAgent: 'UA',
      },
    );
  });

  it('list prints text a terminal cannot be tricked by', async () => {
    const io = memoryIo();
    assert.equal(await run(['reports', 'list', '--db', db, '--type', 'csp-violation'], io), 0);
    assert.equal(io.stdout.trim().split('\n').length, 3);
    assert.doesNotMatch(io.stdout, ANSI);
    assert.match(io.stdout, /cdn\.example\/\\x1b\[31mred/);
  });

  it('learn prints a config fragment and what it refused; --json for scripts', async () => {
    const io = memoryIo();
    assert.equal(
      await run(['reports', 'learn', '--db', db, '--site', 'shop', '--min-count', '2'], io),
      0,
    );
    assert.match(io.stdout, /"strict-dynamic"|'strict-dynamic'/);
    assert.match(io.stdout, /Refused:\n {2}script-src 'unsafe-inline'/);
    assert.match(io.stdout, /Allowed:\n {2}img-src https:\/\/cdn\.example \(3\)/);
    const json = memoryIo();
    assert.equal(await run(['reports', 'learn', '--db', db, '--site', 'shop', '--json'], json), 0);
    const result = JSON.parse(json.stdout) as {
      config: { headers: { csp: { nonce: string[] } } };
      findings: { severity: string }[];
    };
    assert.deepEqual(result.config.headers.csp.nonce, ['script-src']);
    assert.ok(result.findings.every((f) => f.severity !== 'high'));
  });

  it('usage and database errors exit 2 with a one-line error and its code', async () => {
    for (const [args, pattern] of [
      [
        ['reports', 'list', '--db', db, '--since', 'yesterday'],
        /--since: not a duration or date.*\[BARBICAN_E_USAGE\]/,
      ],
      [
        ['reports', 'list', '--db', db, '--type', 'csp'],
        /--type: unknown report type.*\[BARBICAN_E_USAGE\]/,
      ],
      [
        ['reports', 'list', '--db', 'mysql://x'],
        /--db: not a database the collector can use.*\[BARBICAN_E_REPORTS_DB\]/,
      ],
      [['reports', 'list', '--db', 'postgres://u:secret@127.0.0.1:1/x'], /BARBICAN_E_REPORTS_DB/],
      [['reports', 'learn', '--db', db], /required option '--site/],
      [['reports', 'serve', '--db', db, '--host', '0.0.0.0'], /BARBICAN_E_REPORTS_TOKEN/],
      [
        ['reports', 'serve', '--db', db, '--durability', 'disk'],
        /--durability: not a durability.*process, power.*\[BARBICAN_E_USAGE\]/,
      ],
    ] as const) {
      const io = memoryIo();
      assert.equal(await run([...args], io), 2, args.join(' '));
      assert.match(io.stderr, pattern);
      assert.doesNotMatch(io.stderr, /secret|\n\s+at /, 'no password, no stack trace');
    }
  });

  it('parses --since as a duration or an ISO date', () => {
    const now = Date.UTC(2025, 0, 31);
    assert.equal(parseSince('7d', now), now - 7 * 86_400_000);
    assert.equal(parseSince('90s', now), now - 90_000);
    assert.equal(parseSince('2025-01-01', now), Date.UTC(2025, 0, 1));
  });

  it('has help with an example for every subcommand', () => {
    for (const sub of ['serve', 'list', 'learn']) {
      const r = spawnSync(process.execPath, [bin, 'reports', sub, '--help'], { encoding: 'utf8' });
      assert.equal(r.status, 0);
      assert.match(r.stdout, /Examples?:\n {2}barbican reports /);
    }
  });
});
