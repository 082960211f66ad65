import { sql, type Kysely } from 'kysely';
import type { Interval } from '../pipeline/types.ts';
import type { Database, EstimateSource, NewConversationAnalysis } from './schema.ts';
import { chunk, epochSeconds, inTransaction, toTimestamp } from './util.ts';

// Writes of per-conversation results: conversation_analysis, conversation_insights, and the
// skip and failure lists the UI shows. Every function accepts a Kysely instance or a
// transaction, so the run can commit rows and the aggregates they touch together.

/** One conversation_analysis row, as the pipeline produces it (everything but id/processed_at). */
export interface AnalysisRecord {
  conversationId: string;
  userIdHash: string;
  /** Epoch seconds. */
  firstMessageAt: number | null;
  lastMessageAt: number | null;
  totalDurationMinutes: number;
  activeDurationMinutes: number;
  idleTimeMinutes: number;
  engagedDurationMinutes: number;
  manualTimeLow: number;
  manualTimeMostLikely: number;
  manualTimeHigh: number;
  confidenceLevel: number;
  timeSavedMinutes: number;
  timeSavedEngagedMinutes: number;
  messageCount: number;
  processingVersion: string;
  /** The exact redacted summary JSON that was sent to the estimator. */
  conversationSummary: string;
  /** The raw structured answer (stored as jsonb). */
  llmResponse: unknown;
  /** Local day 'YYYY-MM-DD' of the last message. */
  analysisDate: string;
  sourceUpdatedAt: number | null;
  contentFingerprint: string | null;
  estimateSource: EstimateSource;
  estimateRepaired: boolean;
  model: string | null;
  promptVersion: string | null;
  taskCategory: string | null;
  workRelated: boolean | null;
  taskCompleted: boolean | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  activeIntervals: Interval[];
  engagedIntervals: Interval[];
  runId: number | null;
}

/** One conversation_insights row: usage facts about a conversation. */
export interface InsightRecord {
  conversationId: string;
  userIdHash: string;
  analysisDate: string;
  userMessages: number;
  assistantMessages: number;
  systemMessages: number;
  branchCount: number;
  /** Model → assistant messages written by it. */
  models: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  avgResponseSeconds: number | null;
  medianResponseSeconds: number | null;
  /** Attachment kind → count. */
  attachments: Record<string, number>;
}

export interface SkipRecord {
  conversationId: string;
  reason: string;
  detail: string | null;
  /** Epoch seconds. */
  sourceUpdatedAt: number | null;
}

export interface FailureRecord {
  conversationId: string;
  errorCode: string | null;
  errorMessage: string | null;
  /** Request attempts made in this run (default 1); added to the stored count. */
  attempts?: number;
}

export interface StoredState {
  fingerprint: string | null;
  analysisDate: string;
  /** Epoch seconds of the last (re-)analysis. */
  processedAt: number;
}

/** PostgreSQL accepts at most 65,535 bind parameters per statement. */
const MAX_PARAMS = 65_000;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * jsonb refuses U+0000 and unpaired surrogates, which a model's answer or a hostile chat (model
 * names, echoed text) can carry; one such value would fail the whole batch's transaction, and
 * again on every later run. They are dropped or replaced (U+FFFD) in strings and keys.
 */
function jsonbSafe(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
  if (Array.isArray(value)) return value.map(jsonbSafe);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [jsonbSafe(key) as string, jsonbSafe(item)]));
  }
  return value;
}

/** JSON for jsonb parameters; pg would send a JS array as a PostgreSQL array literal. */
function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(jsonbSafe(value));
}

function intervalsJson(intervals: readonly Interval[]): string {
  return JSON.stringify(intervals.map(([start, end]) => [start, end]));
}

