import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from '../../shared/channels.ts';
import type { Handlers } from '../../shared/contract.ts';
import type { Envelope, JobEvent } from '../../shared/types.ts';
import { dispatch, type ConsoleRuntime } from '../core/handlers.ts';
import { isTrustedRendererUrl, type TrustedOrigin } from './trusted-url.ts';

// The only file that calls ipcMain.handle. Every contract channel goes through one wrapper that
// checks the sender (the app's own page, main frame only) and then the shared dispatch, which
// validates the arguments with zod and turns failures into readable envelopes.

const FORBIDDEN: Envelope<never> = { ok: false, error: { code: 'forbidden', message: 'Refused: the call did not come from the console window.' } };

export function senderAllowed(event: IpcMainInvokeEvent, trusted: TrustedOrigin): boolean {
  const frame = event.senderFrame;
  // A frame that navigated away or was destroyed has no identity left to trust.
  if (!frame || frame.parent !== null) return false;
  return isTrustedRendererUrl(frame.url, trusted);
}

/** Registers every channel; returns the function that unregisters them (and stops forwarding). */
export function registerIpc(runtime: ConsoleRuntime, handlers: Handlers, trusted: TrustedOrigin): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, args: unknown) => {
      if (!senderAllowed(event, trusted)) {
        runtime.log.error(`IPC ${channel} refused from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return FORBIDDEN;
      }
      return dispatch(runtime, handlers, channel, args);
    });
  }
  const unsubscribe = runtime.jobs.subscribe((payload: JobEvent) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed() && !window.webContents.isDestroyed()) window.webContents.send('jobs.update', payload);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}
