// The channel names of the console's contract, without zod, so the sandboxed preload can
// allowlist them without bundling the schemas. contract.ts maps every name here to its schema,
// and the type checker refuses a contract that misses or adds one.

export const CHANNELS = [
  'app.info',
  'settings.get',
  'settings.update',
  'secrets.status',
  'secrets.set',
  'secrets.delete',
  'setup.testSource',
  'setup.testAnalytics',
  'setup.testLlm',
  'setup.migrate',
  'dialog.pickSqliteFile',
  'dashboard.summary',
  'dashboard.trend',
  'dashboard.topUsers',
  'dashboard.categories',
  'dashboard.models',
  'users.list',
  'conversations.list',
  'conversations.get',
  'conversations.skips',
  'conversations.failures',
  'runs.list',
  'runs.defaultRange',
  'runs.start',
  'runs.cancel',
  'jobs.current',
  'schedule.get',
  'schedule.preview',
  'schedule.update',
  'logs.tail',
  'logs.openFolder',
  'health.diagnostics',
  'salt.status',
  'salt.export',
  'salt.import',
  'health.check',
  'reports.defaultTarget',
  'reports.export',
  'reports.cancel',
  'dialog.pickSaveFile',
  'shell.showInFolder',
] as const;

export type Channel = (typeof CHANNELS)[number];

/** Events main pushes to the renderer (progress of long work; a page the desktop menu, tray or a notification asks for). */
export const EVENTS = ['jobs.update', 'app.navigate'] as const;
export type EventName = (typeof EVENTS)[number];

/** Channels only the Electron layer can answer (native dialogs); `serve` refuses them readably. */
export const DESKTOP_ONLY_CHANNELS: readonly Channel[] = ['dialog.pickSqliteFile', 'dialog.pickSaveFile', 'shell.showInFolder'];

const channelSet: ReadonlySet<string> = new Set(CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENTS);

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && channelSet.has(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && eventSet.has(value);
}
