import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppContext } from '../app/context.ts';
import { assertWritableTarget } from '../reports/atomic-file.ts';
import { exportReport, ExportError, reportFileName, type ConversationExportFilters } from '../reports/index.ts';
import type { Args, Handlers } from '../../../shared/contract.ts';
import { isJobOfLane, type ExportFiltersDto, type ExportKindDto, type ExportRequestDto } from '../../../shared/types.ts';
import { HandlerError } from './errors.ts';
import type { ConsoleRuntime, SaveFileOptions } from './runtime.ts';

// The Reports screen and the export buttons: an export runs as a job in its own lane (a run
// may go on meanwhile) through the same exportReport the CLI and the scheduler use. Files go
// to <data folder>/exports under the scheduler's names unless the person picks another place;
// the browser console has no native dialog, so it types a path, and only .csv or .pdf files
// are ever written.

type ReportChannels = 'reports.defaultTarget' | 'reports.export' | 'reports.cancel' | 'dialog.pickSaveFile' | 'shell.showInFolder';

type Scope = Args<'reports.defaultTarget'>;

export const EXPORTS_FOLDER = 'exports';

export function exportsFolder(context: AppContext): string {
  return path.join(context.dataDir, EXPORTS_FOLDER);
}

const extensionOf = (kind: ExportKindDto): '.pdf' | '.csv' => (kind === 'pdf' ? '.pdf' : '.csv');

/** Only the detailed CSV applies conversation-level filters; the other kinds cover every conversation. */
function effectiveFilters(scope: Scope): ExportFiltersDto {
  if (scope.kind !== 'detailed' || !scope.filters) return {};
  return Object.fromEntries(Object.entries(scope.filters).filter(([, value]) => value !== undefined)) as ExportFiltersDto;
}

/**
 * The scheduler's name for the kind and period, marked when the file holds less than everyone's
 * figures, so a filtered export never passes for the full one.
 */
export function suggestedFileName(scope: Scope, organisation: string | null): string {
  const base = reportFileName(scope.kind, scope.from, scope.to, organisation);
  const extension = extensionOf(scope.kind);
  const marks = [scope.user ? `user-${scope.user.slice(0, 8)}` : '', Object.keys(effectiveFilters(scope)).length > 0 ? 'filtered' : ''].filter(Boolean);
  return marks.length === 0 ? base : `${base.slice(0, -extension.length)}-${marks.join('-')}${extension}`;
}

/**
 * The absolute file an export writes: "~/" is the home folder, a relative path lands in the
 * exports folder, and a missing extension is added. Any other extension is refused: the
 * console writes CSV and PDF files, nothing a shell or an editor would run.
 */
export function resolveTarget(input: string, folder: string, kind: ExportKindDto): string {
  const trimmed = input.trim();
  const expanded = trimmed === '~' ? os.homedir() : trimmed.startsWith('~/') ? path.join(os.homedir(), trimmed.slice(2)) : trimmed;
  let out = path.resolve(folder, expanded);
  if (trimmed.endsWith('/') || trimmed.endsWith(path.sep)) {
    throw new HandlerError('validation', `"${trimmed}" is a folder: add a file name such as ${path.join(trimmed, 'report' + extensionOf(kind))}.`);
  }
  const wanted = extensionOf(kind);
  const actual = path.extname(out).toLowerCase();
  if (actual === '') out += wanted;
  else if (actual !== wanted) {
    throw new HandlerError('validation', `A ${kind === 'pdf' ? 'PDF report' : 'CSV export'} is saved as a ${wanted} file; change the name's ending "${path.extname(out)}" to ${wanted}.`);
  }
  return out;
}

function saveOptions(scope: Scope, defaultPath: string): SaveFileOptions {
  return {
    title: scope.kind === 'pdf' ? 'Save the PDF report' : `Save the ${scope.kind} CSV`,
    defaultPath,
    filters: scope.kind === 'pdf' ? [{ name: 'PDF document', extensions: ['pdf'] }] : [{ name: 'CSV (comma-separated values)', extensions: ['csv'] }],
  };
}

function coreFilters(filters: ExportFiltersDto): ConversationExportFilters {
  return {
    category: filters.category ?? null,
    source: filters.estimateSource ?? null,
    minConfidence: filters.minConfidence ?? null,
    workRelated: filters.workRelated ?? null,
    taskCompleted: filters.taskCompleted ?? null,
  };
}

