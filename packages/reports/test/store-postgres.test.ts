import { PgDatabases } from './pg-database.ts';
import { storeSuite } from './store-suite.ts';

const dbs = new PgDatabases();

storeSuite({
  name: 'PostgreSQL (pg)',
  fresh: () => dbs.create(),
  raw: (url, sql) => dbs.raw(url, sql),
  cleanup: () => dbs.dropAll(),
});
