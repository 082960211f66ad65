import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFloor, sqliteFloor } from '../../../bench/floor.ts';
import { createTestDatabase } from '../../support/pg.ts';

// The benchmarks' floors must read every row and every byte, or every ratio built on them is
// flattering: COPY … TO STDOUT through pg's submittable hook, and better-sqlite3's iterate().

const ROWS = 2_500;
const text = (i: number): string => `{"id":${i},"body":"${'x'.repeat(i % 97)}é"}`;

describe('bench floors', () => {
  let url: string;
  let dir: string;

  beforeAll(async () => {
    url = await createTestDatabase('floor');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE chat (id text PRIMARY KEY, chat json)');
    await client.query(`INSERT INTO chat SELECT 'c' || g, ('{"id":' || g || ',"body":"' || repeat('x', g % 97) || 'é"}')::json FROM generate_series(0, ${ROWS - 1}) AS g`);
    await client.end();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-floor-'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('COPY TO STDOUT delivers every row and byte of the query', async () => {
    const floor = await copyFloor(url, 'SELECT id, chat FROM chat', 'test');
    expect(floor.rows).toBe(ROWS);
    // Text format: "id\tdocument\n" per row, UTF-8 (é is two bytes).
    let bytes = 0;
    for (let i = 0; i < ROWS; i++) bytes += Buffer.byteLength(`c${i}\t${text(i)}\n`);
    expect(floor.megabytes).toBe(Math.round(bytes / 1e5) / 10);
    expect(floor.seconds).toBeGreaterThan(0);
    expect(floor.rowsPerSecond).toBeGreaterThan(0);
  });

  it('COPY in CSV format and a failing query', async () => {
    const csv = await copyFloor(url, "SELECT id, 'a,b' AS quoted FROM chat WHERE id < 'c2'", 'csv', 'csv');
    expect(csv.rows).toBeGreaterThan(0);
    await expect(copyFloor(url, 'SELECT no_such_column FROM chat', 'broken')).rejects.toThrow(/no_such_column/);
  });

  it('SQLite iterate() touches every row', () => {
    const file = path.join(dir, 'chats.db');
    const db = new Database(file);
    db.exec('CREATE TABLE chat (id TEXT PRIMARY KEY, chat TEXT, updated_at INTEGER)');
    const insert = db.prepare('INSERT INTO chat VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) insert.run(`c${i}`, text(i), i % 3 === 0 ? null : i);
    })();
    db.close();
    const floor = sqliteFloor(file, 'SELECT id, chat, updated_at FROM chat', 'test');
    expect(floor.rows).toBe(ROWS);
    // Characters of the text columns plus 8 per non-null number.
    let chars = 0;
    for (let i = 0; i < ROWS; i++) chars += `c${i}`.length + text(i).length + (i % 3 === 0 ? 0 : 8);
    expect(floor.megabytes).toBe(Math.round(chars / 1e5) / 10);
  });
});
