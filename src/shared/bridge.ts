import type { Channel, EventName } from './channels.ts';
import type { ArgsIn, Result } from './contract.ts';
import type { Envelope, EventPayloads } from './types.ts';

// The one object the preload exposes to the page (window.cogniforce), and the shape the
// renderer's HTTP transport imitates in the browser.

export interface DesktopBridge {
  readonly transport: 'ipc';
  invoke<C extends Channel>(channel: C, args: ArgsIn<C>): Promise<Envelope<Result<C>>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

export const BRIDGE_KEY = 'cogniforce';
