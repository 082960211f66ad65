import { useState } from 'react';
import type { JobState } from '../../../shared/types.ts';
import { call, messageOf } from '../api.ts';
import { formatDuration, formatInt, formatUsd } from '../lib/format.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { ErrorMessage } from './Status.tsx';

// Progress of a run or backfill: bar, counts, ETA and cancel; then its outcome.

const PHASES: Record<string, string> = {
  starting: 'Starting',
  reading: 'Reading conversations',
  estimating: 'Estimating',
  aggregating: 'Updating daily figures',
  done: 'Finishing',
};

export function JobProgress({ job, onChange }: { job: JobState; onChange: (job: JobState) => void }): React.JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const p = job.progress;
  const running = job.status === 'running';
  const cancel = async (): Promise<void> => {
    setError(null);
    try {
      onChange(await call('runs.cancel', { jobId: job.id }));
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const title = `${job.kind === 'backfill' ? 'Backfill' : 'Run'} ${job.request.from === job.request.to ? job.request.from : `${job.request.from} – ${job.request.to}`}${job.request.force ? ' (forced)' : ''}`;
  return (
    <section className="panel" aria-labelledby="job-title" data-testid="job-progress" data-status={job.status}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="job-title">{title}</h2>
        <span className={`badge badge-${job.status}`}>{job.cancelRequested && running ? 'cancelling' : job.status}</span>
      </div>
      {running && (
        <>
          <ProgressBar value={p?.scanned ?? 0} max={p?.candidates ?? null} label={`${title} progress`} />
          <p aria-live="polite" className="note">
            {PHASES[p?.phase ?? 'starting']}
            {p?.candidates ? ` · ${formatInt(p.scanned)} of ${formatInt(p.candidates)} conversations read` : ''}
            {p?.etaSeconds !== null && p?.etaSeconds !== undefined ? ` · about ${formatDuration(p.etaSeconds)} left` : ''}
          </p>
        </>
      )}
      {p && (
        <div className="counts" data-testid="job-counts">
          <span>Analysed {formatInt(job.result?.processed ?? p.processed)}</span>
          <span>Unchanged {formatInt(job.result?.unchanged ?? p.unchanged)}</span>
          <span>Skipped {formatInt(job.result?.skipped ?? p.skipped)}</span>
          <span>Failed {formatInt(job.result?.failed ?? p.failed)}</span>
          <span>Elapsed {formatDuration(job.result?.durationSeconds ?? p.elapsedSeconds)}</span>
        </div>
      )}
      {running && (
        <button type="button" className="danger" onClick={() => void cancel()} disabled={job.cancelRequested}>
          {job.cancelRequested ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {!running && job.result && (
        <p>
          {job.status === 'completed' ? 'Finished' : job.status === 'cancelled' ? 'Cancelled; what was analysed so far is kept' : 'Failed'} in{' '}
          {formatDuration(job.result.durationSeconds)}; {formatInt(job.result.llmRequests)} LLM requests costing {formatUsd(job.result.llmCostUsd)}
          {job.result.deferred > 0 ? `; ${formatInt(job.result.deferred)} conversations left for the next run (limit per run)` : ''}.
        </p>
      )}
      {!running && job.status === 'cancelled' && !job.result && <p>Cancelled before any conversation was analysed.</p>}
      {job.error && <ErrorMessage message={job.error.message} />}
      {error && <ErrorMessage message={error} />}
    </section>
  );
}
