import os from 'node:os';
import { sql, type Generated, type Kysely } from 'kysely';
import type { AppContext } from '../app/context.ts';
import { getLogger } from '../log/index.ts';
import {
  batchRequestLine,
  createBatchApi,
  createBatchResultsEstimator,
  isFinished,
  parseBatchFiles,
  summaryKey,
  type BatchApi,
  type BatchItemResult,
} from '../llm/batch.ts';
import { PROMPT_VERSION } from '../llm/prompt.ts';
import { EstimateError } from '../llm/types.ts';
import type { NormalisedConversation, SourceReader, SourceRow } from '../source/types.ts';
import { getStoredState, pendingFailureIds } from '../store/analysis.ts';
import { RunLockedError, tryAcquireRunLock } from '../store/lock.ts';
import { finishRun, startRun } from '../store/runs.ts';
import type { Database } from '../store/schema.ts';
import { dayBounds, type LocalDate } from '../time/days.ts';
import { APP_VERSION } from '../version.ts';
import { contentFingerprint } from './fingerprint.ts';
import { runPipeline, type RunProgress, type RunResult } from './run.ts';
import { buildSummary } from './summary.ts';
import { computeTiming } from './timing.ts';
import { PROCESSING_VERSION } from './version.ts';

// A scheduled night in OpenAI Batch mode, in two steps that may be hours and restarts apart:
//
// 1. Submit (holds the run lock for seconds): select the night's conversations exactly as a
//    run would, build their redacted summaries, upload them as one JSONL batch, remember the
//    batch in llm_batches and mark the night's processing_log row 'waiting'. The lock is then
//    released, so manual runs and backfills are not blocked for the hours the batch takes.
// 2. Collect (any later poll, in this process or after a restart): once OpenAI has finished,
//    download the answers and run the ordinary pipeline (run.ts) over the batch's days with an
//    estimator that answers from the batch. Storage, aggregates, failure records, the lock and
//    crash recovery are therefore exactly those of a normal run. Answers are matched by the
//    summary they were given: a conversation that changed since submission, or is new, is
//    estimated synchronously instead; a line OpenAI failed or that does not validate becomes a
//    failed conversation, retried next run — never a number.

export interface LlmBatchesTable {
  id: Generated<number>;
  run_id: number;
  status: 'preparing' | 'submitted' | 'collected' | 'abandoned';
  batch_id: string | null;
  input_file_id: string | null;
  remote_status: string | null;
  model: string;
  prompt_version: string;
  range_from: string;
  range_to: string;
  request_count: number;
  items: string;
  created_at: Generated<Date>;
  submitted_at: Date | null;
  last_polled_at: Date | null;
  collected_at: Date | null;
  collected_run_id: number | null;
  error_message: string | null;
}

interface BatchItem {
  customId: string;
  key: string;
  conversationId: string;
}

export type BatchNightResult = { kind: 'waiting'; runId: number; message: string } | { kind: 'done'; result: RunResult };

export interface BatchNightInput {
  from: LocalDate;
  to: LocalDate;
  signal: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

export interface BatchNightDeps {
  /** The Batch API client; default: from the LLM settings and the keychain's API key. */
  api?: BatchApi;
  host?: string;
}

const log = getLogger('batch');

async function batchApiFor(context: AppContext): Promise<BatchApi> {
  const apiKey = (await context.secrets.get('openai-api-key')) ?? undefined;
  return createBatchApi({ apiKey, baseUrl: context.settings.llm.baseUrl, timeoutMs: context.settings.llm.timeoutMs });
}

/** The batch a night is waiting on, if any (the oldest first). */
export async function openBatch(db: Kysely<Database>): Promise<{ id: number; runId: number; batchId: string; from: LocalDate; to: LocalDate; model: string; items: BatchItem[]; requestCount: number } | null> {
  const bdb = db.withTables<{ llm_batches: LlmBatchesTable }>();
  const row = await bdb
    .selectFrom('llm_batches')
    .select(['id', 'run_id', 'batch_id', 'range_from', 'range_to', 'model', 'items', 'request_count'])
    .select(sql<string>`range_from::text`.as('from_text'))
    .select(sql<string>`range_to::text`.as('to_text'))
    .where('status', '=', 'submitted')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row || !row.batch_id) return null;
  const items = (typeof row.items === 'string' ? JSON.parse(row.items) : row.items) as BatchItem[];
  return { id: row.id, runId: Number(row.run_id), batchId: row.batch_id, from: row.from_text, to: row.to_text, model: row.model, items, requestCount: row.request_count };
}

export async function runBatchNight(context: AppContext, input: BatchNightInput, deps: BatchNightDeps = {}): Promise<BatchNightResult> {
  const { db } = await context.analytics();
  const bdb = db.withTables<{ llm_batches: LlmBatchesTable }>();
  // A crash between "preparing" and "submitted" leaves a row whose run is no longer running.
  await sql`UPDATE llm_batches SET status = 'abandoned', error_message = 'The process stopped before the batch was submitted.'
             WHERE status = 'preparing' AND run_id NOT IN (SELECT id FROM processing_log WHERE status = 'running')`.execute(bdb);
  const api = deps.api ?? (await batchApiFor(context));
  const pending = await openBatch(db);
  if (pending) return collectOrWait(context, api, pending, input);
  return submit(context, api, input, deps);
}

