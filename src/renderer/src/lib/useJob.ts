import { useCallback, useEffect, useState } from 'react';
import { isJobOfLane, newerJob, type JobLane, type JobOfLane } from '../../../shared/types.ts';
import { call, subscribe } from '../api.ts';

// The running (or last) job of one lane (runs, or exports), kept live from progress events.
// Loaded from jobs.current at once, so a page opened mid-job shows it, and re-read every few
// seconds while a job runs: an event stream that reconnects (sleep, proxy, server restart)
// loses events in between.

const POLL_MS = 3_000;

async function latestOf<L extends JobLane>(lane: L): Promise<JobOfLane<L> | null> {
  const current = await call('jobs.current', { lane });
  const latest = current.active ?? current.recent[0];
  return latest && isJobOfLane(latest, lane) ? latest : null;
}

export function useLaneJob<L extends JobLane>(lane: L): { job: JobOfLane<L> | null; setJob: (job: JobOfLane<L>) => void } {
  const [job, setJobState] = useState<JobOfLane<L> | null>(null);
  const setJob = useCallback((next: JobOfLane<L>) => setJobState((existing) => newerJob(existing, next)), []);
  const running = job?.status === 'running';

  useEffect(() => {
    let alive = true;
    const unsubscribe = subscribe('jobs.update', (event) => {
      if (alive && isJobOfLane(event.job, lane)) setJob(event.job);
    });
    latestOf(lane).then(
      (latest) => {
        if (alive && latest) setJobState((existing) => existing ?? latest);
      },
      () => undefined,
    );
    return () => {
      alive = false;
      unsubscribe();
    };
  }, [lane, setJob]);

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      latestOf(lane).then(
        (latest) => {
          if (latest) setJob(latest);
        },
        () => undefined,
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [lane, running, setJob]);

  return { job, setJob };
}

/** The running (or last) run or backfill. */
export function useJob(): ReturnType<typeof useLaneJob<'run'>> {
  return useLaneJob('run');
}
