import { sql, type Kysely } from 'kysely';
import { defaultSettings, type Settings } from '../../../src/main/core/config/settings.ts';
import { createOpenAIEstimator } from '../../../src/main/core/llm/openai.ts';
import { createHeuristicEstimator } from '../../../src/main/core/llm/heuristic.ts';
import type { Estimator } from '../../../src/main/core/llm/types.ts';
import type { AnalysisPool } from '../../../src/main/core/pipeline/analysis-pool.ts';
import { runPipeline, type RunRequest, type RunResult } from '../../../src/main/core/pipeline/run.ts';
import { openSource } from '../../../src/main/core/source/open.ts';
import type { OpenWebUiChatRecord } from '../../../src/main/core/source/openwebui-writer.ts';
import { openAnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { migrateToLatest } from '../../../src/main/core/store/migrate.ts';
import type { Database } from '../../../src/main/core/store/schema.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-server.ts';
import { createOpenWebUiSource, type SourceFixture } from '../../support/openwebui-fixture.ts';
import { createTestDatabase } from '../../support/pg.ts';

// A real pipeline around a test: an Open WebUI source (SQLite file or PostgreSQL database), a
// migrated analytics database, and the OpenAI-compatible test server behind the real estimator.

export const SALT = 'test-salt-0123456789abcdef';

export interface Harness {
  db: Kysely<Database>;
  analyticsUrl: string;
  llm: FakeOpenAI;
  settings: Settings;
  source: SourceFixture;
  /** Replaces the source's rows (a new database each time, like a later snapshot of the same install). */
  setChats(chats: OpenWebUiChatRecord[]): Promise<void>;
  estimator(kind?: 'llm' | 'heuristic'): Estimator;
  run(
    request: Partial<RunRequest> & Pick<RunRequest, 'from' | 'to'>,
    options?: { estimator?: Estimator; salt?: string; signal?: AbortSignal; analysis?: AnalysisPool },
  ): Promise<RunResult>;
  close(): Promise<void>;
}

export async function createHarness(
  chats: OpenWebUiChatRecord[],
  options: { dialect?: 'sqlite' | 'postgres'; settings?: (s: Settings) => void } = {},
): Promise<Harness> {
  const analyticsUrl = await createTestDatabase('analytics');
  const db = openAnalyticsDb(analyticsUrl);
  await migrateToLatest(db);
  const llm = await startFakeOpenAI({ latencyMs: 5 });
  const settings = defaultSettings();
  settings.llm.baseUrl = llm.url;
  settings.llm.requestsPerMinute = 6000;
  settings.llm.maxRetries = 2;
  settings.processing.maxConversations = 10_000;
  options.settings?.(settings);
  const dialect = options.dialect ?? 'sqlite';
  let source = await createOpenWebUiSource({ dialect, generation: '0.11', chats });

  const harness: Harness = {
    db,
    analyticsUrl,
    llm,
    settings,
    get source() {
      return source;
    },
    async setChats(next) {
      await source.cleanup();
      source = await createOpenWebUiSource({ dialect, generation: '0.11', chats: next });
    },
    estimator(kind = 'llm') {
      if (kind === 'heuristic') return createHeuristicEstimator();
      return createOpenAIEstimator({
        apiKey: 'sk-test-key',
        baseUrl: llm.url,
        model: settings.llm.model,
        requestsPerMinute: settings.llm.requestsPerMinute,
        concurrency: settings.llm.concurrency,
        timeoutMs: 5_000,
        maxRetries: settings.llm.maxRetries,
        prices: settings.llm.prices,
        backoffBaseMs: 10,
        backoffMaxMs: 50,
      });
    },
    async run(request, runOptions = {}) {
      const reader = await openSource(source.url);
      try {
        return await runPipeline(
          { force: false, trigger: 'cli', ...request },
          {
            db,
            analyticsUrl,
            source: reader,
            estimator: runOptions.estimator ?? harness.estimator(),
            salt: runOptions.salt ?? SALT,
            settings,
            appVersion: 'test',
            signal: runOptions.signal,
            analysis: runOptions.analysis,
          },
        );
      } finally {
        await reader.close();
      }
    },
    async close() {
      await db.destroy();
      await llm.close();
      await source.cleanup();
    },
  };
  return harness;
}

/** Aggregates as stored, in a stable order, for before/after comparisons. */
export async function aggregateRows(db: Kysely<Database>): Promise<unknown[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT analysis_date, user_id_hash, conversation_count, message_count, total_active_time, total_engaged_time,
           total_manual_time_estimated, total_manual_time_low, total_manual_time_high, total_time_saved, total_time_saved_engaged
    FROM daily_aggregates ORDER BY analysis_date, user_id_hash NULLS FIRST`.execute(db);
  return rows;
}

/** Global daily totals computed straight from conversation_analysis (ignoring the parallel-chat union). */
export async function rawDailyTotals(db: Kysely<Database>): Promise<Array<{ date: string; conversations: number; saved: number; manual: number }>> {
  const { rows } = await sql<{ date: string; conversations: number; saved: number; manual: number }>`
    SELECT analysis_date::text AS date, count(*)::int AS conversations, sum(time_saved_minutes)::int AS saved,
           sum(manual_time_most_likely)::int AS manual
    FROM conversation_analysis GROUP BY analysis_date ORDER BY analysis_date`.execute(db);
  return rows;
}

export async function globalDailyTotals(db: Kysely<Database>): Promise<Array<{ date: string; conversations: number; saved: number; manual: number }>> {
  const { rows } = await sql<{ date: string; conversations: number; saved: number; manual: number }>`
    SELECT analysis_date::text AS date, conversation_count::int AS conversations, total_time_saved::int AS saved,
           total_manual_time_estimated::int AS manual
    FROM daily_aggregates WHERE user_id_hash IS NULL ORDER BY analysis_date`.execute(db);
  return rows;
}
