import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { createAppContext } from './core/app/context.ts';
import { closeRuntime, createHandlers, createRuntime, type ConsoleRuntime } from './core/handlers.ts';
import { createMainWindow, denyAllPermissions } from './electron/window.ts';
import { registerIpc } from './electron/ipc.ts';
import { pickSqliteFile } from './electron/dialogs.ts';

// Electron entry: wires the core to the thin Electron layer. All logic lives in ./core.
const here = path.dirname(fileURLToPath(import.meta.url));
const preloadDir = path.join(here, '../preload');
const rendererDir = path.join(here, '../renderer');
// electron-vite's dev server, honoured only in unpackaged development builds.
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

let runtime: ConsoleRuntime | null = null;

async function start(): Promise<void> {
  denyAllPermissions();
  let context;
  try {
    context = await createAppContext({ env: process.env });
  } catch (error) {
    dialog.showErrorBox('Cogniforce Analytics cannot start', error instanceof Error ? error.message : String(error));
    app.quit();
    return;
  }
  runtime = createRuntime(context, { env: process.env, platform: { pickSqliteFile } });
  registerIpc(runtime, createHandlers(runtime), { rendererIndex: path.join(rendererDir, 'index.html'), devServerUrl });
  createMainWindow(preloadDir, rendererDir, devServerUrl);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preloadDir, rendererDir, devServerUrl);
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  void app.whenReady().then(start);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Cancel running work and stop the embedded database before the process exits.
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed || !runtime) return;
    event.preventDefault();
    const current = runtime;
    runtime = null;
    void closeRuntime(current).finally(() => {
      closed = true;
      app.quit();
    });
  });
}
