import { ErrorMessage, Loading } from '../components/Status.tsx';
import { formatDateTime } from '../lib/format.ts';
import { useApi } from '../lib/useApi.ts';

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
};

export default function Health(): React.JSX.Element {
  const health = useApi('health.check', {});
  const h = health.data;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Health</h1>
          <p>Databases, keychain, runs and disk, checked now. Works without a network.</p>
        </div>
        <button type="button" onClick={health.reload} disabled={health.loading}>
          {health.loading ? 'Checking…' : 'Check again'}
        </button>
      </div>
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
                      <td className="num">{check.latencyMs !== undefined ? `${check.latencyMs} ms` : '–'}</td>
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
    </>
  );
}
