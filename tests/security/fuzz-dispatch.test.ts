import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dispatch } from '../../src/main/core/handlers.ts';
import { CHANNELS, type Channel } from '../../src/shared/channels.ts';
import { contract } from '../../src/shared/contract.ts';
import type { Envelope } from '../../src/shared/types.ts';
import { withTimeout } from '../../src/main/core/time/timeout.ts';
import { consoleFixture, type ConsoleFixture } from '../unit/handlers/support.ts';
import { cloneable, confinePaths, jsonish, mutatedPayload, VALID } from './support/payloads.ts';

// Every channel of the contract, fed invalid payloads through `dispatch` (what the Electron IPC
// adapter calls): random values of any shape a structured clone can carry, and mutations of
// valid payloads. The schema decides what is valid; a refused payload must come back as a
// `validation` envelope (so no handler ran), an accepted one as any envelope but `internal`;
// nothing may throw, hang, or show a stack.

const CASES_PER_KIND = 120; // arbitrary values + mutations = 240 per channel
const CALL_TIMEOUT_MS = 20_000;

let f: ConsoleFixture;
const tally = new Map<Channel, { cases: number; refused: number; accepted: number }>();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(async () => {
  f = await consoleFixture();
  fs.mkdirSync(path.join(f.dataDir, 'confined'), { recursive: true });
  process.on('unhandledRejection', onUnhandled);
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await f?.cleanup();
  const rows = [...tally].map(([channel, t]) => ({ channel, ...t }));
  if (rows.length > 0) {
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/security-fuzz-dispatch.json', JSON.stringify({ total: rows.reduce((n, r) => n + r.cases, 0), channels: rows }, null, 2));
  }
});


const describeValue = (value: unknown): string => {
  try {
    return (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)).slice(0, 300);
  } catch {
    return String(value).slice(0, 300);
  }
};

/** One call and its judgement; returns whether the payload was refused. */
async function check(channel: Channel, generated: unknown): Promise<boolean> {
  const payload = confinePaths(generated, f.dataDir);
  const label = `${channel} ${describeValue(payload)}`;
  const schemaAccepts = contract[channel].args.safeParse(payload === undefined || payload === null ? {} : payload).success;
  let result: Envelope<unknown>;
  try {
    result = await withTimeout(dispatch(f.runtime, f.handlers, channel, payload), CALL_TIMEOUT_MS, label);
  } catch (error) {
    throw new Error(`dispatch threw or hung for ${label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const t = tally.get(channel) ?? { cases: 0, refused: 0, accepted: 0 };
  t.cases += 1;
  tally.set(channel, t);
  expect(typeof result.ok, label).toBe('boolean');
  if (!result.ok) {
    expect(result.error.message, label).toEqual(expect.any(String));
    expect(result.error.message, label).not.toMatch(/\n\s+at |\bat .+\(.*:\d+:\d+\)/);
  }
  if (!schemaAccepts) {
    t.refused += 1;
    expect(result, label).toEqual({ ok: false, error: { code: 'validation', message: expect.stringMatching(/^Invalid request: /) } });
    return true;
  }
  t.accepted += 1;
  if (!result.ok) expect(result.error.code, `${label}: ${result.error.message}`).not.toBe('internal');
  return false;
}

describe('every channel, fuzzed through dispatch', () => {
  test('the fuzz covers every channel of the contract with a valid example', () => {
    const missing = CHANNELS.filter((c) => !VALID[c]?.length);
    expect(missing, 'add a harmless valid example to tests/security/support/payloads.ts').toEqual([]);
    for (const channel of CHANNELS) {
      for (const sample of VALID[channel] ?? []) expect(contract[channel].args.safeParse(sample).success, `${channel} ${JSON.stringify(sample)}`).toBe(true);
    }
  });

  test.each(CHANNELS.map((c) => [c]))('%s', { timeout: 600_000 }, async (channel) => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(cloneable, jsonish), async (payload) => {
        const wasRefused = await check(channel, payload);
        if (wasRefused) refused += 1;
        // Anything that is not an object cannot be a channel's arguments, whatever the schema says.
        const isObject = payload === undefined || payload === null || (typeof payload === 'object' && !Array.isArray(payload));
        if (!isObject) expect(wasRefused, describeValue(payload)).toBe(true);
      }),
      { numRuns: CASES_PER_KIND },
    );
    await fc.assert(
      fc.asyncProperty(mutatedPayload(channel), async (payload) => {
        if (await check(channel, payload)) refused += 1;
      }),
      { numRuns: CASES_PER_KIND },
    );
    // Let jobs a valid-by-chance runs.start began finish before the next channel.
    for (const job of f.runtime.jobs.recent()) await f.runtime.jobs.waitFor(job.id);
    expect(tally.get(channel)!.cases).toBe(2 * CASES_PER_KIND);
    // The fuzz is worth something only if most cases are refused (and the valid examples are not).
    expect(refused).toBeGreaterThan(CASES_PER_KIND);
    expect(unhandled).toEqual([]);
  });

  test('the same payloads are judged the same on a second call (no state leaks into validation)', async () => {
    const payloads = fc.sample(fc.oneof(jsonish, mutatedPayload('conversations.list')), { numRuns: 100, seed: 7 });
    for (const payload of payloads) {
      const first = await dispatch(f.runtime, f.handlers, 'conversations.list', payload);
      const second = await dispatch(f.runtime, f.handlers, 'conversations.list', payload);
      expect(second.ok).toBe(first.ok);
    }
    // Prototype pollution through a "__proto__" key would show up here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
