import { setMaxListeners } from 'node:events';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { Settings } from '../config/settings.ts';
import { EstimateError, type Estimate, type Estimator } from '../llm/types.ts';
import type { NormalisedConversation, SourceReader, SourceRow } from '../source/types.ts';
import { prefetch } from './prefetch.ts';
import { createAnalysisPool, inlineAnalysis, type AnalysisPool } from './analysis-pool.ts';
import { timingSettingsFrom, toMinutes } from './timing.ts';
import type { TimingSettings } from './types.ts';
import { contentFingerprint } from './fingerprint.ts';
import { timeSaved } from './savings.ts';
import { PROCESSING_VERSION } from './version.ts';
import { dayBounds, localDateOf, type LocalDate } from '../time/days.ts';
import type { Database } from '../store/schema.ts';
import {
  clearFailures,
  getStoredState,
  pendingFailureIds,
  recordFailures,
  recordSkips,
  upsertAnalyses,
  upsertInsights,
  type AnalysisRecord,
  type InsightRecord,
} from '../store/analysis.ts';
import { recomputeAggregates, recomputeUserEngagement } from '../store/aggregates.ts';
import { finishRun, markInterruptedRuns, startRun, updateRunProgress } from '../store/runs.ts';
import { tryAcquireRunLock, RunLockedError, type HeldRunLock, type RunLockHolder } from '../store/lock.ts';
import { checkOrStoreSaltFingerprint, saltFingerprint } from '../store/salt.ts';
import { hashUserId } from '../store/hash.ts';
import { getLogger } from '../log/index.ts';

// One run of the pipeline over a range of local days: select conversations whose last message
// falls in the range, skip unchanged ones, time + summarise + estimate the rest, and store them
// in batches. Each batch commits its rows together with the aggregates of every day it touched,
// so a crash at any point leaves the analytics database consistent and a later run resumes.

export type RunTrigger = 'schedule' | 'manual' | 'backfill' | 'cli';
export type RunStatus = 'completed' | 'failed' | 'cancelled';

export interface RunRequest {
  from: LocalDate;
  to: LocalDate;
  force: boolean;
  trigger: RunTrigger;
}

export interface RunProgress {
  runId: number;
  phase: 'starting' | 'reading' | 'estimating' | 'aggregating' | 'done';
  /** Source rows read so far. */
  scanned: number;
  /** Rows the source could not read (skipped with a reason). */
  skipped: number;
  /** In range but unchanged since the last analysis. */
  unchanged: number;
  /** Selected for analysis so far. */
  selected: number;
  processed: number;
  failed: number;
  /** Chats with updated_at in the scanned window, when the source could count them. */
  candidates: number | null;
  elapsedSeconds: number;
  etaSeconds: number | null;
}

export interface RunResult {
  runId: number;
  status: RunStatus;
  from: LocalDate;
  to: LocalDate;
  processed: number;
  skipped: number;
  unchanged: number;
  failed: number;
  /** Conversations left for the next run because of maxConversations. */
  deferred: number;
  llmRequests: number;
  llmCostUsd: number;
  durationSeconds: number;
  touchedDates: LocalDate[];
  /** Ranges of interrupted runs taken over by this one. */
  resumed: Array<{ runId: number; from: LocalDate; to: LocalDate }>;
  errorMessage: string | null;
}

export interface RunDeps {
  db: Kysely<Database>;
  /** URL of the analytics database, for the dedicated lock connection. */
  analyticsUrl: string;
  source: SourceReader;
  estimator: Estimator;
  salt: string;
  settings: Settings;
  appVersion: string;
  host?: string;
  onProgress?: (progress: RunProgress) => void;
  signal?: AbortSignal;
  /** Rows per committed batch. */
  batchSize?: number;
  /**
   * Where conversations are analysed. Default: worker threads for a run with at least
   * WORKER_POOL_MIN_CANDIDATES candidates (started and stopped by the run), else inline.
   */
  analysis?: AnalysisPool;
}

/** Below this many candidates starting worker threads (~0.2 s) costs more than it saves. */
export const WORKER_POOL_MIN_CANDIDATES = 500;

const log = getLogger('pipeline');

