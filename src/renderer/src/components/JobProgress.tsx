import { useState } from 'react';
import type { RunJobState } from '../../../shared/types.ts';
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

/**
 * How far a run is: conversations finished (analysed, failed, unchanged or skipped) out of the
 * chats in its window. Reading runs ahead of estimating, so the engine's reading ETA would
 * say "done" long before the LLM is; this one follows the finished conversations.
 */
export function progressOf(job: RunJobState): { done: number; total: number | null; etaSeconds: number | null } {
  const p = job.progress;
  if (!p) return { done: 0, total: null, etaSeconds: null };
  const done = p.processed + p.failed + p.unchanged + p.skipped;
  const total = p.candidates !== null ? Math.max(p.candidates, done) : null;
  if (total === null || done === 0 || p.elapsedSeconds <= 0) return { done, total, etaSeconds: null };
  const rate = done / p.elapsedSeconds;
  return { done, total, etaSeconds: Math.max(0, (total - done) / rate) };
}

export function JobProgress({ job, onChange }: { job: RunJobState; onChange: (job: RunJobState) => void }): React.JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const p = job.progress;
  const running = job.status === 'running';
  const work = progressOf(job);
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
          <ProgressBar value={work.done} max={work.total} label={`${title} progress`} />
          <p aria-live="polite" className="note">
            {PHASES[p?.phase ?? 'starting']}
            {work.total ? ` · ${formatInt(work.done)} of ${formatInt(work.total)} conversations done` : p ? ` · ${formatInt(p.scanned)} read` : ''}
            {work.etaSeconds !== null ? ` · about ${formatDuration(work.etaSeconds)} left` : ''}
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
          {job.status === 'completed' ? 'Finished' : job.status === 'cancelled' ? 'Cancelled' : 'Failed'} after {formatDuration(job.result.durationSeconds)}
          {job.status === 'cancelled' ? ' (what was analysed so far is kept)' : ''}; {formatInt(job.result.llmRequests)} LLM requests costing{' '}
          {formatUsd(job.result.llmCostUsd)}
          {job.result.deferred > 0 ? `; ${formatInt(job.result.deferred)} conversations left for the next run (limit per run)` : ''}.
        </p>
      )}
      {!running && job.status === 'cancelled' && !job.result && <p>Cancelled before any conversation was analysed.</p>}
      {job.error && <ErrorMessage message={job.error.message} />}
      {error && <ErrorMessage message={error} />}
    </section>
  );
}
