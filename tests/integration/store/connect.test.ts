import crypto from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import {
  deriveAnalyticsUrl,
  ensureDatabaseExists,
  openAnalyticsDb,
  pingAnalytics,
} from '../../../src/main/core/store/connect.ts';
import { adminUrl } from '../../support/pg.ts';
import { migratedDb } from './helpers.ts';

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('ensureDatabaseExists', () => {
  test('creates the derived database on the source server, once, even when callers race', async () => {
    // A unique name stands in for `cogniforce` so test runs do not share state.
    const name = `cogniforce_${crypto.randomBytes(4).toString('hex')}`;
    const url = deriveAnalyticsUrl(adminUrl(), name);
    expect(new URL(url).pathname).toBe(`/${name}`);
    expect(await databaseExists(name)).toBe(false);
    const results = await Promise.all([ensureDatabaseExists(url), ensureDatabaseExists(url), ensureDatabaseExists(url)]);
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(2);
    expect(await databaseExists(name)).toBe(true);
    expect(await ensureDatabaseExists(url)).toBe('exists');

    const db = openAnalyticsDb(url, { max: 1 });
    try {
      expect(await pingAnalytics(db)).toBeGreaterThanOrEqual(0);
    } finally {
      await db.destroy();
    }
  });

  test('the default derived name is cogniforce', () => {
    // Not created here: the test server is shared by every test file, and the creation path is
    // the one exercised above under a unique name.
    const url = deriveAnalyticsUrl(adminUrl());
    expect(new URL(url).pathname).toBe('/cogniforce');
    expect(new URL(url).port).toBe(new URL(adminUrl()).port);
  });

  test('a name needing quotes works', async () => {
    const name = `Cogni "Force" ${crypto.randomBytes(3).toString('hex')}`;
    const url = deriveAnalyticsUrl(adminUrl(), name);
    expect(await ensureDatabaseExists(url)).toBe('created');
    expect(await databaseExists(name)).toBe(true);
  });

  test('a wrong password gives a readable error without the password', async () => {
    const bad = new URL(deriveAnalyticsUrl(adminUrl(), 'whatever'));
    bad.password = 'wrong-Pa55word';
    const error = await ensureDatabaseExists(bad.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Could not use the analytics database at postgres@127\.0\.0\.1:\d+\/whatever: .*password authentication failed.*credentials/);
    expect((error as Error).message).not.toContain('wrong-Pa55word');
  });
});

describe('openAnalyticsDb type parsing', () => {
  test('DATE as YYYY-MM-DD strings, numeric and int8 as numbers, timestamptz as Date', async () => {
    const { db } = await migratedDb('types');
    const { rows } = await sql<{ d: unknown; n: unknown; b: unknown; t: unknown; c: unknown }>`
      SELECT '2025-03-30'::date AS d, 12.345678::numeric(14,6) AS n, 9007199254740991::bigint AS b,
             now() AS t, count(*) AS c FROM generate_series(1, 3)`.execute(db);
    expect(rows[0]).toMatchObject({ d: '2025-03-30', n: 12.345678, b: 9007199254740991, c: 3 });
    expect(rows[0]!.t).toBeInstanceOf(Date);
    await expect(sql`SELECT 9007199254740993::bigint AS too_big`.execute(db)).rejects.toThrow(/too large/);
    // The pool stays usable after that.
    expect(await pingAnalytics(db)).toBeGreaterThanOrEqual(0);
  });

  test("pg's global parsers are left alone for other pools (the source reader)", async () => {
    const { url } = await migratedDb('types_global');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ b: unknown }>('SELECT 5::bigint AS b');
      expect(rows[0]!.b).toBe('5');
    } finally {
      await client.end();
    }
  });

  test('pingAnalytics reports an unreachable server readably', async () => {
    const url = new URL(adminUrl());
    url.port = '1';
    url.password = 'hidden-pw';
    const db = openAnalyticsDb(url.toString(), { max: 1 });
    try {
      const error = await pingAnalytics(db, url.toString()).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/Could not use the analytics database at postgres@127\.0\.0\.1:1\/postgres: .*Nothing is listening/);
      expect((error as Error).message).not.toContain('hidden-pw');
    } finally {
      await db.destroy();
    }
  });
});