const YIELD_EVERY_MS = 5;

export class SaltMismatchError extends Error {
  constructor() {
    super(
      'This analytics database was written by a workstation with a different salt, so user hashes would not match. ' +
        'Import the salt used by the other workstations (Settings → Privacy → Import salt) or point this workstation at its own analytics database.',
    );
    this.name = 'SaltMismatchError';
  }
}

interface Candidate {
  conversation: NormalisedConversation;
  analysisDate: LocalDate;
  fingerprint: string;
  userHash: string;
}

interface Counters {
  scanned: number;
  skipped: number;
  unchanged: number;
  selected: number;
  processed: number;
  failed: number;
  deferred: number;
}

export async function runPipeline(request: RunRequest, deps: RunDeps): Promise<RunResult> {
  const started = Date.now();
  // Every in-flight estimate listens on the run's signal; concurrency may exceed Node's default of 10.
  if (deps.signal) setMaxListeners(0, deps.signal);
  const host = deps.host ?? os.hostname();
  const acquired = await tryAcquireRunLock(deps.analyticsUrl);
  if (!acquired.acquired) throw new RunLockedError(acquired.holder);
  const lock = { current: acquired };
  try {
    const fingerprint = saltFingerprint(deps.salt);
    if ((await checkOrStoreSaltFingerprint(deps.db, fingerprint)) === 'mismatch') throw new SaltMismatchError();

    // We hold the lock, so any run still marked 'running' died with its process: take over its range.
    const interrupted = await markInterruptedRuns(deps.db);
    let from = request.from;
    let to = request.to;
    const resumed: RunResult['resumed'] = [];
    // A forced run that was interrupted must not redo (and re-pay for) what it already stored,
    // and must still redo what it had not reached, even when the run taking over is not forced.
    let redoneSince: number | null = null;
    const forcedRanges: Array<{ from: LocalDate; to: LocalDate }> = [];
    for (const run of interrupted) {
      if (!run.rangeFrom || !run.rangeTo) continue;
      resumed.push({ runId: run.id, from: run.rangeFrom, to: run.rangeTo });
      if (run.rangeFrom < from) from = run.rangeFrom;
      if (run.rangeTo > to) to = run.rangeTo;
      if (run.forced && run.startedAt !== null) {
        redoneSince = Math.min(redoneSince ?? Infinity, run.startedAt);
        forcedRanges.push({ from: run.rangeFrom, to: run.rangeTo });
      }
    }

    const runId = await startRun(deps.db, {
      runDate: to,
      rangeFrom: from,
      rangeTo: to,
      forced: request.force,
      trigger: request.trigger,
      host,
      appVersion: deps.appVersion,
      pid: process.pid,
      estimator: deps.estimator.source === 'llm' ? `llm:${deps.estimator.model}` : deps.estimator.model,
    });
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    if (deps.signal?.aborted) stop.abort();
    deps.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    const outcome: Outcome = { counters: emptyCounters(), touchedDates: new Set(), costUsd: 0, firstFailure: null, fatal: null };
    const context: RunContext = {
      request: { ...request, from, to },
      deps,
      runId,
      started,
      redoneSince,
      forcedRanges,
      stop,
      outcome,
      requestsAtStart: deps.estimator.requestCount,
      lock,
    };
    try {
      await processRange(context);
      const status: RunStatus = outcome.fatal
        ? 'failed'
        : deps.signal?.aborted
          ? 'cancelled'
          : outcome.counters.failed > 0 && outcome.counters.processed === 0
            ? 'failed'
            : 'completed';
      const errorMessage = outcome.fatal
        ? outcome.fatal
        : status === 'failed'
          ? `All ${outcome.counters.failed} estimates failed: ${outcome.firstFailure ?? 'unknown error'}`
          : null;
      const result = buildResult(context, outcome, status, resumed, errorMessage);
      await finishRun(deps.db, runId, {
        status,
        counts: countsOf(outcome.counters),
        llmRequests: result.llmRequests,
        llmCostUsd: result.llmCostUsd,
        errorMessage: errorMessage ?? undefined,
        errorDetails: outcome.counters.deferred > 0 ? { capped: true, deferred: outcome.counters.deferred } : undefined,
      });
      return result;
    } catch (error) {
      // Workers still estimating must not spend more requests on a run that is over.
      stop.abort();
      // What was committed before the failure stays counted: it is in the database.
      await finishRun(deps.db, runId, {
        status: 'failed',
        counts: countsOf(outcome.counters),
        llmRequests: deps.estimator.requestCount - context.requestsAtStart,
        llmCostUsd: outcome.costUsd,
        errorMessage: error instanceof Error ? error.message : String(error),
        errorDetails: { name: error instanceof Error ? error.name : 'Error' },
      }).catch(() => undefined);
      throw error;
    }
  } finally {
    await lock.current.release();
  }
}

