import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { defaultSettings, type Settings } from '../../src/main/core/config/settings.ts';
import { createOpenAIEstimator, type OpenAIEstimator } from '../../src/main/core/llm/openai.ts';
import { buildUserMessage } from '../../src/main/core/llm/prompt.ts';
import type { ConversationSummary, Estimator } from '../../src/main/core/llm/types.ts';
import { runPipeline, type RunRequest, type RunResult } from '../../src/main/core/pipeline/run.ts';
import { openSource } from '../../src/main/core/source/open.ts';
import type { OpenWebUiChatRecord } from '../../src/main/core/source/openwebui-writer.ts';
import { openAnalyticsDb } from '../../src/main/core/store/connect.ts';
import { migrateToLatest } from '../../src/main/core/store/migrate.ts';
import type { Database } from '../../src/main/core/store/schema.ts';
import { startFakeOpenAI, type FakeOpenAI } from './fake-openai-server.ts';
import { ChatBuilder, chatRecord, createOpenWebUiSource, type SourceFixture } from './openwebui-fixture.ts';
import { adminUrl, createTestDatabase } from './pg.ts';

// Shared machinery of the fault-injection suite (tests/faults): a real source, a migrated
// analytics database, the real estimator against the OpenAI-compatible test server, the CLI as
// a child process that can be SIGKILLed, and — the yardstick of every case — a dump of the
// analytics database in comparable form next to a CLEAN run over the same source.

export const FAULT_SALT = 'faults-salt-0123456789abcdef';
export const BIN = path.resolve('bin/cogniforce-analytics.mjs');

/** Columns that legitimately differ between two runs over the same data. */
const VOLATILE = new Set(['id', 'processed_at', 'run_id', 'created_at', 'updated_at']);

type Row = Record<string, unknown>;

function stable(rows: Row[]): Row[] {
  return rows.map((row) => {
    const out: Row = {};
    for (const [key, value] of Object.entries(row)) {
      if (VOLATILE.has(key)) continue;
      out[key] = value instanceof Date ? value.toISOString() : value;
    }
    return out;
  });
}

export interface AnalyticsDump {
  analysis: Row[];
  aggregates: Row[];
  insights: Row[];
  engagement: Row[];
}

/** Everything a run derives, minus ids and timestamps of when it was written, in a stable order. */
export async function dumpAnalytics(db: Kysely<Database>): Promise<AnalyticsDump> {
  const analysis = await sql<Row>`SELECT * FROM conversation_analysis ORDER BY conversation_id`.execute(db);
  const aggregates = await sql<Row>`SELECT * FROM daily_aggregates ORDER BY analysis_date, user_id_hash NULLS FIRST`.execute(db);
  const insights = await sql<Row>`SELECT * FROM conversation_insights ORDER BY conversation_id`.execute(db);
  const engagement = await sql<Row>`SELECT * FROM user_engagement ORDER BY user_id_hash`.execute(db);
  return { analysis: stable(analysis.rows), aggregates: stable(aggregates.rows), insights: stable(insights.rows), engagement: stable(engagement.rows) };
}

export interface Analytics {
  url: string;
  db: Kysely<Database>;
  close(): Promise<void>;
}

export async function createAnalytics(prefix = 'faults'): Promise<Analytics> {
  const url = await createTestDatabase(prefix);
  const db = openAnalyticsDb(url);
  await migrateToLatest(db);
  return { url, db, close: () => db.destroy() };
}

/** Settings as the suite runs them: fast limits, the given LLM endpoint. */
export function faultSettings(llmUrl: string | undefined, edit?: (s: Settings) => void): Settings {
  const settings = defaultSettings();
  if (llmUrl) settings.llm.baseUrl = llmUrl;
  settings.llm.requestsPerMinute = 100_000;
  settings.llm.maxRetries = 2;
  settings.processing.maxConversations = 100_000;
  edit?.(settings);
  return settings;
}

export function estimatorFor(llm: FakeOpenAI, settings: Settings, overrides: Partial<Parameters<typeof createOpenAIEstimator>[0]> = {}): OpenAIEstimator {
  return createOpenAIEstimator({
    apiKey: 'sk-faults-test',
    baseUrl: llm.url,
    model: settings.llm.model,
    requestsPerMinute: settings.llm.requestsPerMinute,
    concurrency: settings.llm.concurrency,
    timeoutMs: 5_000,
    maxRetries: settings.llm.maxRetries,
    prices: settings.llm.prices,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
    ...overrides,
  });
}

export interface PipelineOptions {
  settings: Settings;
  estimator: Estimator;
  batchSize?: number;
  signal?: AbortSignal;
  salt?: string;
}

/** One in-process run (a fresh source reader each time, as the app does). */
export async function runOnce(sourceUrl: string, analytics: Analytics, request: Partial<RunRequest> & Pick<RunRequest, 'from' | 'to'>, options: PipelineOptions): Promise<RunResult> {
  const reader = await openSource(sourceUrl);
  try {
    return await runPipeline(
      { force: false, trigger: 'cli', ...request },
      {
        db: analytics.db,
        analyticsUrl: analytics.url,
        source: reader,
        estimator: options.estimator,
        salt: options.salt ?? FAULT_SALT,
        settings: options.settings,
        appVersion: 'faults',
        signal: options.signal,
        batchSize: options.batchSize,
      },
    );
  } finally {
    await reader.close();
  }
}

/**
 * What a clean, uninterrupted run over the same source stores: a fresh analytics database, a
 * well-behaved LLM server (its answers depend only on the request, so they match any earlier
 * server's good answers) and the same settings.
 */
