import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { openAnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { migrateToLatest, pendingMigrations, appliedMigrations } from '../../../src/main/core/store/migrate.ts';
import { migrations } from '../../../migrations/index.ts';
import { createTestDatabase } from '../../support/pg.ts';

const TABLES = [
  'app_meta',
  'conversation_analysis',
  'conversation_failures',
  'conversation_insights',
  'conversation_skips',
  'daily_aggregates',
  'daily_category_aggregates',
  'daily_model_aggregates',
  'llm_batches',
  'monthly_user_aggregates',
  'processing_log',
  'user_engagement',
];

/** Every bundled migration in the order the migrator applies them. */
const ALL = Object.keys(migrations).sort();

async function tables(url: string): Promise<string[]> {
  const db = openAnalyticsDb(url, { max: 1 });
  try {
    const { rows } = await sql<{ name: string }>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%' ORDER BY 1`.execute(db);
    return rows.map((r) => r.name);
  } finally {
    await db.destroy();
  }
}

describe('migrateToLatest', () => {
  test('creates every table on an empty database and is a no-op the second time', async () => {
    const url = await createTestDatabase('migrate');
    const db = openAnalyticsDb(url);
    try {
      expect(await pendingMigrations(db)).toEqual(Object.keys(migrations));
      expect(await migrateToLatest(db)).toEqual({ applied: ALL });
      expect(await migrateToLatest(db)).toEqual({ applied: [] });
      expect(await appliedMigrations(db)).toEqual(ALL);
      expect(await pendingMigrations(db)).toEqual([]);
    } finally {
      await db.destroy();
    }
    expect(await tables(url)).toEqual(TABLES);
  });

  test('two processes migrating at once: both succeed, the migration runs once', async () => {
    const url = await createTestDatabase('migrate_race');
    // Separate pools stand for separate processes (different sessions, separate locks).
    const dbs = [openAnalyticsDb(url, { max: 2 }), openAnalyticsDb(url, { max: 2 }), openAnalyticsDb(url, { max: 1 })];
    try {
      const results = await Promise.all(dbs.map((db) => migrateToLatest(db)));
      const applied = results.flatMap((r) => r.applied);
      expect(applied).toEqual(ALL);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(dbs[0]!);
      expect(rows[0]!.n).toBe(ALL.length);
    } finally {
      await Promise.all(dbs.map((db) => db.destroy()));
    }
    expect(await tables(url)).toEqual(TABLES);
  });

  test('a pool of one connection is enough', async () => {
    const url = await createTestDatabase('migrate_one');
    const db = openAnalyticsDb(url, { max: 1 });
    try {
      expect((await migrateToLatest(db)).applied).toEqual(ALL);
    } finally {
      await db.destroy();
    }
  });

  test('down removes the tables again and up restores them', async () => {
    const url = await createTestDatabase('migrate_down');
    const db = openAnalyticsDb(url);
    try {
      await migrateToLatest(db);
      for (const name of [...ALL].reverse()) await migrations[name]!.down!(db);
      expect(await tables(url)).toEqual([]);
      for (const name of ALL) await migrations[name]!.up(db);
      expect(await tables(url)).toEqual(TABLES);
    } finally {
      await db.destroy();
    }
  });

  test('a failing migration rolls back the whole update and is reported with its name', async () => {
    const url = await createTestDatabase('migrate_fail');
    const db = openAnalyticsDb(url);
    try {
      const broken = {
        ...migrations,
        '9999_broken': {
          up: async (trx: typeof db) => {
            await sql`CREATE TABLE half_done (id int)`.execute(trx);
            await sql`SELECT * FROM no_such_table`.execute(trx);
          },
        },
      };
      await expect(migrateToLatest(db, broken)).rejects.toThrow(/migration 9999_broken.*no_such_table/);
      // Kysely applies all pending migrations in one transaction: all or nothing.
      expect(await tables(url)).toEqual([]);
      expect(await appliedMigrations(db)).toEqual([]);
      expect((await migrateToLatest(db)).applied).toEqual(ALL);
    } finally {
      await db.destroy();
    }
  });
});
