import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  applyLinuxAutostart,
  applyLoginItem,
  HIDDEN_ARG,
  isHiddenLaunch,
  isLinuxAutostartEnabled,
  launcherPath,
  linuxAutostartEntry,
  type LoginItemApp,
} from '../../../src/main/electron/login-item.ts';
import { DEFAULT_WINDOW_STATE, fitToDisplays, loadWindowState, saveWindowState } from '../../../src/main/electron/window-state.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'cf-electron-logic-'));

describe('window state', () => {
  test('round-trips through the JSON file; missing or corrupt files give the defaults', () => {
    const dir = tmp();
    const file = path.join(dir, 'window-state.json');
    expect(loadWindowState(file)).toEqual(DEFAULT_WINDOW_STATE);
    saveWindowState(file, { x: 40, y: 30, width: 1400, height: 900, maximized: true });
    expect(loadWindowState(file)).toEqual({ x: 40, y: 30, width: 1400, height: 900, maximized: true });
    fs.writeFileSync(file, '{"width": -5');
    expect(loadWindowState(file)).toEqual(DEFAULT_WINDOW_STATE);
    fs.writeFileSync(file, '{"width": -5, "height": 10}');
    expect(loadWindowState(file)).toEqual(DEFAULT_WINDOW_STATE);
  });

  const laptop = { x: 0, y: 0, width: 1440, height: 875 };
  const external = { x: 1440, y: 0, width: 2560, height: 1415 };

  test('a window on a monitor that is gone is re-centred (position dropped) and shrunk to fit', () => {
    const saved = { x: 2000, y: 200, width: 2200, height: 1300, maximized: false };
    expect(fitToDisplays(saved, [laptop, external])).toEqual(saved);
    expect(fitToDisplays(saved, [laptop])).toEqual({ width: 1440, height: 875, maximized: false });
  });

  test('a window partly off-screen but with its title bar reachable stays', () => {
    expect(fitToDisplays({ x: -200, y: 10, width: 1000, height: 700, maximized: false }, [laptop])).toMatchObject({ x: -200, y: 10 });
    expect(fitToDisplays({ x: 100, y: -300, width: 1000, height: 700, maximized: false }, [laptop])).not.toHaveProperty('x');
  });

  test('never smaller than the minimum when the display allows it', () => {
    expect(fitToDisplays({ width: 300, height: 200, maximized: false }, [laptop])).toEqual({ width: 960, height: 600, maximized: false });
  });
});

describe('start at login', () => {
  function fakeApp(isPackaged: boolean): LoginItemApp & { calls: unknown[] } {
    const calls: unknown[] = [];
    return {
      calls,
      isPackaged,
      setLoginItemSettings: (settings) => void calls.push(settings),
      getLoginItemSettings: () => ({ openAtLogin: false }) as ReturnType<LoginItemApp['getLoginItemSettings']>,
    };
  }

  test('macOS/Windows use the login item API with --hidden; dev builds are left alone', () => {
    const app = fakeApp(true);
    expect(applyLoginItem(app, true, { platform: 'win32' })).toBe(true);
    expect(applyLoginItem(app, false, { platform: 'darwin' })).toBe(true);
    expect(app.calls).toEqual([
      { openAtLogin: true, args: [HIDDEN_ARG] },
      { openAtLogin: false, args: [] },
    ]);
    const dev = fakeApp(false);
    expect(applyLoginItem(dev, true, { platform: 'win32' })).toBe(false);
    expect(dev.calls).toEqual([]);
  });

  test('Linux writes and removes an XDG autostart entry (the AppImage path when there is one)', () => {
    const env = { XDG_CONFIG_HOME: tmp(), APPIMAGE: '/home/eva/Apps/Cogniforce Analytics.AppImage' };
    const app = fakeApp(true);
    applyLoginItem(app, true, { platform: 'linux', execPath: '/tmp/.mount_x/cogniforce-analytics', env });
    const file = path.join(env.XDG_CONFIG_HOME, 'autostart', 'cogniforce-analytics.desktop');
    expect(fs.readFileSync(file, 'utf8')).toContain('Exec="/home/eva/Apps/Cogniforce Analytics.AppImage" --hidden\n');
    expect(isLinuxAutostartEnabled(env)).toBe(true);
    applyLinuxAutostart(false, '/unused', env);
    expect(isLinuxAutostartEnabled(env)).toBe(false);
    expect(app.calls).toEqual([]);
  });

  test('desktop entry and hidden launch detection', () => {
    expect(linuxAutostartEntry('/opt/Cogniforce/cogniforce-analytics')).toMatch(/^\[Desktop Entry\]\nType=Application\n.*Exec=\/opt\/Cogniforce\/cogniforce-analytics --hidden\n/s);
    expect(launcherPath('/usr/bin/x', {})).toBe('/usr/bin/x');
    expect(isHiddenLaunch(['/app', HIDDEN_ARG])).toBe(true);
    expect(isHiddenLaunch(['/app'])).toBe(false);
    expect(isHiddenLaunch(['/app'], true)).toBe(true);
  });
});
