import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { writeDemoDatabase } from '../../../src/main/core/demo/dataset.ts';
import { openSource } from '../../../src/main/core/source/open.ts';
import { openOpenWebUiWriter } from '../../../src/main/core/source/openwebui-writer.ts';
import { createTestDatabase } from '../../support/pg.ts';
import { ChatBuilder, FIXTURE_USERS, T0, chatRecord, tempDir } from '../../support/openwebui-fixture.ts';

function sampleChat(): ChatBuilder {
  const b = new ChatBuilder({ title: 'Fordítás' });
  b.user('Fordítsd le: jó reggelt', { at: T0, files: [{ type: 'file', name: 'a.pdf', content_type: 'application/pdf' }] });
  const a = b.assistant('Good morning', { extra: { usage: { prompt_eval_count: 5, eval_count: 7 } } });
  b.regenerate(a, 'Good morning!');
  return b;
}

describe('Open WebUI writer', () => {
  test('SQLite rows look like Open WebUI’s own (ASCII JSON, composite ids, normalised usage, JSON null)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'webui.db');
    try {
      const writer = await openOpenWebUiWriter(file, { generation: '0.11' });
      await writer.insertUsers(FIXTURE_USERS);
      await writer.insertChats([chatRecord('c1', 'u-eva', sampleChat())]);
      await writer.close();
      const db = new Database(file, { readonly: true });
      const chat = db.prepare('SELECT chat, meta, current_message_id FROM chat').get() as { chat: string; meta: string; current_message_id: string };
      expect(chat.chat).toContain('Ford\\u00edtsd le');
      expect(chat.meta).toBe('{}');
      expect(chat.current_message_id).toBe('m003');
      const rows = db.prepare('SELECT id, parent_id, role, content, usage, files, model_id FROM chat_message ORDER BY id').all();
      expect(rows).toEqual([
        { id: 'c1-m001', parent_id: null, role: 'user', content: '"Ford\\u00edtsd le: j\\u00f3 reggelt"', usage: 'null', files: expect.stringContaining('application/pdf'), model_id: null },
        { id: 'c1-m002', parent_id: 'm001', role: 'assistant', content: '"Good morning"', usage: '{"prompt_eval_count":5,"eval_count":7,"input_tokens":5,"output_tokens":7,"total_tokens":12}', files: 'null', model_id: 'gpt-4o-mini' },
        { id: 'c1-m003', parent_id: 'm001', role: 'assistant', content: '"Good morning!"', usage: 'null', files: 'null', model_id: 'gpt-4o-mini' },
      ]);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
      await expect(openOpenWebUiWriter(file, { generation: '0.11' })).rejects.toThrow(/already exists/);
      const again = await openOpenWebUiWriter(file, { generation: '0.6', overwrite: true });
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: multi-row inserts, broken JSON kept as a JSON string, existing tables refused', async () => {
    const url = await createTestDatabase('writer');
    const writer = await openOpenWebUiWriter(url, { generation: '0.11' });
    const many = Array.from({ length: 1200 }, (_, i) => chatRecord(`c${i}`, 'u-peter', sampleChat(), { updatedAt: T0 + i }));
    await writer.insertUsers(FIXTURE_USERS);
    await writer.insertChats([...many, chatRecord('broken', 'u-eva', '{"history": {', { messageRows: 'none' })]);
    await writer.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const counts = await client.query<{ chats: string; messages: string; broken: string }>(
      `SELECT (SELECT count(*) FROM chat) AS chats, (SELECT count(*) FROM chat_message) AS messages,
              (SELECT chat::text FROM chat WHERE id = 'broken') AS broken`,
    );
    await client.end();
    expect(counts.rows[0]).toEqual({ chats: '1201', messages: '3600', broken: '"{\\"history\\": {"' });
    const reader = await openSource(url);
    const rows = [];
    for await (const r of reader.readConversations({ ids: ['broken', 'c7'] })) rows.push(r);
    await reader.close();
    expect(rows.map((r) => (r.kind === 'conversation' ? r.conversation.messages.length : r.reason))).toEqual(['unparsable_json', 3]);
    await expect(openOpenWebUiWriter(url, { generation: '0.11' })).rejects.toThrow(/already has Open WebUI tables/);
    await (await openOpenWebUiWriter(url, { generation: '0.8', overwrite: true })).close();
  });

  test('writeDemoDatabase writes the demo into SQLite in WAL mode and into PostgreSQL', async () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'demo', 'webui.db');
      const now = Date.UTC(2026, 2, 2, 12);
      expect(await writeDemoDatabase(file, { seed: 1, users: 5, days: 10, now })).toEqual({ users: 5, chats: 30 });
      const db = new Database(file, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
      const url = await createTestDatabase('demo');
      expect(await writeDemoDatabase(url, { seed: 1, users: 5, days: 10, now, generation: '0.6' })).toEqual({ users: 5, chats: 30 });
      const [a, b] = await Promise.all([file, url].map(async (u) => {
        const r = await openSource(u);
        const out = [];
        for await (const row of r.readConversations()) out.push(row);
        await r.close();
        return out;
      }));
      expect(a).toEqual(b);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
