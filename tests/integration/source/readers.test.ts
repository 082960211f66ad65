import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoDatabase } from '../../../src/main/core/demo/dataset.ts';
import { openSource } from '../../../src/main/core/source/open.ts';
import type { SourceReader, SourceRow } from '../../../src/main/core/source/types.ts';
import { createTestDatabase } from '../../support/pg.ts';
import { quirkCorpus } from '../../support/openwebui-corpus.ts';
import { chatRecord, createOpenWebUiSource, linearChat, T0, tempDir, type SourceFixture } from '../../support/openwebui-fixture.ts';
import { mirrorMessageRows } from '../../../src/main/core/source/openwebui-writer.ts';
import { retainedHeapBytes } from '../../support/openwebui-heap.ts';

// Behaviour shared by both readers: filters, ordering, early exit, abort, introspection,
// yielding to the event loop, and flat memory over a large read.

const idOf = (r: SourceRow): string => (r.kind === 'conversation' ? r.conversation.id : r.id);

async function collect(reader: SourceReader, options?: Parameters<SourceReader['readConversations']>[0]): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of reader.readConversations(options)) ids.push(idOf(r));
  return ids;
}

describe.each(['sqlite', 'postgres'] as const)('%s reader', (dialect) => {
  let fixture: SourceFixture;
  let reader: SourceReader;
  const all = quirkCorpus();

  beforeAll(async () => {
    fixture = await createOpenWebUiSource({ dialect, generation: '0.11', chats: all });
    reader = await openSource(fixture.url);
  });
  afterAll(async () => {
    await reader.close();
    await fixture.cleanup();
  });

  test('info() introspects the schema', async () => {
    expect(await reader.info()).toMatchObject({
      dialect,
      schemaRevision: 'f0bd01a18a3d',
      hasChatMessageTable: true,
      chatColumnType: 'json',
      chatCount: all.length,
      userCount: 3,
    });
    expect(reader.dialect).toBe(dialect);
    expect(await reader.ping()).toBeGreaterThanOrEqual(0);
  });

  test('updatedSince keeps chats updated at or after the instant', async () => {
    const since = T0 + 25 * 3600;
    const expected = all
      .filter((c) => c.updatedAt !== null && c.updatedAt >= since)
      .sort((a, b) => a.updatedAt! - b.updatedAt! || (a.id < b.id ? -1 : 1))
      .map((c) => c.id);
    expect(await collect(reader, { updatedSince: since })).toEqual(expected);
    expect(await reader.countConversations!({ updatedSince: since })).toBe(expected.length);
    expect(await reader.countConversations!()).toBe(all.length);
  });

  test('ids reads just those chats, in the usual order', async () => {
    expect(await collect(reader, { ids: ['c22-null-updated', 'c02-regenerate', 'missing', 'c01-linear'] })).toEqual([
      'c01-linear',
      'c02-regenerate',
      'c22-null-updated',
    ]);
    expect(await collect(reader, { ids: [] })).toEqual([]);
    expect(await collect(reader, { ids: ['c02-regenerate'], updatedSince: T0 + 100 * 3600 })).toEqual([]);
  });

  test('stopping early releases the cursor; the reader keeps working', async () => {
    for (let round = 0; round < 3; round++) {
      let n = 0;
      for await (const _ of reader.readConversations()) if (++n === 2) break;
      expect(n).toBe(2);
    }
    expect(await reader.users()).toHaveLength(3);
    expect(await collect(reader)).toHaveLength(all.length);
  });

  test('chat_message rows fill in what the JSON lacks (missing message, NULL document)', async () => {
    const b = linearChat(['q', 'a'], { start: T0 + 200 * 3600 });
    const partial = b.document();
    b.user('asked after the last JSON save', { id: 'late', at: T0 + 201 * 3600 });
    const full = b.document();
    const extra = await createOpenWebUiSource({
      dialect,
      generation: '0.11',
      chats: [
        chatRecord('x-stale-json', 'u-eva', partial, { messageRows: mirrorMessageRows(full) }),
        chatRecord('x-null-json', 'u-eva', null, { messageRows: mirrorMessageRows(full) }),
      ],
    });
    const r = await openSource(extra.url);
    const rows: SourceRow[] = [];
    for await (const row of r.readConversations()) rows.push(row);
    await r.close();
    await extra.cleanup();
    expect(rows.map((x) => (x.kind === 'conversation' ? x.conversation.messages.map((m) => m.id) : x.reason))).toEqual([
      [...Object.keys((partial.history as { messages: object }).messages), 'late'],
      [...Object.keys((partial.history as { messages: object }).messages), 'late'],
    ]);
  });

  test('an aborted signal stops the read with an AbortError', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const read = async (): Promise<void> => {
      for await (const r of reader.readConversations({ signal: controller.signal })) {
        seen.push(idOf(r));
        controller.abort();
      }
    };
    await expect(read()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThan(all.length);
    expect(await collect(reader)).toHaveLength(all.length);
  });
});

describe.each(['sqlite', 'postgres'] as const)('%s reader over 20,000 demo chats', (dialect) => {
  let url: string;
  let dir: string | null = null;
  const now = Date.UTC(2026, 2, 2, 12);

  beforeAll(async () => {
    if (dialect === 'sqlite') {
      dir = tempDir();
      url = `${dir}/webui.db`;
    } else {
      url = await createTestDatabase('owui_big');
    }
    await writeDemoDatabase(url, { seed: 3, users: 40, chats: 20_000, now, days: 120 });
  }, 240_000);

  test('streams with flat memory and yields to the event loop', async () => {
    const reader = await openSource(url, { batchSize: 200 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const baseline = retainedHeapBytes();
      let peak = 0;
      let rows = 0;
      let textChars = 0;
      for await (const row of reader.readConversations()) {
        rows++;
        if (row.kind === 'conversation') for (const m of row.conversation.messages) textChars += m.text.length;
        if (rows % 2500 === 0) peak = Math.max(peak, retainedHeapBytes() - baseline);
      }
      expect(rows).toBe(20_000);
      // The data that flowed through is far larger than what may stay behind.
      console.log(`${dialect}: ${(textChars / 1e6).toFixed(1)} M text chars read, retained heap peak ${(peak / 1e6).toFixed(1)} MB`);
      expect(textChars).toBeGreaterThan(30_000_000);
      expect(peak).toBeLessThan(Math.min(48 * 1024 * 1024, textChars / 2));
      expect(ticks).toBeGreaterThan(5);
    } finally {
      clearInterval(timer);
      await reader.close();
    }
  }, 240_000);

  afterAll(() => {
    if (dir) import('node:fs').then((fs) => fs.rmSync(dir!, { recursive: true, force: true }));
  });
});
