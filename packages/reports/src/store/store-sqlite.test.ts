import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
