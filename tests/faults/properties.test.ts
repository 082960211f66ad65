import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { normaliseChatRow, toEpochSeconds } from '../../src/main/core/source/normalise.ts';
import { SKIP_REASONS, type NormalisedMessage } from '../../src/main/core/source/types.ts';
import { computeTiming, DEFAULT_TIMING_SETTINGS, toMinutes } from '../../src/main/core/pipeline/timing.ts';

// Property-based checks of the normaliser (total: any row gives a conversation or a skip with a
// reason, never an exception) and of the timing function (the seed formula's invariants).
// A fixed seed under CI keeps failures reproducible; locally each run explores new inputs.

const params = { numRuns: Number(process.env.FAULTS_RUNS ?? 300), ...(process.env.CI ? { seed: 7_042_026 } : {}) };

const timestamp = fc.oneof(
  fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
  fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map((s) => s * 1000),
  fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map((s) => s * 1e9),
  fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map(String),
  fc.double(),
  fc.constantFrom(null, undefined, 'soon', -1, 0, true, [], {}),
);

const messageId = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');

const message = fc.record(
  {
    id: fc.oneof(messageId, fc.anything()),
    parentId: fc.oneof(messageId, fc.constant(null), fc.anything()),
    childrenIds: fc.oneof(fc.array(messageId), fc.anything()),
    role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool'), fc.anything()),
    content: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()),
    timestamp,
    model: fc.oneof(fc.string(), fc.anything()),
    usage: fc.oneof(fc.record({ prompt_tokens: fc.anything(), completion_tokens: fc.anything() }), fc.anything()),
    files: fc.anything(),
  },
  { requiredKeys: [] },
);

/** Documents shaped like Open WebUI's, with every field liable to be of the wrong kind. */
const document = fc.oneof(
  fc.record({
    history: fc.oneof(
      fc.record({ currentId: fc.oneof(messageId, fc.anything()), messages: fc.dictionary(messageId, message) }, { requiredKeys: [] }),
      fc.anything(),
    ),
    messages: fc.oneof(fc.array(message), fc.anything()),
    title: fc.anything(),
    originalChatId: fc.oneof(fc.string(), fc.constant(undefined)),
    branchPointMessageId: fc.oneof(messageId, fc.constant(undefined)),
  }, { requiredKeys: [] }),
  fc.anything(),
);

const chatColumn = fc.oneof(
  document.map((d) => JSON.stringify(d) ?? 'null'),
  document,
  fc.string(),
  fc.constant(null),
  document.map((d) => JSON.stringify(JSON.stringify(d) ?? 'null')),
);

const row = fc.record({
  id: fc.oneof(fc.string({ minLength: 1 }), fc.anything()),
  user_id: fc.oneof(fc.constantFrom('u-1', 'shared-x', ''), fc.anything()),
  title: fc.anything(),
  chat: chatColumn,
  created_at: timestamp,
  updated_at: timestamp,
  archived: fc.anything(),
  meta: fc.oneof(fc.constant('{}'), fc.constant('{"internal": true}'), fc.anything()),
  current_message_id: fc.anything(),
});

describe('normaliser (property-based)', () => {
  test('any row: a conversation or a skip with a known reason, never an exception', () => {
    fc.assert(
      fc.property(row, (raw) => {
        const result = normaliseChatRow(raw);
        if (result.kind === 'skipped') {
          expect(SKIP_REASONS).toContain(result.reason);
          expect(result.detail.length).toBeGreaterThan(0);
          return;
        }
        const c = result.conversation;
        expect(c.messages.length).toBeGreaterThan(0);
        const ids = new Set(c.messages.map((m) => m.id));
        for (let i = 0; i < c.messages.length; i++) {
          const m = c.messages[i]!;
          expect(Number.isInteger(m.timestamp) && m.timestamp > 0 && m.timestamp <= 1e11).toBe(true);
          if (i > 0) expect(m.timestamp).toBeGreaterThanOrEqual(c.messages[i - 1]!.timestamp);
          expect(['user', 'assistant', 'system']).toContain(m.role);
          expect(m.text).not.toContain('\u0000');
          expect(Number.isInteger(m.inputTokens) && m.inputTokens >= 0).toBe(true);
          if (m.parentId !== null) expect(ids.has(m.parentId)).toBe(true);
        }
        for (const id of c.activeBranch) expect(ids.has(id)).toBe(true);
        expect(new Set(c.activeBranch).size).toBe(c.activeBranch.length);
        expect(c.messages.filter((m) => m.onActiveBranch).length).toBe(c.activeBranch.length);
        expect(c.messages.some((m) => m.text !== '' || m.attachments.length > 0)).toBe(true);
      }),
      params,
    );
  });

  test('s, ms, µs and ns spellings of one instant normalise to the same second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }), fc.integer({ min: 0, max: 999 }), (seconds, ms) => {
        const exact = seconds + ms / 1000;
        expect(toEpochSeconds(seconds)).toBe(seconds);
        expect(toEpochSeconds(exact)).toBe(seconds);
        expect(toEpochSeconds(seconds * 1000 + ms)).toBe(seconds);
        expect(toEpochSeconds((seconds * 1000 + ms) * 1000)).toBe(seconds);
        expect(toEpochSeconds(String(seconds))).toBe(seconds);
      }),
      params,
    );
  });
});

