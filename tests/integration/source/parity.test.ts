import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateDemoDataset } from '../../../src/main/core/demo/dataset.ts';
import { openSource } from '../../../src/main/core/source/open.ts';
import { hasChatMessageTable, type SchemaGeneration } from '../../../src/main/core/source/openwebui-schema.ts';
import type { SourceRow } from '../../../src/main/core/source/types.ts';
import { META_DEPENDENT_IDS, quirkCorpus } from '../../support/openwebui-corpus.ts';
import { FIXTURE_USERS, T0, createOpenWebUiSource, type Layout, type SourceFixture } from '../../support/openwebui-fixture.ts';

// The same chats written to SQLite and PostgreSQL, in every schema generation and in both
// layouts (JSON only, JSON + chat_message), must normalise to identical conversations.

interface Variant {
  dialect: 'sqlite' | 'postgres';
  generation: SchemaGeneration;
  layout: Layout;
}

const VARIANTS: Variant[] = (['sqlite', 'postgres'] as const).flatMap((dialect) =>
  (['0.3', '0.6', '0.8', '0.11'] as const).flatMap((generation) =>
    (hasChatMessageTable(generation) ? (['json', 'chat_message'] as const) : (['json'] as const)).map((layout) => ({ dialect, generation, layout })),
  ),
);

const label = (v: Variant): string => `${v.dialect} ${v.generation} ${v.layout}`;

async function readAll(url: string): Promise<SourceRow[]> {
  const reader = await openSource(url);
  try {
    const rows: SourceRow[] = [];
    for await (const row of reader.readConversations()) rows.push(row);
    return rows;
  } finally {
    await reader.close();
  }
}

const idOf = (r: SourceRow): string => (r.kind === 'conversation' ? r.conversation.id : r.id);

