import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { migrations } from '../../../migrations/index.ts';
import { rebuildStatement, recomputeAggregates } from '../../../src/main/core/store/aggregates.ts';
import { upsertAnalyses, upsertInsights, type AnalysisRecord, type InsightRecord } from '../../../src/main/core/store/analysis.ts';
import type { AnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { migrateToLatest } from '../../../src/main/core/store/migrate.ts';
import { categoryBreakdown, coverByMonths, modelBreakdown, topUsers } from '../../../src/main/core/store/queries.ts';
import { daysBetween } from '../../../src/main/core/time/days.ts';
import { at, migratedDb, record } from './helpers.ts';
import { seededRandom } from '../../support/rng.ts';

// Categories, models and top users are read from coarser tables (migration 0004: per day and
// category, per day and model, per month and user). Every figure must equal what the same
// question asked of the fine rows gives — the raw rows for categories and models, the per-user
// day rows of daily_aggregates for top users — for periods that start and end anywhere in a
// month, and again after conversations move between days and months.

const USERS = ['1', '2', '3', '4', '5', '6'].map((c) => c.repeat(64));
const CATEGORIES = ['coding', 'writing', 'analysis', null] as const;
const MODELS = ['gpt-4o', 'llama3.1:8b', 'mistral'];
const DAYS = daysBetween('2025-01-20', '2025-04-10');

/** About 500 conversations over 81 days and six users; some days and (day, user) pairs empty. */
function dataSet(seed: number): { records: AnalysisRecord[]; insights: InsightRecord[] } {
  const random = seededRandom(seed);
  const records: AnalysisRecord[] = [];
  for (const day of DAYS) {
    if (random() < 0.1) continue;
    for (const user of USERS) {
      for (let i = Math.floor(random() * 3); i > 0; i--) {
        const start = at(day, '09:00') + Math.floor(random() * 8 * 3600);
        const length = 120 + Math.floor(random() * 2400);
        records.push(
          record({
            conversationId: `c-${records.length}`,
            userIdHash: user,
            analysisDate: day,
            activeIntervals: [[start, start + length]],
            manualTimeMostLikely: 5 + Math.floor(random() * 120),
            taskCategory: CATEGORIES[Math.floor(random() * CATEGORIES.length)]!,
            messageCount: 2 + Math.floor(random() * 20),
          }),
        );
      }
    }
  }
  const insights = records.map((r, i) => ({
    conversationId: r.conversationId,
    userIdHash: r.userIdHash,
    analysisDate: r.analysisDate,
    userMessages: 1,
    assistantMessages: 1,
    systemMessages: 0,
    branchCount: 0,
    models: i % 4 === 0 ? {} : i % 3 === 0 ? { [MODELS[0]!]: 2, [MODELS[1]!]: 1 } : { [MODELS[i % 3]!]: 1 + (i % 5) },
    inputTokens: 10,
    outputTokens: 5,
    avgResponseSeconds: 1,
    medianResponseSeconds: 1,
    attachments: {},
  }));
  return { records, insights };
}

// The questions asked of the fine rows (the queries as they were before migration 0004).
async function rawCategories(db: AnalyticsDb, from: string, to: string, userHash?: string) {
  const user = userHash ? sql`AND user_id_hash = ${userHash}` : sql``;
  const { rows } = await sql<{ category: string | null; conversations: number; manualMinutes: number; timeSavedMinutes: number; timeSavedEngagedMinutes: number }>`
    SELECT task_category AS category, count(*) AS conversations, coalesce(sum(manual_time_most_likely), 0) AS "manualMinutes",
      coalesce(sum(time_saved_minutes), 0) AS "timeSavedMinutes", coalesce(sum(time_saved_engaged_minutes), 0) AS "timeSavedEngagedMinutes"
    FROM conversation_analysis WHERE analysis_date BETWEEN ${from}::date AND ${to}::date ${user}
    GROUP BY task_category ORDER BY count(*) DESC, task_category NULLS LAST`.execute(db);
  return rows;
}

async function rawModels(db: AnalyticsDb, from: string, to: string, userHash?: string) {
  const user = userHash ? sql`AND ci.user_id_hash = ${userHash}` : sql``;
  const { rows } = await sql<{ model: string; messages: number; conversations: number }>`
    SELECT m.key AS model, sum((m.value)::bigint) AS messages, count(*) AS conversations
    FROM conversation_insights ci CROSS JOIN LATERAL jsonb_each_text(ci.models) AS m
    WHERE ci.analysis_date BETWEEN ${from}::date AND ${to}::date ${user}
    GROUP BY m.key ORDER BY sum((m.value)::bigint) DESC, m.key`.execute(db);
  return rows;
}

async function rawTopUsers(db: AnalyticsDb, from: string, to: string, basis: 'engaged' | 'active', limit: number) {
  const rank = basis === 'engaged' ? sql`sum(total_time_saved_engaged)` : sql`sum(total_time_saved)`;
  const { rows } = await sql<{ userHash: string; conversations: number; messages: number; activeDays: number; activeMinutes: number; engagedMinutes: number; manualMinutes: number; timeSavedMinutes: number; timeSavedEngagedMinutes: number }>`
    SELECT user_id_hash AS "userHash", sum(conversation_count) AS conversations, sum(message_count) AS messages,
      count(*) AS "activeDays", sum(total_active_time) AS "activeMinutes", sum(total_engaged_time) AS "engagedMinutes",
      sum(total_manual_time_estimated) AS "manualMinutes", sum(total_time_saved) AS "timeSavedMinutes",
      sum(total_time_saved_engaged) AS "timeSavedEngagedMinutes"
    FROM daily_aggregates WHERE analysis_date BETWEEN ${from}::date AND ${to}::date AND user_id_hash IS NOT NULL
    GROUP BY user_id_hash ORDER BY ${rank} DESC, user_id_hash LIMIT ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, rankedMinutes: basis === 'engaged' ? r.timeSavedEngagedMinutes : r.timeSavedMinutes }));
}

const PERIODS: [string, string, string][] = [
  ['one day', '2025-02-14', '2025-02-14'],
  ['inside a month', '2025-02-03', '2025-02-20'],
  ['across a month boundary', '2025-01-25', '2025-02-05'],
  ['exactly one month', '2025-02-01', '2025-02-28'],
  ['a whole month and days on both sides', '2025-01-22', '2025-03-09'],
  ['from the first of a month to mid-month', '2025-02-01', '2025-03-15'],
  ['from mid-month to the end of a month', '2025-01-21', '2025-03-31'],
  ['two whole months', '2025-02-01', '2025-03-31'],
  ['everything and more', '2024-12-01', '2025-05-31'],
  ['before any data', '2024-01-01', '2024-03-31'],
];

async function expectSameFigures(db: AnalyticsDb): Promise<void> {
  for (const [name, from, to] of PERIODS) {
    expect(await categoryBreakdown(db, { from, to }), name).toEqual(await rawCategories(db, from, to));
    expect(await modelBreakdown(db, { from, to }), name).toEqual(await rawModels(db, from, to));
    for (const user of [USERS[0]!, USERS[4]!]) {
      expect(await categoryBreakdown(db, { from, to, userHash: user }), `${name}, one user`).toEqual(await rawCategories(db, from, to, user));
      expect(await modelBreakdown(db, { from, to, userHash: user }), `${name}, one user`).toEqual(await rawModels(db, from, to, user));
    }
    for (const basis of ['engaged', 'active'] as const) {
      for (const limit of [3, 10]) {
        expect(await topUsers(db, { from, to, limit, basis }), `${name}, ${basis}, top ${limit}`).toEqual(await rawTopUsers(db, from, to, basis, limit));
      }
    }
  }
}

describe('coverByMonths', () => {
  test.each([
    ['2025-02-14', '2025-02-14', null, [['2025-02-14', '2025-02-14']]],
    ['2025-02-01', '2025-02-28', ['2025-02-01', '2025-02-01'], []],
    ['2025-01-22', '2025-03-09', ['2025-02-01', '2025-02-01'], [['2025-01-22', '2025-01-31'], ['2025-03-01', '2025-03-09']]],
    ['2024-02-01', '2024-02-28', null, [['2024-02-01', '2024-02-28']]], // leap year: not the whole month
    ['2024-01-01', '2024-12-31', ['2024-01-01', '2024-12-01'], []],
    ['2025-01-25', '2025-02-05', null, [['2025-01-25', '2025-02-05']]],
  ] as const)('%s to %s', (from, to, months, days) => {
    const cover = coverByMonths(from, to);
    expect(cover.months).toEqual(months && { from: months[0], to: months[1] });
    expect(cover.days).toEqual(days.map(([f, t]) => ({ from: f, to: t })));
  });
});

describe('breakdown aggregates', () => {
  let db: AnalyticsDb;
  const { records, insights } = dataSet(7);

  beforeAll(async () => {
    ({ db } = await migratedDb('breakdowns'));
    await upsertAnalyses(db, records);
    await upsertInsights(db, insights);
    await recomputeAggregates(db, DAYS);
  });

  test('the data set has what the comparison needs: gaps, every category, conversations without models', async () => {
    expect(records.length).toBeGreaterThan(300);
    const days = new Set(records.map((r) => r.analysisDate));
    expect(days.size).toBeLessThan(DAYS.length);
    expect(new Set(records.map((r) => r.taskCategory))).toEqual(new Set(CATEGORIES));
  });

  test('give the same figures as the fine rows for any period, user and basis', async () => {
    await expectSameFigures(db);
  });

  test('stay equal when conversations move to other days and months, and when a day empties', async () => {
    const moved = records.filter((_, i) => i % 7 === 0).map((r, i) => ({ ...r, analysisDate: i % 2 === 0 ? '2025-04-02' : '2025-01-31' }));
    const emptied = records.filter((r) => r.analysisDate === '2025-02-10').map((r) => ({ ...r, analysisDate: '2025-03-20' }));
    const changed = [...moved, ...emptied];
    const { previousDates } = await upsertAnalyses(db, changed);
    await upsertInsights(
      db,
      insights.filter((i) => changed.some((r) => r.conversationId === i.conversationId)).map((i) => ({ ...i, analysisDate: changed.find((r) => r.conversationId === i.conversationId)!.analysisDate })),
    );
    await recomputeAggregates(db, [...changed.map((r) => r.analysisDate), ...previousDates.values()]);
    const left = await db.selectFrom('daily_category_aggregates').select('analysis_date').where('analysis_date', '=', '2025-02-10').execute();
    expect(left).toEqual([]);
    await expectSameFigures(db);
  });

  test('a recompute of the same days changes nothing', async () => {
    const snapshot = async () => ({
      categories: await db.selectFrom('daily_category_aggregates').selectAll().orderBy('analysis_date').orderBy('user_id_hash').orderBy('task_category').execute(),
      models: await db.selectFrom('daily_model_aggregates').selectAll().orderBy('analysis_date').orderBy('user_id_hash').orderBy('model').execute(),
      months: await db.selectFrom('monthly_user_aggregates').selectAll().orderBy('month').orderBy('user_id_hash').execute(),
    });
    const before = await snapshot();
    expect(before.months.length).toBeGreaterThan(USERS.length * 3);
    await recomputeAggregates(db, DAYS.slice(10, 40));
    expect(await snapshot()).toEqual(before);
  });
});

test('migration 0004 fills the new tables of a database analysed before it', async () => {
  const { db } = await migratedDb('breakdowns_upgrade');
  const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0004'));
  // A database as an older version left it: migrated to 0003 and analysed, daily rows built.
  await sql`DROP TABLE daily_category_aggregates, daily_model_aggregates, monthly_user_aggregates`.execute(db);
  await sql`DELETE FROM kysely_migration WHERE name >= '0004'`.execute(db);
  expect((await migrateToLatest(db, before)).applied).toEqual([]);
  const { records, insights } = dataSet(11);
  await upsertAnalyses(db, records);
  await upsertInsights(db, insights);
  await rebuildStatement(DAYS).execute(db);

  expect((await migrateToLatest(db)).applied).toEqual(['0004_breakdown_aggregates']);
  await expectSameFigures(db);
});
