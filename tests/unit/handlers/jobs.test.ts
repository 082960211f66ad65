import { describe, expect, it } from 'vitest';
import { JobManager, type JobWork } from '../../../src/main/core/jobs.ts';
import type { RunProgress, RunResult } from '../../../src/main/core/pipeline/run.ts';
import { newerJob, type JobEvent, type JobState } from '../../../src/shared/types.ts';

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

  it('numbers the states of a job, so a client keeps the newest whatever order they reach it in', async () => {
    const jobs = new JobManager();
    const events: JobEvent[] = [];
    jobs.subscribe((e) => events.push(e));
    // Progress reported before start() returns: its event is newer than start()'s answer.
    let finish: () => void = () => undefined;
    const answer = jobs.start('backfill', request, ({ onProgress }) => {
      onProgress(progress(1));
      return new Promise((resolve) => (finish = () => resolve(result('completed'))));
    });
    expect(events.map((e) => [e.type, e.job.revision])).toEqual([['started', 1], ['progress', 2]]);
    expect(answer.revision).toBe(2);
    const stale = { ...events[0]!.job };
    expect(newerJob(events[1]!.job, stale)).toBe(events[1]!.job);
    finish();
    const final = await jobs.waitFor(answer);
    expect(final.revision).toBe(3);
    // Every arrival order of the states ends on the finished one.
    const states: JobState[] = [stale, ...events.map((e) => e.job)];
    for (let shift = 0; shift < states.length; shift++) {
      const order = [...states.slice(shift), ...states.slice(0, shift)];
      expect(order.reduce<JobState | null>((kept, next) => newerJob(kept, next), null)).toMatchObject({ status: 'completed', revision: 3 });
    }
    // Another job's state is never confused with this one's.
    expect(newerJob(final, { ...stale, id: 'other' }).id).toBe('other');
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
