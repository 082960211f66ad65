import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, test } from 'vitest';
import { appMenuTemplate, type AppMenuActions, type AppMenuState } from '../../../src/main/electron/menu.ts';
import { keepRunningInTray, nextRunLabel, trayMenuTemplate, trayTooltip, type TrayActions, type TrayState } from '../../../src/main/electron/tray.ts';

// Menus are pure functions of state: checked here without Electron.

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function byLabel(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = flatten(items).find((item) => item.label === label);
  if (!found) throw new Error(`no item "${label}"`);
  return found;
}

function click(item: MenuItemConstructorOptions): void {
  (item.click as (() => void) | undefined)?.();
}

const trayState: TrayState = {
  schedulePaused: false,
  scheduleEnabled: true,
  running: false,
  nextRun: new Date('2026-03-28T23:00:00Z'),
  timezone: 'Europe/Budapest',
};

function trayActions(): TrayActions & { calls: string[] } {
  const calls: string[] = [];
  return { calls, open: () => calls.push('open'), runNow: () => calls.push('runNow'), togglePause: () => calls.push('togglePause'), quit: () => calls.push('quit') };
}

describe('tray', () => {
  test('menu: open, next run, run now, pause schedule, quit — each wired', () => {
    const actions = trayActions();
    const menu = trayMenuTemplate(trayState, actions);
    expect(menu.filter((i) => i.type !== 'separator').map((i) => i.label)).toEqual([
      'Open Cogniforce Analytics',
      'Next run: Sun 29 Mar, 00:00',
      'Run Now',
      'Pause Schedule',
      'Quit',
    ]);
    for (const label of ['Open Cogniforce Analytics', 'Run Now', 'Pause Schedule', 'Quit']) click(byLabel(menu, label));
    expect(actions.calls).toEqual(['open', 'runNow', 'togglePause', 'quit']);
  });

  test('paused, running and disabled states', () => {
    const paused = trayMenuTemplate({ ...trayState, schedulePaused: true }, trayActions());
    expect(byLabel(paused, 'Pause Schedule')).toMatchObject({ type: 'checkbox', checked: true });
    expect(nextRunLabel({ ...trayState, schedulePaused: true })).toBe('Schedule paused');
    const running = trayMenuTemplate({ ...trayState, running: true }, trayActions());
    expect(byLabel(running, 'Run Now').enabled).toBe(false);
    expect(byLabel(running, 'Run in progress…').enabled).toBe(false);
    const off = trayMenuTemplate({ ...trayState, scheduleEnabled: false }, trayActions());
    expect(byLabel(off, 'Pause Schedule').enabled).toBe(false);
    expect(nextRunLabel({ ...trayState, scheduleEnabled: false })).toMatch(/Schedule off/);
  });

  test('tooltip shows the next run and the last run in the schedule zone', () => {
    expect(trayTooltip({ ...trayState, lastRun: { status: 'failed', at: new Date('2026-03-28T23:00:05Z') } })).toBe(
      'Cogniforce Analytics\nNext run: Sun 29 Mar, 00:00\nLast run failed, Sun 29 Mar, 00:00',
    );
  });

  test('closing the window keeps the app in the tray only when the schedule needs it', () => {
    expect(keepRunningInTray({ keepInTray: true, scheduleEnabled: true, quitting: false })).toBe(true);
    expect(keepRunningInTray({ keepInTray: true, scheduleEnabled: false, quitting: false })).toBe(false);
    expect(keepRunningInTray({ keepInTray: false, scheduleEnabled: true, quitting: false })).toBe(false);
    expect(keepRunningInTray({ keepInTray: true, scheduleEnabled: true, quitting: true })).toBe(false);
  });
});

describe('application menu', () => {
  const state: AppMenuState = { platform: 'linux', appName: 'Cogniforce Analytics', isPackaged: true, schedulePaused: false, running: false };
  const actions = (): AppMenuActions & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      navigate: (page) => calls.push(`navigate:${page}`),
      runNow: () => calls.push('runNow'),
      togglePause: () => calls.push('togglePause'),
      openLogsFolder: () => calls.push('logs'),
      openMethodNotes: () => calls.push('method'),
    };
  };

  test('usual accelerators: settings, copy/paste roles, pages by number, zoom, run now', () => {
    const a = actions();
    const menu = appMenuTemplate(state, a);
    const items = flatten(menu);
    expect(byLabel(menu, 'Settings').accelerator).toBe('CmdOrCtrl+,');
    expect(byLabel(menu, 'Run Now').accelerator).toBe('CmdOrCtrl+Shift+R');
    expect(items.filter((i) => /^CmdOrCtrl\+\d$/.test(String(i.accelerator))).map((i) => i.label)).toEqual(['Dashboard', 'Conversations', 'Users', 'Runs', 'Schedule', 'Reports', 'Health']);
    const roles = items.map((i) => i.role).filter(Boolean);
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen', 'minimize', 'quit']) expect(roles).toContain(role);
    // No accelerator is used twice.
    const accelerators = items.map((i) => i.accelerator).filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);
    click(byLabel(menu, 'Conversations'));
    click(byLabel(menu, 'Open Logs Folder'));
    click(byLabel(menu, 'Pause Schedule'));
    expect(a.calls).toEqual(['navigate:conversations', 'logs', 'togglePause']);
  });

  test('developer items only in development builds', () => {
    const roles = (s: AppMenuState): unknown[] => flatten(appMenuTemplate(s, actions())).map((i) => i.role);
    expect(roles(state)).not.toContain('toggleDevTools');
    expect(roles({ ...state, isPackaged: false })).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  test('macOS: app menu first with settings, services, hide, quit; no quit under File', () => {
    const menu = appMenuTemplate({ ...state, platform: 'darwin', schedulePaused: true }, actions());
    expect(menu[0]!.label).toBe('Cogniforce Analytics');
    const appRoles = (menu[0]!.submenu as MenuItemConstructorOptions[]).map((i) => i.role ?? i.label);
    expect(appRoles).toEqual(expect.arrayContaining(['about', 'Settings…', 'services', 'hide', 'hideOthers', 'unhide', 'quit']));
    const file = menu.find((m) => m.label === '&File')!.submenu as MenuItemConstructorOptions[];
    expect(file.map((i) => i.role)).not.toContain('quit');
    expect(file.map((i) => i.label)).toContain('Resume Schedule');
  });

  test('Run Now is disabled while a run is going', () => {
    expect(byLabel(appMenuTemplate({ ...state, running: true }, actions()), 'Run Now').enabled).toBe(false);
  });
});

