import { useEffect, useId, useMemo, useState } from 'react';
import { dailyCron, dailyTimeOf, formatDailyTime, parseDailyTime } from '../../../shared/cron.ts';
import type { SchedulePatch } from '../../../shared/contract.ts';
import type { ExportPeriodDto, ScheduledExportDto, ScheduledReportKindDto, SchedulePreviewDto, ScheduleView } from '../../../shared/types.ts';
import { call, messageOf } from '../api.ts';
import { useAction } from '../components/SettingsForms.tsx';
import { ErrorMessage, Loading } from '../components/Status.tsx';
import { useAppInfo } from '../lib/app-info.ts';
import { formatDateTime } from '../lib/format.ts';
import { useApi } from '../lib/useApi.ts';
import { PageHead } from '../components/PageHead.tsx';

// Schedule: when the nightly analysis runs (a time of day, or any cron expression), in which
// zone, how missed nights are caught up, retries, tray and login, and the report files written
// after each night. The next runs are worked out in main by the scheduler's own cron library
// while the person edits, so what is shown is what will happen.

const REPORTS: Array<{ kind: ScheduledReportKindDto; label: string }> = [
  { kind: 'summary', label: 'Summary CSV' },
  { kind: 'daily', label: 'Daily CSV' },
  { kind: 'detailed', label: 'Detailed CSV' },
  { kind: 'pdf', label: 'PDF report' },
];

const PERIODS: Array<{ value: ExportPeriodDto; label: string }> = [
  { value: 'previous-day', label: 'Previous day' },
  { value: 'previous-week', label: 'Previous week (Monday–Sunday)' },
  { value: 'previous-month', label: 'Previous calendar month' },
];

function supportedZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

/** Every IANA zone the browser knows, with the ones in use kept even if it does not list them. */
function zoneList(extra: Array<string | null>): string[] {
  const all = new Set([...supportedZones(), 'UTC', ...extra.filter((z): z is string => Boolean(z))]);
  return [...all].sort((a, b) => a.localeCompare(b));
}

