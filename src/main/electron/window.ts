import path from 'node:path';
import { BrowserWindow, session } from 'electron';
import { safeOpenExternal } from './safe-open-external.ts';

export const WINDOW_WEB_PREFERENCES = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
} as const;

/** Permission requests (camera, notifications from the page, …) are never granted to the renderer. */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export function createMainWindow(preloadDir: string, rendererDir: string, devServerUrl?: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Cogniforce Analytics',
    webPreferences: { ...WINDOW_WEB_PREFERENCES, preload: path.join(preloadDir, 'index.cjs') },
  });
  const contents = window.webContents;
  // Navigation away from the app and new windows are blocked; http(s) links open in the browser.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void safeOpenExternal(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(path.join(rendererDir, 'index.html'));
  return window;
}
