import type { Menu as ElectronMenu, MenuItemConstructorOptions } from 'electron';

// The application menu as a pure function of state, so it is tested without Electron; the one
// Electron call (setApplicationMenu) takes the Menu class as a parameter.

export type ConsolePage = 'dashboard' | 'conversations' | 'users' | 'runs' | 'schedule' | 'reports' | 'health' | 'settings';

export interface AppMenuState {
  platform: NodeJS.Platform;
  appName: string;
  /** Reload and developer tools only in development builds. */
  isPackaged: boolean;
  schedulePaused: boolean;
  /** A run or backfill is in progress (disables "Run now"). */
  running: boolean;
}

export interface AppMenuActions {
  navigate(page: ConsolePage): void;
  runNow(): void;
  togglePause(): void;
  openLogsFolder(): void;
  openMethodNotes(): void;
  showAbout?(): void;
}

const PAGES: Array<{ page: ConsolePage; label: string }> = [
  { page: 'dashboard', label: 'Dashboard' },
  { page: 'conversations', label: 'Conversations' },
  { page: 'users', label: 'Users' },
  { page: 'runs', label: 'Runs' },
  { page: 'schedule', label: 'Schedule' },
  { page: 'reports', label: 'Reports' },
  { page: 'health', label: 'Health' },
];

export function appMenuTemplate(state: AppMenuState, actions: AppMenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const settings: MenuItemConstructorOptions = { label: mac ? 'Settings…' : 'Settings', accelerator: 'CmdOrCtrl+,', click: () => actions.navigate('settings') };
  const about: MenuItemConstructorOptions = actions.showAbout ? { label: `About ${state.appName}`, click: () => actions.showAbout?.() } : { role: 'about' };
  const template: MenuItemConstructorOptions[] = [];

  if (mac) {
    template.push({
      label: state.appName,
      submenu: [about, { type: 'separator' }, settings, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  }

  template.push({
    label: '&File',
    submenu: [
      // Shift: plain Ctrl+R is "reload" in every Chromium-based app people know.
      { label: 'Run Now', accelerator: 'CmdOrCtrl+Shift+R', enabled: !state.running, click: () => actions.runNow() },
      { label: state.schedulePaused ? 'Resume Schedule' : 'Pause Schedule', click: () => actions.togglePause() },
      { type: 'separator' },
      { label: 'Export Reports…', accelerator: 'CmdOrCtrl+E', click: () => actions.navigate('reports') },
      ...(mac ? [] : [{ type: 'separator' } as const, settings, { type: 'separator' } as const, { role: 'quit' } as const]),
      ...(mac ? [{ type: 'separator' } as const, { role: 'close' } as const] : []),
    ],
  });

  template.push({
    label: '&Edit',
    // Text fields (connection URLs, prices) need copy and paste; on macOS only the menu provides them.
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });

  template.push({
    label: '&View',
    submenu: [
      ...PAGES.map(({ page, label }, i): MenuItemConstructorOptions => ({ label, accelerator: `CmdOrCtrl+${i + 1}`, click: () => actions.navigate(page) })),
      { type: 'separator' },
      ...(state.isPackaged ? [] : [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const]),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });

  template.push({
    label: '&Window',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  });

  template.push({
    role: 'help',
    label: '&Help',
    submenu: [
      { label: 'How Estimates Are Made', click: () => actions.openMethodNotes() },
      { label: 'Open Logs Folder', click: () => actions.openLogsFolder() },
      ...(mac ? [] : [{ type: 'separator' } as const, about]),
    ],
  });
  return template;
}

/** Builds and installs the menu; call again whenever the state changes. */
export function installAppMenu(api: { Menu: typeof ElectronMenu }, state: AppMenuState, actions: AppMenuActions): void {
  api.Menu.setApplicationMenu(api.Menu.buildFromTemplate(appMenuTemplate(state, actions)));
}
