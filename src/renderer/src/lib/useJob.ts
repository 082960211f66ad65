import { useEffect, useState } from 'react';
import type { JobState } from '../../../shared/types.ts';
import { call, subscribe } from '../api.ts';

// The running (or last) job, kept live from progress events. Loaded once from jobs.current so
// a page opened mid-run shows the run at once.

export function useJob(): { job: JobState | null; setJob: (job: JobState) => void } {
  const [job, setJob] = useState<JobState | null>(null);
  useEffect(() => {
    let alive = true;
    const unsubscribe = subscribe('jobs.update', (event) => {
      if (alive) setJob(event.job);
    });
    call('jobs.current').then(
      (current) => {
        if (alive) setJob((existing) => existing ?? current.active ?? current.recent[0] ?? null);
      },
      () => undefined,
    );
    return () => {
      alive = false;
      unsubscribe();
    };
  }, []);
  return { job, setJob };
}