describe('quirk corpus parity', () => {
  const results = new Map<string, SourceRow[]>();
  const fixtures: SourceFixture[] = [];

  beforeAll(async () => {
    await Promise.all(
      VARIANTS.map(async (v) => {
        const fixture = await createOpenWebUiSource({ ...v, chats: quirkCorpus() });
        fixtures.push(fixture);
        results.set(label(v), await readAll(fixture.url));
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(fixtures.map((f) => f.cleanup()));
  });

  const reference = (): SourceRow[] => results.get('sqlite 0.11 chat_message')!;

  test('the reference reading has the expected outcome for every quirk', () => {
    const rows = reference();
    const outcome = Object.fromEntries(rows.map((r) => [idOf(r), r.kind === 'conversation' ? 'ok' : r.reason]));
    expect(outcome).toEqual({
      'c00-late-id-early-update': 'ok',
      'c01-linear': 'ok',
      'c02-regenerate': 'ok',
      'c03-edit-roots': 'ok',
      'c04-side-by-side': 'ok',
      'c05-fork': 'ok',
      'c05-fork-meta': 'ok',
      'c06-attachments': 'ok',
      'c07-details': 'ok',
      'c08-millis': 'ok',
      'c09-untimed-message': 'ok',
      'c10-legacy-list': 'ok',
      'c11-stale-array': 'ok',
      'c12-broken-json': 'unparsable_json',
      'c13-no-timestamps': 'no_timestamps',
      'c14-empty': 'empty',
      'c15-internal': 'internal',
      'c16-note': 'internal',
      'c17-shared': 'shared_snapshot',
      'c18-null-document': 'no_messages',
      'c19-legacy-info': 'ok',
      'c20-unicode-nul': 'ok',
      'c21-archived': 'ok',
      'c21-archived-twin': 'ok',
      'c22-null-updated': 'ok',
    });
    // Ordered by updated_at, then id; undated chats last.
    expect(rows.map(idOf)).toEqual([
      'c00-late-id-early-update',
      'c01-linear',
      'c02-regenerate',
      'c03-edit-roots',
      'c04-side-by-side',
      'c05-fork',
      'c05-fork-meta',
      'c06-attachments',
      'c07-details',
      'c08-millis',
      'c09-untimed-message',
      'c10-legacy-list',
      'c11-stale-array',
      'c12-broken-json',
      'c13-no-timestamps',
      'c14-empty',
      'c15-internal',
      'c16-note',
      'c17-shared',
      'c18-null-document',
      'c19-legacy-info',
      'c20-unicode-nul',
      'c21-archived',
      'c21-archived-twin',
      'c22-null-updated',
    ]);
    const conv = (id: string) => {
      const r = rows.find((x) => idOf(x) === id);
      if (r?.kind !== 'conversation') throw new Error(id);
      return r.conversation;
    };
    expect(conv('c02-regenerate').activeBranch).toEqual(['m1', 'm2b', 'm3', 'm4']);
    expect(conv('c02-regenerate').messages.map((m) => m.outputTokens)).toEqual([0, 58, 77, 0, 64]);
    expect(conv('c05-fork')).toMatchObject({ forkedFrom: 'c01-linear', activeBranch: ['f1', 'f2'] });
    expect(conv('c06-attachments').attachments).toEqual({ pdf: 1, image: 2, spreadsheet: 1 });
    expect(conv('c07-details').messages[1]!.text).toBe('No: 1234567 = 127 × 9721.');
    expect(conv('c08-millis').messages.map((m) => m.timestamp)).toEqual([T0 + 14 * 3600, T0 + 14 * 3600 + 30]);
    expect(conv('c09-untimed-message').droppedMessages).toBe(1);
    expect(conv('c11-stale-array').messages).toHaveLength(4);
    expect(conv('c19-legacy-info').messages[1]).toMatchObject({ inputTokens: 15, outputTokens: 16 });
    expect(conv('c20-unicode-nul')).toMatchObject({ title: 'Árvíztűrő tükörfúrógép' });
    expect(conv('c20-unicode-nul').messages[0]!.text).toBe('Fordítsd le: „Jó napot!” 😀 ab');
    expect(conv('c21-archived').archived).toBe(true);
    expect(conv('c22-null-updated').sourceUpdatedAt).toBe(T0 + 32 * 3600 + 60);
  });

  for (const v of VARIANTS) {
    test(`${label(v)} reads exactly like the reference`, () => {
      const rows = results.get(label(v))!;
      if (v.generation === '0.3') {
        // No chat.meta before 0.3.33, so meta-based flags cannot exist there.
        const strip = (list: SourceRow[]): SourceRow[] => list.filter((r) => !META_DEPENDENT_IDS.has(idOf(r)));
        expect(strip(rows)).toEqual(strip(reference()));
        for (const r of rows.filter((x) => META_DEPENDENT_IDS.has(idOf(x)))) expect(r.kind).toBe('conversation');
      } else {
        expect(rows).toEqual(reference());
      }
    });
  }
});

describe('demo dataset parity', () => {
  test('400 demo chats read the same from SQLite 0.11 + chat_message and PostgreSQL 0.6 JSON', async () => {
    const { users, chats } = generateDemoDataset({ seed: 7, users: 12, chats: 400, now: Date.UTC(2026, 2, 2, 12) });
    const a = await createOpenWebUiSource({ dialect: 'sqlite', generation: '0.11', layout: 'chat_message', users, chats });
    const b = await createOpenWebUiSource({ dialect: 'postgres', generation: '0.6', layout: 'json', users, chats });
    const c = await createOpenWebUiSource({ dialect: 'postgres', generation: '0.11', layout: 'chat_message', users, chats, schema: 'owui' });
    try {
      const rowsA = await readAll(a.url);
      expect(rowsA).toHaveLength(400);
      expect(rowsA.filter((r) => r.kind === 'conversation').length).toBeGreaterThan(380);
      expect(await readAll(b.url)).toEqual(rowsA);
      const reader = await openSource(c.url, { schema: 'owui' });
      const rowsC: SourceRow[] = [];
      for await (const r of reader.readConversations()) rowsC.push(r);
      expect(await reader.users()).toHaveLength(users.length);
      await reader.close();
      expect(rowsC).toEqual(rowsA);
    } finally {
      await Promise.all([a.cleanup(), b.cleanup(), c.cleanup()]);
    }
  });

  test('users read alike from every generation (timezone only since 0.6.41)', async () => {
    for (const generation of ['0.3', '0.11'] as const) {
      for (const dialect of ['sqlite', 'postgres'] as const) {
        const f = await createOpenWebUiSource({ dialect, generation });
        const reader = await openSource(f.url);
        const users = await reader.users();
        await reader.close();
        await f.cleanup();
        expect(users).toEqual(
          [...FIXTURE_USERS]
            .sort((x, y) => (x.id < y.id ? -1 : 1))
            .map((u) => ({ id: u.id, name: u.name, email: u.email, role: u.role, timezone: generation === '0.3' ? null : (u.timezone ?? null) })),
        );
      }
    }
  });
});
