import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ColumnDef } from '@tanstack/react-table';
import type { RunRowDto } from '../../../shared/types.ts';
import { call, messageOf } from '../api.ts';
import { DataTable } from '../components/DataTable.tsx';
import { JobProgress } from '../components/JobProgress.tsx';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { useAppInfo } from '../lib/app-info.ts';
import { addDays, formatDateTime, formatDuration, formatInt, formatUsd } from '../lib/format.ts';
import { useApi } from '../lib/useApi.ts';
import { useJob } from '../lib/useJob.ts';
import { PageHead } from '../components/PageHead.tsx';

// Runs: start a run (yesterday plus missed days) or a backfill over a range, follow its
// progress, cancel it, and read the history from processing_log.

export function StartRun({ onStarted, defaultDays = 30 }: { onStarted: () => void; defaultDays?: number }): React.JSX.Element {
  const { info } = useAppInfo();
  const id = useId();
  const today = info.display.today;
  const [kind, setKind] = useState<'run' | 'backfill'>('backfill');
  const [from, setFrom] = useState(addDays(today, -defaultDays));
  const [to, setTo] = useState(today);
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const defaults = useApi('runs.defaultRange', kind === 'run' ? {} : null);
  const range = kind === 'run' && defaults.data ? defaults.data : { from, to };

  const start = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call('runs.start', { kind, from: range.from, to: range.to, force });
      onStarted();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" aria-labelledby={`${id}-title`} onSubmit={(e) => void start(e)}>
      <h2 id={`${id}-title`}>Start a run</h2>
      <fieldset className="row" style={{ marginBottom: '0.75rem' }}>
        <legend className="visually-hidden">What to analyse</legend>
        <label className="check">
          <input type="radio" name={`${id}-kind`} checked={kind === 'backfill'} onChange={() => setKind('backfill')} /> Backfill a range of days
        </label>
        <label className="check">
          <input type="radio" name={`${id}-kind`} checked={kind === 'run'} onChange={() => setKind('run')} /> Scheduled range (yesterday and any missed days)
        </label>
      </fieldset>
      <div className="row-end">
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input id={`${id}-from`} type="date" value={range.from} disabled={kind === 'run'} max={range.to} onChange={(e) => setFrom(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} type="date" value={range.to} disabled={kind === 'run'} min={range.from} max={today} onChange={(e) => setTo(e.target.value)} required />
        </div>
        <label className="check">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Re-analyse unchanged conversations (force)
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : kind === 'run' ? 'Run now' : 'Start backfill'}
        </button>
      </div>
      <p className="note">Conversations are assigned to the day of their last message ({info.display.timezone}). Unchanged ones are skipped unless forced.</p>
      {defaults.error && kind === 'run' && <ErrorMessage message={defaults.error} />}
      {error && <ErrorMessage message={error} />}
    </form>
  );
}

export default function Runs(): React.JSX.Element {
  const [page, setPage] = useState({ page: 0, pageSize: 25 });
  const runs = useApi('runs.list', page);
  const { job, setJob } = useJob();
  const reloadRuns = runs.reload;
  const lastStatus = useRef<string | null>(null);

  useEffect(() => {
    // The run's row appears once it has an id, and changes when it finishes.
    const status = job ? `${job.id}:${job.status}:${job.progress?.runId ?? ''}` : null;
    if (status !== lastStatus.current) {
      lastStatus.current = status;
      reloadRuns();
    }
  }, [job, reloadRuns]);

  const columns = useMemo<ColumnDef<RunRowDto, unknown>[]>(
    () => [
      { id: 'id', header: '#', meta: { numeric: true }, cell: ({ row }) => row.original.id },
      { id: 'status', header: 'Status', cell: ({ row }) => <span className={`badge badge-${row.original.status}`}>{row.original.status}</span> },
      { id: 'trigger', header: 'Trigger', cell: ({ row }) => row.original.trigger + (row.original.forced ? ' (forced)' : '') },
      { id: 'range', header: 'Days', cell: ({ row }) => (row.original.rangeFrom === row.original.rangeTo ? row.original.rangeFrom : `${row.original.rangeFrom} – ${row.original.rangeTo}`) },
      { id: 'startedAt', header: 'Started', cell: ({ row }) => formatDateTime(row.original.startedAt) },
      { id: 'host', header: 'Host', meta: { clip: true }, cell: ({ row }) => row.original.host ?? '–' },
      { id: 'duration', header: 'Duration', meta: { numeric: true }, cell: ({ row }) => formatDuration(row.original.durationSeconds) },
      { id: 'processed', header: 'Analysed', meta: { numeric: true }, cell: ({ row }) => formatInt(row.original.processed) },
      { id: 'unchanged', header: 'Unchanged', meta: { numeric: true }, cell: ({ row }) => formatInt(row.original.unchanged) },
      { id: 'skipped', header: 'Skipped', meta: { numeric: true }, cell: ({ row }) => formatInt(row.original.skipped) },
      { id: 'failed', header: 'Failed', meta: { numeric: true }, cell: ({ row }) => formatInt(row.original.failed) },
      { id: 'cost', header: 'LLM cost', meta: { numeric: true }, cell: ({ row }) => formatUsd(row.original.llmCostUsd) },
      { id: 'error', header: 'Message', meta: { clip: true }, cell: ({ row }) => <span title={row.original.errorMessage ?? undefined}>{row.original.errorMessage ?? ''}</span> },
    ],
    [],
  );

  return (
    <>
      <PageHead title="Runs" lead="One run at a time per analytics database; a run started elsewhere shows here as running." />
      {job?.status !== 'running' && <StartRun onStarted={() => undefined} />}
      {job && <JobProgress job={job} onChange={setJob} />}
      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {runs.error && <ErrorMessage message={runs.error} onRetry={runs.reload} />}
        {!runs.data && runs.loading && <Loading />}
        {runs.data && runs.data.total === 0 && <Empty title="No runs yet">Start a backfill above to analyse past conversations.</Empty>}
        {runs.data && runs.data.total > 0 && (
          <DataTable
            caption="Run history"
            columns={columns}
            rows={runs.data.rows}
            rowKey={(r) => String(r.id)}
            loading={runs.loading}
            paging={{ page: runs.data.page, pageSize: runs.data.pageSize, total: runs.data.total, onPage: (p) => setPage({ ...page, page: p }) }}
          />
        )}
      </section>
    </>
  );
}