export async function cleanRunDump(
  sourceUrl: string,
  request: Partial<RunRequest> & Pick<RunRequest, 'from' | 'to'>,
  edit?: (s: Settings) => void,
  kind: 'llm' | 'heuristic' = 'llm',
): Promise<AnalyticsDump> {
  const analytics = await createAnalytics('clean');
  const llm = await startFakeOpenAI();
  try {
    const settings = faultSettings(llm.url, edit);
    const estimator = kind === 'llm' ? estimatorFor(llm, settings) : (await import('../../src/main/core/llm/heuristic.ts')).createHeuristicEstimator();
    const result = await runOnce(sourceUrl, analytics, request, { settings, estimator });
    if (result.status !== 'completed') throw new Error(`the clean run did not complete: ${result.errorMessage ?? result.status}`);
    return await dumpAnalytics(analytics.db);
  } finally {
    await llm.close();
    await analytics.close();
  }
}

/** The exact user message the estimator sent for each stored conversation, keyed by it. */
export async function conversationByMessage(db: Kysely<Database>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('conversation_analysis').select(['conversation_id', 'conversation_summary']).execute();
  const out = new Map<string, string>();
  for (const row of rows) {
    if (!row.conversation_summary) continue;
    out.set(buildUserMessage(JSON.parse(row.conversation_summary) as ConversationSummary), row.conversation_id);
  }
  return out;
}

/** Chat requests the server received per conversation (unknown messages under '?'). */
export function requestsPerConversation(llm: FakeOpenAI, byMessage: Map<string, string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of llm.requests) {
    if (r.index < 0) continue;
    const id = byMessage.get(r.userMessage ?? '') ?? '?';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export async function buildSource(dialect: 'sqlite' | 'postgres', chats: OpenWebUiChatRecord[]): Promise<SourceFixture> {
  return createOpenWebUiSource({ dialect, generation: '0.11', chats });
}

// ---------------------------------------------------------------------------------------------
// The CLI as a child process

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  done: Promise<CliOutcome>;
  kill(): Promise<CliOutcome>;
}

export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliOutcome>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return done;
    },
  };
}

export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliOutcome> {
  const cli = startCli(args, env);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  try {
    return await cli.done;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The outcome of a run started now and looked at later: a result or the error it failed with.
 * The handler is attached at once, so a failure while the test is busy elsewhere (killing
 * sessions, polling) is not reported as an unhandled rejection.
 */
export function settle<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.then(
    (value) => value,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
}

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export async function countRows(db: Kysely<Database>, table: 'conversation_analysis' | 'processing_log' | 'conversation_failures' | 'conversation_skips'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function runStatuses(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom('processing_log').select('status').orderBy('id').execute()).map((r) => r.status);
}

/** A superuser connection to one database of the test server (for triggers, terminations, …). */
export async function adminClient(database = 'postgres'): Promise<pg.Client> {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** Terminates every session on `database` except the caller's; returns how many. */
export async function terminateSessions(database: string, filter = 'true'): Promise<number> {
  const admin = await adminClient();
  try {
    const { rows } = await admin.query<{ n: string }>(
      `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${filter}`,
      [database],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await admin.end();
  }
}

export function tempHome(prefix: string): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Environment for a CLI run against a source, an analytics database and the LLM test server. */
export function cliEnv(home: string, sourceUrl: string, analyticsUrl: string, llmUrl: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return {
    COGNIFORCE_HOME: home,
    DATABASE_URL: sourceUrl,
    COGNIFORCE_DATABASE_URL: analyticsUrl,
    ANALYTICS_SALT: FAULT_SALT,
    TZ: 'Europe/Budapest',
    ANALYTICS_LLM_RPM: '100000',
    ...(llmUrl ? { OPENAI_BASE_URL: llmUrl, OPENAI_API_KEY: 'sk-faults-cli' } : { ANALYTICS_ESTIMATOR: 'heuristic' }),
    ...extra,
  };
}

export { startFakeOpenAI };

// ---------------------------------------------------------------------------------------------
// Chats

/** A letters-only tag per index: survives redaction (which removes long digit runs) and keeps every summary unique. */
export function tag(i: number): string {
  let out = '';
  let n = i;
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `q${out}`;
}

const USERS = ['u-eva', 'u-peter', 'u-emma'];
const TASKS = ['Write a status note for project', 'Draft an SQL query that lists orders of', 'Translate the memo about', 'Summarise the meeting on'];

/**
 * `count` distinct chats over `days` consecutive days from `start` (epoch seconds), three users,
 * a few turns each, so aggregates have several days and users and summaries never coincide.
 */
export function manyChats(count: number, options: { start: number; days?: number; prefix?: string }): OpenWebUiChatRecord[] {
  const days = options.days ?? 2;
  const prefix = options.prefix ?? 'c';
  const out: OpenWebUiChatRecord[] = [];
  for (let i = 0; i < count; i++) {
    const start = options.start + (i % days) * 86_400 + Math.floor(i / days) * 23;
    const name = tag(i);
    const b = new ChatBuilder({ start, title: `Chat ${name}` });
    b.user(`${TASKS[i % TASKS.length]} ${name}, keep it short.`, { at: start });
    b.assistant(`Here is the text for ${name}: …`, { at: start + 40 + (i % 7) * 10 });
    if (i % 3 === 0) {
      b.user(`Make the ${name} version more formal.`, { at: start + 300 });
      b.assistant(`A more formal version for ${name}.`, { at: start + 330 });
    }
    out.push(chatRecord(`${prefix}-${String(i).padStart(4, '0')}`, USERS[i % USERS.length]!, b));
  }
  return out;
}