async function submit(context: AppContext, api: BatchApi, input: BatchNightInput, deps: BatchNightDeps): Promise<BatchNightResult> {
  const { db, url } = await context.analytics();
  const bdb = db.withTables<{ llm_batches: LlmBatchesTable }>();
  const model = context.settings.llm.model;
  const lock = await tryAcquireRunLock(url);
  if (!lock.acquired) throw new RunLockedError(lock.holder);
  let runId: number | null = null;
  try {
    const source = await context.openSource();
    let summaries: Array<{ conversationId: string; line: ReturnType<typeof batchRequestLine>; key: string }>;
    try {
      const selected = await selectConversations(context, db, source, input);
      summaries = selected.map((conversation, i) => {
        const summary = summarise(context, conversation);
        return { conversationId: conversation.id, line: batchRequestLine(`c${i}`, summary, model), key: summaryKey(summary, model) };
      });
    } finally {
      await source.close();
    }
    if (summaries.length > 0) {
      runId = await startRun(db, {
        runDate: input.to,
        rangeFrom: input.from,
        rangeTo: input.to,
        forced: false,
        trigger: 'schedule',
        host: deps.host ?? os.hostname(),
        appVersion: APP_VERSION,
        pid: process.pid,
        estimator: `llm-batch:${model}`,
      });
      const items: BatchItem[] = summaries.map((s) => ({ customId: s.line.custom_id, key: s.key, conversationId: s.conversationId }));
      const row = await bdb
        .insertInto('llm_batches')
        .values({ run_id: runId, status: 'preparing', model, prompt_version: PROMPT_VERSION, range_from: input.from, range_to: input.to, request_count: items.length, items: JSON.stringify(items) })
        .returning('id')
        .executeTakeFirstOrThrow();
      const { batchId, inputFileId } = await api.submit(
        summaries.map((s) => s.line),
        { app: 'cogniforce-analytics', run_id: String(runId), range: `${input.from}_${input.to}` },
        input.signal,
      );
      await bdb
        .updateTable('llm_batches')
        .set({ status: 'submitted', batch_id: batchId, input_file_id: inputFileId, remote_status: 'validating', submitted_at: sql<Date>`now()` })
        .where('id', '=', row.id)
        .execute();
      const message = `${items.length} conversations sent to OpenAI batch ${batchId} (half price, answers within 24 h).`;
      await sql`UPDATE processing_log SET status = 'waiting', error_message = ${message},
                  error_details = ${JSON.stringify({ batch: { id: batchId, requests: items.length } })}::jsonb
                WHERE id = ${runId}`.execute(db);
      log.info(`Run #${runId}: ${message}`);
      return { kind: 'waiting', runId, message };
    }
  } catch (error) {
    if (runId !== null) {
      await finishRun(db, runId, {
        status: 'failed',
        counts: { processed: 0, skipped: 0, failed: 0, unchanged: 0 },
        llmRequests: 0,
        llmCostUsd: 0,
        errorMessage: error instanceof Error ? error.message : String(error),
      }).catch(() => undefined);
    }
    throw error;
  } finally {
    await lock.release();
  }
  // Nothing needed an estimate: an ordinary run records the night (skips, unchanged counts) at
  // no cost; whatever arrived in between is estimated directly.
  const estimator = createBatchResultsEstimator({ model, results: new Map(), fallback: await context.createEstimator() });
  return { kind: 'done', result: await collectWith(context, input, estimator) };
}

