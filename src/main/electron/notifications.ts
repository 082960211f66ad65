import type { Notification as ElectronNotification } from 'electron';
import type { Notice, Notifier } from '../core/scheduler/notifier.ts';

// Native notifications for the scheduler's notices (failed runs with the reason; completed
// runs only if chosen). The mapping is pure; createNativeNotifier takes Electron's Notification
// class as a parameter so tests never load Electron.

export interface NotificationPrefs {
  notifyOnFailure: boolean;
  notifyOnSuccess: boolean;
}

export interface NotificationContent {
  title: string;
  body: string;
  urgency: 'normal' | 'critical';
  silent: boolean;
}

/** Notification centres cut long text; the first sentence of the reason survives. */
const MAX_BODY = 240;

export function notificationFor(notice: Notice, prefs: NotificationPrefs): NotificationContent | null {
  if (notice.kind === 'run-completed' ? !prefs.notifyOnSuccess : !prefs.notifyOnFailure) return null;
  let body = notice.body.replace(/\s+/g, ' ').trim();
  if (notice.runId !== undefined && notice.kind !== 'run-completed') body = `Run #${notice.runId}: ${body}`;
  if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY - 1)}…`;
  return {
    title: notice.title,
    body,
    urgency: notice.kind === 'run-completed' ? 'normal' : 'critical',
    silent: notice.kind === 'run-completed',
  };
}

export interface NativeNotifierOptions {
  prefs: () => NotificationPrefs;
  /** A click opens the console where the notice belongs (Runs, Health). */
  onClick?: (notice: Notice) => void;
  iconPath?: string;
}

/** Notifications kept referenced at most (the oldest are let go; the OS still shows them). */
const MAX_LIVE = 20;

export function createNativeNotifier(api: { Notification: typeof ElectronNotification }, options: NativeNotifierOptions): Notifier {
  // Electron loses the click handler of a notification object that was garbage-collected while
  // still on screen, so each one is held until it closes.
  const live = new Set<ElectronNotification>();
  return {
    notify(notice) {
      const content = notificationFor(notice, options.prefs());
      if (!content || !api.Notification.isSupported()) return;
      const notification = new api.Notification({ ...content, ...(options.iconPath ? { icon: options.iconPath } : {}) });
      live.add(notification);
      for (const old of live) {
        if (live.size <= MAX_LIVE) break;
        live.delete(old);
      }
      notification.on('close', () => live.delete(notification));
      if (options.onClick) {
        notification.on('click', () => {
          live.delete(notification);
          options.onClick?.(notice);
        });
      }
      notification.show();
    },
  };
}

/** Where a click on a notice should take the person. */
export function pageForNotice(notice: Notice): 'runs' | 'health' | 'reports' {
  return notice.kind === 'health-unhealthy' ? 'health' : notice.kind === 'export-failed' ? 'reports' : 'runs';
}
