import { getLogger, type Logger } from '../log/index.ts';
import { today, type LocalDate } from '../time/days.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { nextFireTimes, type ScheduleConfig } from './config.ts';
import type { Notifier } from './notifier.ts';

// The overnight scheduler. croner does the calendar maths (cron expression, time zone, DST);
// the timers are ours, on an injectable clock, so that tests can drive whole DST nights.
//
// Guarantees:
// - At most one nightly run per local day (in the schedule's zone): each day that has a
//   finished attempt (completed, failed, nothing to do) is remembered; a second fire on the
//   same local day (an hourly cron, a repeated hour at fall-back) is skipped.
// - No overlap: the run itself takes the analytics database's advisory lock. A scheduled
//   attempt that finds it held (a manual run, a backfill, another workstation) is recorded in
//   the history, logged, and tried again after `retryMs` — never dropped.
// - Catch-up: start() asks the nightly job at once; the job knows (from processing_log) which
//   days are missing and answers 'up-to-date' when none are.
// - Wake-ups are capped (`maxSleepMs`), so a laptop that slept through midnight or a wall
//   clock that jumped is noticed within a minute rather than at the next timer.

export type NightlyReason = 'schedule' | 'catch-up' | 'retry' | 'manual';

export type NightlyOutcome =
  | { kind: 'completed'; runId: number; message: string }
  | { kind: 'failed'; runId: number | null; message: string }
  | { kind: 'cancelled'; runId: number | null; message: string }
  | { kind: 'up-to-date'; message: string }
  /** Another run holds the lock: try again later. */
  | { kind: 'locked'; message: string }
  /** Work handed to the OpenAI Batch API: poll again later to collect it. */
  | { kind: 'waiting'; runId: number; message: string };

export interface NightlyInput {
  /** The local day (schedule zone) the attempt belongs to. */
  day: LocalDate;
  reason: NightlyReason;
  nowMs: number;
  signal: AbortSignal;
}

export interface HealthSummary {
  overall: 'healthy' | 'degraded' | 'unhealthy';
  reasons: string[];
}

export interface ExportOutcome {
  path: string;
  ok: boolean;
  /** Already there from an earlier night: not written again. */
  skipped?: boolean;
  message?: string;
}

export interface SchedulerJobs {
  /** The nightly work. A throw means it could not start (database down…): retried later. */
  nightly(input: NightlyInput): Promise<NightlyOutcome>;
  health?(signal: AbortSignal): Promise<HealthSummary>;
  /** Scheduled report exports, after a night whose data is complete. */
  exports?(input: { today: LocalDate; signal: AbortSignal }): Promise<ExportOutcome[]>;
}

export interface SchedulerOptions {
  config: ScheduleConfig;
  jobs: SchedulerJobs;
  notifier?: Notifier;
  clock?: Clock;
  logger?: Logger;
  /** Longest sleep between wake-ups. */
  maxSleepMs?: number;
  /** Attempts per day that failed to start (not lock waits) before giving up until the next fire. */
  maxStartFailures?: number;
  /** Called when a night starts and when it ends (the desktop tray shows it). */
  onRunningChange?: (running: boolean) => void;
}

export interface SchedulerEvent {
  at: string;
  day: LocalDate;
  reason: NightlyReason;
  outcome: NightlyOutcome['kind'] | 'error' | 'skipped' | 'busy';
  message: string;
}

export interface SchedulerStatus {
  enabled: boolean;
  paused: boolean;
  running: boolean;
  timezone: string;
  cron: string;
  /** ISO instants with offset-free UTC 'Z'; the UI formats them in the zone. */
  nextRuns: string[];
  nextHealthCheck: string | null;
  retryAt: string | null;
  lastDayDone: LocalDate | null;
  lastHealth: (HealthSummary & { at: string }) | null;
  /** Recent attempts, newest first. */
  history: SchedulerEvent[];
}

const HISTORY_LIMIT = 50;
const DEFAULT_MAX_SLEEP_MS = 60_000;

