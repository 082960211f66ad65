import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Interval } from '../../../src/main/core/pipeline/types.ts';
import { recomputeAggregates, recomputeUserEngagement } from '../../../src/main/core/store/aggregates.ts';
import { upsertAnalyses, upsertInsights, type AnalysisRecord } from '../../../src/main/core/store/analysis.ts';
import type { AnalyticsDb } from '../../../src/main/core/store/connect.ts';
import {
  categoryBreakdown,
  dailyTrend,
  iterateConversations,
  listConversations,
  listUserEngagement,
  modelBreakdown,
  summaryStats,
  topUsers,
  type ConversationListRow,
} from '../../../src/main/core/store/queries.ts';
import { at, migratedDb, record } from './helpers.ts';
import { seededRandom } from '../../support/rng.ts';

// A seeded random data set with overlapping conversations; every dashboard figure is checked
// against sums computed independently from the raw records (and, for the SQL path, directly
// from conversation_analysis).

const USERS = ['1', '2', '3', '4', '5'].map((c) => c.repeat(64));
const DAYS = ['2025-03-01', '2025-03-02', '2025-03-03', '2025-03-05', '2025-03-06', '2025-03-07'];
const CATEGORIES = ['coding', 'writing', 'analysis', null] as const;
const MODELS = ['gpt-4o', 'llama3.1:8b', 'mistral'];

let db: AnalyticsDb;
const records: AnalysisRecord[] = [];

function unionSeconds(intervals: Interval[]): number {
  const sorted = [...intervals].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (a > end) {
      if (end > start) total += end - start;
      start = a;
      end = b;
    } else end = Math.max(end, b);
  }
  if (end > start) total += end - start;
  return total;
}

/** Expected figures straight from the records, with the union per (day, user). */
function expected(filter: { from: string; to: string; userHash?: string }) {
  const rows = records.filter((r) => r.analysisDate >= filter.from && r.analysisDate <= filter.to && (!filter.userHash || r.userIdHash === filter.userHash));
  const sum = (f: (r: AnalysisRecord) => number) => rows.reduce((s, r) => s + f(r), 0);
  const groups = new Map<string, AnalysisRecord[]>();
  for (const r of rows) groups.set(`${r.analysisDate}|${r.userIdHash}`, [...(groups.get(`${r.analysisDate}|${r.userIdHash}`) ?? []), r]);
  let active = 0;
  let engaged = 0;
  for (const group of groups.values()) {
    active += Math.round(unionSeconds(group.flatMap((r) => r.activeIntervals)) / 60);
    engaged += Math.round(unionSeconds(group.flatMap((r) => r.engagedIntervals)) / 60);
  }
  return {
    conversations: rows.length,
    messages: sum((r) => r.messageCount),
    activeDays: new Set(rows.map((r) => r.analysisDate)).size,
    activeMinutes: active,
    engagedMinutes: engaged,
    durationMinutes: sum((r) => r.totalDurationMinutes),
    idleMinutes: sum((r) => r.idleTimeMinutes),
    manualMinutes: sum((r) => r.manualTimeMostLikely),
    manualMinutesLow: sum((r) => r.manualTimeLow),
    manualMinutesHigh: sum((r) => r.manualTimeHigh),
    timeSavedMinutes: sum((r) => r.timeSavedMinutes),
    timeSavedEngagedMinutes: sum((r) => r.timeSavedEngagedMinutes),
    avgConfidence: rows.length ? sum((r) => r.confidenceLevel) / rows.length : null,
    heuristicShare: rows.length ? rows.filter((r) => r.estimateSource === 'heuristic').length / rows.length : null,
    llmCostUsd: sum((r) => r.costUsd),
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
  };
}

