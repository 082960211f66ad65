import { contract, type Handlers } from '../../shared/contract.ts';
import { isChannel, type Channel } from '../../shared/channels.ts';
import type { Envelope } from '../../shared/types.ts';
import { analyticsHandlers } from './handlers/analytics.ts';
import { diagnosticsHandlers } from './handlers/diagnostics.ts';
import { saltHandlers } from './handlers/salt.ts';
import { scheduleHandlers } from './handlers/schedule.ts';
import { toPublicError } from './handlers/errors.ts';
import { runHandlers } from './handlers/runs.ts';
import type { ConsoleRuntime } from './handlers/runtime.ts';
import { reportHandlers } from './handlers/reports.ts';
import { setupHandlers } from './handlers/setup.ts';

// The one handler registry: every contract channel → a core call. The Electron IPC adapter and
// the loopback HTTP transport both serve it through `dispatch`, so validation and error shaping
// are identical whichever way a call arrives.

export { createRuntime, closeRuntime, openAnalyticsInBackground, type ConsoleRuntime, type PlatformHooks, type RuntimeOptions } from './handlers/runtime.ts';
export { HandlerError, toPublicError } from './handlers/errors.ts';

export function createHandlers(runtime: ConsoleRuntime): Handlers {
  return {
    ...setupHandlers(runtime),
    ...analyticsHandlers(runtime),
    ...scheduleHandlers(runtime),
    ...diagnosticsHandlers(runtime),
    ...saltHandlers(runtime),
    ...runHandlers(runtime),
    ...reportHandlers(runtime),
  };
}

/** Error codes that are a caller's or the environment's doing, not a bug: no stack in the log. */
const EXPECTED = new Set(['validation', 'not_found', 'busy', 'locked', 'unavailable', 'config', 'keychain', 'connection', 'exists']);

/**
 * Validates and runs one call. Never throws: every outcome is an envelope, and anything
 * unexpected is logged with its stack while the caller gets a readable message.
 */
export async function dispatch(runtime: ConsoleRuntime, handlers: Handlers, channel: unknown, rawArgs: unknown): Promise<Envelope<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'not_found', message: `Unknown channel "${String(channel).slice(0, 100)}".` } };
  }
  const parsed = contract[channel].args.safeParse(rawArgs === undefined || rawArgs === null ? {} : rawArgs);
  if (!parsed.success) return { ok: false, error: toPublicError(parsed.error) };
  try {
    const handler = handlers[channel] as (args: unknown) => Promise<unknown>;
    return { ok: true, data: await handler(parsed.data) };
  } catch (error) {
    const publicError = toPublicError(error);
    if (!EXPECTED.has(publicError.code)) runtime.log.error(`${channel} failed`, error);
    return { ok: false, error: publicError };
  }
}

export type { Channel };
