import { useEffect, useId, useRef, useState } from 'react';
import type { ExportFiltersDto, ExportJobState, ExportKindDto } from '../../../shared/types.ts';
import { formatBytes, formatDuration, formatInt } from '../lib/format.ts';
import { useExport, type ExportFlow } from '../lib/useExport.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { ErrorMessage } from './Status.tsx';

// The export flow as one component: kind (when there is a choice), Excel BOM, where to save,
// the export button, progress with cancel, and the outcome with the file's path. The Reports
// page shows it in full; Dashboard and Conversations open it from an export button.

export const EXPORT_KINDS: Record<ExportKindDto, { label: string; description: string }> = {
  summary: { label: 'Summary CSV', description: "One row with the period's totals on both time bases; monthly files stack into one table." },
  daily: { label: 'Daily CSV', description: 'One row per day for everyone, then one per user for each day they were active.' },
  detailed: { label: 'Detailed CSV', description: 'One row per conversation: timing, estimate range, confidence, category and cost.' },
  pdf: { label: 'PDF report', description: 'Cards, charts, top users and how the figures were measured, ready to hand on.' },
};

const PHASES: Record<string, string> = {
  preparing: 'Preparing',
  writing: 'Writing rows',
  rendering: 'Drawing the report',
  done: 'Finishing',
};

export interface ExportPanelProps {
  from: string;
  to: string;
  user?: string | undefined;
  /** Conversation-level filters (Conversations page); only the detailed CSV applies them. */
  filters?: ExportFiltersDto | undefined;
  kinds: readonly ExportKindDto[];
  /** Names the panel for assistive technology. */
  title: string;
  headingLevel?: 2 | 3;
}

function hasFilters(filters: ExportFiltersDto | undefined): boolean {
  return Object.values(filters ?? {}).some((v) => v !== undefined && v !== '');
}

