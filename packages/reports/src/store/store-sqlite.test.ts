import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqlite } from './sqlite.ts';
import { MIGRATIONS, VERSION_TABLE } from './schema.ts';
import { openStore, SCHEMA_VERSION, WriteQueue } from '../index.ts';
import { report, storeSuite } from '../../test/store-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'barbican-reports-sqlite-'));
let n = 0;

storeSuite({
  name: 'SQLite (node:sqlite, WAL)',
  fresh: () => Promise.resolve(`sqlite:${join(dir, `db${n++}.sqlite`)}`),
  raw(url, sql) {
    const db = new DatabaseSync(url.slice('sqlite:'.length));
    db.exec(sql);
    db.close();
    return Promise.resolve();
  },
  rows(url, sql) {
    const db = new DatabaseSync(url.slice('sqlite:'.length));
    try {
      return Promise.resolve(db.prepare(sql).all() as Record<string, unknown>[]);
    } finally {
      db.close();
    }
  },
  cleanup() {
    rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
});

describe('SQLite durability', () => {
  const own = mkdtempSync(join(tmpdir(), 'barbican-reports-sync-'));
  after(() => rmSync(own, { recursive: true, force: true }));

  it('syncs the WAL at every commit only with durability power (NORMAL: survives a killed process)', async () => {
    // PRAGMA synchronous: 1 = NORMAL, 2 = FULL.
    for (const [durability, level] of [
      [undefined, 1],
      ['process', 1],
      ['power', 2],
    ] as const) {
      const driver = openSqlite(join(own, `sync-${durability ?? 'default'}.sqlite`), durability);
      try {
        assert.deepEqual(
          (await driver.all('PRAGMA journal_mode')).map((r) => ({ ...r })),
          [{ journal_mode: 'wal' }],
          String(durability),
        );
        assert.deepEqual(
          (await driver.all('PRAGMA synchronous')).map((r) => ({ ...r })),
          [{ synchronous: level }],
          String(durability),
        );
      } finally {
        await driver.close();
      }
    }
  });
});

describe('SQLite commits on the main thread (durability process)', () => {
  const own = mkdtempSync(join(tmpdir(), 'barbican-reports-ckpt-'));
  after(() => rmSync(own, { recursive: true, force: true }));

  it('leaves the WAL to the checkpoint thread, which copies it into the database file', async () => {
    const file = join(own, 'ckpt.sqlite');
    const store = await openStore(`sqlite:${file}`);
    const queue = new WriteQueue(store);
    const now = Date.now();
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 10; i++) {
      await queue.submit(
        Array.from({ length: 200 }, (_, j) =>
          report({ receivedAt: now, sample: `${i}-${j}${big}` }),
        ),
      );
    }
    // 2 000 rows of 2 kB: about 4 MB, all in the WAL until a checkpoint.
    let size = statSync(file).size;
    for (let waited = 0; size < 4_000_000 && waited < 5_000; waited += 50) {
      await sleep(50);
      size = statSync(file).size;
    }
    await store.close();
    assert.ok(size >= 4_000_000, `the database file holds the rows (${size} bytes)`);
  });
});

describe('SQLite report rows without a unique key (schema 2)', () => {
  const own = mkdtempSync(join(tmpdir(), 'barbican-reports-v2-'));
  after(() => rmSync(own, { recursive: true, force: true }));
  const counts = (file: string) => {
    const db = new DatabaseSync(file);
    try {
      return db
        .prepare('SELECT blocked_url AS b, count AS n FROM barbican_reports ORDER BY id')
        .all()
        .map((r) => `${String(r['b'])}=${Number(r['n'])}`);
    } finally {
      db.close();
    }
  };

  it('migrates a version 1 database, keeping its rows and merging into them', async () => {
    const file = join(own, 'v1.sqlite');
    const db = new DatabaseSync(file);
    db.exec(VERSION_TABLE);
    for (const statement of MIGRATIONS[0]?.statements ?? []) db.exec(statement);
    db.exec('INSERT INTO barbican_schema_version (version, applied_at) VALUES (1, 0)');
    const old = report({ receivedAt: Date.now() });
    const day = Math.floor(old.receivedAt / 86_400_000);
    db.prepare(
      `INSERT INTO barbican_reports (fingerprint, day, site, type, blocked_url, details, count,
        first_received_at, last_received_at) VALUES (?, ?, 'shop', 'csp-violation', ?, '{}', 4, ?, ?)`,
    ).run(old.fingerprint, day, old.blockedUrl, old.receivedAt, old.receivedAt);
    db.close();

    const store = await openStore(`sqlite:${file}`);
    assert.equal(await store.schemaVersion(), SCHEMA_VERSION);
    await new WriteQueue(store).submit([report({ receivedAt: old.receivedAt + 1 })]);
    assert.equal((await store.get(old.fingerprint, 'shop'))?.count, 5);
    await store.close();
    assert.deepEqual(counts(file), ['https://cdn.example/a.png=5']);
  });

  it('never merges into a row whose id now belongs to another report', async () => {
    const file = join(own, 'reused.sqlite');
    const store = await openStore(`sqlite:${file}`);
    const queue = new WriteQueue(store);
    const now = Date.now();
    await queue.submit([report({ receivedAt: now })]);
    // Another process empties the table: SQLite hands out id 1 again.
    const other = new DatabaseSync(file);
    other.exec('DELETE FROM barbican_reports');
    other.close();
    await queue.submit([report({ receivedAt: now, blockedUrl: 'https://cdn.example/b.png' })]);
    await queue.submit([report({ receivedAt: now })]);
    await store.close();
    assert.deepEqual(counts(file), ['https://cdn.example/b.png=1', 'https://cdn.example/a.png=1']);
  });
});
