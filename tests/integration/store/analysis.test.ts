import { beforeEach, describe, expect, test } from 'vitest';
import {
  clearFailures,
  getStoredState,
  pendingFailureIds,
  recordFailures,
  recordSkips,
  upsertAnalyses,
  upsertInsights,
  type InsightRecord,
} from '../../../src/main/core/store/analysis.ts';
import type { AnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { getConversation, listFailures, listSkips } from '../../../src/main/core/store/queries.ts';
import { at, migratedDb, record } from './helpers.ts';

let db: AnalyticsDb;
beforeEach(async () => {
  ({ db } = await migratedDb('analysis'));
});

function insight(conversationId: string, overrides: Partial<InsightRecord> = {}): InsightRecord {
  return {
    conversationId,
    userIdHash: 'a'.repeat(64),
    analysisDate: '2025-03-10',
    userMessages: 3,
    assistantMessages: 3,
    systemMessages: 0,
    branchCount: 1,
    models: { 'llama3.1:8b': 2, 'gpt-4o': 1 },
    inputTokens: 1200,
    outputTokens: 900,
    avgResponseSeconds: 4.5,
    medianResponseSeconds: 3,
    attachments: { pdf: 1 },
    ...overrides,
  };
}

describe('upsertAnalyses', () => {
  test('stores every field and reads it back unchanged', async () => {
    const r = record({ conversationId: 'c1', runId: 7, llmResponse: { reasoning: 'Because.', nested: [1, 2] } });
    const { previousDates } = await upsertAnalyses(db, [r]);
    expect(previousDates.size).toBe(0);
    const stored = await getConversation(db, 'c1');
    expect(stored).not.toBeNull();
    const { id, processedAt, reasoning, insights, ...fields } = stored!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(processedAt).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(reasoning).toBe('Because.');
    expect(insights).toBeNull();
    expect(fields).toEqual(r);
  });

  test('re-analysis replaces the row and reports the previous day when the day changed', async () => {
    await upsertAnalyses(db, [record({ conversationId: 'moved' }), record({ conversationId: 'same' })]);
    const before = await getConversation(db, 'same');
    const { previousDates } = await upsertAnalyses(db, [
      record({
        conversationId: 'moved',
        analysisDate: '2025-03-11',
        activeIntervals: [[at('2025-03-11', '09:00'), at('2025-03-11', '09:20')]],
        manualTimeMostLikely: 90,
        estimateSource: 'heuristic',
      }),
      record({ conversationId: 'same', confidenceLevel: 40 }),
      record({ conversationId: 'new' }),
    ]);
    expect([...previousDates]).toEqual([['moved', '2025-03-10']]);

    const moved = await getConversation(db, 'moved');
    expect(moved).toMatchObject({ analysisDate: '2025-03-11', manualTimeMostLikely: 90, activeDurationMinutes: 20, estimateSource: 'heuristic' });
    const same = await getConversation(db, 'same');
    expect(same?.confidenceLevel).toBe(40);
    expect(same?.id).toBe(before?.id);
    expect(same!.processedAt).toBeGreaterThanOrEqual(before!.processedAt);
    expect(await db.selectFrom('conversation_analysis').select('id').execute()).toHaveLength(3);
  });

  test('the same conversation twice in one call keeps the last', async () => {
    await upsertAnalyses(db, [record({ conversationId: 'x', confidenceLevel: 10 }), record({ conversationId: 'x', confidenceLevel: 90 })]);
    expect((await getConversation(db, 'x'))?.confidenceLevel).toBe(90);
  });

  test('handles 2,500 rows in one call (several statements under the parameter limit)', async () => {
    const records = Array.from({ length: 2500 }, (_, i) =>
      record({ conversationId: `bulk-${i}`, analysisDate: i % 2 ? '2025-03-10' : '2025-03-09' }),
    );
    await upsertAnalyses(db, records);
    const moved = records.map((r) => ({ ...r, analysisDate: '2025-03-12' }));
    const { previousDates } = await upsertAnalyses(db, moved);
    expect(previousDates.size).toBe(2500);
    expect(previousDates.get('bulk-0')).toBe('2025-03-09');
    expect(previousDates.get('bulk-1')).toBe('2025-03-10');
    const count = await db.selectFrom('conversation_analysis').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(count.n).toBe(2500);
  });

  test('a row that violates a constraint rolls back the whole call', async () => {
    await expect(
      upsertAnalyses(db, [record({ conversationId: 'good' }), record({ conversationId: 'bad', confidenceLevel: 101 })]),
    ).rejects.toThrow(/confidence/);
    expect(await getConversation(db, 'good')).toBeNull();
  });

  test('works inside a caller transaction (the run commits rows and aggregates together)', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await upsertAnalyses(trx, [record({ conversationId: 'in-trx' })]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await getConversation(db, 'in-trx')).toBeNull();
    await db.transaction().execute((trx) => upsertAnalyses(trx, [record({ conversationId: 'in-trx' })]));
    expect(await getConversation(db, 'in-trx')).not.toBeNull();
  });
});

