import path from 'node:path';
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import type { WindowState } from './window-state.ts';

// The main window's security settings as plain data and functions of the objects they act on,
// so tests check exactly what window.ts applies without loading Electron (reference §5).

/** Electron security checklist items 2–4, 6, 8–12: none of these may be relaxed. */
export const WINDOW_WEB_PREFERENCES = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false,
} as const;

export const WINDOW_MIN_SIZE = { width: 960, height: 600 } as const;

/** Everything the BrowserWindow constructor gets; position and size come from the remembered state. */
export function mainWindowOptions(preloadDir: string, state: WindowState, title = 'Cogniforce Analytics'): BrowserWindowConstructorOptions {
  return {
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: WINDOW_MIN_SIZE.width,
    minHeight: WINDOW_MIN_SIZE.height,
    // Shown on ready-to-show, so the person never sees an empty white frame.
    show: false,
    title,
    webPreferences: { ...WINDOW_WEB_PREFERENCES, preload: path.join(preloadDir, 'index.cjs') },
  };
}

type PreventableEvent = { preventDefault(): void };
export type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Checklist items 11–14: the page can neither navigate away, follow a redirect, attach a
 * <webview> nor open a window. A window.open or target=_blank link to an http(s) address is
 * handed to the browser through `openExternal` (safeOpenExternal, which refuses anything else).
 */
export function hardenWebContents(contents: HardenableContents, openExternal: (url: string) => void): void {
  const block = (event: PreventableEvent): void => event.preventDefault();
  // The listener types differ per event; each one only calls preventDefault on its event.
  const on = contents.on.bind(contents) as (event: string, listener: (event: PreventableEvent) => void) => void;
  on('will-navigate', block);
  on('will-redirect', block);
  on('will-attach-webview', block);
  contents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
}

export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/** Checklist item 5: camera, notifications from the page, USB, … are never granted to the renderer. */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
