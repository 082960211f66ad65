import { useId, useState } from 'react';
import type { SecretsStatus, SettingsView } from '../../../shared/types.ts';
import { call } from '../api.ts';
import { AnalyticsForm, envNote, LlmForm, SecretField, SourceForm, useAction } from '../components/SettingsForms.tsx';
import { SaltPanel } from '../components/SaltPanel.tsx';
import { ErrorMessage, Loading } from '../components/Status.tsx';
import { useAppInfo } from '../lib/app-info.ts';
import { href } from '../lib/router.ts';
import { useApi } from '../lib/useApi.ts';
import { PageHead } from '../components/PageHead.tsx';

// Settings: connections (tested before saving), the estimator and its price table, processing
// parameters, the value of an hour, and secrets (set or removed, never shown).

function NumberField({ label, value, onChange, min, max, step, hint }: { label: string; value: number; onChange: (n: number) => void; min: number; max: number; step?: number; hint?: string | null }): React.JSX.Element {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" value={Number.isFinite(value) ? value : ''} min={min} max={max} step={step ?? 1} onChange={(e) => onChange(e.target.valueAsNumber)} required />
      {hint && <span className="hint">{hint}</span>}
    </div>
  );
}

function ProcessingForm({ view, onSaved }: { view: SettingsView; onSaved: (v: SettingsView) => void }): React.JSX.Element {
  const id = useId();
  const { refresh } = useAppInfo();
  const [p, setP] = useState(view.settings.processing);
  const [value, setValue] = useState(view.settings.value);
  const [llm, setLlm] = useState({ requestsPerMinute: view.settings.llm.requestsPerMinute, concurrency: view.settings.llm.concurrency });
  const [prices, setPrices] = useState(Object.entries(view.settings.llm.prices).map(([model, price]) => ({ model, ...price })));
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const save = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setSaved(false);
    const next = await action.run(() =>
      call('settings.update', {
        patch: {
          processing: p,
          value,
          llm: { ...llm, prices: Object.fromEntries(prices.filter((r) => r.model.trim()).map((r) => [r.model.trim(), { inputPerMTok: r.inputPerMTok, outputPerMTok: r.outputPerMTok }])) },
        },
      }),
    );
    if (next) {
      onSaved(next);
      refresh();
      setSaved(true);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void save(e)} aria-label="Processing and value">
      <section className="panel" aria-labelledby={`${id}-proc`}>
        <h2 id={`${id}-proc`}>Processing</h2>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-tz`}>Time zone (IANA)</label>
            <input id={`${id}-tz`} value={p.timezone} onChange={(e) => setP({ ...p, timezone: e.target.value })} spellCheck={false} />
            {envNote(view, 'processing.timezone') && <span className="hint">{envNote(view, 'processing.timezone')}</span>}
          </div>
          <NumberField label="Idle threshold (minutes)" value={p.idleThresholdMinutes} min={1} max={240} onChange={(n) => setP({ ...p, idleThresholdMinutes: n })} hint="Gaps longer than this count as idle." />
          <NumberField label="Typing speed (words/min)" value={p.typingWpm} min={1} max={500} onChange={(n) => setP({ ...p, typingWpm: n })} />
          <NumberField label="Reading speed (words/min)" value={p.readingWpm} min={1} max={2000} onChange={(n) => setP({ ...p, readingWpm: n })} />
          <NumberField label="Skimming speed (words/min)" value={p.skimmingWpm} min={1} max={20000} onChange={(n) => setP({ ...p, skimmingWpm: n })} />
          <NumberField label="Conversations per run (limit)" value={p.maxConversations} min={1} max={10_000_000} onChange={(n) => setP({ ...p, maxConversations: n })} />
          <fieldset className="field form-wide">
            <legend className="field-label">Time with AI counted as</legend>
            <label className="check">
              <input type="radio" name={`${id}-basis`} checked={p.timeBasis === 'engaged'} onChange={() => setP({ ...p, timeBasis: 'engaged' })} /> Engaged time — active gaps plus time to type and read
            </label>
            <label className="check">
              <input type="radio" name={`${id}-basis`} checked={p.timeBasis === 'active'} onChange={() => setP({ ...p, timeBasis: 'active' })} /> Active time — gaps up to the idle threshold only
            </label>
            <span className="hint">The dashboard, CSV and PDF lead with this basis and show the other one too.</span>
          </fieldset>
        </div>
      </section>
      <section className="panel" aria-labelledby={`${id}-value`}>
        <h2 id={`${id}-value`}>Value of time</h2>
        <div className="form-grid">
          <NumberField label="Hourly rate" value={value.hourlyRate} min={0} max={1_000_000} step={0.01} onChange={(n) => setValue({ ...value, hourlyRate: n })} />
          <div className="field">
            <label htmlFor={`${id}-cur`}>Currency (ISO code)</label>
            <input id={`${id}-cur`} value={value.currency} maxLength={3} onChange={(e) => setValue({ ...value, currency: e.target.value.toUpperCase() })} />
          </div>
        </div>
      </section>
      <section className="panel" aria-labelledby={`${id}-limits`}>
        <h2 id={`${id}-limits`}>LLM limits and prices</h2>
        <div className="form-grid">
          <NumberField label="Requests per minute" value={llm.requestsPerMinute} min={1} max={100_000} onChange={(n) => setLlm({ ...llm, requestsPerMinute: n })} hint={envNote(view, 'llm.requestsPerMinute')} />
          <NumberField label="Parallel requests" value={llm.concurrency} min={1} max={256} onChange={(n) => setLlm({ ...llm, concurrency: n })} />
        </div>
        <div className="table-wrap" style={{ marginTop: '1rem' }} tabIndex={0} role="region" aria-label="Model prices">
          <table>
            <caption className="visually-hidden">Price per million tokens, in USD</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Input, USD per 1M tokens</th>
                <th scope="col">Output, USD per 1M tokens</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {prices.map((row, i) => (
                <tr key={i}>
                  <td>
                    <input aria-label={`Model ${i + 1}`} value={row.model} onChange={(e) => setPrices(prices.map((r, j) => (j === i ? { ...r, model: e.target.value } : r)))} />
                  </td>
                  <td>
                    <input aria-label={`Input price for ${row.model || `model ${i + 1}`}`} type="number" min={0} step={0.01} value={row.inputPerMTok} onChange={(e) => setPrices(prices.map((r, j) => (j === i ? { ...r, inputPerMTok: e.target.valueAsNumber } : r)))} />
                  </td>
                  <td>
                    <input aria-label={`Output price for ${row.model || `model ${i + 1}`}`} type="number" min={0} step={0.01} value={row.outputPerMTok} onChange={(e) => setPrices(prices.map((r, j) => (j === i ? { ...r, outputPerMTok: e.target.valueAsNumber } : r)))} />
                  </td>
                  <td>
                    <button type="button" onClick={() => setPrices(prices.filter((_, j) => j !== i))} aria-label={`Remove ${row.model || `model ${i + 1}`}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button type="button" onClick={() => setPrices([...prices, { model: '', inputPerMTok: 0, outputPerMTok: 0 }])} style={{ marginTop: '0.5rem' }}>
          Add model
        </button>
      </section>
      <div className="row">
        <button type="submit" className="primary" disabled={action.busy}>
          Save processing, value and prices
        </button>
        {saved && <span role="status">Saved.</span>}
      </div>
      {action.error && <ErrorMessage message={action.error} />}
    </form>
  );
}