function relative(iso: string, nowMs: number): string {
  const minutes = Math.round((Date.parse(iso) - nowMs) / 60_000);
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} h ${minutes % 60} min`;
  return `in ${Math.round(hours / 24)} days`;
}

/** Asks main for the next runs a little after the last keystroke; older answers are dropped. */
interface PreviewState {
  preview: SchedulePreviewDto | null;
  error: string | null;
  pending: boolean;
  /** When the answer came, for "in 7 h". */
  receivedAt: number;
}

function usePreview(cron: string, timezone: string | null): PreviewState {
  const [state, setState] = useState<{ key: string; preview: SchedulePreviewDto | null; error: string | null; receivedAt: number }>({ key: '', preview: null, error: null, receivedAt: 0 });
  const key = JSON.stringify([cron, timezone]);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      call('schedule.preview', { cron, timezone, count: 5 }).then(
        (preview) => current && setState({ key, preview, error: null, receivedAt: Date.now() }),
        (error: unknown) => current && setState({ key, preview: null, error: messageOf(error), receivedAt: Date.now() }),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [cron, timezone, key]);
  return { preview: state.preview, error: state.error, pending: state.key !== key, receivedAt: state.receivedAt };
}

function NextRuns({ preview, error, pending, receivedAt: now }: PreviewState): React.JSX.Element {
  return (
    <div className="field form-wide" aria-live="polite" aria-busy={pending} data-testid="next-runs">
      <span className="field-label">Next runs</span>
      {error && <ErrorMessage message={error} />}
      {preview && !preview.ok && (
        <p className="result result-bad" role="alert" data-testid="cron-error">
          {preview.message}
        </p>
      )}
      {preview?.ok && (
        <ol className={`next-runs${pending ? ' is-stale' : ''}`}>
          {preview.nextRuns.map((run) => (
            <li key={run.at}>
              <span className="next-run-time">
                {run.weekday} {run.local}
              </span>{' '}
              <span className="hint">{relative(run.at, now)}</span>
            </li>
          ))}
        </ol>
      )}
      {!preview && !error && <span className="hint">Working out the next runs…</span>}
      {preview?.ok && <span className="hint">Shown in {preview.timezone}. A time that does not exist on a spring-forward night runs at the first valid minute after it; a repeated hour runs once.</span>}
    </div>
  );
}

function ExportRow({ entry, index, onChange, onRemove }: { entry: ScheduledExportDto; index: number; onChange: (e: ScheduledExportDto) => void; onRemove: () => void }): React.JSX.Element {
  const id = useId();
  const name = `Scheduled export ${index + 1}`;
  return (
    <fieldset className="export-row" aria-label={name} data-testid={`export-${index}`}>
      <legend>{name}</legend>
      <div className="form-grid">
        <label className="check form-wide">
          <input type="checkbox" checked={entry.enabled} onChange={(e) => onChange({ ...entry, enabled: e.target.checked })} /> Write these files after each night
        </label>
        <fieldset className="form-wide">
          <legend className="field-label">Reports</legend>
          <div className="row">
            {REPORTS.map((r) => (
              <label key={r.kind} className="check">
                <input
                  type="checkbox"
                  checked={entry.kinds.includes(r.kind)}
                  onChange={(e) => onChange({ ...entry, kinds: e.target.checked ? REPORTS.map((x) => x.kind).filter((k) => k === r.kind || entry.kinds.includes(k)) : entry.kinds.filter((k) => k !== r.kind) })}
                />{' '}
                {r.label}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-period`}>Period</label>
          <select id={`${id}-period`} value={entry.period} onChange={(e) => onChange({ ...entry, period: e.target.value as ExportPeriodDto })}>
            {PERIODS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field" style={{ gridColumn: 'span 2' }}>
          <label htmlFor={`${id}-folder`}>Folder</label>
          <input id={`${id}-folder`} value={entry.folder} onChange={(e) => onChange({ ...entry, folder: e.target.value })} spellCheck={false} autoComplete="off" />
        </div>
      </div>
      <div className="row" style={{ marginTop: '0.5rem' }}>
        <button type="button" onClick={onRemove}>
          Remove {name.toLowerCase()}
        </button>
      </div>
    </fieldset>
  );
}