export function reportHandlers(rt: ConsoleRuntime): Pick<Handlers, ReportChannels> {
  // "Open containing folder" reveals only files this console wrote, not any path a page names.
  const written = new Set<string>();
  const organisation = (context: AppContext): string | null => context.settings.reports.organisationName.trim() || null;

  return {
    async 'reports.defaultTarget'(scope) {
      const context = rt.contexts.current();
      const folder = exportsFolder(context);
      const fileName = suggestedFileName(scope, organisation(context));
      const file = path.join(folder, fileName);
      return { folder, fileName, path: file, exists: fs.existsSync(file), excelBom: context.settings.reports.excelBom };
    },

    async 'reports.export'(args) {
      const context = rt.contexts.current();
      const folder = exportsFolder(context);
      const out = resolveTarget(args.path, folder, args.kind);
      // Fail now, with a message, rather than as a job that dies at once.
      await rt.contexts.analytics();
      // The default folder is the console's own; any other folder must exist already, so a
      // typing mistake does not create a stray folder tree.
      if (path.dirname(out) === folder) await fs.promises.mkdir(folder, { recursive: true });
      const existing = await fs.promises.stat(out).catch(() => null);
      if (existing && !existing.isDirectory() && !args.overwrite) {
        throw new HandlerError('exists', `${path.basename(out)} already exists in ${path.dirname(out)}. Replace it, or choose another name.`);
      }
      try {
        await assertWritableTarget(out);
      } catch (error) {
        if (error instanceof ExportError) throw new HandlerError('validation', error.message);
        throw error;
      }
      const filters = effectiveFilters(args);
      const request: ExportRequestDto = {
        kind: args.kind,
        from: args.from,
        to: args.to,
        user: args.user ?? null,
        filters,
        bom: args.kind === 'pdf' ? false : (args.bom ?? context.settings.reports.excelBom),
        path: out,
      };
      return rt.jobs.startExport(request, async ({ signal, onProgress }) => {
        const result = await exportReport(
          context,
          { kind: request.kind, from: request.from, to: request.to, userHash: request.user, out, bom: request.bom, filters: coreFilters(filters) },
          { signal, onProgress },
        );
        written.add(result.path);
        return result;
      });
    },

    async 'reports.cancel'({ jobId }) {
      const job = rt.jobs.get(jobId);
      if (!job || !isJobOfLane(job, 'export')) throw new HandlerError('not_found', `There is no export ${jobId}; it may have finished before the app restarted.`);
      const cancelled = rt.jobs.cancel(jobId);
      if (!isJobOfLane(cancelled, 'export')) throw new HandlerError('not_found', `There is no export ${jobId}.`);
      return cancelled;
    },

    async 'dialog.pickSaveFile'(scope) {
      if (!rt.platform.pickSaveFile) {
        throw new HandlerError('unavailable', 'Choosing where to save needs the desktop app. In the browser, type the path in the "Save to" field instead.');
      }
      const context = rt.contexts.current();
      const folder = exportsFolder(context);
      // The dialog opens in the exports folder, so it has to exist.
      await fs.promises.mkdir(folder, { recursive: true });
      const picked = await rt.platform.pickSaveFile(saveOptions(scope, path.join(folder, suggestedFileName(scope, organisation(context)))));
      if (picked === null) return { path: null, replaceConfirmed: false };
      const out = resolveTarget(picked, folder, scope.kind);
      // The dialog asked about replacing the file it returned, not one with an extension added.
      return { path: out, replaceConfirmed: out === path.resolve(picked) };
    },

    async 'shell.showInFolder'({ path: file }) {
      if (!rt.platform.showInFolder) {
        throw new HandlerError('unavailable', 'Opening a folder needs the desktop app; copy the path shown instead.');
      }
      const resolved = path.resolve(file);
      if (!written.has(resolved)) throw new HandlerError('not_found', 'Only files exported in this session can be shown in their folder.');
      if (!fs.existsSync(resolved)) throw new HandlerError('not_found', `${resolved} is no longer there: it was moved or deleted.`);
      rt.platform.showInFolder(resolved);
      return { shown: true };
    },
  };
}