beforeAll(async () => {
  ({ db } = await migratedDb('queries'));
  const random = seededRandom(20250301);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let n = 0;
  for (const day of DAYS) {
    for (const user of USERS) {
      const count = Math.floor(random() * 8); // some (day, user) pairs have none
      for (let i = 0; i < count; i++) {
        const start = at(day, '08:00') + Math.floor(random() * 10 * 3600);
        const active: Interval[] = [];
        let t = start;
        for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
          const len = 60 + Math.floor(random() * 1800) + (random() < 0.3 ? 0.5 : 0);
          active.push([t, t + len]);
          t += len + 600 + Math.floor(random() * 1200);
        }
        const engaged: Interval[] = active.map(([a, b]) => [a - Math.floor(random() * 300), b + Math.floor(random() * 300)]);
        const mostLikely = 5 + Math.floor(random() * 180);
        n += 1;
        records.push(
          record({
            conversationId: `conv-${String(n).padStart(4, '0')}`,
            userIdHash: user,
            analysisDate: day,
            activeIntervals: active,
            engagedIntervals: engaged,
            manualTimeMostLikely: mostLikely,
            confidenceLevel: Math.floor(random() * 101),
            estimateSource: random() < 0.25 ? 'heuristic' : 'llm',
            taskCategory: pick(CATEGORIES),
            workRelated: random() < 0.8,
            taskCompleted: random() < 0.7,
            messageCount: 2 + Math.floor(random() * 30),
            costUsd: Math.round(random() * 1e4) / 1e6,
            inputTokens: Math.floor(random() * 2000),
            outputTokens: Math.floor(random() * 400),
          }),
        );
      }
    }
  }
  await upsertAnalyses(db, records);
  await upsertInsights(
    db,
    records.map((r, i) => ({
      conversationId: r.conversationId,
      userIdHash: r.userIdHash,
      analysisDate: r.analysisDate,
      userMessages: Math.ceil(r.messageCount / 2),
      assistantMessages: Math.floor(r.messageCount / 2),
      systemMessages: 0,
      branchCount: 0,
      models: i % 3 === 0 ? { [MODELS[0]!]: 2, [MODELS[1]!]: 1 } : { [MODELS[i % 3]!]: 3 },
      inputTokens: 100,
      outputTokens: 10,
      avgResponseSeconds: 2,
      medianResponseSeconds: 2,
      attachments: {},
    })),
  );
  await recomputeAggregates(db, DAYS);
  await recomputeUserEngagement(db, USERS);
});