function ScheduleForm({ view, onSaved }: { view: ScheduleView; onSaved: (v: ScheduleView) => void }): React.JSX.Element {
  const id = useId();
  const { refresh } = useAppInfo();
  const [s, setS] = useState(view.schedule);
  const initialDaily = dailyTimeOf(view.schedule.cron);
  const [mode, setMode] = useState<'daily' | 'cron'>(initialDaily ? 'daily' : 'cron');
  const [time, setTime] = useState(formatDailyTime(initialDaily ?? { hour: 0, minute: 0 }));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const zones = useMemo(() => zoneList([view.schedule.timezone, view.processingTimezone]), [view.schedule.timezone, view.processingTimezone]);

  const daily = parseDailyTime(time);
  const cron = mode === 'daily' ? (daily ? dailyCron(daily) : '') : s.cron;
  const preview = usePreview(cron, s.timezone);
  const invalid = preview.preview !== null && !preview.preview.ok;

  const change = (patch: Partial<typeof s>): void => {
    setSaved(false);
    setS({ ...s, ...patch });
  };

  const switchMode = (next: 'daily' | 'cron'): void => {
    setSaved(false);
    if (next === 'cron') setS({ ...s, cron });
    else {
      const parsed = dailyTimeOf(s.cron);
      if (parsed) setTime(formatDailyTime(parsed));
    }
    setMode(next);
  };

  const save = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setSaved(false);
    const patch: SchedulePatch = { ...s, cron, exports: s.exports.map((e) => ({ ...e, folder: e.folder.trim() })) };
    const next = await action.run(() => call('schedule.update', { patch }));
    if (next) {
      onSaved(next);
      setS(next.schedule);
      refresh();
      setSaved(true);
    }
  };

  return (
    <form className="stack" onSubmit={(e) => void save(e)} aria-label="Schedule">
      <section className="panel" aria-labelledby={`${id}-night`}>
        <h2 id={`${id}-night`}>Nightly run</h2>
        <div className="form-grid">
          <label className="check form-wide">
            <input type="checkbox" checked={s.enabled} onChange={(e) => change({ enabled: e.target.checked })} /> Analyse yesterday's conversations automatically
          </label>
          <fieldset className="form-wide">
            <legend className="field-label">When</legend>
            <div className="row">
              <label className="check">
                <input type="radio" name={`${id}-mode`} checked={mode === 'daily'} onChange={() => switchMode('daily')} /> Daily at a time
              </label>
              <label className="check">
                <input type="radio" name={`${id}-mode`} checked={mode === 'cron'} onChange={() => switchMode('cron')} /> Cron expression
              </label>
            </div>
          </fieldset>
          {mode === 'daily' ? (
            <div className="field">
              <label htmlFor={`${id}-time`}>Time of day</label>
              <input id={`${id}-time`} type="time" value={time} onChange={(e) => {
                  setSaved(false);
                  setTime(e.target.value);
                }} required />
              <span className="hint">Saved as the cron expression "{daily ? dailyCron(daily) : '…'}".</span>
            </div>
          ) : (
            <div className="field">
              <label htmlFor={`${id}-cron`}>Cron expression</label>
              <input id={`${id}-cron`} value={s.cron} onChange={(e) => change({ cron: e.target.value })} spellCheck={false} autoComplete="off" aria-describedby={`${id}-cron-hint`} aria-invalid={invalid} />
              <span className="hint" id={`${id}-cron-hint`}>
                minute hour day month weekday — "30 2 * * 1-5" is 02:30 on weekdays.
              </span>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-tz`}>Time zone</label>
            <select id={`${id}-tz`} value={s.timezone ?? ''} onChange={(e) => change({ timezone: e.target.value === '' ? null : e.target.value })}>
              <option value="">Same as the analytics day ({view.processingTimezone})</option>
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
            {view.overriddenByEnv.length > 0 && <span className="hint">The analytics day's zone is set by the environment variable TZ.</span>}
          </div>
          <NextRuns {...preview} />
        </div>
      </section>

      <section className="panel" aria-labelledby={`${id}-missed`}>
        <h2 id={`${id}-missed`}>Missed nights and retries</h2>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-catchup`}>Catch up at most (days)</label>
            <input id={`${id}-catchup`} type="number" min={0} max={366} value={Number.isFinite(s.catchUpMaxDays) ? s.catchUpMaxDays : ''} onChange={(e) => change({ catchUpMaxDays: e.target.valueAsNumber })} required />
            <span className="hint">When the app was off, the next run also takes the missed days since the last completed run, up to this many days before yesterday.</span>
          </div>
          <div className="field">
            <label htmlFor={`${id}-retry`}>Try again after (minutes)</label>
            <input id={`${id}-retry`} type="number" min={1} max={720} value={Number.isFinite(s.retryMinutes) ? s.retryMinutes : ''} onChange={(e) => change({ retryMinutes: e.target.valueAsNumber })} required />
            <span className="hint">When another run holds the analytics database, or the run cannot start (database down).</span>
          </div>
          <fieldset>
            <legend className="field-label">Notifications</legend>
            <div className="stack" style={{ gap: '0.35rem' }}>
              <label className="check">
                <input type="checkbox" checked={s.notifyOnFailure} onChange={(e) => change({ notifyOnFailure: e.target.checked })} /> When a run fails
              </label>
              <label className="check">
                <input type="checkbox" checked={s.notifyOnSuccess} onChange={(e) => change({ notifyOnSuccess: e.target.checked })} /> When a run completes
              </label>
            </div>
          </fieldset>
        </div>
      </section>

      <section className="panel" aria-labelledby={`${id}-desktop`}>
        <h2 id={`${id}-desktop`}>Desktop app</h2>
        <div className="stack" style={{ gap: '0.4rem' }}>
          <label className="check">
            <input type="checkbox" checked={s.keepInTray} onChange={(e) => change({ keepInTray: e.target.checked })} /> Keep running in the tray when the window is closed, so the night's run happens
          </label>
          <label className="check">
            <input type="checkbox" checked={s.startAtLogin} onChange={(e) => change({ startAtLogin: e.target.checked })} /> Start at login (in the tray, without a window)
          </label>
        </div>
        {!view.scheduler.runsHere && <p className="note">These apply to the desktop app on this workstation; the browser console has no tray.</p>}
      </section>

      <section className="panel" aria-labelledby={`${id}-exports`}>
        <h2 id={`${id}-exports`}>Scheduled report exports</h2>
        <p className="note" style={{ marginTop: 0, marginBottom: '0.75rem' }}>
          Written after a night whose data is complete, named with kind and period. A file that is already there is left alone.
        </p>
        <div className="stack">
          {s.exports.length === 0 && <p className="note">No scheduled exports yet.</p>}
          {s.exports.map((entry, i) => (
            <ExportRow
              key={i}
              entry={entry}
              index={i}
              onChange={(next) => change({ exports: s.exports.map((e, j) => (j === i ? next : e)) })}
              onRemove={() => change({ exports: s.exports.filter((_, j) => j !== i) })}
            />
          ))}
        </div>
        <button
          type="button"
          style={{ marginTop: '0.75rem' }}
          onClick={() => change({ exports: [...s.exports, { enabled: true, kinds: ['summary', 'pdf'], period: 'previous-week', folder: view.defaultExportFolder }] })}
        >
          Add a scheduled export
        </button>
      </section>

      <div className="row">
        <button type="submit" className="primary" disabled={action.busy || invalid || (mode === 'daily' && !daily)}>
          {action.busy ? 'Saving…' : 'Save schedule'}
        </button>
        {saved && <span role="status">Saved. {view.scheduler.runsHere ? 'The scheduler uses it now.' : 'The desktop app or daemon uses it from its next start.'}</span>}
      </div>
      {action.error && <ErrorMessage message={action.error} />}
    </form>
  );
}