function toRow(r: AnalysisRecord): NewConversationAnalysis {
  return {
    conversation_id: r.conversationId,
    user_id_hash: r.userIdHash,
    first_message_at: toTimestamp(r.firstMessageAt),
    last_message_at: toTimestamp(r.lastMessageAt),
    total_duration_minutes: r.totalDurationMinutes,
    active_duration_minutes: r.activeDurationMinutes,
    idle_time_minutes: r.idleTimeMinutes,
    engaged_duration_minutes: r.engagedDurationMinutes,
    manual_time_low: r.manualTimeLow,
    manual_time_most_likely: r.manualTimeMostLikely,
    manual_time_high: r.manualTimeHigh,
    confidence_level: r.confidenceLevel,
    time_saved_minutes: r.timeSavedMinutes,
    time_saved_engaged_minutes: r.timeSavedEngagedMinutes,
    message_count: r.messageCount,
    processing_version: r.processingVersion,
    conversation_summary: r.conversationSummary,
    llm_response: json(r.llmResponse),
    analysis_date: r.analysisDate,
    source_updated_at: toTimestamp(r.sourceUpdatedAt),
    content_fingerprint: r.contentFingerprint,
    estimate_source: r.estimateSource,
    estimate_repaired: r.estimateRepaired,
    model: r.model,
    prompt_version: r.promptVersion,
    task_category: r.taskCategory,
    work_related: r.workRelated,
    task_completed: r.taskCompleted,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cost_usd: r.costUsd,
    active_intervals: intervalsJson(r.activeIntervals),
    engaged_intervals: intervalsJson(r.engagedIntervals),
    run_id: r.runId,
  };
}

/** Bind parameters per row of the multi-row INSERT (every column but id and processed_at). */
const PARAMS_PER_ANALYSIS = 34;
const ANALYSIS_BATCH = Math.floor(MAX_PARAMS / PARAMS_PER_ANALYSIS);

/** The last record per conversation: ON CONFLICT cannot touch one row twice in a statement. */
function lastPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    byKey.delete(k); // keep the latest position so input order is preserved for the survivors
    byKey.set(k, item);
  }
  return [...byKey.values()];
}

/**
 * Inserts or replaces conversation_analysis rows (re-analysis replaces the row), in multi-row
 * statements. Returns the previous analysis_date of conversations that moved to another day,
 * so the caller recomputes both days. Successfully stored conversations leave the failure and
 * skip lists in the same transaction.
 */
