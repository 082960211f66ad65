import path from 'node:path';
import { BrowserWindow, screen, session } from 'electron';
import { safeOpenExternal } from './safe-open-external.ts';
import { denyAllPermissions as denyPermissionsOf, hardenWebContents, mainWindowOptions, WINDOW_MIN_SIZE } from './window-options.ts';
import { fitToDisplays, loadWindowState, trackWindowState } from './window-state.ts';

export { WINDOW_WEB_PREFERENCES } from './window-options.ts';

/** Permission requests (camera, notifications from the page, …) are never granted to the renderer. */
export function denyAllPermissions(): void {
  denyPermissionsOf(session.defaultSession);
}

export interface MainWindowOptions {
  preloadDir: string;
  rendererDir: string;
  devServerUrl?: string | undefined;
  /** window-state.json: size and position remembered between launches. */
  stateFile: string;
  /** Console page to open at (a menu item or notification that created the window). */
  page?: string | undefined;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const saved = loadWindowState(options.stateFile);
  const state = fitToDisplays(
    saved,
    screen.getAllDisplays().map((display) => display.workArea),
    WINDOW_MIN_SIZE,
  );
  const window = new BrowserWindow(mainWindowOptions(options.preloadDir, state));
  hardenWebContents(window.webContents, (url) => void safeOpenExternal(url));
  trackWindowState(window, options.stateFile);
  window.once('ready-to-show', () => {
    if (state.maximized) window.maximize();
    window.show();
  });
  const hash = options.page ? `/${options.page}` : undefined;
  if (options.devServerUrl) void window.loadURL(hash ? `${options.devServerUrl}#${hash}` : options.devServerUrl);
  else void window.loadFile(path.join(options.rendererDir, 'index.html'), hash ? { hash } : {});
  return window;
}

/**
 * The one console window: created on demand (a login launch starts without it), hidden instead
 * of closed while the tray keeps the app alive, brought back by the tray, the menu, a
 * notification or a second launch.
 */
export class MainWindowHolder {
  private window: BrowserWindow | null = null;

  constructor(private readonly options: Omit<MainWindowOptions, 'page'> & { hideOnClose: () => boolean }) {}

  current(): BrowserWindow | null {
    return this.window && !this.window.isDestroyed() ? this.window : null;
  }

  /** Shows (creating if needed) and focuses the window, optionally at a console page. */
  show(page?: string): void {
    const existing = this.current();
    if (!existing) {
      this.window = this.create(page);
      return;
    }
    if (existing.isMinimized()) existing.restore();
    existing.show();
    existing.focus();
    if (page) navigate(existing, page);
  }

  private create(page: string | undefined): BrowserWindow {
    const window = createMainWindow({ ...this.options, page });
    window.on('close', (event) => {
      if (!this.options.hideOnClose()) return;
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    return window;
  }
}

/** In-page navigation through the typed 'app.navigate' event (the renderer sets its hash route). */
function navigate(window: BrowserWindow, page: string): void {
  const contents = window.webContents;
  const send = (): void => {
    if (!contents.isDestroyed()) contents.send('app.navigate', { page });
  };
  if (contents.isLoading()) contents.once('did-finish-load', send);
  else send();
}
