import { useCallback, useEffect, useState } from 'react';
import type { JobState } from '../../../shared/types.ts';
import { call, subscribe } from '../api.ts';

// The running (or last) job, kept live from progress events. Loaded from jobs.current at once,
// so a page opened mid-run shows the run, and re-read every few seconds while a job runs: an
// event stream that reconnects (sleep, proxy, server restart) loses events in between.

const POLL_MS = 3_000;

/**
 * Events and call answers race: the "finished" event of a cancelled run can arrive before the
 * answer to the cancel call, which still says "running". A finished job never goes back.
 */
export function newerJob(existing: JobState | null, next: JobState): JobState {
  if (existing && existing.id === next.id && existing.status !== 'running' && next.status === 'running') return existing;
  return next;
}

export function useJob(): { job: JobState | null; setJob: (job: JobState) => void } {
  const [job, setJobState] = useState<JobState | null>(null);
  const setJob = useCallback((next: JobState) => setJobState((existing) => newerJob(existing, next)), []);
  const running = job?.status === 'running';

  useEffect(() => {
    let alive = true;
    const unsubscribe = subscribe('jobs.update', (event) => {
      if (alive) setJob(event.job);
    });
    call('jobs.current').then(
      (current) => {
        const latest = current.active ?? current.recent[0];
        if (alive && latest) setJobState((existing) => existing ?? latest);
      },
      () => undefined,
    );
    return () => {
      alive = false;
      unsubscribe();
    };
  }, [setJob]);

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      call('jobs.current').then(
        (current) => {
          const latest = current.active ?? current.recent[0];
          if (latest) setJob(latest);
        },
        () => undefined,
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [running, setJob]);

  return { job, setJob };
}
