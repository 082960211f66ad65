import { useId, useState } from 'react';
import type { LogLevelDto } from '../../../shared/types.ts';
import { call } from '../api.ts';
import { useApi } from '../lib/useApi.ts';
import { useAction } from './SettingsForms.tsx';
import { Empty, ErrorMessage, Loading } from './Status.tsx';

// The newest log entries of this workstation (main.log and its rotated files), filtered by
// level, area and text. Main masks them again before they are sent here.

const LEVELS: Array<{ value: LogLevelDto | ''; label: string }> = [
  { value: '', label: 'All levels' },
  { value: 'error', label: 'Errors only' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'info', label: 'Info and above' },
  { value: 'debug', label: 'Everything (debug)' },
];

const LINE_COUNTS = [100, 200, 500, 1000];

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function LogViewer(): React.JSX.Element {
  const id = useId();
  const [level, setLevel] = useState<LogLevelDto | ''>('');
  const [scope, setScope] = useState('');
  const [search, setSearch] = useState('');
  const [lines, setLines] = useState(200);
  const [opened, setOpened] = useState<string | null>(null);
  const open = useAction();
  const args = { lines, ...(level ? { level } : {}), ...(scope ? { scope } : {}), ...(search.trim() ? { search: search.trim() } : {}) };
  const logs = useApi('logs.tail', args);
  const data = logs.data;
  // Main lists every scope it read past, filtered or not, so the choice stays while filtering.
  const scopes = [...new Set([...(data?.scopes ?? []), ...(scope ? [scope] : [])])].sort();

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="log-viewer">
      <div className="page-head" style={{ marginBottom: '0.5rem' }}>
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          Log
        </h2>
        <div className="row">
          <button type="button" onClick={logs.reload} disabled={logs.loading}>
            {logs.loading ? 'Reading…' : 'Refresh'}
          </button>
          {data?.canOpenFolder && (
            <button
              type="button"
              disabled={open.busy}
              onClick={() =>
                void open.run(async () => {
                  const result = await call('logs.openFolder');
                  setOpened(result.folder);
                })
              }
            >
              Open logs folder
            </button>
          )}
        </div>
      </div>
      <div className="row-end" style={{ marginBottom: '0.75rem' }}>
        <div className="field">
          <label htmlFor={`${id}-level`}>Level</label>
          <select id={`${id}-level`} value={level} onChange={(e) => setLevel(e.target.value as LogLevelDto | '')}>
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-scope`}>Area</label>
          <select id={`${id}-scope`} value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="">All areas</option>
            {scopes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-search`}>Contains</label>
          <input id={`${id}-search`} type="search" value={search} onChange={(e) => setSearch(e.target.value)} maxLength={200} spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-lines`}>Entries</label>
          <select id={`${id}-lines`} value={lines} onChange={(e) => setLines(Number(e.target.value))}>
            {LINE_COUNTS.map((n) => (
              <option key={n} value={n}>
                last {n}
              </option>
            ))}
          </select>
        </div>
      </div>
      {logs.error && <ErrorMessage message={logs.error} onRetry={logs.reload} />}
      {!data && logs.loading && <Loading label="Reading the log…" />}
      {data && data.entries.length === 0 && (
        <Empty title={data.files.length === 0 ? 'No log files yet' : 'No entries match'}>
          <p className="hint">{data.files.length === 0 ? `The desktop app and the daemon write their log to ${data.folder}.` : 'Change the filters to see more.'}</p>
        </Empty>
      )}
      {data && data.entries.length > 0 && (
        <div className="log-lines" role="log" aria-label="Log entries" tabIndex={0} data-testid="log-lines">
          {data.entries.map((entry, i) => (
            <div key={i} className={`log-line log-${entry.level ?? 'none'}`}>
              {entry.at && <span className="log-at">{entry.at}</span>} {entry.level && <span className="log-level">{entry.level}</span>} {entry.scope && <span className="log-scope">({entry.scope})</span>} <span className="log-text">{entry.text}</span>
            </div>
          ))}
        </div>
      )}
      {data && (
        <p className="note">
          {data.entries.length} entr{data.entries.length === 1 ? 'y' : 'ies'}
          {data.truncated ? ' (older ones not shown)' : ''} from {data.folder}
          {data.files.length > 0 ? `: ${data.files.map((f) => `${f.name} ${formatBytes(f.bytes)}`).join(', ')}` : ''}. Secrets are masked.
        </p>
      )}
      {opened && (
        <p className="note" role="status">
          Opened {opened}.
        </p>
      )}
      {open.error && <ErrorMessage message={open.error} />}
    </section>
  );
}