export class Scheduler {
  private config: ScheduleConfig;
  private readonly jobs: SchedulerJobs;
  private readonly notifier: Notifier | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly maxSleepMs: number;
  private readonly maxStartFailures: number;
  private readonly onRunningChange: ((running: boolean) => void) | undefined;

  private started = false;
  private paused = false;
  private timer: TimerHandle | null = null;
  private nextNightlyMs: number | null = null;
  private nextHealthMs: number | null = null;
  private retryAtMs: number | null = null;
  private lastDayDone: LocalDate | null = null;
  private startFailures = new Map<LocalDate, number>();
  private lastHealth: SchedulerStatus['lastHealth'] = null;
  private readonly history: SchedulerEvent[] = [];
  private running: Promise<void> | null = null;
  private healthRunning: Promise<void> | null = null;
  private controller = new AbortController();

  constructor(options: SchedulerOptions) {
    this.config = options.config;
    this.jobs = options.jobs;
    this.notifier = options.notifier;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? getLogger('scheduler');
    this.maxSleepMs = options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
    this.maxStartFailures = options.maxStartFailures ?? 6;
    this.onRunningChange = options.onRunningChange;
  }

  /** Arms the timers and catches up missed days at once (when enabled and not paused). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.controller = new AbortController();
    this.computeNextTimes(this.clock.now());
    this.log.info(`Scheduler started: "${this.config.cron}" in ${this.config.timezone}${this.config.enabled ? '' : ' (disabled)'}; next runs ${this.nextRuns(3).map((d) => d.toISOString()).join(', ') || 'none'}.`);
    if (this.active()) this.trigger('catch-up', this.clock.now());
    this.arm();
  }

  /** Stops the timers and cancels a running night (it ends 'cancelled', stored work consistent). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.timer?.cancel();
    this.timer = null;
    this.controller.abort();
    await Promise.all([this.running, this.healthRunning]);
    this.log.info('Scheduler stopped.');
  }

  /** New settings (cron, zone, enabled…): recompute the next fire times. */
  update(config: ScheduleConfig): void {
    const wasActive = this.active();
    this.config = config;
    if (!this.started) return;
    this.computeNextTimes(this.clock.now());
    this.log.info(`Schedule changed: "${config.cron}" in ${config.timezone}${config.enabled ? '' : ' (disabled)'}.`);
    if (!wasActive && this.active()) this.trigger('catch-up', this.clock.now());
    this.arm();
  }

  /** Tray "pause schedule": no fires until resume(); a running night continues. */
  pause(): void {
    this.paused = true;
    this.log.info('Schedule paused.');
    this.arm();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.log.info('Schedule resumed.');
    if (this.started) {
      this.computeNextTimes(this.clock.now());
      this.trigger('catch-up', this.clock.now());
      this.arm();
    }
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** Tray "run now": the nightly range at once, even if today's night already ran. */
  runNow(): Promise<void> {
    return this.trigger('manual', this.clock.now());
  }

  /** The next `n` nightly fire times (empty when disabled or paused). */
  nextRuns(n: number): Date[] {
    if (!this.config.enabled || this.paused) return [];
    return nextFireTimes(this.config.cron, this.config.timezone, n, this.clock.now());
  }

  status(n = 5): SchedulerStatus {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      enabled: this.config.enabled,
      paused: this.paused,
      running: this.running !== null,
      timezone: this.config.timezone,
      cron: this.config.cron,
      nextRuns: this.nextRuns(n).map((d) => d.toISOString()),
      nextHealthCheck: this.jobs.health ? iso(this.nextHealthMs) : null,
      retryAt: iso(this.retryAtMs),
      lastDayDone: this.lastDayDone,
      lastHealth: this.lastHealth,
      history: [...this.history],
    };
  }

