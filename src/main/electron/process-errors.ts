import type { ConsoleLog } from '../core/handlers/runtime.ts';
import type { Logger } from '../core/log/index.ts';

// Errors nobody caught go to the log file (secrets redacted by core/log), not to Electron's
// default dialog, which would show a raw stack trace to the person at the desk.

export function catchProcessErrors(log: Logger, target: Pick<NodeJS.Process, 'on'> = process): void {
  target.on('uncaughtException', (error) => log.error('Uncaught exception:', error));
  target.on('unhandledRejection', (reason) => log.error('Unhandled promise rejection:', reason));
}

/** The handlers' error log (failed calls, failed jobs) written to the log file instead of stderr. */
export function consoleLogOf(log: Logger): ConsoleLog {
  return {
    error(message, error) {
      if (error === undefined) log.error(message);
      else log.error(message, error);
    },
  };
}
