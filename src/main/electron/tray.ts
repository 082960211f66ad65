import type { Menu as ElectronMenu, MenuItemConstructorOptions, NativeImage, Tray as ElectronTray, nativeImage as ElectronNativeImage } from 'electron';

// The tray icon that keeps the app (and its schedule) alive with the window closed. Menu and
// tooltip are pure functions of state; createTray takes the Electron classes as parameters so
// this file never loads Electron in tests.

export interface TrayState {
  schedulePaused: boolean;
  scheduleEnabled: boolean;
  running: boolean;
  /** Next nightly run, or null when none is scheduled. */
  nextRun: Date | null;
  timezone: string;
  /** Last finished run, for the tooltip. */
  lastRun?: { status: string; at: Date } | null;
}

export interface TrayActions {
  open(): void;
  runNow(): void;
  togglePause(): void;
  quit(): void;
}

function formatWhen(date: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
}

export function nextRunLabel(state: TrayState): string {
  if (!state.scheduleEnabled) return 'Schedule off (Settings → Schedule)';
  if (state.schedulePaused) return 'Schedule paused';
  if (!state.nextRun) return 'No run scheduled';
  return `Next run: ${formatWhen(state.nextRun, state.timezone)}`;
}

export function trayTooltip(state: TrayState, appName = 'Cogniforce Analytics'): string {
  const lines = [appName, state.running ? 'Run in progress…' : nextRunLabel(state)];
  if (state.lastRun) lines.push(`Last run ${state.lastRun.status}, ${formatWhen(state.lastRun.at, state.timezone)}`);
  return lines.join('\n');
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Open Cogniforce Analytics', click: () => actions.open() },
    { type: 'separator' },
    { label: state.running ? 'Run in progress…' : nextRunLabel(state), enabled: false },
    { label: 'Run Now', enabled: !state.running, click: () => actions.runNow() },
    {
      label: 'Pause Schedule',
      type: 'checkbox',
      checked: state.schedulePaused,
      enabled: state.scheduleEnabled,
      click: () => actions.togglePause(),
    },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/**
 * Whether closing the last window should keep the app running in the tray instead of quitting:
 * only when the schedule needs it and the person did not ask to quit.
 */
export function keepRunningInTray(options: { keepInTray: boolean; scheduleEnabled: boolean; quitting: boolean }): boolean {
  return options.keepInTray && options.scheduleEnabled && !options.quitting;
}

/** Tray icon size per platform: macOS menu bar 16 pt (template image), Windows 16 px, Linux 22–24 px. */
export function trayIconSize(platform: NodeJS.Platform): number {
  return platform === 'linux' ? 24 : 16;
}

export interface TrayApi {
  Tray: typeof ElectronTray;
  Menu: typeof ElectronMenu;
  nativeImage: typeof ElectronNativeImage;
}

export interface TrayController {
  update(state: TrayState): void;
  destroy(): void;
}

export function createTray(api: TrayApi, options: { iconPath: string; platform: NodeJS.Platform; actions: TrayActions; state: TrayState }): TrayController {
  const size = trayIconSize(options.platform);
  const icon: NativeImage = api.nativeImage.createFromPath(options.iconPath).resize({ width: size, height: size });
  const tray = new api.Tray(icon);
  const render = (state: TrayState): void => {
    tray.setToolTip(trayTooltip(state));
    tray.setContextMenu(api.Menu.buildFromTemplate(trayMenuTemplate(state, options.actions)));
  };
  render(options.state);
  // Windows and most Linux panels: a click opens the window; macOS shows the menu on click.
  if (options.platform !== 'darwin') tray.on('click', () => options.actions.open());
  return {
    update: render,
    destroy: () => tray.destroy(),
  };
}
