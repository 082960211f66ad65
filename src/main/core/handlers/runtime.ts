import type { AppContext } from '../app/context.ts';
import { JobManager } from '../jobs.ts';
import type { SchedulerStatus } from '../scheduler/scheduler.ts';
import { ContextHolder, type BusyState, type ContextHolderOptions } from './context-holder.ts';
import { UserDirectory } from './user-directory.ts';

// Everything a handler needs besides its arguments: the live context (replaced when the
// analytics database changes), the job manager, the user directory and what the platform
// offers (native dialogs exist only in the Electron layer).

export interface SaveFileOptions {
  title: string;
  /** Suggested folder and name. */
  defaultPath: string;
  filters: Array<{ name: string; extensions: string[] }>;
}

export interface PlatformHooks {
  /** Opens a folder in the OS file manager (Health → "Open logs folder"); rejects with a reason. */
  openPath?: (target: string) => Promise<void>;
  /** The scheduler running in this process (the desktop app); absent in `serve`. */
  schedulerStatus?: () => SchedulerStatus;
  /** Native "open file" dialog for webui.db; absent in the browser console. */
  pickSqliteFile?: () => Promise<string | null>;
  /** Native "save as" dialog for an export (it asks before replacing a file); absent in the browser console. */
  pickSaveFile?: (options: SaveFileOptions) => Promise<string | null>;
  /** Shows a written file in the system's file manager; absent in the browser console. */
  showInFolder?: (file: string) => void;
  /**
   * A run the platform started itself is going (the desktop scheduler's night, which is not a
   * console job): settings that a run reads stay locked while it is true.
   */
  runInProgress?: () => boolean;
}

export interface ConsoleLog {
  error(message: string, error?: unknown): void;
}

export interface ConsoleRuntime {
  contexts: ContextHolder;
  jobs: JobManager;
  users: UserDirectory;
  platform: PlatformHooks;
  log: ConsoleLog;
  now: () => number;
}

export interface RuntimeOptions extends ContextHolderOptions {
  platform?: PlatformHooks;
  log?: ConsoleLog;
  now?: () => number;
}

export const stderrLog: ConsoleLog = {
  error(message, error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : error === undefined ? '' : String(error);
    process.stderr.write(`${message}${detail ? `\n${detail}` : ''}\n`);
  },
};

export function createRuntime(context: AppContext, options: RuntimeOptions = {}): ConsoleRuntime {
  const log = options.log ?? stderrLog;
  const contexts = new ContextHolder(context, options);
  const jobs = new JobManager((error, job) => log.error(`Job ${job.id} (${job.kind} ${job.request.from} … ${job.request.to}) failed`, error));
  return {
    contexts,
    jobs,
    users: new UserDirectory(() => contexts.current()),
    platform: options.platform ?? {},
    log,
    now: options.now ?? Date.now,
  };
}

/**
 * Opens the analytics database in the background, so an embedded server (≈ 0.4 s to start) is
 * up by the time the console asks for its first figures. A failure is left to the first call
 * that needs the database, which reports it (and tries again).
 */
export function openAnalyticsInBackground(runtime: ConsoleRuntime): void {
  runtime.contexts
    .current()
    .analytics()
    .catch(() => undefined);
}

/** What is running now, for settings changes that would pull a connection from under it. */
export function busyState(rt: ConsoleRuntime): BusyState {
  return { running: rt.jobs.active('run') !== null || rt.platform.runInProgress?.() === true, exporting: rt.jobs.active('export') !== null };
}

/** Stops running work and closes connections (and the embedded server). */
export async function closeRuntime(runtime: ConsoleRuntime): Promise<void> {
  await runtime.jobs.shutdown();
  await runtime.contexts.close();
}