export function ExportPanel({ from, to, user, filters, kinds, title, headingLevel = 2 }: ExportPanelProps): React.JSX.Element {
  const id = useId();
  const [kind, setKind] = useState<ExportKindDto>(kinds[0] ?? 'summary');
  const flow = useExport({ kind, from, to, user, filters });
  const running = flow.job?.status === 'running';
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    void flow.start();
  };

  return (
    <section className="export" aria-labelledby={`${id}-title`} data-testid="export-panel">
      <Heading id={`${id}-title`}>{title}</Heading>
      <form onSubmit={submit} className="stack">
        {kinds.length > 1 && (
          <fieldset className="export-kinds">
            <legend>What to export</legend>
            {kinds.map((k) => (
              <label key={k} className="export-kind">
                <input type="radio" name={`${id}-kind`} value={k} checked={kind === k} onChange={() => setKind(k)} disabled={running} aria-describedby={`${id}-${k}-desc`} />
                <span>
                  <span className="export-kind-label">{EXPORT_KINDS[k].label}</span>
                  <span id={`${id}-${k}-desc`} className="export-kind-desc">
                    {EXPORT_KINDS[k].description}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {kinds.length === 1 && <p className="note">{EXPORT_KINDS[kind].description}</p>}
        {hasFilters(filters) && kind !== 'detailed' && <p className="note">Category, estimate and confidence filters apply to the detailed CSV only; this file covers every conversation{user ? ' of the selected user' : ''}.</p>}
        {kind !== 'pdf' && (
          <label className="check">
            <input type="checkbox" checked={flow.bom} onChange={(e) => flow.setBom(e.target.checked)} disabled={running} /> Excel-friendly (BOM): Excel on Windows then reads accents correctly
          </label>
        )}
        {!flow.nativeDialog && (
          <div className="field">
            <label htmlFor={`${id}-path`}>Save to</label>
            <input
              id={`${id}-path`}
              className="export-path"
              value={flow.path}
              onChange={(e) => flow.setPath(e.target.value)}
              disabled={running}
              spellCheck={false}
              autoComplete="off"
              aria-describedby={`${id}-path-hint`}
              data-autofocus
              required
            />
            <span id={`${id}-path-hint`} className="hint">
              A file on the computer running the console. A bare name goes into {flow.suggestion?.folder ?? 'the exports folder'}.
            </span>
          </div>
        )}
        <div className="row">
          <button
            type="submit"
            className="primary"
            disabled={running || flow.starting || (!flow.nativeDialog && flow.path.trim() === '')}
            data-autofocus={flow.nativeDialog ? true : undefined}
          >
            {flow.starting ? 'Starting…' : flow.nativeDialog ? `Export ${EXPORT_KINDS[kind].label}…` : `Export ${EXPORT_KINDS[kind].label}`}
          </button>
          {flow.nativeDialog && <span className="note">You choose where to save it next.</span>}
        </div>
        {flow.existsMessage && (
          <div className="status status-warn" role="alert">
            <p>{flow.existsMessage}</p>
            <button type="button" onClick={() => void flow.start({ overwrite: true })}>
              Replace it
            </button>
          </div>
        )}
        {flow.error && <ErrorMessage message={flow.error} />}
      </form>
      {flow.job && <ExportProgress job={flow.job} flow={flow} />}
    </section>
  );
}

function Outcome({ job, flow }: { job: ExportJobState; flow: ExportFlow }): React.JSX.Element | null {
  const [copied, setCopied] = useState<string | null>(null);
  const pathRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const result = job.result;
  if (job.status === 'cancelled') return <p data-testid="export-outcome">Cancelled: no file was written.</p>;
  if (job.status === 'failed') return <ErrorMessage message={job.error?.message ?? 'The export failed.'} />;
  if (job.status !== 'completed' || !result) return null;
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(result.path);
      setCopied('Path copied.');
    } catch {
      // No clipboard (an insecure context, a denied permission): select it for Ctrl+C.
      pathRef.current?.select();
      setCopied('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return (
    <div className="result result-ok" data-testid="export-outcome">
      <p className="export-saved">
        Saved <strong>{result.fileName}</strong>
        {result.rows !== null ? ` · ${formatInt(result.rows)} rows` : ''} · {formatBytes(result.bytes)} · {result.seconds < 1 ? 'in under a second' : `in ${formatDuration(result.seconds)}`}
      </p>
      <label htmlFor={`${id}-written`} className="field-label">
        Full path
      </label>
      <div className="row">
        <input id={`${id}-written`} ref={pathRef} className="export-path" value={result.path} readOnly data-testid="export-path" onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>
          Copy path
        </button>
        {flow.canShowInFolder && (
          <button type="button" onClick={() => void flow.showInFolder(result.path)}>
            Open containing folder
          </button>
        )}
        <button type="button" className="link-button" onClick={flow.dismiss}>
          Export another
        </button>
      </div>
      <p className="note" aria-live="polite">
        {copied ?? ''}
      </p>
    </div>
  );
}

export function ExportProgress({ job, flow }: { job: ExportJobState; flow: ExportFlow }): React.JSX.Element {
  const p = job.progress;
  const running = job.status === 'running';
  const label = `${EXPORT_KINDS[job.request.kind].label} ${job.request.from} – ${job.request.to}`;
  const done = job.status === 'completed';
  // Finished: a full bar. Running: rows of the expected total when known (detailed CSV).
  const value = done ? 1 : (p?.rows ?? 0);
  const max = done ? 1 : p?.total && p.total > 0 ? p.total : null;
  return (
    <div className="export-progress" data-testid="export-progress" data-status={job.status} data-request={job.request.kind}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <p className="export-progress-title">{label}</p>
        <span className={`badge badge-${job.status}`}>{job.cancelRequested && running ? 'cancelling' : job.status}</span>
      </div>
      {job.status !== 'cancelled' && job.status !== 'failed' && <ProgressBar value={value} max={max} label={`${label} progress`} />}
      <p className="note" aria-live="polite" data-testid="export-counts">
        {running ? PHASES[p?.phase ?? 'preparing'] : done ? 'Done' : job.status === 'cancelled' ? 'Cancelled' : 'Failed'}
        {job.request.kind !== 'pdf' && p ? ` · ${formatInt(p.rows)}${p.total !== null && !done ? ` of ${formatInt(p.total)}` : ''} rows` : ''}
        {p && (p.bytes > 0 || done) ? ` · ${formatBytes(done ? (job.result?.bytes ?? p.bytes) : p.bytes)}` : ''}
      </p>
      {running && (
        <button type="button" className="danger" onClick={() => void flow.cancel()} disabled={job.cancelRequested}>
          {job.cancelRequested ? 'Cancelling…' : 'Cancel export'}
        </button>
      )}
      <Outcome job={job} flow={flow} />
    </div>
  );
}

/**
 * A button that opens the export flow beside it (Dashboard, Conversations). Not modal: Escape
 * or the button closes it, focus moves into it on open and back to the button on close.
 */
export function ExportButton({ label, ...panel }: ExportPanelProps & { label: string }): React.JSX.Element {
  const [open, setOpen] = useState(false);
  const id = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const wasOpen = useRef(false);

  useEffect(() => {
    // Into the panel at the field a person checks first: where the file goes (or the button).
    const panel = panelRef.current;
    if (open) (panel?.querySelector<HTMLElement>('[data-autofocus]') ?? panel?.querySelector<HTMLElement>('input, button'))?.focus();
    else if (wasOpen.current) buttonRef.current?.focus();
    wasOpen.current = open;
  }, [open]);

  return (
    <div className="export-disclosure">
      <button ref={buttonRef} type="button" aria-expanded={open} aria-controls={`${id}-panel`} onClick={() => setOpen((o) => !o)}>
        {label}
      </button>
      <div
        id={`${id}-panel`}
        ref={panelRef}
        className="export-popover panel"
        hidden={!open}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            setOpen(false);
          }
        }}
      >
        {open && <ExportPanel {...panel} headingLevel={2} />}
        <button type="button" className="link-button export-close" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
