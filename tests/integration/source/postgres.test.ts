import pg from 'pg';
import { beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../../src/main/core/store/embedded.ts';
import { openSource } from '../../../src/main/core/source/open.ts';
import { PostgresSourceReader, postgresClientConfig } from '../../../src/main/core/source/postgres.ts';
import type { SourceReader } from '../../../src/main/core/source/types.ts';
import { adminUrl, createTestDatabase } from '../../support/pg.ts';
import { quirkCorpus } from '../../support/openwebui-corpus.ts';
import { createOpenWebUiSource, type SourceFixture } from '../../support/openwebui-fixture.ts';

async function count(reader: SourceReader): Promise<number> {
  let n = 0;
  for await (const _ of reader.readConversations()) n++;
  return n;
}

describe('read-only sessions', () => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await createOpenWebUiSource({ dialect: 'postgres', generation: '0.11', chats: quirkCorpus() });
  });

  test('a write through the reader’s connection settings fails', async () => {
    const client = new pg.Client(postgresClientConfig({ connectionString: fixture.url }));
    await client.connect();
    try {
      await expect(client.query("INSERT INTO chat (id, user_id, chat) VALUES ('x', 'u', '{}')")).rejects.toMatchObject({ code: '25006' });
      await expect(client.query("UPDATE chat SET title = 'x'")).rejects.toMatchObject({ code: '25006' });
      await expect(client.query('CREATE TABLE evil (a int)')).rejects.toMatchObject({ code: '25006' });
      await expect(client.query('DELETE FROM "user"')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await client.end();
    }
  });

  test('an options= parameter in the URL cannot switch read-only off', async () => {
    const url = `${fixture.url}?options=${encodeURIComponent('-c default_transaction_read_only=off')}`;
    const client = new pg.Client(postgresClientConfig({ connectionString: url }));
    await client.connect();
    try {
      await expect(client.query("INSERT INTO chat (id, user_id, chat) VALUES ('x', 'u', '{}')")).rejects.toMatchObject({ code: '25006' });
    } finally {
      await client.end();
    }
    const reader = (await openSource(url)) as PostgresSourceReader;
    expect(await reader.isReadOnlySession()).toBe(true);
    expect(await count(reader)).toBe(quirkCorpus().length);
    await reader.close();
  });

  test('the reader’s own sessions are read-only and leave no rows behind', async () => {
    const reader = (await openSource(fixture.url)) as PostgresSourceReader;
    expect(await reader.isReadOnlySession()).toBe(true);
    expect(await count(reader)).toBe(quirkCorpus().length);
    await reader.close();
    const check = new pg.Client({ connectionString: fixture.url });
    await check.connect();
    const { rows } = await check.query<{ n: string }>('SELECT count(*) AS n FROM chat');
    await check.end();
    expect(Number(rows[0]!.n)).toBe(quirkCorpus().length);
  });
});

describe('DATABASE_SCHEMA', () => {
  test('tables in a non-public schema are read when the schema is given', async () => {
    const fixture = await createOpenWebUiSource({ dialect: 'postgres', generation: '0.8', schema: 'Open WebUI', chats: quirkCorpus().slice(0, 5) });
    const reader = await openSource(fixture.url, { schema: 'Open WebUI' });
    expect(await reader.info()).toMatchObject({ chatCount: 5, hasChatMessageTable: true, schemaRevision: '8452d01d26d7' });
    expect(await count(reader)).toBe(5);
    expect(await reader.users()).toHaveLength(3);
    await reader.close();
    await expect(openSource(fixture.url)).rejects.toThrow(/no "chat" table/);
  });
});

describe('connection errors are readable and never show the password', () => {
  const password = 'Sup3r-s3cret-pw';
  let admin: URL;
  beforeAll(() => {
    admin = new URL(adminUrl());
  });

  test('nothing listening: connection refused with host and port', async () => {
    const port = await freePort();
    const url = `postgresql://owui:${password}@127.0.0.1:${port}/webui`;
    const error = await openSource(url).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(`Cannot reach the Open WebUI database at 127.0.0.1:${port}: connection refused. Is PostgreSQL running and listening on that address?`);
    expect(error?.message).not.toContain(password);
  });

  test('wrong password', async () => {
    const url = `postgresql+psycopg2://postgres:${password}@${admin.host}/postgres`;
    const error = await openSource(url).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/rejected the user name or password/);
    expect(error?.message).not.toContain(password);
    expect(JSON.stringify(error)).not.toContain(password);
  });

  test('missing database', async () => {
    const url = new URL(adminUrl());
    url.pathname = '/no_such_db';
    const error = await openSource(url.toString()).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/no_such_db does not exist/);
    expect(error?.message).not.toContain(decodeURIComponent(admin.password));
  });

  test('an empty database is not an Open WebUI database', async () => {
    const url = await createTestDatabase('empty');
    await expect(openSource(url)).rejects.toThrow(/has no "chat" table/);
  });
});