export class RunLockLostError extends Error {
  constructor(holder: RunLockHolder | null) {
    const who = holder ? new RunLockedError(holder).message.replace(/^A run is already in progress/, 'another run is now in progress') : 'the lock could not be taken again';
    super(`The connection holding the run lock broke and ${who}; this run stopped so that two runs never write at once. Results committed so far are kept.`);
    this.name = 'RunLockLostError';
  }
}

/**
 * The run lock lives on its own connection; if that breaks (network, server restart, an
 * administrator's pg_terminate_backend) PostgreSQL frees the lock and another run may start.
 * Before each commit the lock is taken again, or the run stops rather than write alongside one.
 */
async function keepRunLock(context: RunContext): Promise<void> {
  const held = context.lock.current;
  if (!held.lostError) return;
  const again = await tryAcquireRunLock(context.deps.analyticsUrl).catch(() => null);
  if (!again?.acquired) throw new RunLockLostError(again ? again.holder : null);
  await held.release();
  context.lock.current = again;
}

interface RunContext {
  request: RunRequest;
  deps: RunDeps;
  runId: number;
  started: number;
  redoneSince: number | null;
  /** Ranges of interrupted forced runs: their days are re-analysed even if this run is not forced. */
  forcedRanges: Array<{ from: LocalDate; to: LocalDate }>;
  /** Aborted by the caller's signal, or by a failure that dooms every estimate (bad key, unknown model). */
  stop: AbortController;
  outcome: Outcome;
  /** The run lock; replaced when its connection broke and it was taken again. */
  lock: { current: HeldRunLock };
  /** The estimator may outlive one run (the console keeps it): count only this run's requests. */
  requestsAtStart: number;
}

interface Outcome {
  counters: Counters;
  touchedDates: Set<LocalDate>;
  costUsd: number;
  firstFailure: string | null;
  /** Why the run had to stop early, when the estimator cannot work at all. */
  fatal: string | null;
}

function emptyCounters(): Counters {
  return { scanned: 0, skipped: 0, unchanged: 0, selected: 0, processed: 0, failed: 0, deferred: 0 };
}

function countsOf(c: Counters) {
  return { processed: c.processed, skipped: c.skipped, failed: c.failed, unchanged: c.unchanged };
}

function buildResult(
  context: RunContext,
  outcome: Outcome,
  status: RunStatus,
  resumed: RunResult['resumed'],
  errorMessage: string | null,
): RunResult {
  const c = outcome.counters;
  return {
    runId: context.runId,
    status,
    from: context.request.from,
    to: context.request.to,
    processed: c.processed,
    skipped: c.skipped,
    unchanged: c.unchanged,
    failed: c.failed,
    deferred: c.deferred,
    llmRequests: context.deps.estimator.requestCount - context.requestsAtStart,
    llmCostUsd: Math.round(outcome.costUsd * 1e6) / 1e6,
    durationSeconds: (Date.now() - context.started) / 1000,
    touchedDates: [...outcome.touchedDates].sort(),
    resumed,
    errorMessage,
  };
}

