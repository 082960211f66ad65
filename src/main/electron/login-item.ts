import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'electron';

// "Start at login" so overnight runs happen after a reboot. macOS and Windows use Electron's
// login item API; Linux has none, so we write an XDG autostart entry. A launch at login starts
// hidden (tray only) via the --hidden argument.

export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE = 'cogniforce-analytics.desktop';

/** True when this launch came from the login item (start in the tray, no window). */
export function isHiddenLaunch(argv: readonly string[], openedAtLogin = false): boolean {
  return openedAtLogin || argv.includes(HIDDEN_ARG);
}

/** The executable to register: the AppImage itself when running from one (its mount point changes each launch). */
export function launcherPath(execPath: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.APPIMAGE || execPath;
}

/** XDG desktop entry (freedesktop.org autostart spec) that starts the app hidden. */
export function linuxAutostartEntry(execPath: string, appName = 'Cogniforce Analytics'): string {
  const quoted = /[\s"'\\$`]/.test(execPath) ? `"${execPath.replace(/(["\\$`])/g, '\\$1')}"` : execPath;
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${appName}`,
    'Comment=Overnight analysis of AI time savings',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function linuxAutostartPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'autostart', AUTOSTART_FILE);
}

export function applyLinuxAutostart(enabled: boolean, execPath: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = linuxAutostartPath(env);
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, linuxAutostartEntry(launcherPath(execPath, env)));
}

export function isLinuxAutostartEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return fs.existsSync(linuxAutostartPath(env));
}

export type LoginItemApp = Pick<App, 'setLoginItemSettings' | 'getLoginItemSettings' | 'isPackaged'>;

/**
 * Applies the "start at login" setting. Development builds are left alone: they would register
 * the bare Electron binary, which opens Electron's default app at every login.
 */
export function applyLoginItem(app: LoginItemApp, enabled: boolean, options: { platform?: NodeJS.Platform; execPath?: string; env?: NodeJS.ProcessEnv } = {}): boolean {
  if (!app.isPackaged) return false;
  const platform = options.platform ?? process.platform;
  const execPath = options.execPath ?? process.execPath;
  if (platform === 'linux') {
    applyLinuxAutostart(enabled, execPath, options.env);
    return true;
  }
  app.setLoginItemSettings({ openAtLogin: enabled, args: enabled ? [HIDDEN_ARG] : [] });
  return true;
}

/** Whether this launch is a login launch (macOS reports it; elsewhere the --hidden argument). */
export function launchedAtLogin(app: Pick<App, 'getLoginItemSettings'>, argv: readonly string[], platform: NodeJS.Platform = process.platform): boolean {
  const openedAtLogin = platform === 'darwin' ? app.getLoginItemSettings().wasOpenedAtLogin === true : false;
  return isHiddenLaunch(argv, openedAtLogin);
}
