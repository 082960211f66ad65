import fs from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/context.ts';
import { runRange, scheduledRange } from '../app/operations.ts';
import type { ReportKind } from '../config/settings.ts';
import { checkHealth } from '../health/checks.ts';
import { getLogger } from '../log/index.ts';
import { runBatchNight } from '../pipeline/batch-run.ts';
import type { RunProgress, RunResult } from '../pipeline/run.ts';
import { RunLockedError } from '../store/lock.ts';
import { lastCompletedRun } from '../store/runs.ts';
import { dayBounds, type LocalDate } from '../time/days.ts';
import type { Clock } from './clock.ts';
import { scheduleConfig } from './config.ts';
import type { Notifier } from './notifier.ts';
import { previousPeriod } from './periods.ts';
import { Scheduler, type ExportOutcome, type NightlyInput, type NightlyOutcome } from './scheduler.ts';

// The scheduler wired to the application: the nightly job is the same runRange the CLI and the
// console use (trigger 'schedule'), health is checkHealth, exports are the reports module's
// exportReport. Front ends (Electron main, the CLI daemon) create one with createAppScheduler.

/** The reports module's entry points (src/main/core/reports), injected to keep this testable. */
export interface ReportExporter {
  exportReport(
    context: AppContext,
    request: { kind: ReportKind; from: string; to: string; out: string; bom?: boolean },
    options?: { signal?: AbortSignal },
  ): Promise<{ path: string; bytes: number }>;
  reportFileName(kind: ReportKind, from: string, to: string, organisation?: string | null): string;
}

/** Batch-mode nights (src/main/core/pipeline/batch-run.ts), injected for the same reason. */
export type BatchNightRunner = (
  context: AppContext,
  input: { from: LocalDate; to: LocalDate; signal: AbortSignal; onProgress?: (p: RunProgress) => void },
) => Promise<{ kind: 'waiting'; runId: number; message: string } | { kind: 'done'; result: RunResult }>;

export interface AppSchedulerOptions {
  notifier?: Notifier;
  clock?: Clock;
  reports?: ReportExporter;
  /** Batch-mode nights (when settings.llm.batchMode); default runBatchNight. */
  batch?: BatchNightRunner;
  /** Progress of scheduled runs (the console's Runs page). */
  onRunProgress?: (progress: RunProgress) => void;
  /** A night started or ended (the desktop tray and menu show it). */
  onRunningChange?: (running: boolean) => void;
  maxSleepMs?: number;
}

/** A getter, because the console replaces its context when settings change. */
export type ContextSource = AppContext | (() => AppContext);

function resolve(source: ContextSource): AppContext {
  return typeof source === 'function' ? source() : source;
}

export function createAppScheduler(source: ContextSource, options: AppSchedulerOptions = {}): Scheduler {
  const log = getLogger('scheduler');
  return new Scheduler({
    config: scheduleConfig(resolve(source).settings),
    clock: options.clock,
    notifier: options.notifier,
    maxSleepMs: options.maxSleepMs,
    onRunningChange: options.onRunningChange,
    logger: log,
    jobs: {
      nightly: (input) => nightlyJob(resolve(source), input, options),
      health: async () => {
        const report = await checkHealth(resolve(source));
        return { overall: report.overall, reasons: report.reasons };
      },
      exports: options.reports
        ? (input) => {
            const context = resolve(source);
            return runScheduledExports(context, options.reports!, input.today, input.signal);
          }
        : undefined,
    },
  });
}

/**
 * True when the last completed run covered `day` and finished after that day was over (a run
 * during the day saw only part of it). Lets a workstation skip a night another one already did.
 */
export async function nightAlreadyCovered(context: AppContext, day: LocalDate): Promise<boolean> {
  const { db } = await context.analytics();
  const last = await lastCompletedRun(db);
  if (!last || last.capped || !last.rangeTo || last.completedAt === null) return false;
  return last.rangeTo >= day && last.completedAt >= dayBounds(day, context.settings.processing.timezone).end;
}

