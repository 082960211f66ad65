import { beforeEach, describe, expect, test } from 'vitest';
import { recomputeAggregates, recomputeAllAggregates, recomputeUserEngagement } from '../../../src/main/core/store/aggregates.ts';
import { upsertAnalyses, upsertInsights } from '../../../src/main/core/store/analysis.ts';
import type { AnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { at, migratedDb, record } from './helpers.ts';

let db: AnalyticsDb;
beforeEach(async () => {
  ({ db } = await migratedDb('aggregates'));
});

const ALICE = 'a'.repeat(64);
const BOB = 'b'.repeat(64);
const DAY = '2025-03-10';

async function rows(day?: string) {
  let q = db.selectFrom('daily_aggregates').selectAll();
  if (day) q = q.where('analysis_date', '=', day);
  const all = await q.orderBy('analysis_date').orderBy('user_id_hash', (ob) => ob.asc().nullsFirst()).execute();
  return all;
}

async function row(day: string, user: string | null) {
  return (await rows(day)).find((r) => r.user_id_hash === user);
}

describe('recomputeAggregates', () => {
  test("a user's overlapping conversations count once: 10:00–10:30 and 10:15–10:45 give 45 active minutes", async () => {
    await upsertAnalyses(db, [
      record({ conversationId: 'c1', userIdHash: ALICE, activeIntervals: [[at(DAY, '10:00'), at(DAY, '10:30')]] }),
      record({ conversationId: 'c2', userIdHash: ALICE, activeIntervals: [[at(DAY, '10:15'), at(DAY, '10:45')]] }),
      record({ conversationId: 'c3', userIdHash: BOB, activeIntervals: [[at(DAY, '10:00'), at(DAY, '10:20')]] }),
    ]);
    await recomputeAggregates(db, [DAY]);
    const alice = await row(DAY, ALICE);
    expect(alice).toMatchObject({ conversation_count: 2, total_active_time: 45, total_engaged_time: 45, message_count: 12 });
    // Per conversation these are 30 + 30 minutes; time saved stays a per-conversation sum.
    expect(alice).toMatchObject({ total_manual_time_estimated: 120, total_time_saved: 60, total_manual_time_low: 60, total_manual_time_high: 240 });
    expect(await row(DAY, BOB)).toMatchObject({ conversation_count: 1, total_active_time: 20 });
    // Different people working at the same time are not merged: 45 + 20.
    expect(await row(DAY, null)).toMatchObject({ conversation_count: 3, total_active_time: 65, total_engaged_time: 65, total_time_saved: 60 + 40 });
  });

  test('engaged time is unioned separately from active time', async () => {
    await upsertAnalyses(db, [
      record({
        conversationId: 'e1',
        activeIntervals: [[at(DAY, '10:00'), at(DAY, '10:10')]],
        engagedIntervals: [[at(DAY, '09:55'), at(DAY, '10:20')]],
      }),
      record({
        conversationId: 'e2',
        activeIntervals: [[at(DAY, '11:00'), at(DAY, '11:10')]],
        engagedIntervals: [[at(DAY, '10:15'), at(DAY, '11:15')]],
      }),
    ]);
    await recomputeAggregates(db, [DAY]);
    // Engaged union 09:55–11:15 = 80 minutes; active 10 + 10 disjoint.
    expect(await row(DAY, ALICE)).toMatchObject({ total_active_time: 20, total_engaged_time: 80 });
  });

  test('touching and fractional intervals are measured exactly; minutes rounded once per user', async () => {
    const t = at(DAY, '08:00');
    await upsertAnalyses(db, [
      record({ conversationId: 'f1', activeIntervals: [[t, t + 89.5], [t + 200.25, t + 300]] }),
      record({ conversationId: 'f2', activeIntervals: [[t + 89.5, t + 120]] }),
    ]);
    await recomputeAggregates(db, [DAY]);
    // Union = [t, t+120] ∪ [t+200.25, t+300] = 120 + 99.75 s = 219.75 s → 4 minutes.
    expect((await row(DAY, ALICE))?.total_active_time).toBe(4);
  });

  test('rows without stored intervals fall back to their stored minutes', async () => {
    await upsertAnalyses(db, [record({ conversationId: 'n1' })]);
    await db.updateTable('conversation_analysis').set({ active_intervals: null, engaged_intervals: null, active_duration_minutes: 17, engaged_duration_minutes: 25 }).execute();
    await upsertAnalyses(db, [record({ conversationId: 'n2' })]); // 10:00–10:30
    await recomputeAggregates(db, [DAY]);
    expect(await row(DAY, ALICE)).toMatchObject({ total_active_time: 17 + 30, total_engaged_time: 25 + 30 });
  });

  test('averages, shares, costs and tokens', async () => {
    await upsertAnalyses(db, [
      record({ conversationId: 'a1', confidenceLevel: 60, estimateSource: 'heuristic', costUsd: 0, inputTokens: 0, outputTokens: 0 }),
      record({ conversationId: 'a2', confidenceLevel: 90, costUsd: 0.0125, inputTokens: 500, outputTokens: 100 }),
      record({ conversationId: 'a3', userIdHash: BOB, confidenceLevel: 75, costUsd: 0.5, inputTokens: 1000, outputTokens: 200 }),
    ]);
    await recomputeAggregates(db, [DAY]);
    expect(await row(DAY, ALICE)).toMatchObject({
      avg_confidence_level: 75,
      confidence_sum: 150,
      confidence_count: 2,
      heuristic_count: 1,
      heuristic_share: 0.5,
      llm_cost_usd: 0.0125,
      input_tokens: 500,
      output_tokens: 100,
      avg_time_saved_per_conversation: 30,
    });
    const global = await row(DAY, null);
    expect(global?.avg_confidence_level).toBe(75);
    expect(global?.heuristic_share).toBeCloseTo(1 / 3, 12);
    expect(global?.llm_cost_usd).toBeCloseTo(0.5125, 9);
    expect(global).toMatchObject({ input_tokens: 1500, output_tokens: 300, conversation_count: 3 });
  });

  test('is idempotent: recomputing twice gives identical rows (created_at kept)', async () => {
    await upsertAnalyses(db, [
      record({ conversationId: 'i1' }),
      record({ conversationId: 'i2', userIdHash: BOB, analysisDate: '2025-03-11', activeIntervals: [[at('2025-03-11', '12:00'), at('2025-03-11', '12:40')]] }),
    ]);
    await recomputeAggregates(db, [DAY, '2025-03-11']);
    const first = await rows();
    await recomputeAggregates(db, [DAY, '2025-03-11', DAY]);
    const second = await rows();
    const strip = (r: (typeof first)[number]) => ({ ...r, updated_at: null });
    expect(second.map(strip)).toEqual(first.map(strip));
    expect(second).toHaveLength(4);
  });

  test('a conversation moving to another day: both days rebuilt, the emptied day disappears', async () => {
    await upsertAnalyses(db, [record({ conversationId: 'm1' }), record({ conversationId: 'm2', userIdHash: BOB })]);
    await recomputeAggregates(db, [DAY]);
    expect(await rows(DAY)).toHaveLength(3);

    const next = '2025-03-11';
    const { previousDates } = await upsertAnalyses(db, [
      record({ conversationId: 'm1', analysisDate: next, activeIntervals: [[at(next, '00:05'), at(next, '00:25')]] }),
    ]);
    await recomputeAggregates(db, [next, ...previousDates.values()]);
    expect((await rows(DAY)).map((r) => r.user_id_hash)).toEqual([null, BOB]);
    expect(await row(DAY, null)).toMatchObject({ conversation_count: 1, total_active_time: 30 });
    expect(await row(next, ALICE)).toMatchObject({ conversation_count: 1, total_active_time: 20 });
    expect(await row(next, null)).toMatchObject({ conversation_count: 1, total_active_time: 20 });

    // And the last conversation of a day leaving removes the day's global row too.
    await upsertAnalyses(db, [record({ conversationId: 'm2', userIdHash: BOB, analysisDate: next })]);
    await recomputeAggregates(db, [DAY, next]);
    expect(await rows(DAY)).toEqual([]);
    expect(await row(next, null)).toMatchObject({ conversation_count: 2 });
  });

  test('only the given days are touched; dates are validated', async () => {
    await upsertAnalyses(db, [record({ conversationId: 'o1' }), record({ conversationId: 'o2', analysisDate: '2025-03-12' })]);
    await recomputeAggregates(db, ['2025-03-12']);
    expect((await rows()).map((r) => r.analysis_date)).toEqual(['2025-03-12', '2025-03-12']);
    await recomputeAggregates(db, []);
    await expect(recomputeAggregates(db, ['2025-02-30'])).rejects.toThrow(/not a calendar day/);
    expect(await recomputeAllAggregates(db)).toBe(2);
    expect(await rows()).toHaveLength(4);
  });

  test('concurrent recomputes of the same days do not collide', async () => {
    await upsertAnalyses(db, Array.from({ length: 50 }, (_, i) => record({ conversationId: `p${i}`, userIdHash: i % 2 ? ALICE : BOB })));
    await Promise.all(Array.from({ length: 4 }, () => recomputeAggregates(db, [DAY])));
    expect(await rows(DAY)).toHaveLength(3);
    expect(await row(DAY, null)).toMatchObject({ conversation_count: 50 });
  });
});

describe('recomputeUserEngagement', () => {
  test('per user: conversations, messages, active days, first/last seen, chat tokens, time saved', async () => {
    await upsertAnalyses(db, [
      record({ conversationId: 'u1' }),
      record({ conversationId: 'u2', analysisDate: '2025-03-12', activeIntervals: [[at('2025-03-12', '10:00'), at('2025-03-12', '10:10')]] }),
      record({ conversationId: 'u3', userIdHash: BOB }),
    ]);
    const usage = { userMessages: 2, assistantMessages: 2, systemMessages: 0, branchCount: 0, models: {}, avgResponseSeconds: null, medianResponseSeconds: null, attachments: {} };
    await upsertInsights(db, [
      { ...usage, conversationId: 'u1', userIdHash: ALICE, analysisDate: DAY, inputTokens: 100, outputTokens: 1000 },
      { ...usage, conversationId: 'u2', userIdHash: ALICE, analysisDate: '2025-03-12', inputTokens: 50, outputTokens: 500 },
    ]);
    await recomputeUserEngagement(db, [ALICE, BOB, ALICE]);
    const alice = await db.selectFrom('user_engagement').selectAll().where('user_id_hash', '=', ALICE).executeTakeFirstOrThrow();
    expect(alice).toMatchObject({
      conversations: 2,
      messages: 12,
      active_days: 2,
      first_seen: DAY,
      last_seen: '2025-03-12',
      input_tokens: 150,
      output_tokens: 1500,
      total_time_saved: 30 + 50,
    });
    const bob = await db.selectFrom('user_engagement').selectAll().where('user_id_hash', '=', BOB).executeTakeFirstOrThrow();
    expect(bob).toMatchObject({ conversations: 1, input_tokens: 0 });

    await db.deleteFrom('conversation_analysis').where('user_id_hash', '=', BOB).execute();
    await recomputeUserEngagement(db, [BOB]);
    expect(await db.selectFrom('user_engagement').select('user_id_hash').execute()).toEqual([{ user_id_hash: ALICE }]);
  });
});

describe('at scale', () => {
  test('10,000 heavily overlapping conversations over 30 days match an independent union per (day, user)', async () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const days = Array.from({ length: 30 }, (_, d) => new Date(Date.UTC(2025, 4, 1 + d)).toISOString().slice(0, 10));
    const users = Array.from({ length: 40 }, (_, u) => u.toString(16).padStart(64, 'f'));
    const records = Array.from({ length: 10_000 }, (_, i) => {
      const day = days[i % days.length]!;
      // Everything within 09:00–12:00, so a user's ~8 conversations a day overlap a lot.
      const start = at(day, '09:00') + Math.floor(random() * 3 * 3600);
      const mid = start + 60 + Math.floor(random() * 1200);
      return record({
        conversationId: `s${i}`,
        userIdHash: users[Math.floor(random() * users.length)]!,
        analysisDate: day,
        activeIntervals: [
          [start, mid],
          [mid + 700, mid + 700 + Math.floor(random() * 900)],
        ],
      });
    });
    for (let i = 0; i < records.length; i += 1000) await upsertAnalyses(db, records.slice(i, i + 1000));
    await recomputeAggregates(db, days);

    const want = new Map<string, number>();
    const groups = new Map<string, [number, number][]>();
    for (const r of records) {
      const key = `${r.analysisDate}|${r.userIdHash}`;
      groups.set(key, [...(groups.get(key) ?? []), ...r.activeIntervals.map(([a, b]) => [a, b] as [number, number])]);
    }
    for (const [key, intervals] of groups) {
      intervals.sort((x, y) => x[0] - y[0]);
      let total = 0;
      let [s, e] = intervals[0]!;
      for (const [a, b] of intervals.slice(1)) {
        if (a > e) {
          total += e - s;
          [s, e] = [a, b];
        } else e = Math.max(e, b);
      }
      want.set(key, Math.round((total + e - s) / 60));
    }
    const stored = await db.selectFrom('daily_aggregates').select(['analysis_date', 'user_id_hash', 'total_active_time', 'conversation_count']).execute();
    const perUser = stored.filter((r) => r.user_id_hash !== null);
    expect(perUser).toHaveLength(want.size);
    for (const r of perUser) expect(r.total_active_time).toBe(want.get(`${r.analysis_date}|${r.user_id_hash}`));
    const globals = stored.filter((r) => r.user_id_hash === null);
    expect(globals).toHaveLength(30);
    expect(globals.reduce((s, r) => s + r.conversation_count, 0)).toBe(10_000);
    const plainSum = records.reduce((s, r) => s + r.activeDurationMinutes, 0);
    expect(globals.reduce((s, r) => s + r.total_active_time, 0)).toBeLessThan(plainSum);
  });
});