export async function upsertAnalyses(
  db: Kysely<Database>,
  records: readonly AnalysisRecord[],
): Promise<{ previousDates: Map<string, string> }> {
  const previousDates = new Map<string, string>();
  const unique = lastPerKey(records, (r) => r.conversationId);
  if (unique.length === 0) return { previousDates };

  await inTransaction(db, async (trx) => {
    for (const batch of chunk(unique, ANALYSIS_BATCH)) {
      const ids = batch.map((r) => r.conversationId);
      // Lock existing rows so their previous date cannot change before the upsert below.
      const existing = await trx
        .selectFrom('conversation_analysis')
        .select(['conversation_id', 'analysis_date'])
        .where(sql<boolean>`conversation_id = ANY(${ids}::text[])`)
        .forUpdate()
        .execute();
      const newDate = new Map(batch.map((r) => [r.conversationId, r.analysisDate]));
      for (const row of existing) {
        if (newDate.get(row.conversation_id) !== row.analysis_date) previousDates.set(row.conversation_id, row.analysis_date);
      }

      await trx
        .insertInto('conversation_analysis')
        .values(batch.map(toRow))
        .onConflict((oc) =>
          oc.column('conversation_id').doUpdateSet((eb) => ({
            user_id_hash: eb.ref('excluded.user_id_hash'),
            first_message_at: eb.ref('excluded.first_message_at'),
            last_message_at: eb.ref('excluded.last_message_at'),
            total_duration_minutes: eb.ref('excluded.total_duration_minutes'),
            active_duration_minutes: eb.ref('excluded.active_duration_minutes'),
            idle_time_minutes: eb.ref('excluded.idle_time_minutes'),
            engaged_duration_minutes: eb.ref('excluded.engaged_duration_minutes'),
            manual_time_low: eb.ref('excluded.manual_time_low'),
            manual_time_most_likely: eb.ref('excluded.manual_time_most_likely'),
            manual_time_high: eb.ref('excluded.manual_time_high'),
            confidence_level: eb.ref('excluded.confidence_level'),
            time_saved_minutes: eb.ref('excluded.time_saved_minutes'),
            time_saved_engaged_minutes: eb.ref('excluded.time_saved_engaged_minutes'),
            message_count: eb.ref('excluded.message_count'),
            processed_at: sql<Date>`now()`,
            processing_version: eb.ref('excluded.processing_version'),
            conversation_summary: eb.ref('excluded.conversation_summary'),
            llm_response: eb.ref('excluded.llm_response'),
            analysis_date: eb.ref('excluded.analysis_date'),
            source_updated_at: eb.ref('excluded.source_updated_at'),
            content_fingerprint: eb.ref('excluded.content_fingerprint'),
            estimate_source: eb.ref('excluded.estimate_source'),
            estimate_repaired: eb.ref('excluded.estimate_repaired'),
            model: eb.ref('excluded.model'),
            prompt_version: eb.ref('excluded.prompt_version'),
            task_category: eb.ref('excluded.task_category'),
            work_related: eb.ref('excluded.work_related'),
            task_completed: eb.ref('excluded.task_completed'),
            input_tokens: eb.ref('excluded.input_tokens'),
            output_tokens: eb.ref('excluded.output_tokens'),
            cost_usd: eb.ref('excluded.cost_usd'),
            active_intervals: eb.ref('excluded.active_intervals'),
            engaged_intervals: eb.ref('excluded.engaged_intervals'),
            run_id: eb.ref('excluded.run_id'),
          })),
        )
        .execute();

      await trx.deleteFrom('conversation_failures').where(sql<boolean>`conversation_id = ANY(${ids}::text[])`).execute();
      await trx.deleteFrom('conversation_skips').where(sql<boolean>`conversation_id = ANY(${ids}::text[])`).execute();
    }
  });
  return { previousDates };
}

/** What is stored for these conversations: fingerprint, day and when it was analysed. */
export async function getStoredState(db: Kysely<Database>, conversationIds: readonly string[]): Promise<Map<string, StoredState>> {
  const out = new Map<string, StoredState>();
  if (conversationIds.length === 0) return out;
  // One array parameter, so any number of ids fits in one statement.
  const rows = await db
    .selectFrom('conversation_analysis')
    .select(['conversation_id', 'content_fingerprint', 'analysis_date', 'processed_at'])
    .where(sql<boolean>`conversation_id = ANY(${[...new Set(conversationIds)]}::text[])`)
    .execute();
  for (const row of rows) {
    out.set(row.conversation_id, {
      fingerprint: row.content_fingerprint,
      analysisDate: row.analysis_date,
      processedAt: epochSeconds(row.processed_at),
    });
  }
  return out;
}

