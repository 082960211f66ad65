import { useCallback, useMemo, useState } from 'react';
import type { ArgsIn } from '../../../shared/contract.ts';
import type { ExportFiltersDto, ExportJobState, ExportKindDto } from '../../../shared/types.ts';
import { ApiError, call, messageOf } from '../api.ts';
import { useAppInfo } from './app-info.ts';
import { useApi } from './useApi.ts';
import { useLaneJob } from './useJob.ts';

// One export flow for the Reports page and the export buttons of Dashboard and Conversations:
// where the file goes (the native "save as" dialog in the desktop app; in the browser a path
// field prefilled with the exports folder and the scheduler-style name), the export job with
// its progress and cancel, and what to do with the file afterwards.

export interface ExportScope {
  kind: ExportKindDto;
  from: string;
  to: string;
  user?: string | undefined;
  filters?: ExportFiltersDto | undefined;
}

type ScopeArgs = ArgsIn<'reports.defaultTarget'>;

function scopeArgs(scope: ExportScope): ScopeArgs {
  const filters = Object.fromEntries(Object.entries(scope.filters ?? {}).filter(([, v]) => v !== undefined && v !== '')) as ExportFiltersDto;
  return {
    kind: scope.kind,
    from: scope.from,
    to: scope.to,
    ...(scope.user ? { user: scope.user } : {}),
    ...(scope.kind === 'detailed' && Object.keys(filters).length > 0 ? { filters } : {}),
  };
}

export interface ExportFlow {
  /** The desktop app asks where to save with its own dialog; the browser shows `path`. */
  nativeDialog: boolean;
  canShowInFolder: boolean;
  path: string;
  setPath: (path: string) => void;
  /** The suggested folder and name (null while loading). */
  suggestion: { folder: string; fileName: string; path: string } | null;
  bom: boolean;
  setBom: (bom: boolean) => void;
  /** The export this flow started (or found running), live. */
  job: ExportJobState | null;
  starting: boolean;
  error: string | null;
  /** Set when the file exists: the person decides whether to replace it. */
  existsMessage: string | null;
  start: (options?: { overwrite?: boolean }) => Promise<void>;
  cancel: () => Promise<void>;
  showInFolder: (path: string) => Promise<void>;
  dismiss: () => void;
}

export function useExport(scope: ExportScope): ExportFlow {
  const { info } = useAppInfo();
  const nativeDialog = info.capabilities.saveDialog;
  // By value: callers build the scope afresh on every render.
  const key = JSON.stringify(scopeArgs(scope));
  const args = useMemo(() => JSON.parse(key) as ScopeArgs, [key]);
  const suggestion = useApi('reports.defaultTarget', args);
  // null: follow the suggestion (it changes with the kind and the period) until the person types.
  const [typedPath, setTypedPath] = useState<string | null>(null);
  const [bomChoice, setBomChoice] = useState<boolean | null>(null);
  const { job: laneJob, setJob } = useLaneJob('export');
  const [ownId, setOwnId] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [existsMessage, setExistsMessage] = useState<string | null>(null);

  // One export at a time: one that is running (started here or elsewhere) is shown, and stays
  // shown once it has finished (state adjusted while rendering, as React advises over an effect).
  if (laneJob?.status === 'running' && laneJob.id !== ownId) setOwnId(laneJob.id);
  const job = laneJob && laneJob.id === ownId ? laneJob : null;

  // A typed name keeps up with the kind: report.csv becomes report.pdf when PDF is chosen.
  const extension = scope.kind === 'pdf' ? '.pdf' : '.csv';
  const path = typedPath !== null ? typedPath.replace(/\.(csv|pdf)$/i, extension) : (suggestion.data?.path ?? '');
  const bom = bomChoice ?? suggestion.data?.excelBom ?? true;

  const start = useCallback(
    async (options: { overwrite?: boolean } = {}) => {
      setError(null);
      setExistsMessage(null);
      setStarting(true);
      try {
        let target = path;
        let overwrite = options.overwrite ?? false;
        if (nativeDialog) {
          const picked = await call('dialog.pickSaveFile', args);
          if (!picked.path) return;
          target = picked.path;
          overwrite = overwrite || picked.replaceConfirmed;
        }
        const started = await call('reports.export', { ...args, path: target, bom, overwrite });
        setOwnId(started.id);
        setJob(started);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'exists') setExistsMessage(e.message);
        else setError(messageOf(e));
      } finally {
        setStarting(false);
      }
    },
    [args, bom, nativeDialog, path, setJob],
  );

  const cancel = useCallback(async () => {
    if (!job) return;
    try {
      setJob(await call('reports.cancel', { jobId: job.id }));
    } catch (e) {
      setError(messageOf(e));
    }
  }, [job, setJob]);

  const showInFolder = useCallback(async (file: string) => {
    try {
      await call('shell.showInFolder', { path: file });
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);

  const dismiss = useCallback(() => {
    setOwnId(null);
    setError(null);
    setExistsMessage(null);
    // The next export gets a fresh suggestion (the file just written now "exists").
    suggestion.reload();
  }, [suggestion]);

  return {
    nativeDialog,
    canShowInFolder: info.capabilities.showInFolder,
    path,
    setPath: (next) => {
      setExistsMessage(null);
      setTypedPath(next);
    },
    suggestion: suggestion.data ? { folder: suggestion.data.folder, fileName: suggestion.data.fileName, path: suggestion.data.path } : null,
    bom,
    setBom: setBomChoice,
    job,
    starting,
    error: error ?? suggestion.error,
    existsMessage,
    start,
    cancel,
    showInFolder,
    dismiss,
  };
}
