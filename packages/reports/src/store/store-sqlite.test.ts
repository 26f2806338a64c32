import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqlite } from './sqlite.ts';
import { storeSuite } from '../../test/store-suite.ts';

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
