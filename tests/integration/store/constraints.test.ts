import { sql } from 'kysely';
import { beforeAll, describe, expect, test } from 'vitest';
import { upsertAnalyses } from '../../../src/main/core/store/analysis.ts';
import type { AnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { migratedDb, record } from './helpers.ts';

let db: AnalyticsDb;
beforeAll(async () => {
  ({ db } = await migratedDb('constraints'));
});

describe('conversation_analysis CHECK constraints', () => {
  test('a consistent row is accepted', async () => {
    await expect(upsertAnalyses(db, [record({ conversationId: 'ok' })])).resolves.toBeDefined();
  });

  test.each([
    ['negative duration', { activeDurationMinutes: -1 }, 'durations_nonnegative'],
    ['negative idle time', { idleTimeMinutes: -5 }, 'durations_nonnegative'],
    ['confidence 150', { confidenceLevel: 150 }, 'confidence_range'],
    ['confidence -1', { confidenceLevel: -1 }, 'confidence_range'],
    ['low > high', { manualTimeLow: 90, manualTimeMostLikely: 60, manualTimeHigh: 30 }, 'manual_order'],
    ['most likely > high', { manualTimeLow: 10, manualTimeMostLikely: 60, manualTimeHigh: 30 }, 'manual_order'],
    ['negative time saved', { timeSavedMinutes: -3 }, 'time_saved_nonnegative'],
    ['unknown estimate source', { estimateSource: 'guess' as 'llm' }, 'estimate_source'],
  ])('rejects %s', async (_name, overrides, constraint) => {
    await expect(upsertAnalyses(db, [record({ conversationId: `bad-${constraint}-${Math.random()}`, ...overrides })])).rejects.toThrow(
      new RegExp(constraint),
    );
  });

  test('conversation_id is unique', async () => {
    const insert = () =>
      sql`INSERT INTO conversation_analysis (conversation_id, user_id_hash, analysis_date) VALUES ('dup', 'u', '2025-01-01')`.execute(db);
    await insert();
    await expect(insert()).rejects.toThrow(/duplicate key/);
  });
});

describe('daily_aggregates uniqueness', () => {
  const insert = (day: string, user: string | null) =>
    db.insertInto('daily_aggregates').values({ analysis_date: day, user_id_hash: user }).execute();

  test('a second global (NULL user) row for the same day is rejected', async () => {
    await insert('2025-02-01', null);
    await expect(insert('2025-02-01', null)).rejects.toThrow(/daily_aggregates_date_user_key/);
    await insert('2025-02-02', null);
  });

  test('a second row for the same day and user is rejected; other users and days are fine', async () => {
    await insert('2025-02-03', 'u1');
    await expect(insert('2025-02-03', 'u1')).rejects.toThrow(/daily_aggregates_date_user_key/);
    await insert('2025-02-03', 'u2');
    await insert('2025-02-03', null);
  });

  test("an empty user hash cannot pose as the global row", async () => {
    await expect(insert('2025-02-04', '')).rejects.toThrow(/daily_aggregates_user_not_empty/);
  });
});

describe('processing_log CHECK constraints', () => {
  test('unknown status and trigger are rejected', async () => {
    await expect(sql`INSERT INTO processing_log (status, trigger) VALUES ('paused', 'cli')`.execute(db)).rejects.toThrow(/processing_log_status/);
    await expect(sql`INSERT INTO processing_log (status, trigger) VALUES ('running', 'cron')`.execute(db)).rejects.toThrow(/processing_log_trigger/);
  });
});
