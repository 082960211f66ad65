import { useId, useState } from 'react';
import type { SaltStatusDto } from '../../../shared/types.ts';
import { call } from '../api.ts';
import { useApi } from '../lib/useApi.ts';
import { useAction } from './SettingsForms.tsx';
import { ErrorMessage, Loading } from './Status.tsx';

// Settings → Privacy: the salt that turns user ids into hashes. Workstations sharing one
// analytics database must share it; this exports it to a file (after saying plainly that it
// is a secret) and imports another workstation's. Only its fingerprint is ever shown: the salt
// never comes back from main.

function DatabaseState({ status }: { status: SaltStatusDto }): React.JSX.Element {
  const db = status.database;
  const level = !db.reachable ? 'degraded' : db.matches === false ? 'unhealthy' : 'healthy';
  const label = !db.reachable ? 'not checked' : db.matches === false ? 'different salt' : db.matches ? 'same salt' : 'not recorded yet';
  return (
    <dd data-testid="salt-database" data-matches={String(db.matches)}>
      <span className={`badge badge-${level}`}>{label}</span> {db.message}
    </dd>
  );
}

function ExportSalt({ status, onDone }: { status: SaltStatusDto; onDone: () => void }): React.JSX.Element {
  const id = useId();
  const [confirm, setConfirm] = useState(false);
  const [file, setFile] = useState('');
  const [written, setWritten] = useState<string | null>(null);
  const action = useAction();
  const needsPath = !status.saveDialog;
  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    setWritten(null);
    void action.run(async () => {
      const result = await call('salt.export', { confirm: true, ...(needsPath ? { path: file.trim() } : {}) });
      if (result.saved && result.path) {
        setWritten(`Salt ${result.fingerprint ?? ''} written to ${result.path} (readable by you only). Import it on the other workstations, then delete the file.`);
        setConfirm(false);
        onDone();
      }
    });
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Export the salt</h3>
      <p className="note" style={{ marginTop: 0 }}>
        For the other workstations that write to the same analytics database. The file holds the salt in clear text.
      </p>
      {needsPath && (
        <div className="field">
          <label htmlFor={`${id}-path`}>File to write (full path)</label>
          <input id={`${id}-path`} value={file} onChange={(e) => setFile(e.target.value)} placeholder="/home/me/cogniforce-salt.txt" spellCheck={false} autoComplete="off" />
          <span className="hint">Written readable by its owner only; an existing file is never replaced.</span>
        </div>
      )}
      <label className="check check-top">
        <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
        <span>I understand the salt is a secret: with it, anyone can test guessed user ids against the hashes in the analytics database. I will keep the file safe and delete it once imported.</span>
      </label>
      <div className="row">
        <button type="submit" disabled={!confirm || action.busy || (needsPath && !file.trim())}>
          {status.saveDialog ? 'Export salt…' : 'Export salt'}
        </button>
      </div>
      {written && (
        <p className="result result-ok" role="status" data-testid="salt-export-result">
          ✓ {written}
        </p>
      )}
      {action.error && <ErrorMessage message={action.error} />}
    </form>
  );
}

function ImportSalt({ onDone }: { onDone: () => void }): React.JSX.Element {
  const id = useId();
  const [source, setSource] = useState<'paste' | 'file'>('paste');
  const [salt, setSalt] = useState('');
  const [file, setFile] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const ready = source === 'paste' ? salt.trim() !== '' : file.trim() !== '';
  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    setDone(null);
    void action.run(async () => {
      const result = await call('salt.import', source === 'paste' ? { salt, confirm: true } : { path: file.trim(), confirm: true });
      setDone(result.message);
      setSalt('');
      setConfirm(false);
      onDone();
    });
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Import a salt</h3>
      <p className="note" style={{ marginTop: 0 }}>
        Use the salt exported on a workstation that already writes to this analytics database. It is refused when the database holds results hashed with a different salt.
      </p>
      <fieldset className="row">
        <legend className="visually-hidden">Where the salt comes from</legend>
        <label className="check">
          <input type="radio" name={`${id}-source`} checked={source === 'paste'} onChange={() => setSource('paste')} /> Paste it
        </label>
        <label className="check">
          <input type="radio" name={`${id}-source`} checked={source === 'file'} onChange={() => setSource('file')} /> Read an exported file
        </label>
      </fieldset>
      {source === 'paste' ? (
        <div className="field">
          <label htmlFor={`${id}-salt`}>Salt or the contents of the salt file</label>
          <textarea id={`${id}-salt`} rows={3} value={salt} onChange={(e) => setSalt(e.target.value)} spellCheck={false} autoComplete="off" className="secret-text" />
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-file`}>Salt file (full path)</label>
          <input id={`${id}-file`} value={file} onChange={(e) => setFile(e.target.value)} placeholder="/media/usb/cogniforce-salt.txt" spellCheck={false} autoComplete="off" />
        </div>
      )}
      <label className="check check-top">
        <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
        <span>Replace this workstation's salt. User hashes written from now on use the imported one; names are resolved with it.</span>
      </label>
      <div className="row">
        <button type="submit" disabled={!confirm || !ready || action.busy}>
          Import salt
        </button>
      </div>
      {done && (
        <p className="result result-ok" role="status" data-testid="salt-import-result">
          ✓ {done}
        </p>
      )}
      {action.error && <ErrorMessage message={action.error} />}
    </form>
  );
}

export function SaltPanel(): React.JSX.Element {
  const id = useId();
  const loaded = useApi('salt.status', {});
  const status = loaded.data;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="salt-panel">
      <h2 id={`${id}-title`}>Privacy: the salt for user hashes</h2>
      <p>
        User ids are stored only as HMAC-SHA256 hashes keyed with this workstation's salt, kept in the OS keychain. Workstations that share an analytics database need the same salt.
      </p>
      {loaded.error && <ErrorMessage message={loaded.error} onRetry={loaded.reload} />}
      {!status && loaded.loading && <Loading />}
      {status && (
        <div className="stack">
          <dl className="facts">
            <dt>Salt fingerprint</dt>
            <dd>
              {status.fingerprint ? (
                <code data-testid="salt-fingerprint">{status.fingerprint}</code>
              ) : (
                <span data-testid="salt-fingerprint">none yet — one is generated with the first run</span>
              )}
              <span className="note"> — derived from the salt, it cannot be turned back into it</span>
            </dd>
            <dt>Analytics database</dt>
            <DatabaseState status={status} />
          </dl>
          {!status.keychain.available && <p className="result result-bad">{status.keychain.message}</p>}
          <div className="grid-2">
            <ExportSalt status={status} onDone={loaded.reload} />
            <ImportSalt onDone={loaded.reload} />
          </div>
        </div>
      )}
    </section>
  );
}
