import { useId, useState } from 'react';
import type { DiagnosticsResultDto } from '../../../shared/types.ts';
import { call } from '../api.ts';
import { LogViewer } from '../components/LogViewer.tsx';
import { useAction } from '../components/SettingsForms.tsx';
import { ErrorMessage, Loading } from '../components/Status.tsx';
import { formatDateTime } from '../lib/format.ts';
import { useApi } from '../lib/useApi.ts';
import { PageHead } from '../components/PageHead.tsx';

// Health works offline: every check reports on its own, so a stopped source database shows as
// one degraded line while everything else still answers.

const CHECK_NAMES: Record<string, string> = {
  'analytics-db': 'Analytics database',
  'source-db': 'Open WebUI database',
  'last-run': 'Last run',
  'run-age': 'Last completed run',
  keychain: 'Keychain',
  disk: 'Disk space',
  llm: 'LLM endpoint',
  schedule: 'Schedule',
};

function formatSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One file to send to support: health, versions, settings and recent logs, secrets removed. */
function Diagnostics(): React.JSX.Element {
  const id = useId();
  const action = useAction();
  const [result, setResult] = useState<DiagnosticsResultDto | null>(null);
  const create = (): void => {
    setResult(null);
    void action.run(async () => setResult(await call('health.diagnostics')));
  };
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Diagnostics bundle</h2>
      <p>
        One JSON file to send to support: the checks above, versions, settings without passwords, which secrets are set (never their values), recent runs and the last 500 log
        entries. Everything in it is masked for secrets before it is written.
      </p>
      <div className="row">
        <button type="button" className="primary" onClick={create} disabled={action.busy}>
          {action.busy ? 'Creating…' : 'Create diagnostics bundle'}
        </button>
      </div>
      {result?.saved && result.path && (
        <p className="result result-ok" role="status" data-testid="diagnostics-result" data-path={result.path}>
          ✓ Written to <code>{result.path}</code> ({formatSize(result.bytes)}). Attach this file to your support request.
        </p>
      )}
      {result && !result.saved && (
        <p className="note" role="status">
          Not saved: the dialog was cancelled.
        </p>
      )}
      {action.error && <ErrorMessage message={action.error} />}
    </section>
  );
}

export default function Health(): React.JSX.Element {
  const health = useApi('health.check', {});
  const h = health.data;
  return (
    <>
      <PageHead title="Health" lead="Databases, keychain, runs and disk, checked now. Works without a network.">
        <button type="button" onClick={health.reload} disabled={health.loading}>
          {health.loading ? 'Checking…' : 'Check again'}
        </button>
      </PageHead>
      {health.error && <ErrorMessage message={health.error} onRetry={health.reload} />}
      {!h && health.loading && <Loading label="Checking…" />}
      {h && (
        <div className="stack">
          <section className="panel" aria-labelledby="overall-title" data-testid="health-overall" data-level={h.overall}>
            <h2 id="overall-title">
              Overall: <span className={`badge badge-${h.overall}`}>{h.overall}</span>
            </h2>
            {h.reasons.length > 0 ? (
              <ul>
                {h.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            ) : (
              <p>Everything checked is working.</p>
            )}
            <p className="note">Checked {formatDateTime(h.checkedAt)}</p>
          </section>
          <section className="panel" aria-labelledby="checks-title">
            <h2 id="checks-title">Checks</h2>
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Health checks">
              <table>
                <caption className="visually-hidden">Health checks</caption>
                <thead>
                  <tr>
                    <th scope="col">Check</th>
                    <th scope="col">State</th>
                    <th scope="col">Details</th>
                    <th scope="col" className="num">
                      Latency
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {h.checks.map((check) => (
                    <tr key={check.name} data-testid={`check-${check.name}`} data-level={check.level}>
                      <td>{CHECK_NAMES[check.name] ?? check.name}</td>
                      <td>
                        <span className={`badge badge-${check.level}`}>{check.level}</span>
                      </td>
                      <td className="wrap">{check.message}</td>
                      <td className="num">{check.latencyMs !== undefined ? `${Math.round(check.latencyMs)} ms` : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section className="panel" aria-labelledby="about-title">
            <h2 id="about-title">About this workstation</h2>
            <dl className="facts">
              <dt>Last run</dt>
              <dd>{h.lastRun ? `#${h.lastRun.id} ${h.lastRun.status}, started ${formatDateTime(h.lastRun.startedAt)}` : 'none yet'}</dd>
              <dt>Last completed run</dt>
              <dd>{h.lastCompletedRunAgeHours === null ? '–' : `${h.lastCompletedRunAgeHours} hours ago`}</dd>
              <dt>Versions</dt>
              <dd>
                app {h.versions.app} · processing {h.versions.processing} · Node {h.versions.node}
              </dd>
              <dt>Time zone</dt>
              <dd>{h.timezone}</dd>
              <dt>Idle threshold</dt>
              <dd>{h.idleThresholdMinutes} min</dd>
            </dl>
          </section>
        </div>
      )}
      {/* Outside the report: logs and the bundle matter most when the checks cannot run. */}
      <div className="stack" style={{ marginTop: '1rem' }}>
        <Diagnostics />
        <LogViewer />
      </div>
    </>
  );
}