describe('summaryStats', () => {
  test('the data set has overlaps, so union and plain sums differ', () => {
    const e = expected({ from: DAYS[0]!, to: DAYS.at(-1)! });
    expect(records.length).toBeGreaterThan(80);
    expect(e.activeMinutes).toBeLessThan(records.reduce((s, r) => s + r.activeDurationMinutes, 0));
  });

  test.each([
    ['whole period', { from: '2025-03-01', to: '2025-03-07' }],
    ['one day', { from: '2025-03-02', to: '2025-03-02' }],
    ['a span with a gap day', { from: '2025-03-03', to: '2025-03-06' }],
    ['one user', { from: '2025-03-01', to: '2025-03-07', userHash: USERS[2] }],
    ['empty period', { from: '2024-01-01', to: '2024-01-31' }],
  ])('equals the raw per-conversation figures: %s', async (_name, filter) => {
    const stats = await summaryStats(db, filter);
    const e = expected(filter);
    const { avgConfidence, heuristicShare, llmCostUsd, avgTimeSavedPerConversation, avgTimeSavedEngagedPerConversation, ...exact } = stats;
    const { avgConfidence: eConf, heuristicShare: eShare, llmCostUsd: eCost, ...eExact } = e;
    expect(exact).toEqual(eExact);
    if (eConf === null) expect(avgConfidence).toBeNull();
    else expect(avgConfidence).toBeCloseTo(eConf, 9);
    if (eShare === null) expect(heuristicShare).toBeNull();
    else expect(heuristicShare).toBeCloseTo(eShare, 9);
    expect(llmCostUsd).toBeCloseTo(eCost, 6);
    expect(avgTimeSavedPerConversation).toBe(e.conversations ? e.timeSavedMinutes / e.conversations : null);
    expect(avgTimeSavedEngagedPerConversation).toBe(e.conversations ? e.timeSavedEngagedMinutes / e.conversations : null);
  });

  test('equals the same sums computed directly from conversation_analysis in SQL', async () => {
    const { rows } = await sql<{ conversations: number; messages: number; manual: number; low: number; high: number; saved: number; saved_engaged: number; conf: number; cost: number; input: number; output: number }>`
      SELECT count(*) AS conversations, sum(message_count) AS messages, sum(manual_time_most_likely) AS manual,
        sum(manual_time_low) AS low, sum(manual_time_high) AS high, sum(time_saved_minutes) AS saved,
        sum(time_saved_engaged_minutes) AS saved_engaged, avg(confidence_level) AS conf, sum(cost_usd) AS cost,
        sum(input_tokens) AS input, sum(output_tokens) AS output
      FROM conversation_analysis WHERE analysis_date BETWEEN '2025-03-01' AND '2025-03-07'`.execute(db);
    const raw = rows[0]!;
    const stats = await summaryStats(db, { from: '2025-03-01', to: '2025-03-07' });
    expect(stats).toMatchObject({
      conversations: raw.conversations,
      messages: raw.messages,
      manualMinutes: raw.manual,
      manualMinutesLow: raw.low,
      manualMinutesHigh: raw.high,
      timeSavedMinutes: raw.saved,
      timeSavedEngagedMinutes: raw.saved_engaged,
      llmCostUsd: raw.cost,
      inputTokens: raw.input,
      outputTokens: raw.output,
    });
    expect(stats.avgConfidence).toBeCloseTo(raw.conf, 9);
  });

  test('the sum of the users equals the global figures', async () => {
    const global = await summaryStats(db, { from: '2025-03-01', to: '2025-03-07' });
    const perUser = await Promise.all(USERS.map((u) => summaryStats(db, { from: '2025-03-01', to: '2025-03-07', userHash: u })));
    for (const key of ['conversations', 'activeMinutes', 'engagedMinutes', 'timeSavedMinutes', 'manualMinutesHigh'] as const) {
      expect(perUser.reduce((s, u) => s + u[key], 0)).toBe(global[key]);
    }
  });

  test('rejects malformed days', async () => {
    await expect(summaryStats(db, { from: '2025-3-1', to: '2025-03-07' })).rejects.toThrow(/from must be a day written YYYY-MM-DD/);
  });
});

describe('dailyTrend', () => {
  test('one point per day including empty days, adding up to the summary', async () => {
    const trend = await dailyTrend(db, { from: '2025-02-28', to: '2025-03-07' });
    expect(trend.map((p) => p.date)).toEqual(['2025-02-28', '2025-03-01', '2025-03-02', '2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07']);
    expect(trend[0]).toMatchObject({ conversations: 0, timeSavedMinutes: 0, avgConfidence: null });
    const e = expected({ from: '2025-02-28', to: '2025-03-07' });
    expect(trend.reduce((s, p) => s + p.conversations, 0)).toBe(e.conversations);
    expect(trend.reduce((s, p) => s + p.activeMinutes, 0)).toBe(e.activeMinutes);
    expect(trend.reduce((s, p) => s + p.manualMinutesLow, 0)).toBe(e.manualMinutesLow);
    const day = expected({ from: '2025-03-02', to: '2025-03-02' });
    expect(trend[2]).toMatchObject({ conversations: day.conversations, engagedMinutes: day.engagedMinutes, timeSavedEngagedMinutes: day.timeSavedEngagedMinutes });
    expect(await dailyTrend(db, { from: '2025-03-07', to: '2025-03-01' })).toEqual([]);
  });

  test('for one user', async () => {
    const trend = await dailyTrend(db, { from: '2025-03-01', to: '2025-03-07', userHash: USERS[0] });
    expect(trend.reduce((s, p) => s + p.timeSavedMinutes, 0)).toBe(expected({ from: '2025-03-01', to: '2025-03-07', userHash: USERS[0] }).timeSavedMinutes);
  });
});

