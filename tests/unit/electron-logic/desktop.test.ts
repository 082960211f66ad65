import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Notification as ElectronNotification } from 'electron';
import { afterEach, describe, expect, test } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { createAppContext } from '../../../src/main/core/app/context.ts';
import { defaultSettings, type Settings } from '../../../src/main/core/config/settings.ts';
import { createHandlers, createRuntime } from '../../../src/main/core/handlers.ts';
import type { Logger } from '../../../src/main/core/log/index.ts';
import { methodNotes } from '../../../src/main/core/reports/method-notes.ts';
import { scheduleConfig } from '../../../src/main/core/scheduler/config.ts';
import { Scheduler, type NightlyInput, type NightlyOutcome, type SchedulerJobs } from '../../../src/main/core/scheduler/scheduler.ts';
import { MemorySecretStore } from '../../../src/main/core/secrets/store.ts';
import {
  DesktopController,
  desktopChanges,
  desktopSettingsOf,
  lastRunOf,
  methodNotesText,
  trayStateOf,
  type DesktopShell,
  type Timers,
} from '../../../src/main/electron/desktop.ts';
import type { AppMenuActions, AppMenuState, ConsolePage } from '../../../src/main/electron/menu.ts';
import { createNativeNotifier } from '../../../src/main/electron/notifications.ts';
import { catchProcessErrors, consoleLogOf } from '../../../src/main/electron/process-errors.ts';
import type { TrayActions, TrayState } from '../../../src/main/electron/tray.ts';
import { FakeClock } from '../scheduler/fake-clock.ts';

// The desktop controller with a real Scheduler on a fake clock and a recording shell: what the
// Electron entry does with the tray, the menu, the login item, closing the window and settings
// changes, without Electron.

const ZONE = 'Europe/Budapest';
const START = new TZDate(2026, 2, 10, 14, 0, 0, ZONE).getTime();

interface LogLines extends Logger {
  lines: string[];
}