function messagesAt(times: number[]): NormalisedMessage[] {
  return times.map((timestamp, i) => ({
    id: `m${i}`,
    parentId: i === 0 ? null : `m${i - 1}`,
    role: i % 2 === 0 ? 'user' : 'assistant',
    timestamp,
    text: i % 2 === 0 ? 'a short request' : 'an answer of a few words',
    model: null,
    inputTokens: 0,
    outputTokens: 0,
    attachments: [],
    onActiveBranch: true,
  }));
}

describe('timing (property-based)', () => {
  const times = fc.array(fc.integer({ min: 1_700_000_000, max: 1_700_200_000 }), { minLength: 1, maxLength: 60 });
  const threshold = fc.integer({ min: 60, max: 4 * 3600 });

  test('total = last − first, 0 ≤ active ≤ total, idle = total − active, engaged ≥ active; minutes add up', () => {
    fc.assert(
      fc.property(times, threshold, (ts, idle) => {
        const t = computeTiming(messagesAt(ts), { ...DEFAULT_TIMING_SETTINGS, idleThresholdSeconds: idle });
        expect(t.totalSeconds).toBe(Math.max(...ts) - Math.min(...ts));
        expect(t.activeSeconds).toBeGreaterThanOrEqual(0);
        expect(t.activeSeconds).toBeLessThanOrEqual(t.totalSeconds);
        expect(t.idleSeconds).toBe(t.totalSeconds - t.activeSeconds);
        expect(t.engagedSeconds).toBeGreaterThanOrEqual(t.activeSeconds);
        const m = toMinutes(t);
        expect(m.active + m.idle).toBe(m.total);
        expect(m.idle).toBeGreaterThanOrEqual(0);
        expect(m.engaged).toBeGreaterThanOrEqual(m.active);
      }),
      params,
    );
  });

  test('order of messages does not matter; a threshold above every gap makes all time active; a tiny one none', () => {
    fc.assert(
      fc.property(times, threshold, fc.integer(), (ts, idle, seed) => {
        const shuffled = [...ts].sort((a, b) => ((a * 31 + seed) % 97) - ((b * 31 + seed) % 97));
        const settings = { ...DEFAULT_TIMING_SETTINGS, idleThresholdSeconds: idle };
        const a = computeTiming(messagesAt(ts), settings);
        const b = computeTiming(messagesAt(shuffled), settings);
        expect([b.totalSeconds, b.activeSeconds, b.idleSeconds]).toEqual([a.totalSeconds, a.activeSeconds, a.idleSeconds]);
        const all = computeTiming(messagesAt(ts), { ...settings, idleThresholdSeconds: 1e9 });
        expect(all.activeSeconds).toBe(all.totalSeconds);
        const distinct = new Set(ts).size === ts.length;
        if (distinct) expect(computeTiming(messagesAt(ts), { ...settings, idleThresholdSeconds: 0 }).activeSeconds).toBe(0);
      }),
      params,
    );
  });

  test('active time is the sum of gaps within the threshold (the seed formula)', () => {
    fc.assert(
      fc.property(times, threshold, (ts, idle) => {
        const sorted = [...ts].sort((a, b) => a - b);
        let expected = 0;
        for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! <= idle) expected += sorted[i]! - sorted[i - 1]!;
        expect(computeTiming(messagesAt(ts), { ...DEFAULT_TIMING_SETTINGS, idleThresholdSeconds: idle }).activeSeconds).toBe(expected);
      }),
      params,
    );
  });
});