describe('getStoredState', () => {
  test('returns fingerprint, day and processing time of known conversations only', async () => {
    await upsertAnalyses(db, [record({ conversationId: 'k1', contentFingerprint: 'abc' }), record({ conversationId: 'k2', contentFingerprint: null })]);
    const state = await getStoredState(db, ['k1', 'k2', 'unknown']);
    expect([...state.keys()].sort()).toEqual(['k1', 'k2']);
    expect(state.get('k1')).toMatchObject({ fingerprint: 'abc', analysisDate: '2025-03-10' });
    expect(state.get('k2')?.fingerprint).toBeNull();
    expect(Math.abs(state.get('k1')!.processedAt - Date.now() / 1000)).toBeLessThan(60);
    expect((await getStoredState(db, [])).size).toBe(0);
  });
});

describe('skips and failures', () => {
  test('skips are listed, replaced per conversation, and cleared when the conversation is stored', async () => {
    await recordSkips(db, 1, [
      { conversationId: 's1', reason: 'no_timestamps', detail: 'no message has a timestamp', sourceUpdatedAt: 1_700_000_000 },
      { conversationId: 's2', reason: 'unparsable_json', detail: null, sourceUpdatedAt: null },
    ]);
    await recordSkips(db, 2, [{ conversationId: 's1', reason: 'empty', detail: 'still empty', sourceUpdatedAt: 1_700_000_100 }]);
    const page = await listSkips(db, { limit: 10, offset: 0 });
    expect(page.total).toBe(2);
    expect(page.rows.find((r) => r.conversationId === 's1')).toMatchObject({ runId: 2, reason: 'empty', sourceUpdatedAt: 1_700_000_100 });
    expect((await listSkips(db, { limit: 10, offset: 0, reason: 'unparsable_json' })).rows.map((r) => r.conversationId)).toEqual(['s2']);

    await upsertAnalyses(db, [record({ conversationId: 's1' })]);
    expect((await listSkips(db, { limit: 10, offset: 0 })).rows.map((r) => r.conversationId)).toEqual(['s2']);
  });

  test('failures accumulate attempts, come back for retry, and go when stored or cleared', async () => {
    await recordFailures(db, 1, [
      { conversationId: 'f1', errorCode: 'timeout', errorMessage: 'timed out', attempts: 3 },
      { conversationId: 'f2', errorCode: 'rate_limited', errorMessage: '429' },
      { conversationId: 'f3', errorCode: 'server_error', errorMessage: '500' },
    ]);
    await recordFailures(db, 2, [{ conversationId: 'f1', errorCode: 'server_error', errorMessage: '502' }]);
    const page = await listFailures(db, { limit: 10, offset: 0 });
    expect(page.total).toBe(3);
    expect(page.rows.find((r) => r.conversationId === 'f1')).toMatchObject({ runId: 2, attempts: 4, errorCode: 'server_error' });
    // f1 was tried last, so it comes after the others.
    expect(await pendingFailureIds(db, 10)).toEqual(['f2', 'f3', 'f1']);
    expect(await pendingFailureIds(db, 1)).toHaveLength(1);

    await upsertAnalyses(db, [record({ conversationId: 'f2' })]);
    await clearFailures(db, ['f3']);
    expect(await pendingFailureIds(db, 10)).toEqual(['f1']);
  });
});

describe('upsertInsights', () => {
  test('inserts and replaces usage rows', async () => {
    await upsertAnalyses(db, [record({ conversationId: 'i1' })]);
    await upsertInsights(db, [insight('i1')]);
    expect((await getConversation(db, 'i1'))?.insights).toEqual(insight('i1'));
    await upsertInsights(db, [insight('i1', { models: { 'gpt-4o': 5 }, outputTokens: 10, avgResponseSeconds: null })]);
    expect((await getConversation(db, 'i1'))?.insights).toMatchObject({ models: { 'gpt-4o': 5 }, outputTokens: 10, avgResponseSeconds: null });
  });
});
