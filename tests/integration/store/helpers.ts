import type { Kysely } from 'kysely';
import { afterAll } from 'vitest';
import type { AnalysisRecord } from '../../../src/main/core/store/analysis.ts';
import { openAnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { migrateToLatest } from '../../../src/main/core/store/migrate.ts';
import type { Database } from '../../../src/main/core/store/schema.ts';
import type { Interval } from '../../../src/main/core/pipeline/types.ts';
import { createTestDatabase } from '../../support/pg.ts';

// Shared by the store's integration tests: a fresh migrated database per call, closed after
// the file, and a builder for plausible conversation_analysis records.

const opened: Kysely<Database>[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
});

export async function migratedDb(prefix = 'store'): Promise<{ db: Kysely<Database>; url: string }> {
  const url = await createTestDatabase(prefix);
  const db = openAnalyticsDb(url, { max: 4 });
  opened.push(db);
  await migrateToLatest(db);
  return { db, url };
}

/** Epoch seconds of a UTC wall-clock time on a day, e.g. at('2025-03-10', '10:15'). */
export function at(day: string, time: string): number {
  return Date.parse(`${day}T${time}:00Z`) / 1000;
}

const round = (seconds: number): number => Math.round(seconds / 60);

function length(intervals: readonly Interval[]): number {
  return intervals.reduce((s, [a, b]) => s + Math.max(0, b - a), 0);
}

/**
 * A consistent record: timing minutes derived from the intervals, time saved from the
 * estimate. Override anything.
 */
export function record(overrides: Partial<AnalysisRecord> & { conversationId: string }): AnalysisRecord {
  const day = overrides.analysisDate ?? '2025-03-10';
  const active: Interval[] = overrides.activeIntervals ?? [[at(day, '10:00'), at(day, '10:30')]];
  const engaged: Interval[] = overrides.engagedIntervals ?? active;
  const first = overrides.firstMessageAt ?? Math.min(...active.map((i) => i[0]));
  const last = overrides.lastMessageAt ?? Math.max(...active.map((i) => i[1]));
  const total = round(last - first);
  const activeMin = Math.min(total, round(length(active)));
  const engagedMin = Math.max(activeMin, round(length(engaged)));
  const mostLikely = overrides.manualTimeMostLikely ?? 60;
  const base: AnalysisRecord = {
    conversationId: overrides.conversationId,
    userIdHash: 'a'.repeat(64),
    firstMessageAt: first,
    lastMessageAt: last,
    totalDurationMinutes: total,
    activeDurationMinutes: activeMin,
    idleTimeMinutes: total - activeMin,
    engagedDurationMinutes: engagedMin,
    manualTimeLow: Math.floor(mostLikely / 2),
    manualTimeMostLikely: mostLikely,
    manualTimeHigh: mostLikely * 2,
    confidenceLevel: 70,
    timeSavedMinutes: Math.max(0, mostLikely - activeMin),
    timeSavedEngagedMinutes: Math.max(0, mostLikely - engagedMin),
    messageCount: 6,
    processingVersion: 'test-1',
    conversationSummary: JSON.stringify({ taskTypeGuess: 'coding', userRequestSamples: ['fix [EMAIL]'] }),
    llmResponse: { low: 30, most_likely: mostLikely, reasoning: 'A small coding task.' },
    analysisDate: day,
    sourceUpdatedAt: last,
    contentFingerprint: `fp-${overrides.conversationId}`,
    estimateSource: 'llm',
    estimateRepaired: false,
    model: 'gpt-4o-mini',
    promptVersion: 'p1',
    taskCategory: 'coding',
    workRelated: true,
    taskCompleted: true,
    inputTokens: 400,
    outputTokens: 80,
    costUsd: 0.000108,
    activeIntervals: active,
    engagedIntervals: engaged,
    runId: null,
  };
  return { ...base, ...overrides };
}
