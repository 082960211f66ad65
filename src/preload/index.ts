import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_KEY, type DesktopBridge } from '../shared/bridge.ts';
import { CHANNELS, EVENTS } from '../shared/channels.ts';

// The renderer's only door to the main process: a typed `invoke` for allowlisted channels and
// event subscriptions that never hand the IpcRendererEvent (and its `sender`) to the page.
// ipcRenderer itself is never exposed. Imports only the zod-free channel list, so this bundle
// stays tiny; main validates every argument anyway.

const channels: ReadonlySet<string> = new Set(CHANNELS);
const events: ReadonlySet<string> = new Set(EVENTS);

const bridge: DesktopBridge = {
  transport: 'ipc',
  invoke(channel, args) {
    if (!channels.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'forbidden', message: `Unknown channel "${String(channel)}".` } });
    }
    return ipcRenderer.invoke(channel, args);
  },
  on(event, listener) {
    if (!events.has(event)) throw new Error(`Unknown event "${String(event)}".`);
    const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as Parameters<typeof listener>[0]);
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
