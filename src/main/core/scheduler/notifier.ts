import type { Logger } from '../log/index.ts';

// How the scheduler tells a person something went wrong at night. The Electron layer shows a
// native notification (src/main/electron/notifications.ts); the daemon only logs.

export type NoticeKind = 'run-failed' | 'run-completed' | 'export-failed' | 'health-unhealthy';

export interface Notice {
  kind: NoticeKind;
  title: string;
  /** The reason, in words a person can act on. */
  body: string;
  runId?: number | undefined;
}

export interface Notifier {
  notify(notice: Notice): void;
}

/** The daemon's notifier: a log line at the right level. */
export function loggingNotifier(log: Logger): Notifier {
  return {
    notify(notice) {
      const line = `${notice.title}: ${notice.body}${notice.runId !== undefined ? ` (run #${notice.runId})` : ''}`;
      if (notice.kind === 'run-completed') log.info(line);
      else log.error(line);
    },
  };
}
