/**
 * One storage suite, run against SQLite (store-sqlite.test.ts) and
 * PostgreSQL (store-postgres.test.ts): the same migrations and queries must
 * behave the same on both.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  DAY_MS,
  fingerprint,
  openStore,
  SCHEMA_VERSION,
  WriteQueue,
  type IncomingReport,
  type NormalizedReport,
} from '../src/index.ts';

/** What a backend gives the suite. */
export interface Backend {
  readonly name: string;
  /** A new, empty database URL for `openStore`. */
  fresh(): Promise<string>;
  /** Runs raw SQL on a database (for tampering the suite needs). */
  raw(url: string, sql: string): Promise<void>;
  /** The rows of a raw query (for what the store's own queries merge away). */
  rows(url: string, sql: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

/** A stored-shape report with sensible defaults. */
export function report(
  over: Partial<NormalizedReport> & { site?: string; receivedAt?: number } = {},
): IncomingReport {
  const base: NormalizedReport = {
    type: 'csp-violation',
    url: 'https://shop.example/',
    directive: 'img-src',
    blockedUrl: 'https://cdn.example/a.png',
    blockedHost: 'cdn.example',
    sourceFile: 'https://shop.example/',
    line: 1,
    column: 2,
    disposition: 'report',
    sample: null,
    statusCode: 200,
    policy: "img-src 'self'",
    details: {},
    userAgent: 'UA/1',
    age: 10,
  };
  const { site = 'shop', receivedAt = T0, ...rest } = over;
  const r = { ...base, ...rest };
  return { ...r, site, receivedAt, client: '203.0.113.0', fingerprint: fingerprint(site, r) };
}

function batchOf(reports: readonly IncomingReport[]) {
  return {
    rows: reports.map((r) => ({
      report: r,
      day: Math.floor(r.receivedAt / DAY_MS),
      count: 1,
      firstReceivedAt: r.receivedAt,
      lastReceivedAt: r.receivedAt,
      firstGeneratedAt: r.age === null ? null : r.receivedAt - r.age,
      lastGeneratedAt: r.age === null ? null : r.receivedAt - r.age,
    })),
    counts: [],
    drops: [],
  };
}

/** Registers the suite for `backend`. */
export function storeSuite(backend: Backend): void {
  void describe(`report store on ${backend.name}`, () => {
    after(() => backend.cleanup());

    void it('runs the migrations once and records the schema version', async () => {
      const url = await backend.fresh();
      const stores = await Promise.all([openStore(url), openStore(url), openStore(url)]);
      for (const s of stores) assert.equal(await s.schemaVersion(), SCHEMA_VERSION);
      await Promise.all(stores.map((s) => s.close()));
      const again = await openStore(url);
      assert.equal(await again.migrate(), SCHEMA_VERSION);
      await again.close();
    });

    void it('refuses a database whose schema is newer than the code', async () => {
      const url = await backend.fresh();
      await (await openStore(url)).close();
      await backend.raw(
        url,
        'INSERT INTO barbican_schema_version (version, applied_at) VALUES (999, 0)',
      );
      await assert.rejects(openStore(url), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'BARBICAN_E_REPORTS_DB');
        assert.match(e.message, /version 999, newer/);
        return true;
      });
    });

    void it('de-duplicates across batches: one row per report and UTC day, counts summed, times widened', async () => {
      const store = await openStore(await backend.fresh());
      await store.write(
        batchOf([report({ receivedAt: T0, age: 50 }), report({ directive: 'font-src' })]),
      );
      await store.write(batchOf([report({ receivedAt: T0 + 1000, age: 5, userAgent: 'UA/2' })]));
      await store.write(batchOf([report({ receivedAt: T0 + DAY_MS })]));
      const [img, font] = [
        (await store.list({ directive: 'img-src' }))[0],
        (await store.list({ directive: 'font-src' }))[0],
      ];
      assert.equal(img?.count, 3);
      assert.equal(img.firstReceivedAt, T0);
      assert.equal(img.receivedAt, T0 + DAY_MS);
      assert.equal(img.firstGeneratedAt, T0 - 50);
      assert.equal(img.generatedAt, T0 + DAY_MS - 10);
      assert.equal(font?.count, 1);
      const sinceDay2 = await store.list({ directive: 'img-src', since: T0 + DAY_MS });
      assert.equal(sinceDay2[0]?.count, 1, 'the window counts only the days it covers');
      const one = await store.get(img.fingerprint);
      assert.equal(one?.count, 3);
      assert.equal(await store.get('0'.repeat(32)), undefined);
      await store.close();
    });

    void it('keeps one row per report and day across batches, restarts and retention', async () => {
      const url = await backend.fresh();
      const today = Date.now();
      const stored = async () =>
        (
          await backend.rows(
            url,
            'SELECT CAST(count AS INTEGER) AS n FROM barbican_reports ORDER BY first_received_at',
          )
        ).map((r) => Number(r['n']));
      let store = await openStore(url);
      await store.write(batchOf([report({ receivedAt: today })]));
      await store.write(batchOf([report({ receivedAt: today + 1 })]));
      await store.close();
      store = await openStore(url);
      await store.write(batchOf([report({ receivedAt: today + 2 })]));
      assert.deepEqual(await stored(), [3], 'merged into the row written before the restart');
      assert.equal(await store.prune(today + DAY_MS), 1);
      await store.write(batchOf([report({ receivedAt: today + 3 })]));
      assert.deepEqual(await stored(), [1], 'a pruned row is written anew, not updated');
      await store.close();
    });

    void it('group-commits through the queue: identical reports merged, drops counted', async () => {
      const store = await openStore(await backend.fresh());
      const queue = new WriteQueue(store);
      const now = Date.now();
      const acks = [];
      for (let i = 0; i < 200; i++) {
        acks.push(
          queue.submit([report({ receivedAt: now, blockedUrl: `https://cdn.example/${i % 10}` })]),
        );
      }
      queue.drop('shop', 'extension', 3, now);
      queue.drop('shop', 'ip-rate', 1, now);
      await Promise.all(acks);
      await queue.drain();
      const rows = await store.list({ site: 'shop', limit: 1000 });
      assert.equal(rows.length, 10);
      assert.ok(rows.every((r) => r.count === 20));
      assert.deepEqual(await store.timeline({ site: 'shop' }), [
        { bucket: Math.floor(now / 3_600_000) * 3_600_000, count: 200 },
      ]);
      assert.deepEqual(await store.drops({ site: 'shop' }), [
        { site: 'shop', reason: 'extension', count: 3 },
        { site: 'shop', reason: 'ip-rate', count: 1 },
      ]);
      await store.close();
    });

    void it('filters, groups and lists sites; null filters match absent values', async () => {
      const store = await openStore(await backend.fresh());
      const queue = new WriteQueue(store);
      await queue.submit([
        report({ site: 'shop' }),
        report({ site: 'shop', type: 'coep', directive: 'corp' }),
        report({ site: 'blog', directive: null, blockedUrl: 'inline', blockedHost: null }),
        report({ site: 'blog', sourceFile: 'https://blog.example/app.js' }),
      ]);
      assert.deepEqual(await store.sites(), ['blog', 'shop']);
      assert.equal((await store.list({ site: 'shop', type: 'coep' })).length, 1);
      assert.equal((await store.list({ directive: null }))[0]?.site, 'blog');
      assert.equal((await store.list({ blockedHost: null })).length, 1);
      assert.deepEqual(await store.groups('site'), [
        { key: 'blog', count: 2 },
        { key: 'shop', count: 2 },
      ]);
      assert.deepEqual(await store.groups('blockedHost'), [
        { key: 'cdn.example', count: 3 },
        { key: null, count: 1 },
      ]);
      assert.deepEqual(
        (await store.groups('sourceFile', { site: 'blog' })).map((g) => g.key),
        ['https://blog.example/app.js', 'https://shop.example/'],
      );
      assert.equal((await store.list({ limit: 2 })).length, 2);
      await store.close();
    });

    void it('stores hostile strings byte for byte (quotes, SQL, markup, emoji, U+FFFD)', async () => {
      const store = await openStore(await backend.fresh());
      const nasty = `'); DROP TABLE barbican_reports; -- "<script>alert(1)</script>" 💥 \uFFFD ${'x'.repeat(100)}`;
      await new WriteQueue(store).submit([
        report({ sample: nasty, details: { message: nasty, n: 1.5, ok: true } }),
      ]);
      const [r] = await store.list({});
      assert.equal(r?.sample, nasty);
      assert.deepEqual(r.details, { message: nasty, n: 1.5, ok: true });
      await store.close();
    });

    void it('prunes many rows in bounded transactions, every one of them', async () => {
      const store = await openStore(await backend.fresh());
      const old = Date.now() - 40 * DAY_MS;
      const rows = Array.from({ length: 12_001 }, (_, i) => report({ receivedAt: old, line: i }));
      for (let i = 0; i < rows.length; i += 3_000) {
        await store.write(batchOf(rows.slice(i, i + 3_000)));
      }
      await store.write(batchOf([report({ receivedAt: Date.now() })]));
      assert.equal(await store.prune(Date.now() - 30 * DAY_MS), 12_001);
      assert.equal((await store.list({ since: 0 })).length, 1);
      await store.close();
    });

    void it('prunes by age (retention), reports and counters alike', async () => {
      const store = await openStore(await backend.fresh());
      const queue = new WriteQueue(store);
      const now = Date.now();
      await queue.submit([
        report({ receivedAt: now - 40 * DAY_MS }),
        report({ receivedAt: now, line: 9 }),
      ]);
      assert.equal(await store.prune(now - 30 * DAY_MS), 1);
      const left = await store.list({ since: 0 });
      assert.deepEqual(
        left.map((r) => r.line),
        [9],
      );
      assert.equal((await store.timeline({ since: 0 })).length, 1);
      await store.close();
    });
  });
}
