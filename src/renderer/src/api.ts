import { BRIDGE_KEY, type DesktopBridge } from '../../shared/bridge.ts';
import type { Channel, EventName } from '../../shared/channels.ts';
import type { ArgsIn, Result } from '../../shared/contract.ts';
import type { Envelope, ErrorCode, EventPayloads } from '../../shared/types.ts';

// One typed client over two transports, chosen once at start: the preload's bridge in the
// desktop app, or HTTP + Server-Sent Events against the loopback `serve` transport (token from
// the address's #token=… fragment, kept for the tab's lifetime). Pages never know which.

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Transport {
  readonly kind: 'ipc' | 'http';
  invoke(channel: Channel, args: unknown): Promise<Envelope<unknown>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

const TOKEN_KEY = 'cogniforce.token';

/** Reads `#token=…` once, keeps it for this tab and removes it from the address bar. */
function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    sessionStorage.setItem(TOKEN_KEY, token);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function httpTransport(): Transport {
  const token = takeToken();
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  let source: EventSource | null = null;

  const connect = (): void => {
    if (source || !token) return;
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.addEventListener('jobs.update', (event) => {
      const payload = JSON.parse((event as MessageEvent<string>).data) as EventPayloads['jobs.update'];
      for (const listener of listeners.get('jobs.update') ?? []) (listener as (p: EventPayloads['jobs.update']) => void)(payload);
    });
  };

  return {
    kind: 'http',
    async invoke(channel, args) {
      if (!token) {
        return { ok: false, error: { code: 'forbidden', message: 'This page was opened without its access token: open the address printed by "cogniforce-analytics serve".' } };
      }
      let response: Response;
      try {
        response = await fetch(`/api/invoke/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Cogniforce-Token': token },
          body: JSON.stringify(args ?? {}),
        });
      } catch {
        return { ok: false, error: { code: 'connection', message: 'The console server does not answer: is "cogniforce-analytics serve" still running?' } };
      }
      try {
        return (await response.json()) as Envelope<unknown>;
      } catch {
        return { ok: false, error: { code: 'internal', message: `The console server answered ${response.status} without a readable body.` } };
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      connect();
      return () => {
        set.delete(listener as (payload: never) => void);
        if ([...listeners.values()].every((s) => s.size === 0)) {
          source?.close();
          source = null;
        }
      };
    },
  };
}

function ipcTransport(bridge: DesktopBridge): Transport {
  return {
    kind: 'ipc',
    invoke: (channel, args) => bridge.invoke(channel, (args ?? {}) as never),
    on: (event, listener) => bridge.on(event, listener),
  };
}

function pickTransport(): Transport {
  const bridge = (window as unknown as Record<string, DesktopBridge | undefined>)[BRIDGE_KEY];
  return bridge?.transport === 'ipc' ? ipcTransport(bridge) : httpTransport();
}

const transport = pickTransport();

export const transportKind = transport.kind;

type CallArgs<C extends Channel> = Record<string, never> extends ArgsIn<C> ? [args?: ArgsIn<C>] : [args: ArgsIn<C>];

/** Calls a channel; resolves with its data or rejects with an ApiError carrying a readable message. */
export async function call<C extends Channel>(channel: C, ...args: CallArgs<C>): Promise<Result<C>> {
  const envelope = await transport.invoke(channel, args[0] ?? {});
  if (!envelope.ok) throw new ApiError(envelope.error.code, envelope.error.message);
  return envelope.data as Result<C>;
}

export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
  return transport.on(event, listener);
}

/** A message for any failure: ours are readable already; anything else gets a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong in the console. Reload the page; if it happens again, open Health.';
}