async function processRange(context: RunContext): Promise<void> {
  const { deps, request } = context;
  const { settings } = deps;
  const zone = settings.processing.timezone;
  const { outcome } = context;
  const { counters } = outcome;
  const signal = context.stop.signal;
  const batchSize = deps.batchSize ?? 500;
  // Rows looked up against stored fingerprints at a time: small, so little is held in memory.
  const selectionBatch = Math.min(batchSize, 100);
  const maxConversations = settings.processing.maxConversations;
  const updatedSince = dayBounds(request.from, zone).start;
  const rangeEnd = dayBounds(request.to, zone).end;
  const candidates = deps.source.countConversations ? await deps.source.countConversations({ updatedSince }) : null;

  let lastProgress = 0;
  const progress = (phase: RunProgress['phase'], force = false): void => {
    if (!deps.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < 200) return;
    lastProgress = now;
    const elapsedSeconds = (now - context.started) / 1000;
    let etaSeconds: number | null = null;
    if (candidates && counters.scanned > 0 && phase !== 'done') {
      const rate = counters.scanned / Math.max(elapsedSeconds, 0.001);
      etaSeconds = Math.max(0, (candidates - counters.scanned) / rate);
    }
    deps.onProgress({ runId: context.runId, phase, ...counters, candidates, elapsedSeconds, etaSeconds });
  };
  progress('starting', true);

  const pending: { records: AnalysisRecord[]; insights: InsightRecord[]; failures: FailureRecord[] } = {
    records: [],
    insights: [],
    failures: [],
  };
  // One commit may run while the workers fill the next batch; the batch after that waits for it,
  // so the database and the CPU work overlap and memory stays bounded.
  let flushing: Promise<void> = Promise.resolve();
  const flushInBackground = async (): Promise<void> => {
    const previous = flushing;
    void flush().catch(() => undefined); // the failure surfaces where the chain is awaited
    await previous;
  };
  const flush = (): Promise<void> => {
    const records = pending.records.splice(0);
    const insights = pending.insights.splice(0);
    const failures = pending.failures.splice(0);
    if (records.length === 0 && failures.length === 0) return flushing;
    flushing = flushing.then(() => commitBatch(context, records, insights, failures, outcome));
    return flushing;
  };

  async function* selected(): AsyncGenerator<Candidate> {
    const batch: Candidate[] = [];
    const drain = async function* (): AsyncGenerator<Candidate> {
      const stored = await getStoredState(
        deps.db,
        batch.map((c) => c.conversation.id),
      );
      for (const candidate of batch.splice(0)) {
        const previous = stored.get(candidate.conversation.id);
        const forced = request.force || context.forcedRanges.some((r) => candidate.analysisDate >= r.from && candidate.analysisDate <= r.to);
        if (previous && !forced && previous.fingerprint === candidate.fingerprint) {
          counters.unchanged += 1;
          continue;
        }
        if (previous && context.redoneSince !== null && previous.processedAt >= context.redoneSince && previous.fingerprint === candidate.fingerprint) {
          counters.unchanged += 1;
          continue;
        }
        if (counters.selected >= maxConversations) {
          counters.deferred += 1;
          continue;
        }
        counters.selected += 1;
        yield candidate;
      }
    };
    const seen = new Set<string>();
    const consider = (row: SourceRow, anyDay: boolean): Candidate | null => {
      counters.scanned += 1;
      if (row.kind === 'skipped') {
        if (row.sourceUpdatedAt === null || row.sourceUpdatedAt >= updatedSince) {
          counters.skipped += 1;
          pendingSkips.push({ conversationId: row.id, reason: row.reason, detail: row.detail, sourceUpdatedAt: row.sourceUpdatedAt });
        }
        return null;
      }
      const conversation = row.conversation;
      if (seen.has(conversation.id)) return null;
      seen.add(conversation.id);
      const last = conversation.messages[conversation.messages.length - 1];
      if (!last) return null;
      if (!anyDay && (last.timestamp < updatedSince || last.timestamp >= rangeEnd)) return null;
      return {
        conversation,
        analysisDate: localDateOf(last.timestamp, zone),
        fingerprint: contentFingerprint(conversation, PROCESSING_VERSION),
        userHash: hashUserId(deps.salt, conversation.userId),
      };
    };
    const pendingSkips: SkipRecord[] = [];
    const sources: Array<{ rows: () => AsyncIterable<SourceRow>; anyDay: boolean }> = [
      { rows: () => deps.source.readConversations({ updatedSince, signal }), anyDay: false },
    ];
    // Conversations whose estimate failed earlier are retried whatever day they belong to.
    const retryIds = await pendingFailureIds(deps.db, maxConversations);
    if (retryIds.length > 0) {
      sources.push({ rows: () => deps.source.readConversations({ ids: retryIds, signal }), anyDay: true });
    }
    // Reading and normalising are synchronous between the source's round trips; handing the
    // event loop over every few milliseconds lets analysis results in and new work out, so the
    // worker threads do not wait for a whole batch of rows to be read.
    let lastYield = performance.now();
    for (const { rows, anyDay } of sources) {
      for await (const row of rows()) {
        if (signal.aborted) return;
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await setImmediatePromise();
          lastYield = performance.now();
        }
        const candidate = consider(row, anyDay);
        if (candidate) batch.push(candidate);
        if (batch.length >= selectionBatch) yield* drain();
        if (pendingSkips.length >= batchSize) await recordSkips(deps.db, context.runId, pendingSkips.splice(0));
        progress('reading');
      }
    }
    if (batch.length > 0) yield* drain();
    if (pendingSkips.length > 0) await recordSkips(deps.db, context.runId, pendingSkips.splice(0));
  }

  // Reading the next batch overlaps with analysing this one (in worker threads or awaiting the LLM).
  const source = prefetch(selected(), 2 * selectionBatch);
  const ownPool = !deps.analysis && (candidates ?? 0) >= WORKER_POOL_MIN_CANDIDATES;
  const analysis =
    deps.analysis ?? (ownPool ? createAnalysisPool({ onWorkerLost: (reason) => log.warn(`${reason}; its conversations are analysed in the main thread`) }) : inlineAnalysis);
  // The LLM's concurrency is the user's setting; the heuristic keeps enough conversations in
  // flight for every analysis thread to stay busy while this one reads.
  const timingSettings = timingSettingsFrom(settings.processing);
  const concurrency = deps.estimator.source === 'llm' ? Math.max(1, settings.llm.concurrency) : 16 * analysis.threads + 1;
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const candidate = next.value;
      if (signal.aborted) return;
      const analysed = await analyse(candidate, analysis, timingSettings, deps, signal);
      if ('error' in analysed && analysed.error.code === 'config') {
        // A wrong key, model or base URL fails every estimate alike: stop once, say why, and
        // leave the conversations untouched for the next run.
        outcome.fatal ??= analysed.error.message;
        context.stop.abort();
        return;
      }
      if ('error' in analysed && analysed.error.code === 'cancelled') return;
      if ('error' in analysed) {
        counters.failed += 1;
        outcome.firstFailure ??= analysed.error.message;
        pending.failures.push({
          conversationId: candidate.conversation.id,
          errorCode: analysed.error.code,
          errorMessage: analysed.error.message,
        });
      } else {
        counters.processed += 1;
        outcome.costUsd += analysed.record.costUsd;
        pending.records.push(analysed.record);
        pending.insights.push(analysed.insight);
      }
      if (pending.records.length + pending.failures.length >= batchSize) await flushInBackground();
      progress('estimating');
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } catch (error) {
    context.stop.abort();
    throw error;
  } finally {
    // Consumers that stopped early (cancelled, failed) leave the read-ahead mid-iteration: end
    // it and the source's cursor. A SQLite reader left mid-iteration cannot be closed, and that
    // error ("connection is busy") would replace the real reason for the failure.
    await source.return().catch(() => undefined);
    if (ownPool) await analysis.close();
  }
  progress('aggregating', true);
  await flush();
  await flushing;
  await updateRunProgress(deps.db, context.runId, countsOf(counters));
  progress('done', true);
}

