import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createAppContext, type AppContext } from '../../../src/main/core/app/context.ts';
import { defaultSettings, type Settings } from '../../../src/main/core/config/settings.ts';
import { createHandlers, createRuntime, type ConsoleRuntime } from '../../../src/main/core/handlers.ts';
import { MemorySecretStore } from '../../../src/main/core/secrets/store.ts';
import { upsertAnalyses, upsertInsights, type AnalysisRecord, type InsightRecord } from '../../../src/main/core/store/analysis.ts';
import { recomputeAggregates, recomputeUserEngagement } from '../../../src/main/core/store/aggregates.ts';
import { hashUserId } from '../../../src/main/core/store/hash.ts';
import type { Database } from '../../../src/main/core/store/schema.ts';
import type { Handlers } from '../../../src/shared/contract.ts';
import { createTestDatabase } from '../../support/pg.ts';
import { createOpenWebUiSource, FIXTURE_USERS } from '../../support/openwebui-fixture.ts';

// A console runtime over a real PostgreSQL analytics database (fresh per test file) and a real
// Open WebUI SQLite file holding the fixture users, with rows seeded through the store's own
// write functions — what a run would have stored.

export const SALT = 'test-salt-0123456789abcdef';
export const hashOf = (userId: string): string => hashUserId(SALT, userId);

export interface ConsoleFixture {
  runtime: ConsoleRuntime;
  handlers: Handlers;
  db: Kysely<Database>;
  dataDir: string;
  secrets: MemorySecretStore;
  settings: Settings;
  logged: string[];
  cleanup(): Promise<void>;
}

export interface FixtureContext {
  context: AppContext;
  settings: Settings;
  dataDir: string;
  secrets: MemorySecretStore;
  cleanup(): Promise<void>;
}

/** A context over a fresh analytics database and (unless told otherwise) a SQLite source with the fixture users. */
export async function fixtureContext(options: { withSource?: boolean } = {}): Promise<FixtureContext> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-console-'));
  const secrets = new MemorySecretStore();
  await secrets.set('salt', SALT);
  const settings = defaultSettings();
  settings.analytics = { mode: 'url', url: await createTestDatabase('console') };
  settings.llm.estimator = 'heuristic';
  const source = options.withSource === false ? null : await createOpenWebUiSource({ dialect: 'sqlite', generation: '0.8', users: FIXTURE_USERS, chats: [] });
  if (source) settings.source.url = source.url;
  const context = await createAppContext({ settings: structuredClone(settings), dataDir, secrets, env: {} });
  return {
    context,
    settings,
    dataDir,
    secrets,
    async cleanup() {
      await source?.cleanup();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function consoleFixture(options: { withSource?: boolean } = {}): Promise<ConsoleFixture> {
  const base = await fixtureContext(options);
  const logged: string[] = [];
  const runtime = createRuntime(base.context, { env: {}, persisted: structuredClone(base.settings), log: { error: (message) => logged.push(message) } });
  const handlers = createHandlers(runtime);
  const { db } = await runtime.contexts.analytics();
  return {
    runtime,
    handlers,
    db,
    dataDir: base.dataDir,
    secrets: base.secrets,
    settings: base.settings,
    logged,
    async cleanup() {
      await runtime.jobs.shutdown();
      await runtime.contexts.close();
      await base.cleanup();
    },
  };
}

let counter = 0;

/** A stored analysis with sensible defaults; timestamps are placed on `date` at `hour` UTC. */
export function analysis(date: string, userId: string, overrides: Partial<AnalysisRecord> = {}): AnalysisRecord {
  counter += 1;
  const start = Date.parse(`${date}T08:00:00Z`) / 1000 + counter * 600;
  const active = overrides.activeDurationMinutes ?? 10;
  const engaged = overrides.engagedDurationMinutes ?? active + 5;
  const mostLikely = overrides.manualTimeMostLikely ?? 60;
  return {
    conversationId: `conv-${String(counter).padStart(4, '0')}`,
    userIdHash: hashOf(userId),
    firstMessageAt: start,
    lastMessageAt: start + active * 60,
    totalDurationMinutes: active + 2,
    activeDurationMinutes: active,
    idleTimeMinutes: 2,
    engagedDurationMinutes: engaged,
    manualTimeLow: Math.round(mostLikely / 2),
    manualTimeMostLikely: mostLikely,
    manualTimeHigh: mostLikely * 2,
    confidenceLevel: 70,
    timeSavedMinutes: Math.max(0, mostLikely - active),
    timeSavedEngagedMinutes: Math.max(0, mostLikely - engaged),
    messageCount: 6,
    processingVersion: 'test',
    conversationSummary: JSON.stringify({ taskTypeGuess: 'coding', userRequestSamples: ['Fix the [email] bug'] }),
    llmResponse: { reasoning: 'A short coding fix.' },
    analysisDate: date,
    sourceUpdatedAt: start + active * 60,
    contentFingerprint: `fp-${counter}`,
    estimateSource: 'llm',
    estimateRepaired: false,
    model: 'gpt-4o-mini',
    promptVersion: 'p1',
    taskCategory: 'coding',
    workRelated: true,
    taskCompleted: true,
    inputTokens: 300,
    outputTokens: 50,
    costUsd: 0.0001,
    // Disjoint intervals, so union-based aggregates equal plain sums.
    activeIntervals: [[start, start + active * 60]],
    engagedIntervals: [[start, start + engaged * 60]],
    runId: null,
    ...overrides,
  };
}

export function insightFor(record: AnalysisRecord, models: Record<string, number> = { 'gpt-4o-mini': 3 }): InsightRecord {
  return {
    conversationId: record.conversationId,
    userIdHash: record.userIdHash,
    analysisDate: record.analysisDate,
    userMessages: 3,
    assistantMessages: 3,
    systemMessages: 0,
    branchCount: 1,
    models,
    inputTokens: 1000,
    outputTokens: 2000,
    avgResponseSeconds: 4,
    medianResponseSeconds: 4,
    attachments: {},
  };
}

export async function seed(db: Kysely<Database>, records: AnalysisRecord[]): Promise<void> {
  await upsertAnalyses(db, records);
  await upsertInsights(db, records.map((r) => insightFor(r)));
  await recomputeAggregates(db, records.map((r) => r.analysisDate));
  await recomputeUserEngagement(db, [...new Set(records.map((r) => r.userIdHash))]);
}