function describe(result: RunResult): string {
  const range = result.from === result.to ? result.from : `${result.from} … ${result.to}`;
  const parts = [`${result.processed} analysed`, `${result.unchanged} unchanged`];
  if (result.failed > 0) parts.push(`${result.failed} failed (retried next run)`);
  if (result.deferred > 0) parts.push(`${result.deferred} left for the next run`);
  return `Run #${result.runId} for ${range}: ${parts.join(', ')} in ${Math.round(result.durationSeconds)} s.`;
}

export function outcomeOf(result: RunResult): NightlyOutcome {
  switch (result.status) {
    case 'completed':
      return { kind: 'completed', runId: result.runId, message: describe(result) };
    case 'cancelled':
      return { kind: 'cancelled', runId: result.runId, message: `Run #${result.runId} was cancelled; what it stored is kept and the rest is picked up next run.` };
    case 'failed':
      return { kind: 'failed', runId: result.runId, message: result.errorMessage ?? `Run #${result.runId} failed.` };
  }
}

export async function nightlyJob(context: AppContext, input: NightlyInput, options: AppSchedulerOptions = {}): Promise<NightlyOutcome> {
  const range = await scheduledRange(context, input.nowMs);
  if (input.reason !== 'manual' && (await nightAlreadyCovered(context, range.to))) {
    return { kind: 'up-to-date', message: `Every day up to ${range.to} is already analysed.` };
  }
  try {
    // "Run now" stays synchronous: a person pressing it wants the numbers now, not tomorrow.
    if (scheduleConfig(context.settings).batchMode && input.reason !== 'manual') {
      const runBatch = options.batch ?? runBatchNight;
      const batch = await runBatch(context, { ...range, signal: input.signal, onProgress: options.onRunProgress });
      if (batch.kind === 'waiting') return batch;
      // An older batch was collected; the days after it follow at the next poll, not next night.
      if (batch.result.status === 'completed' && batch.result.to < range.to) {
        return { kind: 'waiting', runId: batch.result.runId, message: `${describe(batch.result)} The days after ${batch.result.to} follow.` };
      }
      return outcomeOf(batch.result);
    }
    const result = await runRange(
      context,
      { ...range, force: false, trigger: input.reason === 'manual' ? 'manual' : 'schedule' },
      { signal: input.signal, onProgress: options.onRunProgress },
    );
    return outcomeOf(result);
  } catch (error) {
    if (error instanceof RunLockedError) return { kind: 'locked', message: error.message };
    throw error;
  }
}

/**
 * Writes every enabled scheduled export for the period that ended before `today`. A file that
 * is already there (an earlier night, another workstation writing to a shared folder) is left
 * alone, so catching up after a restart never rewrites or duplicates a report.
 */
export async function runScheduledExports(context: AppContext, reports: ReportExporter, today: LocalDate, signal?: AbortSignal): Promise<ExportOutcome[]> {
  const outcomes: ExportOutcome[] = [];
  const organisation = context.settings.reports.organisationName || null;
  for (const entry of scheduleConfig(context.settings).exports) {
    if (!entry.enabled) continue;
    const { from, to } = previousPeriod(entry.period, today);
    for (const kind of entry.kinds) {
      if (signal?.aborted) return outcomes;
      const out = path.join(entry.folder, reports.reportFileName(kind, from, to, organisation));
      if (fs.existsSync(out)) {
        outcomes.push({ path: out, ok: true, skipped: true });
        continue;
      }
      try {
        await fs.promises.mkdir(entry.folder, { recursive: true });
        const written = await reports.exportReport(context, { kind, from, to, out }, { signal });
        outcomes.push({ path: written.path, ok: true });
      } catch (error) {
        outcomes.push({ path: out, ok: false, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return outcomes;
}
