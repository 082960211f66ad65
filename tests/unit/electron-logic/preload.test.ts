import { beforeAll, describe, expect, test, vi } from 'vitest';
import { BRIDGE_KEY, type DesktopBridge } from '../../../src/shared/bridge.ts';
import { CHANNELS } from '../../../src/shared/channels.ts';

// The preload with Electron's contextBridge and ipcRenderer replaced by recorders: the page gets
// one frozen-shape object with a typed invoke for allowlisted channels and event subscriptions
// that never see the IpcRendererEvent; ipcRenderer itself is never handed over.

const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const invoked: Array<{ channel: string; args: unknown }> = [];
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  return {
    exposed,
    invoked,
    listeners,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) },
    ipcRenderer: {
      invoke: (channel: string, args: unknown) => {
        invoked.push({ channel, args });
        return Promise.resolve({ ok: true, data: channel });
      },
      on: (event: string, listener: (event: unknown, payload: unknown) => void) => {
        let set = listeners.get(event);
        if (!set) listeners.set(event, (set = new Set()));
        set.add(listener);
      },
      removeListener: (event: string, listener: (event: unknown, payload: unknown) => void) => void listeners.get(event)?.delete(listener),
    },
  };
});

vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }));

let bridge: DesktopBridge;

beforeAll(async () => {
  await import('../../../src/preload/index.ts');
  bridge = electron.exposed.get(BRIDGE_KEY) as DesktopBridge;
});

describe('preload bridge', () => {
  test('exposes exactly one object with transport, invoke and on', () => {
    expect([...electron.exposed.keys()]).toEqual([BRIDGE_KEY]);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'transport']);
    expect(bridge.transport).toBe('ipc');
    expect(Object.values(bridge)).not.toContain(electron.ipcRenderer);
  });

  test('invoke forwards allowlisted channels and refuses anything else without reaching main', async () => {
    await expect(bridge.invoke('settings.get', {})).resolves.toEqual({ ok: true, data: 'settings.get' });
    for (const channel of ['shell.openExternal', '__proto__', 'jobs.update', 'settings.get ']) {
      const answer = await bridge.invoke(channel as (typeof CHANNELS)[number], {} as never);
      expect(answer, channel).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(electron.invoked.map((c) => c.channel)).toEqual(['settings.get']);
  });

  test('events: only known ones; the listener gets the payload, never the IPC event; unsubscribe works', () => {
    expect(() => bridge.on('settings.get' as never, () => undefined)).toThrow(/Unknown event/);
    const received: unknown[] = [];
    const off = bridge.on('app.navigate', (payload) => received.push(payload));
    const [forward] = [...electron.listeners.get('app.navigate')!];
    forward!({ sender: { send: 'the sender must not leak' } }, { page: 'runs' });
    expect(received).toEqual([{ page: 'runs' }]);
    off();
    expect(electron.listeners.get('app.navigate')!.size).toBe(0);
  });
});
