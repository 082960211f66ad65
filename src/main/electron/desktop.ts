import type { Settings } from '../core/config/settings.ts';
import type { Logger } from '../core/log/index.ts';
import type { NoteSection } from '../core/reports/method-notes.ts';
import { scheduleConfig, type ScheduleConfig } from '../core/scheduler/config.ts';
import type { SchedulerEvent, SchedulerStatus } from '../core/scheduler/scheduler.ts';
import type { AppMenuActions, AppMenuState, ConsolePage } from './menu.ts';
import { keepRunningInTray, type TrayActions, type TrayController, type TrayState } from './tray.ts';

// What the desktop app does around the scheduler: tray, application menu, start at login,
// close-to-tray, settings applied live. All decisions live here, with the Electron calls behind
// the DesktopShell interface (implemented in shell.ts), so this file never loads Electron and
// is tested with a real Scheduler and a fake shell.

/** The part of the Scheduler the desktop uses (the class from core/scheduler satisfies it). */
export interface DesktopScheduler {
  start(): void;
  stop(): Promise<void>;
  update(config: ScheduleConfig): void;
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  runNow(): Promise<void>;
  status(n?: number): SchedulerStatus;
}

/** The Electron side: each member is one native call or a window action. */
export interface DesktopShell {
  /** Null when the desktop has no tray (some Linux panels) or it could not be created. */
  createTray(state: TrayState, actions: TrayActions): TrayController | null;
  installMenu(state: AppMenuState, actions: AppMenuActions): void;
  applyLoginItem(enabled: boolean): void;
  showWindow(page?: ConsolePage): void;
  openLogsFolder(): void;
  openMethodNotes(): void;
  quit(): void;
}

export interface Timers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface DesktopOptions {
  scheduler: DesktopScheduler;
  /** The live settings (the console replaces its context when the analytics database changes). */
  settings: () => Settings;
  /** A run or backfill started in the console (JobManager) is going. */
  consoleBusy: () => boolean;
  shell: DesktopShell;
  platform: NodeJS.Platform;
  appName: string;
  isPackaged: boolean;
  log: Logger;
  /** How often the tray tooltip and menus are brought up to date (next run, running). */
  refreshMs?: number;
  timers?: Timers;
}

/** The desktop-relevant slice of the settings, compared to decide what to re-apply. */
export interface DesktopSettings {
  schedule: ScheduleConfig;
  keepInTray: boolean;
  startAtLogin: boolean;
}

export function desktopSettingsOf(settings: Settings): DesktopSettings {
  return { schedule: scheduleConfig(settings), keepInTray: settings.schedule.keepInTray, startAtLogin: settings.schedule.startAtLogin };
}

export interface DesktopChanges {
  schedule: boolean;
  keepInTray: boolean;
  startAtLogin: boolean;
}

export function desktopChanges(before: DesktopSettings, after: DesktopSettings): DesktopChanges {
  return {
    schedule: JSON.stringify(before.schedule) !== JSON.stringify(after.schedule),
    keepInTray: before.keepInTray !== after.keepInTray,
    startAtLogin: before.startAtLogin !== after.startAtLogin,
  };
}

const FINISHED: ReadonlySet<SchedulerEvent['outcome']> = new Set(['completed', 'failed', 'cancelled', 'error']);

/** The newest scheduler attempt that actually ran (or could not start), for the tray tooltip. */
export function lastRunOf(history: readonly SchedulerEvent[]): TrayState['lastRun'] {
  const event = history.find((e) => FINISHED.has(e.outcome));
  if (!event) return null;
  return { status: event.outcome === 'error' ? 'could not start' : event.outcome, at: new Date(event.at) };
}

export function trayStateOf(status: SchedulerStatus, consoleBusy: boolean): TrayState {
  const next = status.nextRuns[0];
  return {
    schedulePaused: status.paused,
    scheduleEnabled: status.enabled,
    running: status.running || consoleBusy,
    nextRun: next ? new Date(next) : null,
    timezone: status.timezone,
    lastRun: lastRunOf(status.history),
  };
}

/** The method notes as a plain text file a person can open with any viewer. */
export function methodNotesText(sections: readonly NoteSection[], appName = 'Cogniforce Analytics'): string {
  const title = `${appName}: how the estimates are made`;
  const parts = [title, '='.repeat(title.length), ''];
  for (const section of sections) {
    parts.push(section.title, '-'.repeat(section.title.length), '');
    for (const paragraph of section.paragraphs) parts.push(paragraph, '');
  }
  return parts.join('\n');
}

const DEFAULT_REFRESH_MS = 30_000;

export class DesktopController {
  private readonly options: DesktopOptions;
  private readonly timers: Timers;
  private applied: DesktopSettings;
  private tray: TrayController | null = null;
  private refreshTimer: unknown = null;
  private quitting = false;
  private started = false;
  private lastTrayKey = '';
  private lastMenuKey = '';

  private readonly trayActions: TrayActions;
  private readonly menuActions: AppMenuActions;

