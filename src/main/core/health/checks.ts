import fs from 'node:fs';
import type { AppContext } from '../app/context.ts';
import { PROCESSING_VERSION } from '../pipeline/version.ts';
import { APP_VERSION } from '../version.ts';
import { pingAnalytics } from '../store/connect.ts';
import { lastCompletedRun, listRuns } from '../store/runs.ts';
import { formatInZone, nextFireTimes, scheduleConfig } from '../scheduler/config.ts';
import { withTimeout } from '../time/timeout.ts';

// Health works offline: every check has its own timeout and failure, and one failing check
// (say the source database) never stops the others from reporting.

export type HealthLevel = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheck {
  name: string;
  level: HealthLevel;
  message: string;
  latencyMs?: number;
}

export interface HealthReport {
  overall: HealthLevel;
  reasons: string[];
  checkedAt: string;
  checks: HealthCheck[];
  lastRun: { id: number; status: string; startedAt: string | null; completedAt: string | null; errorMessage: string | null } | null;
  lastCompletedRunAgeHours: number | null;
  versions: { app: string; node: string; processing: string };
  timezone: string;
  idleThresholdMinutes: number;
  /** The nightly schedule as configured: next fire times (ISO) in its zone. */
  schedule?: { enabled: boolean; cron: string; timezone: string; nextRuns: string[] };
}

const CHECK_TIMEOUT_MS = 5_000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; latencyMs: number }> {
  const start = performance.now();
  const value = await withTimeout(work(), CHECK_TIMEOUT_MS, 'it');
  return { value, latencyMs: Math.round(performance.now() - start) };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function checkHealth(context: AppContext, now: number = Date.now()): Promise<HealthReport> {
  const checks: HealthCheck[] = [];
  let lastRun: HealthReport['lastRun'] = null;
  let ageHours: number | null = null;

  try {
    const { latencyMs } = await timed(async () => {
      const handle = await context.analytics();
      return pingAnalytics(handle.db);
    });
    checks.push({ name: 'analytics-db', level: 'healthy', message: 'Analytics database reachable.', latencyMs });
    const handle = await context.analytics();
    const [latest] = await listRuns(handle.db, { limit: 1, offset: 0 });
    if (latest) {
      lastRun = {
        id: latest.id,
        status: latest.status,
        startedAt: latest.startedAt !== null ? new Date(latest.startedAt * 1000).toISOString() : null,
        completedAt: latest.completedAt !== null ? new Date(latest.completedAt * 1000).toISOString() : null,
        errorMessage: latest.errorMessage,
      };
      checks.push({
        name: 'last-run',
        // 'waiting' (migration 0002): a scheduled night waiting on its OpenAI batch is fine.
        level:
          latest.status === 'failed'
            ? 'unhealthy'
            : latest.status === 'completed' || latest.status === 'running' || String(latest.status) === 'waiting'
              ? 'healthy'
              : 'degraded',
        message: `Last run #${latest.id} ${latest.status}${latest.errorMessage ? `: ${latest.errorMessage}` : ''}.`,
      });
    } else {
      checks.push({ name: 'last-run', level: 'degraded', message: 'No run yet: start a backfill.' });
    }
    const completed = await lastCompletedRun(handle.db);
    if (completed?.completedAt) {
      ageHours = Math.round(((now / 1000 - completed.completedAt) / 3600) * 10) / 10;
      checks.push({
        name: 'run-age',
        level: ageHours > 48 ? 'degraded' : 'healthy',
        message: `Last completed run ${ageHours} hours ago${ageHours > 48 ? ' (more than two days: is the schedule running?)' : ''}.`,
      });
    }
  } catch (error) {
    checks.push({ name: 'analytics-db', level: 'unhealthy', message: `Analytics database unreachable: ${message(error)}` });
  }

  try {
    const source = await context.openSource();
    try {
      const { value: latencyMs } = await timed(() => source.ping());
      checks.push({ name: 'source-db', level: 'healthy', message: `Open WebUI database reachable (${source.dialect}).`, latencyMs });
    } finally {
      await source.close();
    }
  } catch (error) {
    checks.push({ name: 'source-db', level: 'degraded', message: `Open WebUI database unreachable: ${message(error)}` });
  }

  const keychain = context.secrets.status();
  checks.push({ name: 'keychain', level: keychain.available ? 'healthy' : 'degraded', message: keychain.message });

  try {
    const stats = await fs.promises.statfs(context.dataDir).catch(() => fs.promises.statfs('.'));
    const freeGb = (stats.bavail * stats.bsize) / 1024 ** 3;
    checks.push({
      name: 'disk',
      level: freeGb < 1 ? 'degraded' : 'healthy',
      message: `${freeGb.toFixed(1)} GB free for the data folder.`,
    });
  } catch (error) {
    checks.push({ name: 'disk', level: 'degraded', message: `Disk space unknown: ${message(error)}` });
  }

  // The next nightly runs, from the settings alone (no scheduler needs to be running).
  let schedule: HealthReport['schedule'];
  try {
    const config = scheduleConfig(context.settings);
    const next = config.enabled ? nextFireTimes(config.cron, config.timezone, 3, now) : [];
    schedule = { enabled: config.enabled, cron: config.cron, timezone: config.timezone, nextRuns: next.map((d) => d.toISOString()) };
    checks.push({
      name: 'schedule',
      level: config.enabled ? 'healthy' : 'degraded',
      message: config.enabled
        ? `Next runs ${next.map((d) => formatInZone(d, config.timezone)).join(', ')} (${config.timezone}, "${config.cron}").`
        : 'The nightly schedule is off: nothing is analysed unless someone starts a run.',
    });
  } catch (error) {
    checks.push({ name: 'schedule', level: 'unhealthy', message: `The schedule "${context.settings.schedule.cron}" cannot be read: ${message(error)}` });
  }

  const worst = checks.some((c) => c.level === 'unhealthy') ? 'unhealthy' : checks.some((c) => c.level === 'degraded') ? 'degraded' : 'healthy';
  return {
    overall: worst,
    reasons: checks.filter((c) => c.level !== 'healthy').map((c) => c.message),
    checkedAt: new Date(now).toISOString(),
    checks,
    lastRun,
    lastCompletedRunAgeHours: ageHours,
    versions: { app: APP_VERSION, node: process.versions.node, processing: PROCESSING_VERSION },
    timezone: context.settings.processing.timezone,
    idleThresholdMinutes: context.settings.processing.idleThresholdMinutes,
    schedule,
  };
}
