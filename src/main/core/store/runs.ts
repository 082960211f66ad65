import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, ProcessingLogTable, RunStatus, RunTrigger } from './schema.ts';
import { epochSecondsOrNull } from './util.ts';

// processing_log: one row per run, written at start ('running'), updated with progress and
// closed at the end. A row left 'running' by a crashed process is marked 'interrupted' by the
// next run (which holds the run lock, so it knows nobody else is running).

export type { RunStatus, RunTrigger };

export interface RunCounts {
  processed: number;
  skipped: number;
  failed: number;
  unchanged: number;
}

export interface StartRunInput {
  /** The day the run is "for" (a backfill: its last day). */
  runDate: string;
  rangeFrom: string;
  rangeTo: string;
  forced: boolean;
  trigger: RunTrigger;
  host: string | null;
  appVersion: string | null;
  pid: number | null;
  /** e.g. 'llm:gpt-4o-mini' or 'heuristic-v1'. */
  estimator: string | null;
}

export interface FinishRunInput {
  status: Exclude<RunStatus, 'running'>;
  counts: RunCounts;
  llmRequests: number;
  llmCostUsd: number;
  errorMessage?: string | null;
  errorDetails?: unknown;
}

export interface RunRow {
  id: number;
  runDate: string | null;
  rangeFrom: string | null;
  rangeTo: string | null;
  forced: boolean;
  /** Epoch seconds. */
  startedAt: number | null;
  completedAt: number | null;
  status: RunStatus;
  processed: number;
  skipped: number;
  failed: number;
  unchanged: number;
  llmRequests: number;
  llmCostUsd: number;
  durationSeconds: number | null;
  errorMessage: string | null;
  errorDetails: unknown;
  /** The run stopped at maxConversations and left work for the next run (errorDetails.capped). */
  capped: boolean;
  trigger: RunTrigger;
  host: string | null;
  appVersion: string | null;
  pid: number | null;
  estimator: string | null;
}

type LogRow = Selectable<ProcessingLogTable>;

function isCapped(details: unknown): boolean {
  return typeof details === 'object' && details !== null && 'capped' in details && details.capped === true;
}

function toRunRow(row: LogRow): RunRow {
  return {
    id: row.id,
    runDate: row.run_date,
    rangeFrom: row.range_from,
    rangeTo: row.range_to,
    forced: row.forced,
    startedAt: epochSecondsOrNull(row.started_at),
    completedAt: epochSecondsOrNull(row.completed_at),
    status: row.status,
    processed: row.conversations_processed,
    skipped: row.conversations_skipped,
    failed: row.conversations_failed,
    unchanged: row.conversations_unchanged,
    llmRequests: row.total_llm_requests,
    llmCostUsd: row.total_llm_cost_usd,
    durationSeconds: row.processing_duration_seconds,
    errorMessage: row.error_message,
    errorDetails: row.error_details,
    capped: isCapped(row.error_details),
    trigger: row.trigger,
    host: row.host,
    appVersion: row.app_version,
    pid: row.pid,
    estimator: row.estimator,
  };
}

function nonNegativeInt(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0;
}

/** Opens a 'running' row and returns its id. */
export async function startRun(db: Kysely<Database>, input: StartRunInput): Promise<number> {
  const row = await db
    .insertInto('processing_log')
    .values({
      run_date: input.runDate,
      range_from: input.rangeFrom,
      range_to: input.rangeTo,
      forced: input.forced,
      status: 'running',
      trigger: input.trigger,
      host: input.host,
      app_version: input.appVersion,
      pid: input.pid,
      estimator: input.estimator,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Stores the counts so far (the Runs page and a crash post-mortem see them). */
export async function updateRunProgress(db: Kysely<Database>, id: number, counts: Partial<RunCounts>): Promise<void> {
  const set: { conversations_processed?: number; conversations_skipped?: number; conversations_failed?: number; conversations_unchanged?: number } = {};
  if (counts.processed !== undefined) set.conversations_processed = nonNegativeInt(counts.processed);
  if (counts.skipped !== undefined) set.conversations_skipped = nonNegativeInt(counts.skipped);
  if (counts.failed !== undefined) set.conversations_failed = nonNegativeInt(counts.failed);
  if (counts.unchanged !== undefined) set.conversations_unchanged = nonNegativeInt(counts.unchanged);
  if (Object.keys(set).length === 0) return;
  await db.updateTable('processing_log').set(set).where('id', '=', id).execute();
}

/** Closes a run with its final status, counts, LLM usage and (on failure) the error. */
export async function finishRun(db: Kysely<Database>, id: number, input: FinishRunInput): Promise<void> {
  await db
    .updateTable('processing_log')
    .set({
      status: input.status,
      completed_at: sql<Date>`now()`,
      processing_duration_seconds: sql<number>`round(extract(epoch FROM now() - started_at)::numeric, 3)`,
      conversations_processed: nonNegativeInt(input.counts.processed),
      conversations_skipped: nonNegativeInt(input.counts.skipped),
      conversations_failed: nonNegativeInt(input.counts.failed),
      conversations_unchanged: nonNegativeInt(input.counts.unchanged),
      total_llm_requests: nonNegativeInt(input.llmRequests),
      total_llm_cost_usd: Number.isFinite(input.llmCostUsd) ? Math.max(0, input.llmCostUsd) : 0,
      error_message: input.errorMessage ?? null,
      error_details: input.errorDetails === undefined || input.errorDetails === null ? null : JSON.stringify(input.errorDetails),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Marks every 'running' row 'interrupted' and returns them so the caller can resume their
 * ranges. Call only while holding the run lock: then any 'running' row belongs to a process
 * that died (its lock went with its connection).
 */
export async function markInterruptedRuns(db: Kysely<Database>): Promise<RunRow[]> {
  const rows = await db
    .updateTable('processing_log')
    .set({
      status: 'interrupted',
      completed_at: sql<Date>`now()`,
      processing_duration_seconds: sql<number>`round(extract(epoch FROM now() - started_at)::numeric, 3)`,
      error_message: sql<string>`coalesce(error_message, 'The process stopped before the run finished (crash, shutdown or lost connection); the next run resumed its range.')`,
    })
    .where('status', '=', 'running')
    .returningAll()
    .execute();
  return rows.map(toRunRow).sort((a, b) => a.id - b.id);
}

/** The most recently completed run, or null. */
export async function lastCompletedRun(db: Kysely<Database>): Promise<RunRow | null> {
  const row = await db
    .selectFrom('processing_log')
    .selectAll()
    .where('status', '=', 'completed')
    .orderBy('completed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toRunRow(row) : null;
}

/** Runs, newest first. */
export async function listRuns(db: Kysely<Database>, page: { limit: number; offset: number }): Promise<RunRow[]> {
  const rows = await db
    .selectFrom('processing_log')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.max(0, Math.floor(page.limit)))
    .offset(Math.max(0, Math.floor(page.offset)))
    .execute();
  return rows.map(toRunRow);
}

export async function countRuns(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('processing_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function getRun(db: Kysely<Database>, id: number): Promise<RunRow | null> {
  const row = await db.selectFrom('processing_log').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRunRow(row) : null;
}

/** The run currently marked 'running' (newest if, after a crash, there are several). */
export async function runningRun(db: Kysely<Database>): Promise<RunRow | null> {
  const row = await db
    .selectFrom('processing_log')
    .selectAll()
    .where('status', '=', 'running')
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toRunRow(row) : null;
}
