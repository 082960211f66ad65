import { TZDate } from '@date-fns/tz';
import { describe, expect, test } from 'vitest';
import { demoChats, demoUsers, generateDemoDataset } from '../../../src/main/core/demo/dataset.ts';
import { normaliseChatRow } from '../../../src/main/core/source/normalise.ts';
import { pythonJson, type OpenWebUiChatRecord } from '../../../src/main/core/source/openwebui-writer.ts';
import type { SourceRow } from '../../../src/main/core/source/types.ts';

const NOW = Date.UTC(2026, 2, 2, 12); // Monday 2 March 2026
type Json = Record<string, unknown>;

function normalise(c: OpenWebUiChatRecord): SourceRow {
  return normaliseChatRow({
    id: c.id,
    user_id: c.userId,
    title: c.title,
    chat: typeof c.chat === 'string' || c.chat === null ? c.chat : pythonJson(c.chat),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    archived: c.archived ? 1 : 0,
    meta: pythonJson(c.meta ?? {}),
  });
}

const messagesOf = (c: OpenWebUiChatRecord): Json[] =>
  c.chat && typeof c.chat === 'object' ? Object.values(((c.chat.history as Json).messages as Json) ?? {}).map((m) => m as Json) : [];

describe('generateDemoDataset', () => {
  const options = { seed: 11, users: 30, days: 60, chats: 3000, now: NOW };
  const dataset = generateDemoDataset(options);

  test('is deterministic per seed and streams the same rows', () => {
    expect(generateDemoDataset({ ...options, chats: 200 })).toEqual({ users: dataset.users, chats: dataset.chats.slice(0, 200) });
    expect([...demoChats({ ...options, chats: 50 })]).toEqual(dataset.chats.slice(0, 50));
    expect(demoUsers(options)).toEqual(dataset.users);
    expect(generateDemoDataset({ ...options, seed: 12, chats: 5 }).chats).not.toEqual(dataset.chats.slice(0, 5));
  });

  test('users have unique ids and e-mails, some with Hungarian accented names', () => {
    const { users } = dataset;
    expect(users).toHaveLength(30);
    expect(new Set(users.map((u) => u.id)).size).toBe(30);
    expect(new Set(users.map((u) => u.email)).size).toBe(30);
    expect(users.some((u) => /[áéíóöőúüű]/i.test(u.name))).toBe(true);
    expect(users.every((u) => /^[a-z0-9.]+@cogniforce-demo\.(hu|com)$/.test(u.email))).toBe(true);
    expect(users.filter((u) => u.role === 'admin')).toHaveLength(1);
  });

  test('chat count is exact and chats fall on past days, mostly in Budapest working hours', () => {
    expect(dataset.chats).toHaveLength(3000);
    expect(new Set(dataset.chats.map((c) => c.id)).size).toBe(3000);
    const owned = dataset.chats.filter((c) => !c.userId.startsWith('shared-') && !(c.chat as Json | null)?.originalChatId);
    let inHours = 0;
    for (const c of owned) {
      expect(c.createdAt! * 1000).toBeLessThan(NOW);
      expect(c.createdAt! * 1000).toBeGreaterThan(NOW - 61 * 86_400_000);
      const local = new TZDate(c.createdAt! * 1000, 'Europe/Budapest');
      if (local.getHours() >= 8 && local.getHours() < 18) inHours++;
    }
    expect(inHours / owned.length).toBeGreaterThan(0.97);
    // Default density: about one chat per user per working day.
    expect(generateDemoDataset({ seed: 1, users: 10, days: 14, now: NOW }).chats).toHaveLength(100);
  });

  test('covers every feature the pipeline has to cope with', () => {
    const docs = dataset.chats;
    const all = docs.flatMap(messagesOf);
    const outcomes: Record<string, number> = {};
    const rows = docs.map(normalise);
    for (const r of rows) outcomes[r.kind === 'conversation' ? 'ok' : r.reason] = (outcomes[r.kind === 'conversation' ? 'ok' : r.reason] ?? 0) + 1;
    expect(outcomes.ok).toBeGreaterThan(2850);
    for (const reason of ['unparsable_json', 'no_timestamps', 'empty', 'internal', 'shared_snapshot']) expect(outcomes[reason] ?? 0).toBeGreaterThan(0);

    const convs = rows.flatMap((r) => (r.kind === 'conversation' ? [r.conversation] : []));
    const parentsWith = (pred: (children: Json[]) => boolean): number =>
      docs.filter((c) => {
        const ms = messagesOf(c);
        return ms.some((m) => pred(ms.filter((x) => x.parentId === m.id)));
      }).length;
    expect(parentsWith((ch) => ch.filter((x) => x.role === 'assistant' && x.modelIdx === 0).length > 1)).toBeGreaterThan(30); // regenerations
    expect(parentsWith((ch) => new Set(ch.map((x) => x.model)).size > 1)).toBeGreaterThan(10); // side-by-side
    expect(docs.filter((c) => messagesOf(c).filter((m) => m.role === 'user' && m.parentId === null).length > 1).length).toBeGreaterThan(0); // edited first message
    expect(convs.filter((c) => c.forkedFrom !== null).length).toBeGreaterThan(10);
    expect(convs.filter((c) => c.messages.at(-1)!.timestamp - c.messages[0]!.timestamp > 20 * 3600).length).toBeGreaterThan(10); // multi-day
    expect(convs.filter((c) => c.archived).length).toBeGreaterThan(50);
    expect(convs.reduce((n, c) => n + (c.attachments.pdf ?? 0), 0)).toBeGreaterThan(100);
    expect(convs.reduce((n, c) => n + (c.attachments.spreadsheet ?? 0), 0)).toBeGreaterThan(50);

    const text = all.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
    expect(text).toMatch(/```python/);
    expect(text).toMatch(/<details type="reasoning"/);
    expect(text).toMatch(/Fordítsd le|Translate into Hungarian/);
    for (const pii of [/\+36 [23]0 \d{3} \d{4}/, /[a-z.]+@[a-z-]+\.(hu|com)/, /HU42 1177 3016/, /4111 1111 1111 1111/, /sk-proj-[0-9a-f]{40}/, /ghp_[0-9a-f]{36}/, /AKIA[0-9A-F]{16}/]) {
      expect(text).toMatch(pii);
    }
    const usageKeys = new Set(all.flatMap((m) => [...Object.keys((m.usage as Json) ?? {}), ...Object.keys((m.info as Json) ?? {})]));
    for (const k of ['prompt_tokens', 'input_tokens', 'prompt_eval_count', 'eval_count']) expect(usageKeys).toContain(k);
    expect(all.some((m) => typeof m.timestamp === 'number' && m.timestamp > 1e11)).toBe(true); // imported, in ms
    expect(convs.reduce((n, c) => n + c.messages.reduce((k, m) => k + m.outputTokens, 0), 0)).toBeGreaterThan(100_000);
  });

  test('chats have realistic sizes; largeChatShare adds documents over 1 MB', () => {
    const sizes = dataset.chats.map((c) => (typeof c.chat === 'string' ? c.chat.length : JSON.stringify(c.chat).length)).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    expect(median).toBeGreaterThan(2_000);
    expect(median).toBeLessThan(30_000);
    expect(sizes.at(-1)!).toBeLessThan(1_000_000);
    const large = generateDemoDataset({ seed: 3, users: 5, chats: 300, now: NOW, largeChatShare: 0.05 }).chats;
    const big = large.filter((c) => JSON.stringify(c.chat).length > 1_000_000);
    expect(big.length).toBeGreaterThan(3);
    expect(big.length).toBeLessThan(40);
    expect(big.every((c) => normalise(c).kind === 'conversation')).toBe(true);
  });

  test('without skipped rows every chat is a conversation', () => {
    const rows = generateDemoDataset({ seed: 5, users: 8, chats: 500, now: NOW, includeSkippedRows: false }).chats.map(normalise);
    expect(rows.filter((r) => r.kind !== 'conversation')).toEqual([]);
  });
});