  constructor(options: DesktopOptions) {
    this.options = options;
    this.timers = options.timers ?? { setInterval: (cb, ms) => setInterval(cb, ms), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) };
    this.applied = desktopSettingsOf(options.settings());
    const shell = options.shell;
    this.trayActions = {
      open: () => shell.showWindow(),
      runNow: () => this.runNow(),
      togglePause: () => this.togglePause(),
      quit: () => shell.quit(),
    };
    this.menuActions = {
      navigate: (page) => shell.showWindow(page),
      runNow: () => this.runNow(),
      togglePause: () => this.togglePause(),
      openLogsFolder: () => shell.openLogsFolder(),
      openMethodNotes: () => shell.openMethodNotes(),
    };
  }

  /** Registers the login item, shows the tray and menu, starts the scheduler (which catches up missed nights). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.guard('apply start at login', () => this.options.shell.applyLoginItem(this.applied.startAtLogin));
    if (this.applied.keepInTray) this.guard('show the tray icon', () => this.openTray());
    this.options.scheduler.start();
    this.refresh(true);
    this.refreshTimer = this.timers.setInterval(() => this.refresh(), this.options.refreshMs ?? DEFAULT_REFRESH_MS);
  }

  /** The settings hook (RuntimeOptions.onSettingsChanged): applies what changed; never throws. */
  settingsChanged(settings: Settings): void {
    this.guard('apply the new settings', () => {
      const next = desktopSettingsOf(settings);
      const changed = desktopChanges(this.applied, next);
      this.applied = next;
      if (!this.started) return;
      if (changed.schedule) this.options.scheduler.update(next.schedule);
      if (changed.startAtLogin) this.options.shell.applyLoginItem(next.startAtLogin);
      if (changed.keepInTray) {
        if (next.keepInTray) this.openTray();
        else this.closeTray();
      }
      this.refresh(true);
    });
  }

  /** Tray and menu "Run now": the scheduled range at once, notified like a night. */
  runNow(): void {
    if (this.isRunning()) {
      this.options.log.info('Run now ignored: a run is already in progress.');
      return;
    }
    const run = this.options.scheduler.runNow();
    this.refresh();
    void run
      .catch((error: unknown) => this.options.log.error('Run now failed:', error))
      .finally(() => this.refresh());
  }

  togglePause(): void {
    const scheduler = this.options.scheduler;
    if (scheduler.isPaused()) scheduler.resume();
    else scheduler.pause();
    this.refresh();
  }

  /** A night the scheduler started is going (PlatformHooks.runInProgress: settings that a run reads stay locked). */
  runInProgress(): boolean {
    return this.options.scheduler.status(1).running;
  }

  isRunning(): boolean {
    return this.runInProgress() || this.options.consoleBusy();
  }

  /** Whether closing the window should hide it instead (the app stays in the tray for the schedule). */
  shouldHideOnClose(): boolean {
    return this.tray !== null && keepRunningInTray({ keepInTray: this.applied.keepInTray, scheduleEnabled: this.applied.schedule.enabled, quitting: this.quitting });
  }

  /**
   * Whether to open the window at start: always, except a login launch (--hidden) that the tray
   * keeps alive — without a tray a hidden app could only be found in the task manager.
   */
  shouldOpenWindowAtStart(hiddenLaunch: boolean): boolean {
    if (!hiddenLaunch) return true;
    return !(this.tray !== null && this.applied.keepInTray && this.applied.schedule.enabled);
  }

  /** before-quit: from here on, closing windows really closes them. */
  beginQuit(): void {
    this.quitting = true;
  }

  isQuitting(): boolean {
    return this.quitting;
  }

  /** Stops the timers and the scheduler (a running night is cancelled, its stored work kept). */
  async shutdown(): Promise<void> {
    this.quitting = true;
    if (this.refreshTimer !== null) this.timers.clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    await this.options.scheduler.stop();
    this.closeTray();
    this.started = false;
  }

  /** Brings tray and menu up to date; only touches them when something they show changed. */
  refresh(force = false): void {
    this.guard('update the tray and menu', () => {
      const status = this.options.scheduler.status(1);
      const consoleBusy = this.options.consoleBusy();
      const trayState = trayStateOf(status, consoleBusy);
      const trayKey = JSON.stringify(trayState);
      if (this.tray && (force || trayKey !== this.lastTrayKey)) this.tray.update(trayState);
      this.lastTrayKey = trayKey;
      const menuState: AppMenuState = {
        platform: this.options.platform,
        appName: this.options.appName,
        isPackaged: this.options.isPackaged,
        schedulePaused: status.paused,
        running: trayState.running,
      };
      const menuKey = JSON.stringify(menuState);
      if (force || menuKey !== this.lastMenuKey) this.options.shell.installMenu(menuState, this.menuActions);
      this.lastMenuKey = menuKey;
    });
  }

  private openTray(): void {
    if (this.tray) return;
    this.tray = this.options.shell.createTray(trayStateOf(this.options.scheduler.status(1), this.options.consoleBusy()), this.trayActions);
    if (!this.tray) this.options.log.warn('No tray icon on this desktop: closing the window quits the app, and the schedule runs only while it is open.');
  }

  private closeTray(): void {
    this.tray?.destroy();
    this.tray = null;
  }

  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.options.log.error(`Could not ${what}:`, error);
    }
  }
}
