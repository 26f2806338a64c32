import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { killUnderLoad } from './durability.ts';
import { PgDatabases } from './pg-database.ts';

describe('durability: SIGKILL under load loses no acknowledged report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'barbican-durability-'));
  const pg = new PgDatabases();
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg.dropAll();
  });

  it('SQLite (default durability: WAL, synchronous=NORMAL)', async (t) => {
    const r = await killUnderLoad(`sqlite:${join(dir, 'reports.db')}`, {
      total: 4000,
      concurrency: 32,
      killAfter: 1500,
    });
    assert.ok(r.acked.length >= 1500, `only ${r.acked.length} acknowledged`);
    assert.ok(r.sent > r.acked.length, 'the kill landed while requests were in flight');
    assert.ok(r.stored >= r.acked.length);
    t.diagnostic(`${r.acked.length} acknowledged of ${r.sent} sent, ${r.stored} stored, none lost`);
  });

  it('PostgreSQL', async (t) => {
    const r = await killUnderLoad(await pg.create(), {
      total: 3000,
      concurrency: 32,
      killAfter: 1000,
    });
    assert.ok(r.acked.length >= 1000, `only ${r.acked.length} acknowledged`);
    assert.ok(r.sent > r.acked.length, 'the kill landed while requests were in flight');
    t.diagnostic(`${r.acked.length} acknowledged of ${r.sent} sent, ${r.stored} stored, none lost`);
  });
});
