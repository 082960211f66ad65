import { useId, useState } from 'react';
import type { SettingsPatch } from '../../../shared/contract.ts';
import type { ConnectionTestResult, EditableSecret, SecretsStatus, SettingsView } from '../../../shared/types.ts';
import { call, messageOf } from '../api.ts';
import { useAppInfo } from '../lib/app-info.ts';
import { ErrorMessage } from './Status.tsx';

// The connection forms used by both first-run setup and Settings: each can be tested before
// it is saved, and secrets are set (or removed) but never shown.

export function TestResult({ result }: { result: ConnectionTestResult | null }): React.JSX.Element | null {
  if (!result) return null;
  return (
    <div className={`result ${result.ok ? 'result-ok' : 'result-bad'}`} role="status" data-testid="test-result" data-ok={result.ok}>
      {result.ok ? '✓ ' : '✗ '}
      {result.message}
      {result.latencyMs !== null ? ` (${Math.round(result.latencyMs)} ms)` : ''}
    </div>
  );
}

/** Runs an async action with a busy flag and a readable error. */
export function useAction(): { busy: boolean; error: string | null; run: <T>(work: () => Promise<T>) => Promise<T | undefined>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return {
    busy,
    error,
    clear: () => setError(null),
    run: async (work) => {
      setBusy(true);
      setError(null);
      try {
        return await work();
      } catch (e) {
        setError(messageOf(e));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  };
}

export function envNote(view: SettingsView, path: string): string | null {
  const hit = view.overriddenByEnv.find((o) => o.path === path);
  return hit ? `Set by the environment variable ${hit.variable}; it wins over what is saved here.` : null;
}

interface FormProps {
  view: SettingsView;
  onSaved: (view: SettingsView) => void;
}

function useSave(onSaved: (view: SettingsView) => void) {
  const { refresh } = useAppInfo();
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const save = async (patch: SettingsPatch): Promise<SettingsView | undefined> => {
    setSaved(false);
    const view = await action.run(() => call('settings.update', { patch }));
    if (!view) return undefined;
    onSaved(view);
    refresh();
    setSaved(true);
    return view;
  };
  return { ...action, saved, save };
}

export function SourceForm({ view, onSaved }: FormProps): React.JSX.Element {
  const id = useId();
  const { info } = useAppInfo();
  const [url, setUrl] = useState(view.settings.source.url ?? '');
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const save = useSave(onSaved);
  const env = envNote(view, 'source.url');
  const browse = async (): Promise<void> => {
    const picked = await save.run(() => call('dialog.pickSqliteFile'));
    if (picked?.path) setUrl(picked.path);
  };
  return (
    <form
      className="stack"
      aria-label="Open WebUI database"
      onSubmit={(e) => {
        e.preventDefault();
        void save.save({ source: { url: url.trim() || null } }).then((view) => {
          // Show what was kept: a typed password went to the keychain, not into the URL.
          if (view) setUrl(view.settings.source.url ?? '');
        });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-url`}>Open WebUI database</label>
        <div className="row">
          <input
            id={`${id}-url`}
            style={{ flex: '1 1 28rem' }}
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="postgresql://user@host:5432/openwebui  or  /path/to/webui.db"
            aria-describedby={`${id}-hint`}
            autoComplete="off"
            spellCheck={false}
          />
          {info.capabilities.nativeDialogs && (
            <button type="button" onClick={() => void browse()}>
              Choose file…
            </button>
          )}
        </div>
        <span className="hint" id={`${id}-hint`}>
          Open WebUI's own DATABASE_URL (PostgreSQL) or the path to its webui.db (SQLite, opened read-only).
          {info.capabilities.nativeDialogs ? '' : ' Type the path: file dialogs need the desktop app.'} A password in the URL is moved to the OS keychain.
        </span>
        {env && <span className="hint">{env}</span>}
      </div>
      <div className="row">
        <button type="button" disabled={save.busy || !url.trim()} onClick={() => void save.run(async () => setResult(await call('setup.testSource', { url: url.trim() })))}>
          Test connection
        </button>
        <button type="submit" className="primary" disabled={save.busy}>
          Save
        </button>
        {save.saved && <span role="status">Saved.</span>}
      </div>
      <TestResult result={result} />
      {save.error && <ErrorMessage message={save.error} />}
    </form>
  );
}

export function AnalyticsForm({ view, onSaved }: FormProps): React.JSX.Element {
  const id = useId();
  const [mode, setMode] = useState(view.settings.analytics.mode);
  const [url, setUrl] = useState(view.settings.analytics.url ?? '');
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [migrated, setMigrated] = useState<string | null>(null);
  const save = useSave(onSaved);
  const env = envNote(view, 'analytics.url');
  const modes = [
    { value: 'embedded', label: 'Embedded (recommended)', hint: 'A private PostgreSQL server the app starts itself; data in the app folder.' },
    { value: 'url', label: 'External PostgreSQL', hint: 'Any PostgreSQL database, e.g. one shared by several workstations.' },
    { value: 'derived', label: 'On the Open WebUI server', hint: 'Database "cogniforce" on the same PostgreSQL server as Open WebUI.' },
  ] as const;
  return (
    <form
      className="stack"
      aria-label="Analytics database"
      onSubmit={(e) => {
        e.preventDefault();
        void save.save({ analytics: { mode, url: mode === 'url' ? url.trim() || null : null } }).then((view) => {
          if (view) setUrl(view.settings.analytics.url ?? '');
        });
      }}
    >
      <fieldset>
        <legend>Analytics database</legend>
        <div className="stack" style={{ gap: '0.4rem' }}>
          {modes.map((m) => (
            <label key={m.value} className="check">
              <input type="radio" name={`${id}-mode`} value={m.value} checked={mode === m.value} onChange={() => setMode(m.value)} />
              <span>
                <strong>{m.label}</strong> — <span className="hint">{m.hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {mode === 'url' && (
        <div className="field">
          <label htmlFor={`${id}-url`}>PostgreSQL URL</label>
          <input id={`${id}-url`} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="postgresql://user@host:5432/cogniforce" autoComplete="off" spellCheck={false} />
          {env && <span className="hint">{env}</span>}
        </div>
      )}
      <div className="row">
        <button type="button" disabled={save.busy} onClick={() => void save.run(async () => setResult(await call('setup.testAnalytics', { mode, ...(mode === 'url' && url.trim() ? { url: url.trim() } : {}) })))}>
          Test connection
        </button>
        <button type="submit" className="primary" disabled={save.busy}>
          Save
        </button>
        <button
          type="button"
          disabled={save.busy}
          onClick={() =>
            void save.run(async () => {
              setMigrated((await call('setup.migrate')).message);
            })
          }
        >
          Prepare database (migrate)
        </button>
        {save.saved && <span role="status">Saved.</span>}
      </div>
      <TestResult result={result} />
      {migrated && (
        <div className="result result-ok" role="status" data-testid="migrate-result">
          ✓ {migrated}
        </div>
      )}
      {save.error && <ErrorMessage message={save.error} />}
    </form>
  );
}

export function SecretField({ name, label, status, onChange }: { name: EditableSecret; label: string; status: SecretsStatus | null; onChange: (s: SecretsStatus) => void }): React.JSX.Element {
  const id = useId();
  const [value, setValue] = useState('');
  const action = useAction();
  const isSet = status?.isSet[name] ?? false;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input
          id={id}
          type="password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder={isSet ? 'set — type to replace' : 'not set'}
          autoComplete="off"
          aria-describedby={`${id}-state`}
        />
        <button
          type="button"
          disabled={action.busy || !value}
          onClick={() =>
            void action.run(async () => {
              onChange(await call('secrets.set', { key: name, value }));
              setValue('');
            })
          }
        >
          Save to keychain
        </button>
        {isSet && (
          <button type="button" disabled={action.busy} onClick={() => void action.run(async () => onChange(await call('secrets.delete', { key: name })))}>
            Remove
          </button>
        )}
      </div>
      <span className="hint" id={`${id}-state`} data-testid={`secret-${name}`}>
        {isSet ? 'Set in the keychain. It is never shown again.' : 'Not set.'}
      </span>
      {action.error && <ErrorMessage message={action.error} />}
    </div>
  );
}

export function LlmForm({ view, onSaved, secrets, onSecrets }: FormProps & { secrets: SecretsStatus | null; onSecrets: (s: SecretsStatus) => void }): React.JSX.Element {
  const id = useId();
  const llm = view.settings.llm;
  const [estimator, setEstimator] = useState<'llm' | 'heuristic'>(llm.estimator ?? 'llm');
  const [baseUrl, setBaseUrl] = useState(llm.baseUrl ?? '');
  const [model, setModel] = useState(llm.model);
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const save = useSave(onSaved);
  return (
    <form
      className="stack"
      aria-label="Estimator"
      onSubmit={(e) => {
        e.preventDefault();
        void save.save({ llm: { estimator, baseUrl: baseUrl.trim() || null, model: model.trim() } });
      }}
    >
      <fieldset>
        <legend>How time without AI is estimated</legend>
        <div className="stack" style={{ gap: '0.4rem' }}>
          <label className="check">
            <input type="radio" name={`${id}-est`} checked={estimator === 'llm'} onChange={() => setEstimator('llm')} />
            <span>
              <strong>LLM</strong> — <span className="hint">OpenAI or any OpenAI-compatible endpoint (Azure, Ollama, vLLM, LM Studio). Only a redacted summary is sent.</span>
            </span>
          </label>
          <label className="check">
            <input type="radio" name={`${id}-est`} checked={estimator === 'heuristic'} onChange={() => setEstimator('heuristic')} />
            <span>
              <strong>Offline heuristic</strong> — <span className="hint">no network; rougher estimates, marked as heuristic everywhere.</span>
            </span>
          </label>
        </div>
      </fieldset>
      {estimator === 'llm' && (
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-base`}>Base URL</label>
            <input id={`${id}-base`} value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="https://api.openai.com/v1" spellCheck={false} />
            {envNote(view, 'llm.baseUrl') && <span className="hint">{envNote(view, 'llm.baseUrl')}</span>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-model`}>Model</label>
            <input id={`${id}-model`} value={model} onChange={(e) => setModel(e.target.value)} required spellCheck={false} />
          </div>
          <div className="form-wide">
            <SecretField name="openai-api-key" label="API key" status={secrets} onChange={onSecrets} />
          </div>
        </div>
      )}
      <div className="row">
        <button
          type="button"
          disabled={save.busy}
          onClick={() => void save.run(async () => setResult(await call('setup.testLlm', { estimator, ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}), ...(model.trim() ? { model: model.trim() } : {}) })))}
        >
          Test connection
        </button>
        <button type="submit" className="primary" disabled={save.busy}>
          Save
        </button>
        {save.saved && <span role="status">Saved.</span>}
      </div>
      <TestResult result={result} />
      {save.error && <ErrorMessage message={save.error} />}
    </form>
  );
}
