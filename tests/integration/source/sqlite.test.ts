import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { openSource } from '../../../src/main/core/source/open.ts';
import { openOpenWebUiWriter } from '../../../src/main/core/source/openwebui-writer.ts';
import { openSqliteReadOnly } from '../../../src/main/core/source/sqlite.ts';
import type { SourceReader } from '../../../src/main/core/source/types.ts';
import { quirkCorpus } from '../../support/openwebui-corpus.ts';
import { FIXTURE_USERS, T0, chatRecord, createOpenWebUiSource, linearChat, tempDir } from '../../support/openwebui-fixture.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratchDir(): string {
  const dir = tempDir();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function count(reader: SourceReader): Promise<number> {
  let n = 0;
  for await (const _ of reader.readConversations()) n++;
  return n;
}

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('read-only', () => {
  test('the connection refuses every write and the file is left untouched', async () => {
    const fixture = await createOpenWebUiSource({ dialect: 'sqlite', generation: '0.11', chats: quirkCorpus() });
    cleanups.push(fixture.cleanup);
    const file = fixture.file!;
    const before = sha256(file);

    const db = openSqliteReadOnly(file);
    expect(db.readonly).toBe(true);
    expect(() => db.prepare("INSERT INTO chat (id, user_id, chat) VALUES ('x', 'u', '{}')").run()).toThrow(/readonly/i);
    expect(() => db.prepare("UPDATE chat SET title = 'x'").run()).toThrow(/readonly/i);
    expect(() => db.exec('CREATE TABLE evil (a)')).toThrow(/readonly/i);
    db.close();

    const reader = await openSource(file);
    expect(await count(reader)).toBe(quirkCorpus().length);
    await reader.users();
    await reader.info();
    await reader.close();
    expect(sha256(file)).toBe(before);
  });
});

describe('WAL', () => {
  test('rows still in the -wal file (not checkpointed) are visible to the reader', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'webui.db');
    // Open WebUI 0.11 runs SQLite in WAL mode; its connection stays open and checkpoints later.
    const writer = await openOpenWebUiWriter(file, { generation: '0.11', journalMode: 'wal', walAutocheckpoint: 0 });
    cleanups.push(() => writer.close());
    await writer.insertUsers(FIXTURE_USERS);
    await writer.insertChats(quirkCorpus());
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);

    // Copying only webui.db loses everything not yet checkpointed …
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(file, copy);
    const copied = new Database(copy, { readonly: true });
    expect(copied.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'chat'").get()).toEqual({ n: 0 });
    copied.close();

    // … while the reader sees it through the WAL.
    const reader = await openSource(`sqlite:///${file}`);
    cleanups.push(() => reader.close());
    expect(await count(reader)).toBe(quirkCorpus().length);

    // A later write by the live writer shows up in the next read.
    await writer.insertChats([chatRecord('c99-later', 'u-eva', linearChat(['later', 'yes'], { start: T0 + 99 * 3600 }))]);
    expect(await count(reader)).toBe(quirkCorpus().length + 1);
    expect((await reader.info()).chatCount).toBe(quirkCorpus().length + 1);
  });

  test('a WAL-mode database closed cleanly (no -wal file) opens read-only', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'webui.db');
    const writer = await openOpenWebUiWriter(file, { generation: '0.11', journalMode: 'wal' });
    await writer.insertUsers(FIXTURE_USERS);
    await writer.insertChats(quirkCorpus().slice(0, 3));
    await writer.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reader = await openSource(file);
    expect(await count(reader)).toBe(3);
    await reader.close();
  });
});

describe('schemas and errors', () => {
  test('a 0.3 database (TEXT chat, no meta, legacy user table) is read', async () => {
    const fixture = await createOpenWebUiSource({ dialect: 'sqlite', generation: '0.3', chats: quirkCorpus().slice(0, 4) });
    cleanups.push(fixture.cleanup);
    const reader = await openSource(fixture.url);
    expect(await reader.info()).toMatchObject({ schemaRevision: '7e5b5dc7342b', hasChatMessageTable: false, chatColumnType: 'text', chatCount: 4 });
    expect(await count(reader)).toBe(4);
    expect((await reader.users()).every((u) => u.timezone === null)).toBe(true);
    await reader.close();
  });

  test('a database without alembic_version or user table still reads chats', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'webui.db');
    const db = new Database(file);
    db.exec('CREATE TABLE chat (id VARCHAR(255) NOT NULL UNIQUE, user_id VARCHAR(255), title TEXT, chat TEXT, timestamp INTEGER)');
    db.prepare('INSERT INTO chat (id, user_id, title, chat) VALUES (?, ?, ?, ?)').run('p1', 'u1', 'peewee era', JSON.stringify(linearChat(['q', 'a']).document()));
    db.close();
    const reader = await openSource(file);
    expect(await reader.info()).toMatchObject({ schemaRevision: null, userCount: 0, chatCount: 1 });
    expect(await reader.users()).toEqual([]);
    const rows = [];
    for await (const r of reader.readConversations()) rows.push(r);
    expect(rows).toMatchObject([{ kind: 'conversation', conversation: { id: 'p1', createdAt: T0, sourceUpdatedAt: T0 + 60 } }]);
    await reader.close();
  });

  test('readable errors for a missing file, a non-database and a foreign database', async () => {
    const dir = scratchDir();
    await expect(openSource(path.join(dir, 'nope.db'))).rejects.toThrow(/does not exist/);
    fs.writeFileSync(path.join(dir, 'text.db'), 'this is not sqlite '.repeat(100));
    await expect(openSource(path.join(dir, 'text.db'))).rejects.toThrow(/not a SQLite database/);
    const foreign = new Database(path.join(dir, 'other.db'));
    foreign.exec('CREATE TABLE t (a)');
    foreign.close();
    await expect(openSource(path.join(dir, 'other.db'))).rejects.toThrow(/no "chat" table/);
  });
});