describe('topUsers', () => {
  test.each(['engaged', 'active'] as const)('ranks by time saved on the %s basis', async (basis) => {
    const top = await topUsers(db, { from: '2025-03-01', to: '2025-03-07', limit: 3, basis });
    expect(top).toHaveLength(3);
    const all = USERS.map((u) => ({ u, e: expected({ from: '2025-03-01', to: '2025-03-07', userHash: u }) }))
      .filter((x) => x.e.conversations > 0)
      .map((x) => ({ u: x.u, ranked: basis === 'engaged' ? x.e.timeSavedEngagedMinutes : x.e.timeSavedMinutes, e: x.e }))
      .sort((a, b) => b.ranked - a.ranked || a.u.localeCompare(b.u));
    expect(top.map((t) => t.userHash)).toEqual(all.slice(0, 3).map((x) => x.u));
    for (const t of top) {
      const e = all.find((x) => x.u === t.userHash)!.e;
      expect(t).toMatchObject({
        conversations: e.conversations,
        activeMinutes: e.activeMinutes,
        engagedMinutes: e.engagedMinutes,
        timeSavedMinutes: e.timeSavedMinutes,
        activeDays: e.activeDays,
      });
    }
  });
});

describe('breakdowns', () => {
  test('categories', async () => {
    const cats = await categoryBreakdown(db, { from: '2025-03-01', to: '2025-03-07' });
    for (const c of CATEGORIES) {
      const rows = records.filter((r) => r.taskCategory === c);
      expect(cats.find((x) => x.category === c)).toMatchObject({ conversations: rows.length, timeSavedMinutes: rows.reduce((s, r) => s + r.timeSavedMinutes, 0) });
    }
    const oneUser = await categoryBreakdown(db, { from: '2025-03-01', to: '2025-03-07', userHash: USERS[1] });
    expect(oneUser.reduce((s, c) => s + c.conversations, 0)).toBe(records.filter((r) => r.userIdHash === USERS[1]).length);
  });

  test('models', async () => {
    const models = await modelBreakdown(db, { from: '2025-03-01', to: '2025-03-07' });
    const third = (k: number) => records.filter((_, i) => i % 3 === k).length;
    expect(models.find((m) => m.model === 'gpt-4o')).toEqual({ model: 'gpt-4o', messages: third(0) * 2, conversations: third(0) });
    expect(models.find((m) => m.model === 'llama3.1:8b')).toEqual({ model: 'llama3.1:8b', messages: third(0) + third(1) * 3, conversations: third(0) + third(1) });
    expect(models.find((m) => m.model === 'mistral')).toEqual({ model: 'mistral', messages: third(2) * 3, conversations: third(2) });
  });
});

