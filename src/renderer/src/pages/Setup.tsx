import { useEffect, useState } from 'react';
import type { SecretsStatus, SettingsView } from '../../../shared/types.ts';
import { JobProgress } from '../components/JobProgress.tsx';
import { AnalyticsForm, LlmForm, SourceForm } from '../components/SettingsForms.tsx';
import { ErrorMessage, Loading } from '../components/Status.tsx';
import { useAppInfo } from '../lib/app-info.ts';
import { href, replaceQuery, useRoute } from '../lib/router.ts';
import { useApi } from '../lib/useApi.ts';
import { useJob } from '../lib/useJob.ts';
import { StartRun } from './Runs.tsx';
import { PageHead } from '../components/PageHead.tsx';

// First-run setup: connect Open WebUI, choose the analytics database, configure the
// estimator, prepare the database, and offer the first backfill. Each step can be tested.

export default function Setup(): React.JSX.Element {
  const { info } = useAppInfo();
  const route = useRoute();
  const loaded = useApi('settings.get', {});
  const secretsLoaded = useApi('secrets.status', {});
  // Edits made on this page win over what was loaded.
  const [editedView, setView] = useState<SettingsView | null>(null);
  const [editedSecrets, setSecrets] = useState<SecretsStatus | null>(null);
  const view = editedView ?? loaded.data;
  const secrets = editedSecrets ?? secretsLoaded.data;
  const { job, setJob } = useJob();

  // Stay on this page once the first steps complete setup, so the backfill step remains.
  useEffect(() => {
    if (route.path[0] !== 'setup') replaceQuery('setup', {});
  }, [route.path]);

  const s = info.setup;
  return (
    <>
      <PageHead title="Set up Cogniforce Analytics" lead="Connect the Open WebUI database, choose where results are kept, pick the estimator, then analyse the past weeks." />
      {loaded.error && <ErrorMessage message={loaded.error} onRetry={loaded.reload} />}
      {!view && loaded.loading && <Loading />}
      {view && (
        <ol className="steps">
          <li className="panel" aria-label="Step 1: Open WebUI database">
            <h2>Open WebUI database {s.sourceConfigured && <span className="badge badge-ok">connected</span>}</h2>
            <SourceForm view={view} onSaved={setView} />
          </li>
          <li className="panel" aria-label="Step 2: Analytics database">
            <h2>Where results are kept</h2>
            <AnalyticsForm view={view} onSaved={setView} />
          </li>
          <li className="panel" aria-label="Step 3: Estimator">
            <h2>Estimator {s.estimatorConfigured && <span className="badge badge-ok">configured</span>}</h2>
            <LlmForm view={view} onSaved={setView} secrets={secrets} onSecrets={setSecrets} />
          </li>
          <li className="panel" aria-label="Step 4: First backfill">
            <h2>Analyse past conversations</h2>
            {!s.complete && <p>Finish the steps above first: the backfill needs the Open WebUI database and an estimator.</p>}
            {s.complete && job?.status !== 'running' && <StartRun onStarted={() => undefined} />}
            {job && <JobProgress job={job} onChange={setJob} />}
            {s.complete && (
              <p>
                <a href={href('dashboard')}>Go to the dashboard</a>
                {job?.status === 'running' ? ' (the backfill keeps running)' : ''}
              </p>
            )}
          </li>
        </ol>
      )}
    </>
  );
}