interface SkipRecord {
  conversationId: string;
  reason: string;
  detail: string;
  sourceUpdatedAt: number | null;
}

interface FailureRecord {
  conversationId: string;
  errorCode: string;
  errorMessage: string;
}

async function analyse(
  candidate: Candidate,
  analysis: AnalysisPool,
  timingSettings: TimingSettings,
  deps: RunDeps,
  signal: AbortSignal,
): Promise<{ record: AnalysisRecord; insight: InsightRecord } | { error: EstimateError }> {
  const { conversation } = candidate;
  const { timing, summary, usage } = await analysis.analyse(conversation, timingSettings);
  const minutes = toMinutes(timing);
  let estimate: Estimate;
  try {
    estimate = await deps.estimator.estimate(summary, signal);
  } catch (error) {
    if (error instanceof EstimateError) return { error };
    return { error: new EstimateError(error instanceof Error ? error.message : String(error), 'server_error', 1) };
  }
  const record: AnalysisRecord = {
    conversationId: conversation.id,
    userIdHash: candidate.userHash,
    firstMessageAt: timing.firstMessageAt,
    lastMessageAt: timing.lastMessageAt,
    totalDurationMinutes: minutes.total,
    activeDurationMinutes: minutes.active,
    idleTimeMinutes: minutes.idle,
    engagedDurationMinutes: minutes.engaged,
    manualTimeLow: estimate.low,
    manualTimeMostLikely: estimate.mostLikely,
    manualTimeHigh: estimate.high,
    confidenceLevel: estimate.confidence,
    timeSavedMinutes: timeSaved(estimate.mostLikely, minutes.active),
    timeSavedEngagedMinutes: timeSaved(estimate.mostLikely, minutes.engaged),
    messageCount: conversation.messages.length,
    processingVersion: PROCESSING_VERSION,
    conversationSummary: JSON.stringify(summary),
    llmResponse: estimate.raw ?? null,
    analysisDate: candidate.analysisDate,
    sourceUpdatedAt: conversation.sourceUpdatedAt,
    contentFingerprint: candidate.fingerprint,
    estimateSource: estimate.source,
    estimateRepaired: estimate.repaired,
    model: estimate.model,
    promptVersion: estimate.promptVersion,
    taskCategory: estimate.taskCategory,
    workRelated: estimate.workRelated,
    taskCompleted: estimate.taskCompleted,
    inputTokens: estimate.inputTokens,
    outputTokens: estimate.outputTokens,
    costUsd: estimate.costUsd,
    activeIntervals: timing.activeIntervals,
    engagedIntervals: timing.engagedIntervals,
    runId: null,
  };
  const insight: InsightRecord = {
    conversationId: conversation.id,
    userIdHash: candidate.userHash,
    analysisDate: candidate.analysisDate,
    userMessages: usage.userMessages,
    assistantMessages: usage.assistantMessages,
    systemMessages: usage.systemMessages,
    branchCount: usage.branchCount,
    models: usage.models,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    avgResponseSeconds: usage.avgResponseSeconds,
    medianResponseSeconds: usage.medianResponseSeconds,
    attachments: usage.attachments,
  };
  return { record, insight };
}

