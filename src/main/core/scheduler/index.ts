// The scheduler's public surface for front ends (Electron main, the CLI daemon, handlers).
export { Scheduler } from './scheduler.ts';
export type {
  ExportOutcome,
  HealthSummary,
  NightlyInput,
  NightlyOutcome,
  NightlyReason,
  SchedulerEvent,
  SchedulerJobs,
  SchedulerOptions,
  SchedulerStatus,
} from './scheduler.ts';
export { createAppScheduler, nightAlreadyCovered, nightlyJob, outcomeOf, runScheduledExports } from './app.ts';
export type { AppSchedulerOptions, BatchNightRunner, ContextSource, ReportExporter } from './app.ts';
export { DEFAULT_HEALTH_CRON, DEFAULT_NIGHTLY_CRON, formatInZone, nextFireTimes, scheduleConfig, validateCron, type ScheduleConfig } from './config.ts';
export { systemClock, type Clock, type TimerHandle } from './clock.ts';
export { loggingNotifier, type Notice, type NoticeKind, type Notifier } from './notifier.ts';
export { previousPeriod } from './periods.ts';
export { runDaemon, type DaemonOptions } from './daemon.ts';
