import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { openSource } from '../../src/main/core/source/open.ts';
import { PostgresSourceReader } from '../../src/main/core/source/postgres.ts';
import { SqliteSourceReader } from '../../src/main/core/source/sqlite.ts';
import type { SourceReader } from '../../src/main/core/source/types.ts';
import { quirkCorpus } from '../support/openwebui-corpus.ts';
import { createOpenWebUiSource, type SourceFixture } from '../support/openwebui-fixture.ts';

// The Open WebUI database is only ever read. These tests take the reader the app opens and try
// to write through its own connection — the PostgreSQL pool it reads with, the SQLite handle it
// holds — the way a bug in the reader would: every write fails and the source is unchanged.

const WRITES = [
  "INSERT INTO chat (id, user_id, title, chat, created_at, updated_at) VALUES ('evil', 'u', 't', '{}', 0, 0)",
  "UPDATE chat SET title = 'overwritten'",
  'DELETE FROM chat',
  'CREATE TABLE evil (a int)',
  'DROP TABLE chat',
  'ALTER TABLE chat ADD COLUMN evil int',
];

const fixtures: SourceFixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.cleanup();
});

async function chatCount(reader: SourceReader): Promise<number> {
  return (await reader.info()).chatCount;
}

describe('PostgreSQL source', () => {
  test('the reader’s own pooled sessions refuse every write, in and out of transactions', async () => {
    const fixture = await createOpenWebUiSource({ dialect: 'postgres', generation: '0.11', chats: quirkCorpus().slice(0, 8) });
    fixtures.push(fixture);
    const reader = await openSource(fixture.url);
    expect(reader).toBeInstanceOf(PostgresSourceReader);
    const pool = Reflect.get(reader, 'pool') as pg.Pool;
    expect(pool).toBeInstanceOf(pg.Pool);
    const before = await chatCount(reader);
    try {
      for (const statement of [...WRITES, 'TRUNCATE chat', "SELECT set_config('search_path', 'public', false); DELETE FROM chat"]) {
        await expect(pool.query(statement), statement).rejects.toMatchObject({ code: '25006' }); // read_only_sql_transaction
      }
      // Inside an explicit transaction on one of the pool's clients, as a batch would run.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await expect(client.query("UPDATE chat SET title = 'x'")).rejects.toMatchObject({ code: '25006' });
        await client.query('ROLLBACK');
        expect((await client.query<{ transaction_read_only: string }>('SHOW transaction_read_only')).rows[0]).toEqual({ transaction_read_only: 'on' });
      } finally {
        client.release();
      }
      // The reader's own query path turns the refusal into a readable error, password-free.
      const query = Reflect.get(reader, 'query') as (this: unknown, sql: string) => Promise<unknown>;
      await expect(query.call(reader, 'DELETE FROM chat')).rejects.toThrow(/read-only transaction/);
      expect(await chatCount(reader)).toBe(before);
    } finally {
      await reader.close();
    }
    // Seen from an ordinary session afterwards: nothing changed.
    const check = new pg.Client({ connectionString: fixture.url });
    await check.connect();
    try {
      expect(Number((await check.query<{ n: string }>('SELECT count(*) AS n FROM chat')).rows[0]!.n)).toBe(before);
      expect((await check.query("SELECT 1 FROM chat WHERE title = 'overwritten' OR id = 'evil'")).rowCount).toBe(0);
      expect((await check.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'evil'")).rowCount).toBe(0);
    } finally {
      await check.end();
    }
  });
  test('everything the reader sends while reading a whole database is a read', async () => {
    const fixture = await createOpenWebUiSource({ dialect: 'postgres', generation: '0.11', chats: quirkCorpus() });
    fixtures.push(fixture);
    const sent: string[] = [];
    const original = pg.Client.prototype.query;
    // Every statement of every pooled client (cursors included: they carry their text).
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: unknown } | undefined;
      const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : '';
      if (text) sent.push(text);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      const reader = await openSource(fixture.url);
      await reader.ping();
      await reader.info();
      await reader.users();
      let n = 0;
      for await (const _ of reader.readConversations()) n++;
      expect(n).toBe(quirkCorpus().length);
      await reader.close();
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(sent.length).toBeGreaterThan(3);
    for (const text of sent) {
      const statement = text.trim();
      // Reads, and the read-only snapshot transactions they run in.
      const isRead = /^(SELECT|WITH|SHOW|COMMIT|ROLLBACK)\b/i.test(statement) || (/^BEGIN\b/i.test(statement) && /\bREAD ONLY\b/i.test(statement));
      expect(isRead, statement).toBe(true);
      expect(statement, statement).not.toMatch(/\bREAD WRITE\b|\bset_config\b|^SET\b/i);
    }
  });
});

describe('SQLite source', () => {
  test('the reader’s own handle refuses every write; the file and its folder are byte-for-byte unchanged', async () => {
    const fixture = await createOpenWebUiSource({ dialect: 'sqlite', generation: '0.11', chats: quirkCorpus().slice(0, 8) });
    fixtures.push(fixture);
    const file = fixture.file!;
    const folder = path.dirname(file);
    const snapshot = (): Record<string, string> =>
      Object.fromEntries(fs.readdirSync(folder).map((name) => [name, crypto.createHash('sha256').update(fs.readFileSync(path.join(folder, name))).digest('hex')]));
    const before = snapshot();
    const reader = await openSource(file);
    expect(reader).toBeInstanceOf(SqliteSourceReader);
    const db = Reflect.get(reader, 'db') as Database.Database;
    expect(db.readonly).toBe(true);
    const count = await chatCount(reader);
    try {
      for (const statement of [...WRITES, 'PRAGMA user_version = 42', 'VACUUM', 'REINDEX']) {
        expect(() => db.exec(statement), statement).toThrow(/readonly|read-only|attempt to write/i);
      }
      // An attached database opens read-only too: no new file appears beside the source.
      const attached = path.join(folder, 'evil.db');
      expect(() => db.exec(`ATTACH DATABASE '${attached}' AS evil; CREATE TABLE evil.t (a)`)).toThrow();
      expect(fs.existsSync(attached)).toBe(false);
      expect(await chatCount(reader)).toBe(count);
    } finally {
      await reader.close();
    }
    expect(snapshot()).toEqual(before);
  });
});