function SchedulerState({ view }: { view: ScheduleView }): React.JSX.Element {
  const id = useId();
  const sch = view.scheduler;
  const level = !sch.runsHere ? 'degraded' : sch.paused ? 'degraded' : 'healthy';
  const label = !sch.runsHere ? 'not running in this process' : sch.running ? 'running a night' : sch.paused ? 'paused' : 'active';
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="scheduler-state" data-runs-here={sch.runsHere}>
      <h2 id={`${id}-title`}>
        Scheduler: <span className={`badge badge-${level}`}>{label}</span>
      </h2>
      <p>{sch.message}</p>
      {sch.runsHere && (
        <dl className="facts">
          <dt>Next run</dt>
          <dd>{sch.nextRuns[0] ? `${sch.nextRuns[0].weekday} ${sch.nextRuns[0].local}` : 'none scheduled'}</dd>
          <dt>Last night done</dt>
          <dd>{sch.lastDayDone ?? '–'}</dd>
          {sch.retryAt && (
            <>
              <dt>Trying again</dt>
              <dd>{formatDateTime(sch.retryAt)}</dd>
            </>
          )}
        </dl>
      )}
      {sch.history.length > 0 && (
        <>
          <h3>Recent attempts</h3>
          <ul className="plain-list">
            {sch.history.map((e) => (
              <li key={`${e.at}-${e.reason}`}>
                {formatDateTime(e.at)} · {e.day} ({e.reason}): <strong>{e.outcome}</strong> — {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export default function Schedule(): React.JSX.Element {
  const loaded = useApi('schedule.get', {});
  const [edited, setEdited] = useState<ScheduleView | null>(null);
  const view = edited ?? loaded.data;
  return (
    <>
      <PageHead title="Schedule" lead="When the nightly analysis runs and what is written after it." />
      {loaded.error && <ErrorMessage message={loaded.error} onRetry={loaded.reload} />}
      {!view && loaded.loading && <Loading />}
      {view && (
        <div className="stack">
          <SchedulerState view={view} />
          <ScheduleForm view={view} onSaved={setEdited} />
        </div>
      )}
    </>
  );
}
