import type { AppContext } from '../app/context.ts';
import { getLogger, logsDir } from '../log/index.ts';
import { createAppScheduler, type BatchNightRunner, type ReportExporter } from './app.ts';
import { formatInZone, scheduleConfig } from './config.ts';
import { loggingNotifier } from './notifier.ts';

// The headless scheduler behind `cogniforce-analytics daemon`, for a workstation without a
// desktop session (a service, a tmux pane). Notifications become log lines. It runs until
// `signal` aborts (SIGTERM/SIGINT), then cancels a running night through the pipeline's own
// AbortSignal — the run ends 'cancelled' with every committed batch consistent — and returns.

export interface DaemonOptions {
  signal: AbortSignal;
  /** One line for the person who started it (stdout). */
  print: (line: string) => void;
  json?: boolean;
  reports?: ReportExporter;
  batch?: BatchNightRunner;
}

export { formatInZone };

export async function runDaemon(context: AppContext, options: DaemonOptions): Promise<void> {
  const log = getLogger('scheduler');
  // Fail fast on configuration (exit 2 from the CLI) instead of retrying a hopeless night.
  await context.analytics();
  await context.createEstimator();
  await context.salt();

  const config = scheduleConfig(context.settings);
  const scheduler = createAppScheduler(context, { notifier: loggingNotifier(log), reports: options.reports, batch: options.batch });
  scheduler.start();
  const next = scheduler.nextRuns(3);
  if (options.json) {
    options.print(JSON.stringify({ event: 'started', pid: process.pid, timezone: config.timezone, cron: config.cron, enabled: config.enabled, nextRuns: next.map((d) => d.toISOString()), logs: logsDir() }));
  } else {
    options.print(`Cogniforce Analytics daemon (process ${process.pid}): "${config.cron}" in ${config.timezone}${config.enabled ? '' : ' — the schedule is disabled in settings; only health checks run'}.`);
    for (const date of next) options.print(`  next run ${formatInZone(date, config.timezone)}`);
    options.print(`Logs: ${logsDir()}. Stop with Ctrl+C or SIGTERM.`);
  }
  log.info(`Daemon started (process ${process.pid}).`);

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) return resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const wasRunning = scheduler.status().running;
  log.info(`Daemon stopping${wasRunning ? ': cancelling the running night' : ''}.`);
  if (!options.json) options.print(wasRunning ? 'Stopping: cancelling the running night (its stored work is kept)…' : 'Stopping…');
  await scheduler.stop();
  log.info('Daemon stopped.');
  options.print(options.json ? JSON.stringify({ event: 'stopped' }) : 'Stopped.');
}