function recordingLog(): LogLines {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (...parts: unknown[]): void =>
      void lines.push(`${level} ${parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ')}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), verbose: push('verbose'), debug: push('debug') };
}

function settingsWith(change: (s: Settings) => void = () => undefined): Settings {
  const settings = defaultSettings();
  settings.processing.timezone = ZONE;
  change(settings);
  return settings;
}

interface RecordingShell extends DesktopShell {
  trays: Array<{ states: TrayState[]; actions: TrayActions; destroyed: boolean }>;
  menus: Array<{ state: AppMenuState; actions: AppMenuActions }>;
  loginItem: boolean[];
  shown: Array<ConsolePage | undefined>;
  quits: number;
  opened: string[];
}

function recordingShell(options: { noTray?: boolean; loginItemThrows?: boolean } = {}): RecordingShell {
  const shell: RecordingShell = {
    trays: [],
    menus: [],
    loginItem: [],
    shown: [],
    quits: 0,
    opened: [],
    createTray(state, actions) {
      if (options.noTray) return null;
      const tray = { states: [state], actions, destroyed: false };
      shell.trays.push(tray);
      return { update: (s) => void tray.states.push(s), destroy: () => void (tray.destroyed = true) };
    },
    installMenu(state, actions) {
      shell.menus.push({ state, actions });
    },
    applyLoginItem(enabled) {
      if (options.loginItemThrows) throw new Error('login items are managed by the administrator');
      shell.loginItem.push(enabled);
    },
    showWindow(page) {
      shell.shown.push(page);
    },
    openLogsFolder() {
      shell.opened.push('logs');
    },
    openMethodNotes() {
      shell.opened.push('method notes');
    },
    quit() {
      shell.quits += 1;
    },
  };
  return shell;
}

function fakeTimers(): Timers & { intervals: Array<{ cb: () => void; ms: number; cleared: boolean }> } {
  const intervals: Array<{ cb: () => void; ms: number; cleared: boolean }> = [];
  return {
    intervals,
    setInterval: (cb, ms) => {
      const handle = { cb, ms, cleared: false };
      intervals.push(handle);
      return handle;
    },
    clearInterval: (handle) => void ((handle as { cleared: boolean }).cleared = true),
  };
}

interface Harness {
  clock: FakeClock;
  scheduler: Scheduler;
  controller: DesktopController;
  shell: RecordingShell;
  timers: ReturnType<typeof fakeTimers>;
  log: LogLines;
  nights: NightlyInput[];
  live: { settings: Settings; consoleBusy: boolean };
  /** Lets the scheduler's async work run to completion. */
  settle(): Promise<void>;
}

function harness(options: {
  settings?: Settings;
  nightly?: (input: NightlyInput) => Promise<NightlyOutcome>;
  shell?: RecordingShell;
  jobs?: Partial<SchedulerJobs>;
  notifier?: ConstructorParameters<typeof Scheduler>[0]['notifier'];
}): Harness {
  const clock = new FakeClock(START);
  const log = recordingLog();
  const live = { settings: options.settings ?? settingsWith(), consoleBusy: false };
  const nights: NightlyInput[] = [];
  let controller: DesktopController | null = null;
  const scheduler = new Scheduler({
    config: scheduleConfig(live.settings),
    clock,
    logger: log,
    notifier: options.notifier,
    // As index.ts wires it: tray and menu follow a night's start and end at once.
    onRunningChange: () => controller?.refresh(),
    jobs: {
      async nightly(input) {
        nights.push(input);
        return options.nightly ? options.nightly(input) : { kind: 'up-to-date', message: 'Every day is analysed.' };
      },
      ...options.jobs,
    },
  });
  const shell = options.shell ?? recordingShell();
  const timers = fakeTimers();
  controller = new DesktopController({
    scheduler,
    settings: () => live.settings,
    consoleBusy: () => live.consoleBusy,
    shell,
    platform: 'linux',
    appName: 'Cogniforce Analytics',
    isPackaged: true,
    log,
    timers,
  });
  return { clock, scheduler, controller, shell, timers, log, nights, live, settle: () => scheduler.settled() };
}

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.controller.shutdown();
});

function started(options: Parameters<typeof harness>[0] = {}): Harness {
  const h = harness(options);
  running.push(h);
  h.controller.start();
  return h;
}

describe('desktop controller: start', () => {
  test('registers the login item from settings, shows tray and menu, starts the scheduler (catch-up at once)', async () => {
    const h = started({ settings: settingsWith((s) => (s.schedule.startAtLogin = true)) });
    await h.settle();
    expect(h.shell.loginItem).toEqual([true]);
    expect(h.shell.trays).toHaveLength(1);
    expect(h.shell.menus.length).toBeGreaterThanOrEqual(1);
    expect(h.nights.map((n) => n.reason)).toEqual(['catch-up']);
    const tray = h.shell.trays[0]!;
    const last = tray.states.at(-1)!;
    expect(last).toMatchObject({ scheduleEnabled: true, schedulePaused: false, running: false, timezone: ZONE });
    // 00:00 Budapest on the next day.
    expect(last.nextRun?.toISOString()).toBe('2026-03-10T23:00:00.000Z');
    expect(h.timers.intervals).toHaveLength(1);
  });

  test('no tray when the setting says so; closing the window then quits', () => {
    const h = started({ settings: settingsWith((s) => (s.schedule.keepInTray = false)) });
    expect(h.shell.trays).toHaveLength(0);
    expect(h.controller.shouldHideOnClose()).toBe(false);
  });

  test('a desktop without a tray: warned, and the window is never hidden where nobody could find it', () => {
    const h = started({ shell: recordingShell({ noTray: true }) });
    expect(h.log.lines.some((l) => l.startsWith('warn No tray icon'))).toBe(true);
    expect(h.controller.shouldHideOnClose()).toBe(false);
    expect(h.controller.shouldOpenWindowAtStart(true)).toBe(true);
  });

  test('a failing login item registration is logged, not fatal', () => {
    const h = started({ shell: recordingShell({ loginItemThrows: true }) });
    expect(h.log.lines.some((l) => l.includes('Could not apply start at login') && l.includes('administrator'))).toBe(true);
    expect(h.shell.trays).toHaveLength(1);
  });
});

describe('desktop controller: window closing and hidden launches', () => {
  test('closing hides the window while the tray keeps the schedule; not once quitting', () => {
    const h = started({});
    expect(h.controller.shouldHideOnClose()).toBe(true);
    h.controller.beginQuit();
    expect(h.controller.isQuitting()).toBe(true);
    expect(h.controller.shouldHideOnClose()).toBe(false);
  });

  test('with the schedule off, closing the window quits (nothing to stay for)', () => {
    const h = started({ settings: settingsWith((s) => (s.schedule.enabled = false)) });
    expect(h.controller.shouldHideOnClose()).toBe(false);
  });

  test('a login launch starts in the tray only when the tray keeps it alive', () => {
    expect(started({}).controller.shouldOpenWindowAtStart(true)).toBe(false);
    expect(started({}).controller.shouldOpenWindowAtStart(false)).toBe(true);
    expect(started({ settings: settingsWith((s) => (s.schedule.enabled = false)) }).controller.shouldOpenWindowAtStart(true)).toBe(true);
    expect(started({ settings: settingsWith((s) => (s.schedule.keepInTray = false)) }).controller.shouldOpenWindowAtStart(true)).toBe(true);
  });
});

describe('desktop controller: tray and menu actions', () => {
  test('tray: open, run now (a manual night), pause/resume, quit', async () => {
    const h = started({});
    await h.settle();
    const tray = h.shell.trays[0]!;
    tray.actions.open();
    expect(h.shell.shown).toEqual([undefined]);

    tray.actions.runNow();
    await h.settle();
    expect(h.nights.map((n) => n.reason)).toEqual(['catch-up', 'manual']);

    tray.actions.togglePause();
    expect(h.scheduler.isPaused()).toBe(true);
    expect(tray.states.at(-1)).toMatchObject({ schedulePaused: true, nextRun: null });
    expect(h.shell.menus.at(-1)!.state.schedulePaused).toBe(true);
    tray.actions.togglePause();
    expect(h.scheduler.isPaused()).toBe(false);
    expect(tray.states.at(-1)!.schedulePaused).toBe(false);

    tray.actions.quit();
    expect(h.shell.quits).toBe(1);
  });

  test('while a night runs, tray and menu show it and "Run now" does not start a second one', async () => {
    let finish: (outcome: NightlyOutcome) => void = () => undefined;
    const h = started({ nightly: () => new Promise((resolve) => (finish = resolve)) });
    // The catch-up night is running now.
    h.controller.refresh();
    expect(h.shell.trays[0]!.states.at(-1)!.running).toBe(true);
    expect(h.shell.menus.at(-1)!.state.running).toBe(true);
    expect(h.controller.runInProgress()).toBe(true);
    h.controller.runNow();
    expect(h.nights).toHaveLength(1);
    expect(h.log.lines).toContain('info Run now ignored: a run is already in progress.');
    finish({ kind: 'completed', runId: 7, message: 'Run #7: 3 analysed.' });
    await h.settle();
    h.controller.refresh();
    expect(h.shell.trays[0]!.states.at(-1)).toMatchObject({ running: false, lastRun: { status: 'completed' } });
    expect(h.controller.runInProgress()).toBe(false);
  });

  test('a console run or backfill also disables "Run now"', async () => {
    const h = started({});
    await h.settle();
    h.live.consoleBusy = true;
    h.controller.refresh();
    expect(h.shell.menus.at(-1)!.state.running).toBe(true);
    h.controller.runNow();
    expect(h.nights).toHaveLength(1);
    expect(h.controller.runInProgress()).toBe(false);
  });

  test('menu actions open pages, logs and the method notes', () => {
    const h = started({});
    const actions = h.shell.menus.at(-1)!.actions;
    actions.navigate('settings');
    actions.openLogsFolder();
    actions.openMethodNotes();
    expect(h.shell.shown).toEqual(['settings']);
    expect(h.shell.opened).toEqual(['logs', 'method notes']);
  });

  test('the periodic refresh re-renders only what changed', async () => {
    const h = started({});
    await h.settle();
    const menus = h.shell.menus.length;
    const trayUpdates = h.shell.trays[0]!.states.length;
    h.timers.intervals[0]!.cb();
    h.timers.intervals[0]!.cb();
    expect(h.shell.menus.length).toBe(menus);
    expect(h.shell.trays[0]!.states.length).toBe(trayUpdates);
    // Midnight passed: the next run moved on, the tooltip follows.
    h.clock.jump(12 * 3_600_000);
    h.timers.intervals[0]!.cb();
    expect(h.shell.trays[0]!.states.length).toBe(trayUpdates + 1);
    expect(h.shell.menus.length).toBe(menus);
  });
});

describe('desktop controller: settings applied without restart', () => {
  test('a new cron and zone re-arm the scheduler; start at login and the tray follow their settings', async () => {
    const h = started({});
    await h.settle();
    h.live.settings = settingsWith((s) => {
      s.schedule.cron = '30 2 * * *';
      s.schedule.timezone = 'UTC';
      s.schedule.startAtLogin = true;
    });
    h.controller.settingsChanged(h.live.settings);
    expect(h.scheduler.status().cron).toBe('30 2 * * *');
    expect(h.scheduler.status().timezone).toBe('UTC');
    expect(h.shell.loginItem).toEqual([false, true]);
    expect(h.shell.trays[0]!.states.at(-1)!.nextRun?.toISOString()).toBe('2026-03-11T02:30:00.000Z');

    h.live.settings = settingsWith((s) => {
      s.schedule.cron = '30 2 * * *';
      s.schedule.timezone = 'UTC';
      s.schedule.startAtLogin = true;
      s.schedule.keepInTray = false;
    });
    h.controller.settingsChanged(h.live.settings);
    expect(h.shell.trays[0]!.destroyed).toBe(true);
    expect(h.controller.shouldHideOnClose()).toBe(false);

    h.live.settings = settingsWith((s) => {
      s.schedule.cron = '30 2 * * *';
      s.schedule.timezone = 'UTC';
      s.schedule.startAtLogin = true;
    });
    h.controller.settingsChanged(h.live.settings);
    expect(h.shell.trays).toHaveLength(2);
    expect(h.controller.shouldHideOnClose()).toBe(true);
  });

  test('turning the schedule on catches up at once; unrelated changes leave scheduler and login item alone', async () => {
    const h = started({ settings: settingsWith((s) => (s.schedule.enabled = false)) });
    await h.settle();
    expect(h.nights).toHaveLength(0);
    const schedulerLines = (): number => h.log.lines.filter((l) => l.includes('Schedule changed')).length;

    h.live.settings = settingsWith((s) => {
      s.schedule.enabled = false;
      s.value.currency = 'HUF';
    });
    h.controller.settingsChanged(h.live.settings);
    expect(schedulerLines()).toBe(0);
    expect(h.shell.loginItem).toEqual([false]);

    h.live.settings = settingsWith();
    h.controller.settingsChanged(h.live.settings);
    await h.settle();
    expect(schedulerLines()).toBe(1);
    expect(h.nights.map((n) => n.reason)).toEqual(['catch-up']);
  });

  test('the slice compared is the scheduler config plus the two window options', () => {
    const base = desktopSettingsOf(settingsWith());
    expect(desktopChanges(base, desktopSettingsOf(settingsWith((s) => (s.value.hourlyRate = 99))))).toEqual({ schedule: false, keepInTray: false, startAtLogin: false });
    expect(desktopChanges(base, desktopSettingsOf(settingsWith((s) => (s.schedule.notifyOnSuccess = true))))).toEqual({ schedule: true, keepInTray: false, startAtLogin: false });
    expect(desktopChanges(base, desktopSettingsOf(settingsWith((s) => (s.processing.timezone = 'UTC'))))).toMatchObject({ schedule: true });
  });
});

describe('desktop controller: shutdown', () => {
  test('cancels the running night, removes the tray and stops refreshing', async () => {
    let signal: AbortSignal | null = null;
    const h = harness({
      nightly: (input) =>
        new Promise((resolve) => {
          signal = input.signal;
          input.signal.addEventListener('abort', () => resolve({ kind: 'cancelled', runId: 3, message: 'cancelled' }));
        }),
    });
    h.controller.start();
    expect(h.controller.runInProgress()).toBe(true);
    await h.controller.shutdown();
    expect(signal!.aborted).toBe(true);
    expect(h.controller.runInProgress()).toBe(false);
    expect(h.shell.trays[0]!.destroyed).toBe(true);
    expect(h.timers.intervals[0]!.cleared).toBe(true);
    expect(h.controller.isQuitting()).toBe(true);
  });
});

describe('notifications from the scheduler through the native notifier', () => {
  class FakeNotification {
    static shown: Array<Record<string, unknown>> = [];
    static isSupported(): boolean {
      return true;
    }
    constructor(readonly options: Record<string, unknown>) {}
    on(): this {
      return this;
    }
    show(): void {
      FakeNotification.shown.push(this.options);
    }
  }

  function notifierFor(settings: Settings) {
    FakeNotification.shown = [];
    return createNativeNotifier({ Notification: FakeNotification as unknown as typeof ElectronNotification }, { prefs: () => scheduleConfig(settings) });
  }

  test('a failed night is notified with its reason; a completed one only when chosen', async () => {
    const settings = settingsWith();
    const h = started({
      settings,
      notifier: notifierFor(settings),
      nightly: async () => ({ kind: 'failed', runId: 41, message: 'The LLM endpoint refused the API key (401).' }),
    });
    await h.settle();
    expect(FakeNotification.shown).toEqual([{ title: 'Nightly run failed', body: 'Run #41: The LLM endpoint refused the API key (401).', urgency: 'critical', silent: false }]);

    const quiet = settingsWith();
    const ok = started({ settings: quiet, notifier: notifierFor(quiet), nightly: async () => ({ kind: 'completed', runId: 42, message: 'Run #42: 5 analysed.' }) });
    await ok.settle();
    expect(FakeNotification.shown).toEqual([]);

    const chatty = settingsWith((s) => (s.schedule.notifyOnSuccess = true));
    const told = started({ settings: chatty, notifier: notifierFor(chatty), nightly: async () => ({ kind: 'completed', runId: 43, message: 'Run #43: 5 analysed.' }) });
    await told.settle();
    expect(FakeNotification.shown).toEqual([{ title: 'Nightly run completed', body: 'Run #43: 5 analysed.', urgency: 'normal', silent: true }]);
  });

  test('a scheduled export that fails is notified', async () => {
    const settings = settingsWith((s) => (s.schedule.exports = [{ enabled: true, period: 'previous-day', kinds: ['summary'], folder: '/reports' }]));
    const h = started({
      settings,
      notifier: notifierFor(settings),
      nightly: async () => ({ kind: 'completed', runId: 44, message: 'ok' }),
      jobs: { exports: async () => [{ path: '/reports/summary.csv', ok: false, message: 'The folder is read-only.' }] },
    });
    await h.settle();
    expect(FakeNotification.shown).toEqual([expect.objectContaining({ title: 'Scheduled report export failed', body: '/reports/summary.csv: The folder is read-only.' })]);
  });
});

describe('pure helpers', () => {
  test('last run for the tooltip: newest attempt that ran or could not start', () => {
    expect(lastRunOf([])).toBeNull();
    expect(
      lastRunOf([
        { at: '2026-03-11T00:10:00.000Z', day: '2026-03-11', reason: 'retry', outcome: 'locked', message: '' },
        { at: '2026-03-11T00:00:00.000Z', day: '2026-03-11', reason: 'schedule', outcome: 'error', message: '' },
        { at: '2026-03-10T00:00:00.000Z', day: '2026-03-10', reason: 'schedule', outcome: 'completed', message: '' },
      ]),
    ).toEqual({ status: 'could not start', at: new Date('2026-03-11T00:00:00.000Z') });
  });

  test('tray state from the scheduler status', () => {
    const state = trayStateOf(
      { enabled: true, paused: false, running: false, timezone: ZONE, cron: '0 0 * * *', nextRuns: ['2026-03-10T23:00:00.000Z'], nextHealthCheck: null, retryAt: null, lastDayDone: null, lastHealth: null, history: [] },
      true,
    );
    expect(state).toEqual({ schedulePaused: false, scheduleEnabled: true, running: true, nextRun: new Date('2026-03-10T23:00:00.000Z'), timezone: ZONE, lastRun: null });
  });

  test('method notes as text carry every section of the PDF notes', () => {
    const sections = methodNotes({ idleThresholdMinutes: 10, heuristicShare: null });
    const text = methodNotesText(sections);
    for (const section of sections) {
      expect(text).toContain(section.title);
      for (const paragraph of section.paragraphs) expect(text).toContain(paragraph);
    }
  });

  test('uncaught errors and rejections go to the log, handler errors too', () => {
    const log = recordingLog();
    const handlers = new Map<string, (arg: unknown) => void>();
    catchProcessErrors(log, { on: ((event: string, fn: (arg: unknown) => void) => handlers.set(event, fn)) as unknown as NodeJS.Process['on'] });
    handlers.get('uncaughtException')!(new Error('boom'));
    handlers.get('unhandledRejection')!(new Error('later'));
    consoleLogOf(log).error('runs.start failed', new Error('disk full'));
    consoleLogOf(log).error('IPC refused');
    expect(log.lines).toEqual(['error Uncaught exception: boom', 'error Unhandled promise rejection: later', 'error runs.start failed disk full', 'error IPC refused']);
  });
});

describe('settings hook in the console runtime', () => {
  async function runtimeWith(options: { runInProgress?: boolean } = {}) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-desktop-hook-'));
    const settings = settingsWith();
    const context = await createAppContext({ settings: structuredClone(settings), dataDir, secrets: new MemorySecretStore(), env: {} });
    const changes: Settings[] = [];
    const runtime = createRuntime(context, {
      env: {},
      persisted: structuredClone(settings),
      writeFile: false,
      platform: { runInProgress: () => options.runInProgress === true },
      onSettingsChanged: (s) => changes.push(structuredClone(s)),
    });
    return { handlers: createHandlers(runtime), changes, cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }

  test('settings.update calls onSettingsChanged with the live settings; a refused update does not', async () => {
    const r = await runtimeWith();
    await r.handlers['settings.update']({ patch: { schedule: { cron: '15 3 * * *', startAtLogin: true } } });
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]!.schedule).toMatchObject({ cron: '15 3 * * *', startAtLogin: true });
    await expect(r.handlers['settings.update']({ patch: { processing: { timezone: 'Mars/Olympus' } } })).rejects.toThrow();
    expect(r.changes).toHaveLength(1);
    r.cleanup();
  });

  test('while the desktop scheduler runs a night, run inputs are locked but the schedule is not', async () => {
    const r = await runtimeWith({ runInProgress: true });
    await expect(r.handlers['settings.update']({ patch: { processing: { idleThresholdMinutes: 20 } } })).rejects.toMatchObject({ code: 'busy' });
    await r.handlers['settings.update']({ patch: { schedule: { enabled: false } } });
    expect(r.changes.at(-1)!.schedule.enabled).toBe(false);
    r.cleanup();
  });
});