/** Rows, insights, failures and the aggregates of every touched day commit together. */
async function commitBatch(
  context: RunContext,
  records: AnalysisRecord[],
  insights: InsightRecord[],
  failures: FailureRecord[],
  outcome: Outcome,
): Promise<void> {
  const { deps, runId } = context;
  for (const record of records) record.runId = runId;
  await keepRunLock(context);
  await deps.db.transaction().execute(async (trx) => {
    const { previousDates } = records.length > 0 ? await upsertAnalyses(trx, records) : { previousDates: new Map<string, string>() };
    if (insights.length > 0) await upsertInsights(trx, insights);
    if (records.length > 0) await clearFailures(trx, records.map((r) => r.conversationId));
    if (failures.length > 0) await recordFailures(trx, runId, failures);
    const dates = aggregateDatesForBatch(records, previousDates);
    if (dates.length > 0) {
      await recomputeAggregates(trx, dates);
      await recomputeUserEngagement(trx, [...new Set(records.map((r) => r.userIdHash))]);
    }
    for (const date of dates) outcome.touchedDates.add(date);
  });
  await updateRunProgress(deps.db, runId, countsOf(outcome.counters));
}

/** The days whose aggregates a batch changes: where its rows now are, and where moved rows were. */
function aggregateDatesForBatch(records: AnalysisRecord[], previousDates: Map<string, string>): LocalDate[] {
  const dates = new Set<LocalDate>(records.map((r) => r.analysisDate));
  for (const date of previousDates.values()) dates.add(date);
  return [...dates].sort();
}