async function collectOrWait(
  context: AppContext,
  api: BatchApi,
  pending: NonNullable<Awaited<ReturnType<typeof openBatch>>>,
  input: BatchNightInput,
): Promise<BatchNightResult> {
  const { db } = await context.analytics();
  const bdb = db.withTables<{ llm_batches: LlmBatchesTable }>();
  const remote = await api.retrieve(pending.batchId, input.signal);
  await bdb.updateTable('llm_batches').set({ remote_status: remote.status, last_polled_at: sql<Date>`now()` }).where('id', '=', pending.id).execute();
  if (!isFinished(remote.status)) {
    return {
      kind: 'waiting',
      runId: pending.runId,
      message: `OpenAI batch ${pending.batchId} is ${remote.status.replace('_', ' ')} (${remote.counts.completed + remote.counts.failed} of ${pending.requestCount} answered).`,
    };
  }

  const model = pending.model;
  const [output, errors] = await Promise.all([
    remote.outputFileId ? api.download(remote.outputFileId, input.signal) : Promise.resolve(''),
    remote.errorFileId ? api.download(remote.errorFileId, input.signal) : Promise.resolve(''),
  ]);
  const byCustomId = parseBatchFiles({ output, errors }, { model, prices: context.settings.llm.prices });
  // Every submitted conversation gets an outcome: its answer, or the reason it has none. Only
  // conversations that were never in the batch may fall back to a synchronous estimate.
  const unanswered =
    remote.status === 'completed'
      ? 'The batch returned no answer for this conversation.'
      : `The OpenAI batch ${pending.batchId} ended "${remote.status}"${remote.errors ? ` (${remote.errors})` : ''} before answering this conversation.`;
  const byKey = new Map<string, BatchItemResult>();
  for (const item of pending.items) {
    byKey.set(item.key, byCustomId.get(item.customId) ?? { ok: false, error: new EstimateError(`${unanswered} It will be retried next run.`, 'server_error', 0) });
  }
  const estimator = createBatchResultsEstimator({ model, results: byKey, fallback: await context.createEstimator() });
  const result = await collectWith(context, { ...input, from: pending.from, to: pending.to }, estimator);
  const stats = estimator.stats();
  if (result.status !== 'cancelled') {
    await bdb
      .updateTable('llm_batches')
      .set({ status: 'collected', collected_at: sql<Date>`now()`, collected_run_id: result.runId, error_message: remote.errors })
      .where('id', '=', pending.id)
      .execute();
    // The waiting row closes with the collecting run's outcome and points at it.
    const note = `Answers of OpenAI batch ${pending.batchId} stored by run #${result.runId}: ${stats.fromBatch} from the batch, ${stats.failedInBatch} failed in it, ${stats.fallback} estimated directly.`;
    await sql`UPDATE processing_log SET status = ${result.status}, completed_at = now(),
                processing_duration_seconds = round(extract(epoch FROM now() - started_at)::numeric, 3),
                error_message = ${result.status === 'completed' ? null : result.errorMessage},
                error_details = ${JSON.stringify({ batch: { id: pending.batchId, requests: pending.requestCount, collectedByRun: result.runId, ...stats } })}::jsonb
              WHERE id = ${pending.runId} AND status = 'waiting'`.execute(db);
    log.info(note);
  }
  return { kind: 'done', result };
}

/** The ordinary pipeline over the batch's days, with the batch as its estimator. */
async function collectWith(context: AppContext, input: BatchNightInput, estimator: ReturnType<typeof createBatchResultsEstimator>): Promise<RunResult> {
  const { db, url } = await context.analytics();
  const source = await context.openSource();
  try {
    return await runPipeline(
      { from: input.from, to: input.to, force: false, trigger: 'schedule' },
      {
        db,
        analyticsUrl: url,
        source,
        estimator,
        salt: await context.salt(),
        settings: context.settings,
        appVersion: APP_VERSION,
        onProgress: input.onProgress,
        signal: input.signal,
      },
    );
  } finally {
    await source.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Selection and summaries, as run.ts does them (the collecting run repeats both through
// run.ts itself; a drift here only costs a synchronous estimate, never a wrong number).

function summarise(context: AppContext, conversation: NormalisedConversation): ReturnType<typeof buildSummary> {
  const p = context.settings.processing;
  const timing = computeTiming(conversation.messages, {
    idleThresholdSeconds: p.idleThresholdMinutes * 60,
    typingWpm: p.typingWpm,
    readingWpm: p.readingWpm,
    skimmingWpm: p.skimmingWpm,
  });
  return buildSummary(conversation, timing);
}

async function selectConversations(context: AppContext, db: Kysely<Database>, source: SourceReader, input: BatchNightInput): Promise<NormalisedConversation[]> {
  const zone = context.settings.processing.timezone;
  const max = context.settings.processing.maxConversations;
  const updatedSince = dayBounds(input.from, zone).start;
  const rangeEnd = dayBounds(input.to, zone).end;
  const seen = new Set<string>();
  const candidates: Array<{ conversation: NormalisedConversation; fingerprint: string }> = [];
  const consider = (row: SourceRow, anyDay: boolean): void => {
    if (row.kind === 'skipped' || seen.has(row.conversation.id)) return;
    const conversation = row.conversation;
    seen.add(conversation.id);
    const last = conversation.messages[conversation.messages.length - 1];
    if (!last) return;
    if (!anyDay && (last.timestamp < updatedSince || last.timestamp >= rangeEnd)) return;
    candidates.push({ conversation, fingerprint: contentFingerprint(conversation, PROCESSING_VERSION) });
  };
  for await (const row of source.readConversations({ updatedSince, signal: input.signal })) consider(row, false);
  const retryIds = await pendingFailureIds(db, max);
  if (retryIds.length > 0) for await (const row of source.readConversations({ ids: retryIds, signal: input.signal })) consider(row, true);

  const selected: NormalisedConversation[] = [];
  for (let i = 0; i < candidates.length && selected.length < max; i += 500) {
    const chunk = candidates.slice(i, i + 500);
    const stored = await getStoredState(db, chunk.map((c) => c.conversation.id));
    for (const c of chunk) {
      if (stored.get(c.conversation.id)?.fingerprint === c.fingerprint) continue;
      if (selected.length < max) selected.push(c.conversation);
    }
  }
  return selected;
}