describe('listConversations', () => {
  test('pages through everything exactly once in the requested order', async () => {
    const seen: ConversationListRow[] = [];
    const totals = new Set<number>();
    for (let offset = 0; ; offset += 25) {
      const page = await listConversations(db, { from: '2025-03-01', to: '2025-03-07', sort: 'timeSaved', direction: 'desc', limit: 25, offset });
      totals.add(page.total);
      seen.push(...page.rows);
      if (page.rows.length < 25) break;
    }
    expect([...totals]).toEqual([records.length]);
    expect(new Set(seen.map((r) => r.conversationId)).size).toBe(records.length);
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.timeSavedMinutes!).toBeGreaterThanOrEqual(seen[i]!.timeSavedMinutes!);
  });

  test('filters by user, category, source, confidence, work and completion', async () => {
    const filter = { from: '2025-03-02', to: '2025-03-06', userHash: USERS[3], category: 'coding', source: 'llm' as const, minConfidence: 30, workRelated: true };
    const page = await listConversations(db, { ...filter, sort: 'confidence', direction: 'asc', limit: 1000, offset: 0 });
    const want = records.filter(
      (r) =>
        r.analysisDate >= filter.from &&
        r.analysisDate <= filter.to &&
        r.userIdHash === filter.userHash &&
        r.taskCategory === 'coding' &&
        r.estimateSource === 'llm' &&
        r.confidenceLevel >= 30 &&
        r.workRelated === true,
    );
    expect(page.total).toBe(want.length);
    expect(page.rows.map((r) => r.conversationId).sort()).toEqual(want.map((r) => r.conversationId).sort());
    expect(page.rows.map((r) => r.confidence)).toEqual([...page.rows.map((r) => r.confidence)].sort((a, b) => a! - b!));
    const heuristic = await listConversations(db, { from: '2025-03-01', to: '2025-03-07', source: 'heuristic', taskCompleted: false, limit: 1, offset: 0 });
    expect(heuristic.total).toBe(records.filter((r) => r.estimateSource === 'heuristic' && r.taskCompleted === false).length);
    expect(heuristic.rows).toHaveLength(1);
  });

  test('uncategorised rows sort last in both directions', async () => {
    for (const direction of ['asc', 'desc'] as const) {
      const page = await listConversations(db, { from: '2025-03-01', to: '2025-03-07', sort: 'category', direction, limit: 1000, offset: 0 });
      const firstNull = page.rows.findIndex((r) => r.taskCategory === null);
      expect(page.rows.slice(firstNull).every((r) => r.taskCategory === null)).toBe(true);
    }
  });

  test('the total of a period, of one user and of an empty period, and the default first page, newest last message first', async () => {
    // These totals come from daily_aggregates (only period and user filter): they must equal the rows.
    for (const filter of [
      { from: '2025-03-02', to: '2025-03-06' },
      ...USERS.map((userHash) => ({ from: '2025-03-01', to: '2025-03-07', userHash })),
      { from: '2025-04-01', to: '2025-04-30' },
    ]) {
      const page = await listConversations(db, { ...filter, sort: 'lastMessageAt', direction: 'desc', limit: 10, offset: 0 });
      const want = records
        .filter((r) => r.analysisDate >= filter.from && r.analysisDate <= filter.to && (!('userHash' in filter) || r.userIdHash === filter.userHash))
        .sort((a, b) => b.lastMessageAt! - a.lastMessageAt! || (a.conversationId < b.conversationId ? 1 : -1));
      expect(page.total).toBe(want.length);
      expect(page.rows.map((r) => r.conversationId)).toEqual(want.slice(0, 10).map((r) => r.conversationId));
    }
  });

  test('iterateConversations streams every match in small pages', async () => {
    const ids: string[] = [];
    for await (const row of iterateConversations(db, { from: '2025-03-01', to: '2025-03-07' }, 7)) ids.push(row.conversationId);
    expect(ids).toHaveLength(records.length);
    expect(new Set(ids).size).toBe(records.length);
  });
});

describe('listUserEngagement', () => {
  test('lists every user with their totals', async () => {
    const page = await listUserEngagement(db, { limit: 10, offset: 0, sort: 'conversations', direction: 'desc' });
    const active = USERS.filter((u) => records.some((r) => r.userIdHash === u));
    expect(page.total).toBe(active.length);
    for (const row of page.rows) {
      const mine = records.filter((r) => r.userIdHash === row.userHash);
      expect(row).toMatchObject({ conversations: mine.length, timeSavedMinutes: mine.reduce((s, r) => s + r.timeSavedMinutes, 0), inputTokens: mine.length * 100 });
    }
    expect(page.rows.map((r) => r.conversations)).toEqual([...page.rows.map((r) => r.conversations)].sort((a, b) => b - a));
  });
});