  /** Resolves when no nightly or health work is in flight (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running || this.healthRunning) await Promise.all([this.running, this.healthRunning]);
  }

  // -------------------------------------------------------------------------------------------

  private active(): boolean {
    return this.started && this.config.enabled && !this.paused;
  }

  private computeNextTimes(nowMs: number): void {
    const next = (cron: string): number | null => {
      try {
        return nextFireTimes(cron, this.config.timezone, 1, nowMs)[0]?.getTime() ?? null;
      } catch (error) {
        this.log.error(`Cron expression "${cron}" is invalid; nothing is scheduled for it.`, error);
        return null;
      }
    };
    this.nextNightlyMs = next(this.config.cron);
    this.nextHealthMs = this.jobs.health ? next(this.config.healthCron) : null;
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (!this.started) return;
    const now = this.clock.now();
    const candidates = [this.nextHealthMs];
    if (this.config.enabled && !this.paused) candidates.push(this.nextNightlyMs, this.retryAtMs);
    const due = candidates.filter((t): t is number => t !== null);
    if (due.length === 0) return;
    const wait = Math.min(Math.max(0, Math.min(...due) - now), this.maxSleepMs);
    this.timer = this.clock.setTimer(() => this.wake(), wait);
  }

  private wake(): void {
    this.timer = null;
    if (!this.started) return;
    const now = this.clock.now();
    if (this.nextHealthMs !== null && now >= this.nextHealthMs) {
      this.nextHealthMs = nextFireTimes(this.config.healthCron, this.config.timezone, 1, now)[0]?.getTime() ?? null;
      void this.checkHealth();
    }
    if (this.config.enabled && !this.paused) {
      if (this.nextNightlyMs !== null && now >= this.nextNightlyMs) {
        // The day is the one the fire belongs to, even when we wake late (sleep, busy machine).
        const fireMs = this.nextNightlyMs;
        this.nextNightlyMs = nextFireTimes(this.config.cron, this.config.timezone, 1, now)[0]?.getTime() ?? null;
        this.retryAtMs = null;
        void this.trigger('schedule', fireMs);
      } else if (this.retryAtMs !== null && now >= this.retryAtMs) {
        this.retryAtMs = null;
        void this.trigger('retry', now);
      }
    }
    this.arm();
  }

  private record(event: Omit<SchedulerEvent, 'at'>): void {
    this.history.unshift({ at: new Date(this.clock.now()).toISOString(), ...event });
    this.history.length = Math.min(this.history.length, HISTORY_LIMIT);
  }

  private scheduleRetry(delayMs: number): void {
    this.retryAtMs = this.clock.now() + delayMs;
    this.arm();
  }

  private trigger(reason: NightlyReason, atMs: number): Promise<void> {
    const day = today(this.config.timezone, atMs);
    if (reason !== 'manual' && this.lastDayDone === day) {
      this.log.info(`Nightly run for ${day} already done; ${reason} fire skipped.`);
      this.record({ day, reason, outcome: 'skipped', message: 'Already ran for this day.' });
      return Promise.resolve();
    }
    if (this.running) {
      // Our own night is still going (a long catch-up): look again later.
      this.log.info(`A scheduled run is still in progress; the ${reason} fire for ${day} waits.`);
      this.record({ day, reason, outcome: 'busy', message: 'A scheduled run was still in progress.' });
      if (reason !== 'manual') this.scheduleRetry(this.config.retryMs);
      return this.running;
    }
    const run = this.runNight(day, reason).finally(() => {
      this.running = null;
      this.runningChanged(false);
    });
    this.running = run;
    this.runningChanged(true);
    return run;
  }

  private runningChanged(running: boolean): void {
    try {
      this.onRunningChange?.(running);
    } catch (error) {
      this.log.error('A listener of the scheduler failed:', error);
    }
  }

  private async runNight(day: LocalDate, reason: NightlyReason): Promise<void> {
    const signal = this.controller.signal;
    this.log.info(`Nightly run for ${day} (${reason}) starting.`);
    let outcome: NightlyOutcome;
    try {
      outcome = await this.jobs.nightly({ day, reason, nowMs: this.clock.now(), signal });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failures = (this.startFailures.get(day) ?? 0) + 1;
      this.startFailures.set(day, failures);
      const giveUp = failures >= this.maxStartFailures;
      this.log.error(`Nightly run for ${day} could not start (attempt ${failures}): ${message}`);
      this.record({ day, reason, outcome: 'error', message });
      if (this.started && !giveUp) this.scheduleRetry(this.config.retryMs);
      if (failures === 1 || giveUp) {
        this.notifyFailure(
          'Scheduled run could not start',
          `${message}${giveUp ? ' Giving up for today; the next scheduled run catches up.' : ` Trying again in ${Math.round(this.config.retryMs / 60_000)} minutes.`}`,
        );
      }
      return;
    }
    this.record({ day, reason, outcome: outcome.kind, message: outcome.message });
    switch (outcome.kind) {
      case 'locked':
        this.log.warn(`Nightly run for ${day} waits: ${outcome.message} Trying again in ${Math.round(this.config.retryMs / 60_000)} minutes.`);
        if (this.started) this.scheduleRetry(this.config.retryMs);
        return;
      case 'waiting':
        this.log.info(`Nightly run for ${day} (run #${outcome.runId}) waits on an OpenAI batch: ${outcome.message}`);
        if (this.started) this.scheduleRetry(this.config.batchPollMs);
        return;
      case 'cancelled':
        this.log.warn(`Nightly run for ${day} was cancelled: ${outcome.message}`);
        return;
      case 'failed':
        this.lastDayDone = day;
        this.log.error(`Nightly run for ${day} failed: ${outcome.message}`);
        this.notifyFailure('Nightly run failed', outcome.message, outcome.runId);
        return;
      case 'up-to-date':
      case 'completed':
        this.lastDayDone = day;
        this.startFailures.delete(day);
        this.log.info(`Nightly run for ${day}: ${outcome.message}`);
        if (outcome.kind === 'completed' && this.config.notifyOnSuccess) {
          this.notifier?.notify({ kind: 'run-completed', title: 'Nightly run completed', body: outcome.message, runId: outcome.runId });
        }
        await this.runExports(day, signal);
        return;
    }
  }

  private notifyFailure(title: string, body: string, runId?: number | null): void {
    if (!this.config.notifyOnFailure) return;
    this.notifier?.notify({ kind: 'run-failed', title, body, runId: runId ?? undefined });
  }

  private async runExports(day: LocalDate, signal: AbortSignal): Promise<void> {
    if (!this.jobs.exports || this.config.exports.every((e) => !e.enabled) || signal.aborted) return;
    let outcomes: ExportOutcome[];
    try {
      outcomes = await this.jobs.exports({ today: day, signal });
    } catch (error) {
      outcomes = [{ path: '', ok: false, message: error instanceof Error ? error.message : String(error) }];
    }
    for (const o of outcomes) {
      if (o.ok && !o.skipped) this.log.info(`Scheduled export written: ${o.path}`);
      if (!o.ok) {
        this.log.error(`Scheduled export failed${o.path ? ` (${o.path})` : ''}: ${o.message ?? 'unknown error'}`);
        if (this.config.notifyOnFailure) {
          this.notifier?.notify({ kind: 'export-failed', title: 'Scheduled report export failed', body: `${o.path ? `${o.path}: ` : ''}${o.message ?? 'unknown error'}` });
        }
      }
    }
  }

  private checkHealth(): Promise<void> {
    const job = this.jobs.health;
    if (!job || this.healthRunning) return this.healthRunning ?? Promise.resolve();
    const previous = this.lastHealth?.overall ?? null;
    const work = job(this.controller.signal)
      .then((health) => {
        this.lastHealth = { ...health, at: new Date(this.clock.now()).toISOString() };
        const line = `Health check: ${health.overall}${health.reasons.length ? ` — ${health.reasons.join('; ')}` : ''}`;
        if (health.overall === 'healthy') this.log.info(line);
        else this.log.warn(line);
        if (health.overall === 'unhealthy' && previous !== 'unhealthy' && this.config.notifyOnFailure) {
          this.notifier?.notify({ kind: 'health-unhealthy', title: 'Cogniforce Analytics is unhealthy', body: health.reasons.join(' ') || 'See Health.' });
        }
      })
      .catch((error: unknown) => {
        this.log.error('Health check failed to run:', error);
      })
      .finally(() => {
        this.healthRunning = null;
      });
    this.healthRunning = work;
    return work;
  }
}