export default function Settings(): React.JSX.Element {
  const loaded = useApi('settings.get', {});
  const secretsLoaded = useApi('secrets.status', {});
  // Edits made on this page win over what was loaded.
  const [editedView, setView] = useState<SettingsView | null>(null);
  const [editedSecrets, setSecrets] = useState<SecretsStatus | null>(null);
  const view = editedView ?? loaded.data;
  const secrets = editedSecrets ?? secretsLoaded.data;

  return (
    <>
      <PageHead title="Settings" lead={<>Saved to {view?.settingsFile ?? 'the settings file'}; secrets go to the OS keychain only. <a href={href('setup')}>Run the first-run setup again</a></>} />
      {loaded.error && <ErrorMessage message={loaded.error} onRetry={loaded.reload} />}
      {!view && loaded.loading && <Loading />}
      {view && (
        <div className="stack">
          <section className="panel" aria-labelledby="conn-title">
            <h2 id="conn-title">Connections</h2>
            <div className="stack">
              <SourceForm view={view} onSaved={setView} />
              <hr />
              <AnalyticsForm view={view} onSaved={setView} />
            </div>
          </section>
          <section className="panel" aria-labelledby="llm-title">
            <h2 id="llm-title">Estimator</h2>
            <LlmForm view={view} onSaved={setView} secrets={secrets} onSecrets={setSecrets} />
          </section>
          <ProcessingForm view={view} onSaved={setView} />
          <section className="panel" aria-labelledby="secrets-title">
            <h2 id="secrets-title">Secrets</h2>
            {secrets && (
              <p className={secrets.keychain.available ? 'note' : 'result result-bad'}>
                {secrets.keychain.message} {secrets.isSet.salt ? 'The salt for user hashes is set.' : 'No salt yet: one is generated with the first run.'}
              </p>
            )}
            {secretsLoaded.error && <ErrorMessage message={secretsLoaded.error} />}
            <div className="form-grid">
              <SecretField name="source-db-password" label="Open WebUI database password" status={secrets} onChange={setSecrets} />
              <SecretField name="analytics-db-password" label="Analytics database password" status={secrets} onChange={setSecrets} />
            </div>
          </section>
          <SaltPanel />
        </div>
      )}
    </>
  );
}
