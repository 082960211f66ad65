import { TZDate } from '@date-fns/tz';
import { Cron } from 'croner';
import { format } from 'date-fns';
import type { ScheduledExport, Settings } from '../config/settings.ts';

// The scheduler's view of the settings, with the defaults of the optional fields filled in,
// and the cron helpers the UI and `health` use to show what happens next.

export const DEFAULT_NIGHTLY_CRON = '0 0 * * *';
export const DEFAULT_HEALTH_CRON = '0 */6 * * *';
export const DEFAULT_RETRY_MINUTES = 10;
export const DEFAULT_BATCH_POLL_SECONDS = 60;

export interface ScheduleConfig {
  enabled: boolean;
  /** Nightly processing, 5 or 6 fields, read in `timezone`. */
  cron: string;
  healthCron: string;
  timezone: string;
  catchUpMaxDays: number;
  retryMs: number;
  notifyOnFailure: boolean;
  notifyOnSuccess: boolean;
  exports: ScheduledExport[];
  /** Scheduled runs go through the OpenAI Batch API (see llm/batch.ts). */
  batchMode: boolean;
  batchPollMs: number;
}

export function scheduleConfig(settings: Settings): ScheduleConfig {
  const s = settings.schedule;
  return {
    enabled: s.enabled,
    cron: s.cron,
    healthCron: s.healthCron ?? DEFAULT_HEALTH_CRON,
    timezone: s.timezone ?? settings.processing.timezone,
    catchUpMaxDays: s.catchUpMaxDays,
    retryMs: (s.retryMinutes ?? DEFAULT_RETRY_MINUTES) * 60_000,
    notifyOnFailure: s.notifyOnFailure,
    notifyOnSuccess: s.notifyOnSuccess,
    exports: s.exports ?? [],
    batchMode: settings.llm.batchMode === true && settings.llm.estimator !== 'heuristic',
    batchPollMs: (settings.llm.batchPollSeconds ?? DEFAULT_BATCH_POLL_SECONDS) * 1000,
  };
}

/** A paused croner job used only for its calendar maths: we run the timers ourselves. */
export function cronFor(expression: string, timezone: string): Cron {
  return new Cron(expression, { timezone, paused: true });
}

/** Checks an expression the way the scheduler will read it; the message is for Settings. */
export function validateCron(expression: string, timezone: string): { ok: true } | { ok: false; message: string } {
  try {
    const next = cronFor(expression, timezone).nextRun();
    if (!next) return { ok: false, message: `"${expression}" never fires.` };
    return { ok: true };
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    return { ok: false, message: `"${expression}" is not a cron expression (${detail}). Example: "0 0 * * *" is daily at midnight.` };
  }
}

/**
 * The next `n` fire times after `fromMs`, in order. croner handles DST: a fixed time inside a
 * spring-forward gap fires at the first valid time after it, a repeated time fires once.
 */
export function nextFireTimes(expression: string, timezone: string, n: number, fromMs: number = Date.now()): Date[] {
  return cronFor(expression, timezone).nextRuns(n, new Date(fromMs));
}

/** "2026-03-29 00:00 (+01:00)": a fire time as people in that zone read it. */
export function formatInZone(date: Date, zone: string): string {
  return format(new TZDate(date.getTime(), zone), 'yyyy-MM-dd HH:mm (xxx)');
}
