import { describe, expect, it } from 'vitest';
import { JobManager, type JobWork } from '../../../src/main/core/jobs.ts';
import type { RunProgress, RunResult } from '../../../src/main/core/pipeline/run.ts';
import type { JobEvent } from '../../../src/shared/types.ts';

const request = { from: '2026-01-01', to: '2026-01-07', force: false };

function progress(processed: number): RunProgress {
  return { runId: 1, phase: 'estimating', scanned: processed, skipped: 0, unchanged: 0, selected: processed, processed, failed: 0, candidates: 10, elapsedSeconds: processed, etaSeconds: 10 - processed };
}

function result(status: RunResult['status'], processed = 3): RunResult {
  return {
    runId: 1,
    status,
    from: request.from,
    to: request.to,
    processed,
    skipped: 0,
    unchanged: 0,
    failed: 0,
    deferred: 0,
    llmRequests: processed,
    llmCostUsd: 0.001,
    durationSeconds: 1,
    touchedDates: [],
    resumed: [],
    errorMessage: status === 'failed' ? 'All 3 estimates failed: boom' : null,
  };
}

/** Work that reports progress until aborted, then finishes as a cancelled run. */
const untilCancelled: JobWork = ({ signal, onProgress }) =>
  new Promise((resolve) => {
    let n = 0;
    const timer = setInterval(() => onProgress(progress(++n)), 5);
    signal.addEventListener('abort', () => {
      clearInterval(timer);
      resolve(result('cancelled', n));
    });
  });

describe('JobManager', () => {
  it('publishes started, progress and finished events and keeps the result', async () => {
    const jobs = new JobManager();
    const events: JobEvent[] = [];
    jobs.subscribe((e) => events.push(e));
    const job = jobs.start('backfill', request, async ({ onProgress }) => {
      onProgress(progress(1));
      onProgress(progress(2));
      return result('completed');
    });
    expect(job.status).toBe('running');
    const final = await jobs.waitFor(job);
    expect(final.status).toBe('completed');
    expect(final.result?.processed).toBe(3);
    expect(events.map((e) => e.type)).toEqual(['started', 'progress', 'progress', 'finished']);
    expect(events[2]?.job).toMatchObject({ kind: 'backfill', progress: { processed: 2 } });
    expect(jobs.active()).toBeNull();
    expect(jobs.recent()[0]?.id).toBe(job.id);
  });

  it('runs one job at a time and says which one is running', async () => {
    const jobs = new JobManager();
    const first = jobs.start('backfill', request, untilCancelled);
    expect(() => jobs.start('run', request, untilCancelled)).toThrow(/already running.*cancel it first/);
    jobs.cancel(first.id);
    expect((await jobs.waitFor(first.id)).status).toBe('cancelled');
    const second = jobs.start('run', request, async () => result('completed'));
    expect((await jobs.waitFor(second.id)).status).toBe('completed');
  });

  it('cancels through the AbortSignal and marks the request', async () => {
    const jobs = new JobManager();
    const job = jobs.start('backfill', request, untilCancelled);
    await new Promise((r) => setTimeout(r, 30));
    const cancelling = jobs.cancel(job.id);
    expect(cancelling.cancelRequested).toBe(true);
    const final = await jobs.waitFor(job);
    expect(final.status).toBe('cancelled');
    expect(final.result?.processed).toBeGreaterThan(0);
  });

  it('turns a thrown error into a readable failure and logs it', async () => {
    const logged: unknown[] = [];
    const jobs = new JobManager((error) => logged.push(error));
    const error = new Error('Could not use the analytics database at postgres://u:secret@h/db: refused');
    error.name = 'AnalyticsConnectionError';
    const job = jobs.start('run', request, async () => {
      throw error;
    });
    const final = await jobs.waitFor(job.id);
    expect(final.status).toBe('failed');
    expect(final.error).toEqual({ code: 'connection', message: 'Could not use the analytics database at postgres://u:***@h/db: refused' });
    expect(logged).toEqual([error]);
  });

  it('reports a run that failed as a whole with its message', async () => {
    const jobs = new JobManager();
    const final = await jobs.waitFor(jobs.start('run', request, async () => result('failed')).id);
    expect(final.status).toBe('failed');
    expect(final.error?.message).toBe('All 3 estimates failed: boom');
  });

  it('keeps running when a subscriber throws', async () => {
    const jobs = new JobManager(() => undefined);
    jobs.subscribe(() => {
      throw new Error('closed window');
    });
    const final = await jobs.waitFor(jobs.start('run', request, async () => result('completed')).id);
    expect(final.status).toBe('completed');
  });

  it('answers not_found for an unknown job', () => {
    expect(() => new JobManager().cancel('nope')).toThrow(/no job nope/);
  });
});
