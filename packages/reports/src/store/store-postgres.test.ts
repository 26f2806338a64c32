import { PgDatabases } from '../../test/pg-database.ts';
import { storeSuite } from '../../test/store-suite.ts';

const dbs = new PgDatabases();

storeSuite({
  name: 'PostgreSQL (pg)',
  fresh: () => dbs.create(),
  raw: (url, sql) => dbs.raw(url, sql).then(() => undefined),
  rows: (url, sql) => dbs.raw(url, sql),
  cleanup: () => dbs.dropAll(),
});
