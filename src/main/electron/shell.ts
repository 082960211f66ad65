import fs from 'node:fs';
import path from 'node:path';
import { app, Menu, nativeImage, shell, Tray } from 'electron';
import type { Settings } from '../core/config/settings.ts';
import type { Logger } from '../core/log/index.ts';
import { methodNotes } from '../core/reports/method-notes.ts';
import { methodNotesText, type DesktopShell } from './desktop.ts';
import { applyLoginItem } from './login-item.ts';
import { installAppMenu, type ConsolePage } from './menu.ts';
import { createTray } from './tray.ts';

// DesktopShell with Electron: each member is the native call the controller (desktop.ts) asks for.

export interface ElectronShellOptions {
  iconPath: string;
  logsDir: () => string;
  settings: () => Settings;
  showWindow: (page?: ConsolePage) => void;
  log: Logger;
}

export function electronShell(options: ElectronShellOptions): DesktopShell {
  const openPath = (target: string): void => {
    void shell.openPath(target).then((problem) => {
      if (problem) options.log.warn(`Could not open ${target}: ${problem}`);
    });
  };
  return {
    createTray(state, actions) {
      if (!fs.existsSync(options.iconPath)) {
        options.log.warn(`Tray icon ${options.iconPath} is missing; no tray.`);
        return null;
      }
      return createTray({ Tray, Menu, nativeImage }, { iconPath: options.iconPath, platform: process.platform, actions, state });
    },
    installMenu(state, actions) {
      installAppMenu({ Menu }, state, actions);
    },
    applyLoginItem(enabled) {
      if (!applyLoginItem(app, enabled)) options.log.info('Start at login is only registered by installed builds (this one is a development build).');
    },
    showWindow: options.showWindow,
    openLogsFolder() {
      openPath(options.logsDir());
    },
    openMethodNotes() {
      // The notes are generated from the same text the PDF reports carry, for this idle threshold.
      const file = path.join(app.getPath('userData'), 'How estimates are made.txt');
      const text = methodNotesText(methodNotes({ idleThresholdMinutes: options.settings().processing.idleThresholdMinutes, heuristicShare: null }));
      fs.writeFileSync(file, text);
      openPath(file);
    },
    quit() {
      app.quit();
    },
  };
}