/** Lists source rows that could not be read (replacing earlier entries for the same id). */
export async function recordSkips(db: Kysely<Database>, runId: number | null, skips: readonly SkipRecord[]): Promise<void> {
  const unique = lastPerKey(skips, (s) => s.conversationId);
  for (const batch of chunk(unique, Math.floor(MAX_PARAMS / 5))) {
    await db
      .insertInto('conversation_skips')
      .values(
        batch.map((s) => ({
          conversation_id: s.conversationId,
          run_id: runId,
          reason: s.reason,
          detail: s.detail,
          source_updated_at: toTimestamp(s.sourceUpdatedAt),
        })),
      )
      .onConflict((oc) =>
        oc.column('conversation_id').doUpdateSet((eb) => ({
          run_id: eb.ref('excluded.run_id'),
          reason: eb.ref('excluded.reason'),
          detail: eb.ref('excluded.detail'),
          source_updated_at: eb.ref('excluded.source_updated_at'),
          seen_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}

/** Marks estimates that failed; they are retried next run (pendingFailureIds). */
export async function recordFailures(db: Kysely<Database>, runId: number | null, failures: readonly FailureRecord[]): Promise<void> {
  const unique = lastPerKey(failures, (f) => f.conversationId);
  for (const batch of chunk(unique, Math.floor(MAX_PARAMS / 5))) {
    await db
      .insertInto('conversation_failures')
      .values(
        batch.map((f) => ({
          conversation_id: f.conversationId,
          run_id: runId,
          error_code: f.errorCode,
          error_message: f.errorMessage,
          attempts: Math.max(1, Math.round(f.attempts ?? 1)),
        })),
      )
      .onConflict((oc) =>
        oc.column('conversation_id').doUpdateSet((eb) => ({
          run_id: eb.ref('excluded.run_id'),
          error_code: eb.ref('excluded.error_code'),
          error_message: eb.ref('excluded.error_message'),
          attempts: sql<number>`conversation_failures.attempts + excluded.attempts`,
          last_attempt_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}

export async function clearFailures(db: Kysely<Database>, conversationIds: readonly string[]): Promise<void> {
  if (conversationIds.length === 0) return;
  await db.deleteFrom('conversation_failures').where(sql<boolean>`conversation_id = ANY(${[...conversationIds]}::text[])`).execute();
}

/** Conversations to retry, least recently tried first so none starves behind a stubborn one. */
export async function pendingFailureIds(db: Kysely<Database>, limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  const rows = await db
    .selectFrom('conversation_failures')
    .select('conversation_id')
    .orderBy('last_attempt_at', 'asc')
    .orderBy('conversation_id', 'asc')
    .limit(Math.floor(limit))
    .execute();
  return rows.map((r) => r.conversation_id);
}

const INSIGHT_PARAMS = 13;

export async function upsertInsights(db: Kysely<Database>, rows: readonly InsightRecord[]): Promise<void> {
  const unique = lastPerKey(rows, (r) => r.conversationId);
  for (const batch of chunk(unique, Math.floor(MAX_PARAMS / INSIGHT_PARAMS))) {
    await db
      .insertInto('conversation_insights')
      .values(
        batch.map((r) => ({
          conversation_id: r.conversationId,
          user_id_hash: r.userIdHash,
          analysis_date: r.analysisDate,
          user_messages: r.userMessages,
          assistant_messages: r.assistantMessages,
          system_messages: r.systemMessages,
          branch_count: r.branchCount,
          models: JSON.stringify(jsonbSafe(r.models)),
          input_tokens: r.inputTokens,
          output_tokens: r.outputTokens,
          avg_response_seconds: r.avgResponseSeconds,
          median_response_seconds: r.medianResponseSeconds,
          attachments: JSON.stringify(jsonbSafe(r.attachments)),
        })),
      )
      .onConflict((oc) =>
        oc.column('conversation_id').doUpdateSet((eb) => ({
          user_id_hash: eb.ref('excluded.user_id_hash'),
          analysis_date: eb.ref('excluded.analysis_date'),
          user_messages: eb.ref('excluded.user_messages'),
          assistant_messages: eb.ref('excluded.assistant_messages'),
          system_messages: eb.ref('excluded.system_messages'),
          branch_count: eb.ref('excluded.branch_count'),
          models: eb.ref('excluded.models'),
          input_tokens: eb.ref('excluded.input_tokens'),
          output_tokens: eb.ref('excluded.output_tokens'),
          avg_response_seconds: eb.ref('excluded.avg_response_seconds'),
          median_response_seconds: eb.ref('excluded.median_response_seconds'),
          attachments: eb.ref('excluded.attachments'),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }
}
