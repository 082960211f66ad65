import { runRange, scheduledRange } from '../app/operations.ts';
import { checkHealth } from '../health/checks.ts';
import { countRuns, listRuns, type RunRow } from '../store/runs.ts';
import type { Handlers } from '../../../shared/contract.ts';
import { isJobOfLane, type RunRowDto } from '../../../shared/types.ts';
import { HandlerError } from './errors.ts';
import type { ConsoleRuntime } from './runtime.ts';

// Runs page and Health: history from processing_log, starting a run or backfill as a job with
// progress events, cancelling it, and the offline-capable health report.

type RunChannels = 'runs.list' | 'runs.defaultRange' | 'runs.start' | 'runs.cancel' | 'jobs.current' | 'health.check';

const iso = (epochSeconds: number | null): string | null => (epochSeconds === null ? null : new Date(epochSeconds * 1000).toISOString());

function runDto(r: RunRow): RunRowDto {
  return {
    id: r.id,
    status: r.status,
    trigger: r.trigger,
    rangeFrom: r.rangeFrom,
    rangeTo: r.rangeTo,
    forced: r.forced,
    startedAt: iso(r.startedAt),
    completedAt: iso(r.completedAt),
    processed: r.processed,
    skipped: r.skipped,
    failed: r.failed,
    unchanged: r.unchanged,
    llmRequests: r.llmRequests,
    llmCostUsd: r.llmCostUsd,
    durationSeconds: r.durationSeconds,
    errorMessage: r.errorMessage,
    host: r.host,
  };
}

export function runHandlers(rt: ConsoleRuntime): Pick<Handlers, RunChannels> {
  return {
    async 'runs.list'({ page, pageSize }) {
      const { db } = await rt.contexts.analytics();
      const [rows, total] = await Promise.all([listRuns(db, { limit: pageSize, offset: page * pageSize }), countRuns(db)]);
      return { rows: rows.map(runDto), total, page, pageSize };
    },

    async 'runs.defaultRange'() {
      await rt.contexts.analytics();
      return scheduledRange(rt.contexts.current(), rt.now());
    },

    async 'runs.start'({ from, to, force, kind }) {
      const context = rt.contexts.current();
      if (!context.settings.source.url) {
        throw new HandlerError('config', 'No Open WebUI database is connected yet: connect one in Settings (or the setup) before starting a run.');
      }
      // Fail now, with a message, rather than as a job that dies at once.
      await rt.contexts.analytics();
      return rt.jobs.start(kind, { from, to, force }, ({ signal, onProgress }) =>
        runRange(context, { from, to, force, trigger: kind === 'backfill' ? 'backfill' : 'manual' }, { signal, onProgress }),
      );
    },

    async 'runs.cancel'({ jobId }) {
      const job = rt.jobs.get(jobId);
      // Exports are cancelled through reports.cancel; this channel answers with a run.
      if (job && !isJobOfLane(job, 'run')) throw new HandlerError('not_found', `Job ${jobId} is not a run or backfill.`);
      const cancelled = rt.jobs.cancel(jobId);
      if (!isJobOfLane(cancelled, 'run')) throw new HandlerError('not_found', `Job ${jobId} is not a run or backfill.`);
      return cancelled;
    },

    async 'jobs.current'({ lane = 'run' }) {
      return { active: rt.jobs.active(lane), recent: rt.jobs.recent(lane) };
    },

    async 'health.check'() {
      // "Check again" also refreshes the names cache, so a source outage (or its end) shows at once.
      rt.users.invalidate();
      return checkHealth(rt.contexts.current(), rt.now());
    },
  };
}
