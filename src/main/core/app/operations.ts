import type { AppContext } from './context.ts';
import { runPipeline, type RunProgress, type RunRequest, type RunResult } from '../pipeline/run.ts';
import { nightlyRange } from '../pipeline/window.ts';
import { addLocalDays, today, type LocalDate } from '../time/days.ts';
import { lastCompletedRun } from '../store/runs.ts';
import { summaryStats } from '../store/queries.ts';
import { APP_VERSION } from '../version.ts';

// Operations shared by every front end (CLI, console handlers, scheduler): each takes an
// AppContext and returns plain data.

export interface RunOptions {
  onProgress?: (progress: RunProgress) => void;
  signal?: AbortSignal;
}

/** Runs the pipeline over [from, to] with everything wired from the context. */
export async function runRange(context: AppContext, request: RunRequest, options: RunOptions = {}): Promise<RunResult> {
  const { db, url } = await context.analytics();
  const estimator = await context.createEstimator();
  const salt = await context.salt();
  const source = await context.openSource();
  try {
    return await runPipeline(request, {
      db,
      analyticsUrl: url,
      source,
      estimator,
      salt,
      settings: context.settings,
      appVersion: APP_VERSION,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  } finally {
    await source.close();
  }
}

/** The range an argument-less run (and the nightly schedule) covers. */
export async function scheduledRange(context: AppContext, nowMs: number = Date.now()): Promise<{ from: LocalDate; to: LocalDate }> {
  const { db } = await context.analytics();
  const last = await lastCompletedRun(db);
  let covered: LocalDate | null = null;
  if (last?.rangeTo) {
    // A run capped by maxConversations did not cover its range: take it again.
    covered = last.capped && last.rangeFrom ? addLocalDays(last.rangeFrom, -1) : last.rangeTo;
  }
  return nightlyRange(covered, today(context.settings.processing.timezone, nowMs), context.settings.schedule.catchUpMaxDays);
}

export interface StatsResult {
  from: LocalDate;
  to: LocalDate;
  timeBasis: 'engaged' | 'active';
  hourlyRate: number;
  currency: string;
  totals: Awaited<ReturnType<typeof summaryStats>>;
  /** Value of time saved under each basis, in the configured currency. */
  value: { engaged: number; active: number };
}

export async function stats(context: AppContext, days: number, nowMs: number = Date.now()): Promise<StatsResult> {
  const { db } = await context.analytics();
  const to = today(context.settings.processing.timezone, nowMs);
  const from = addLocalDays(to, -(days - 1));
  const totals = await summaryStats(db, { from, to });
  const rate = context.settings.value.hourlyRate;
  const money = (minutes: number): number => Math.round((minutes / 60) * rate * 100) / 100;
  return {
    from,
    to,
    timeBasis: context.settings.processing.timeBasis,
    hourlyRate: rate,
    currency: context.settings.value.currency,
    totals,
    value: { engaged: money(totals.timeSavedEngagedMinutes), active: money(totals.timeSavedMinutes) },
  };
}
