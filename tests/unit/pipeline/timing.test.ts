import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalisedMessage } from '../../../src/main/core/source/types.ts';
import { composeSeconds, engagedIntervals, readSeconds, splitWords } from '../../../src/main/core/pipeline/engaged.ts';
import { unionLength } from '../../../src/main/core/pipeline/intervals.ts';
import { computeTiming, DEFAULT_TIMING_SETTINGS, toMinutes } from '../../../src/main/core/pipeline/timing.ts';
import type { TimingSettings } from '../../../src/main/core/pipeline/types.ts';
import { chain, msg, words } from './fixtures.ts';

const S = DEFAULT_TIMING_SETTINGS;
const T0 = 1_763_800_000; // 2025-11-22, any epoch works

describe('computeTiming — seed formula', () => {
  it('reference case: 0, +10 min, +70 min → total 70, active 10, idle 60', () => {
    const messages = chain([
      { role: 'user', timestamp: T0 },
      { role: 'assistant', timestamp: T0 + 600 },
      { role: 'user', timestamp: T0 + 4200 },
    ]);
    const timing = computeTiming(messages, S);
    expect(timing.totalSeconds).toBe(4200);
    expect(timing.activeSeconds).toBe(600);
    expect(timing.idleSeconds).toBe(3600);
    expect(timing.activeIntervals).toEqual([[T0, T0 + 600]]);
    expect(toMinutes(timing)).toMatchObject({ total: 70, active: 10, idle: 60 });
  });

  it('sorts timestamps of the whole tree (branches count as activity)', () => {
    const messages = [
      msg({ role: 'user', timestamp: T0 + 300, onActiveBranch: false }),
      msg({ role: 'user', timestamp: T0 }),
      msg({ role: 'assistant', timestamp: T0 + 900 }),
    ];
    const timing = computeTiming(messages, S);
    expect(timing.activeSeconds).toBe(900);
    expect(timing.firstMessageAt).toBe(T0);
    expect(timing.lastMessageAt).toBe(T0 + 900);
  });

  it('handles an empty list and a single message', () => {
    expect(computeTiming([], S)).toMatchObject({ totalSeconds: 0, activeSeconds: 0, engagedSeconds: 0 });
    const one = computeTiming([msg({ role: 'user', timestamp: T0, text: 'hi' })], S);
    expect(one.totalSeconds).toBe(0);
    expect(one.activeSeconds).toBe(0);
    expect(one.engagedSeconds).toBeGreaterThan(0);
  });

  it('toMinutes keeps idle = total − active and never negative', () => {
    const m = toMinutes({
      firstMessageAt: 0,
      lastMessageAt: 89,
      totalSeconds: 89,
      activeSeconds: 89,
      idleSeconds: 0,
      engagedSeconds: 89,
      activeIntervals: [],
      engagedIntervals: [],
    });
    expect(m).toEqual({ total: 1, active: 1, idle: 0, engaged: 1 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (a, b) => {
        const total = Math.max(a, b);
        const active = Math.min(a, b);
        const mm = toMinutes({ firstMessageAt: 0, lastMessageAt: total, totalSeconds: total, activeSeconds: active, idleSeconds: total - active, engagedSeconds: active, activeIntervals: [], engagedIntervals: [] });
        return mm.idle >= 0 && mm.idle === mm.total - mm.active && mm.engaged >= mm.active;
      }),
    );
  });
});

describe('engaged time', () => {
  it('equal timestamps + 400-word answer → engaged ≈ reading time', () => {
    const messages = chain([
      { role: 'user', timestamp: T0, text: '' },
      { role: 'assistant', timestamp: T0, text: words(400) },
    ]);
    const timing = computeTiming(messages, S);
    expect(timing.activeSeconds).toBe(0);
    expect(timing.engagedSeconds).toBeCloseTo((400 / 230) * 60, 6);
    expect(timing.engagedIntervals).toEqual([[T0, T0 + (400 / 230) * 60]]);
  });

  it('the last answer’s reading window is capped by the idle threshold', () => {
    const messages = chain([
      { role: 'user', timestamp: T0 },
      { role: 'assistant', timestamp: T0, text: words(5000) },
    ]);
    expect(computeTiming(messages, S).engagedSeconds).toBe(600);
  });

  it('includes the composing time of a typed question, capped by the threshold for the first message', () => {
    const messages = chain([
      { role: 'user', timestamp: T0, text: words(20) },
      { role: 'assistant', timestamp: T0, text: '' },
    ]);
    expect(computeTiming(messages, S).engagedSeconds).toBeCloseTo(30, 6); // 20 words at 40 wpm
    const long = chain([{ role: 'user', timestamp: T0, text: words(1000) }]);
    // 1,000 words is bulk: first paragraph (> 80 words) is not treated as typed; still capped.
    expect(computeTiming(long, S).engagedSeconds).toBeLessThanOrEqual(600);
  });

  it('composing window never crosses the previous message; reading window never crosses the next', () => {
    const messages = chain([
      { role: 'user', timestamp: T0, text: 'start' },
      { role: 'assistant', timestamp: T0, text: words(2000) }, // 8.7 min to read, next message after 60 s
      { role: 'user', timestamp: T0 + 60, text: words(200) }, // 5 min to type, previous message 60 s ago
      { role: 'assistant', timestamp: T0 + 60, text: 'ok' },
    ]);
    const timing = computeTiming(messages, S);
    // [T0-1.5s, T0] composing "start", [T0, T0+60] reading/active/composing, then 0.26 s reading "ok".
    expect(timing.engagedIntervals).toEqual([[T0 - 1.5, T0 + 60 + 60 / 230]]);
  });

  it('non-last answers are capped by the gap to the next message, not by the threshold', () => {
    const messages = chain([
      { role: 'user', timestamp: T0 },
      { role: 'assistant', timestamp: T0, text: words(2300) }, // 10 min of reading
      { role: 'user', timestamp: T0 + 7200, text: '' },
    ]);
    const s: TimingSettings = { ...S, idleThresholdSeconds: 300 };
    expect(computeTiming(messages, s).engagedSeconds).toBeCloseTo(600, 6);
  });

  it('a pasted 5,000-line log is skimmed, not typed', () => {
    const log = Array.from({ length: 5000 }, (_, i) => `2026-11-22T10:${String(i % 60).padStart(2, '0')}:00Z ERROR worker-${i} failed to connect to db (code=ECONNREFUSED)`).join('\n');
    const text = `Why does my service fail? Here is the log:\n\n${log}`;
    const split = splitWords(text, true);
    expect(split.normalWords).toBeLessThanOrEqual(10);
    expect(split.skimWords).toBeGreaterThan(30_000);
    const seconds = composeSeconds(text, S);
    expect(seconds).toBeCloseTo((split.normalWords / 40 + split.skimWords / 1000) * 60, 6);
    expect(seconds).toBeLessThan((split.skimWords / 40) * 60 / 10);
  });

  it('recognises stack traces, code fences and dumps as pasted, typed prose as typed', () => {
    const trace = [
      'TypeError: Cannot read properties of undefined (reading "map")',
      '    at render (/app/src/List.tsx:12:19)',
      '    at renderWithHooks (/app/node_modules/react-dom/cjs/react-dom.development.js:14985:18)',
      '    at mountIndeterminateComponent (/app/node_modules/react-dom/cjs/react-dom.development.js:17811:13)',
    ].join('\n');
    expect(splitWords(`My list crashes when I open the page.\n\n${trace}`, true)).toEqual({ normalWords: 8, skimWords: expect.any(Number) as number });
    const fenced = 'Fix this please:\n```python\nfor i in range(10):\n    print(i)\n```';
    expect(splitWords(fenced, true)).toEqual({ normalWords: 3, skimWords: 5 });
    const json = '{"id": 1, "name": "alpha", "tags": ["a", "b"], "nested": {"x": [1, 2, 3]}}\n{"id": 2, "name": "beta", "tags": [], "nested": {"x": []}}';
    expect(splitWords(json, true).normalWords).toBe(0);
    const prose = 'Kérlek, fogalmazz meg egy udvarias levelet az ügyfélnek, hogy a szállítás két napot késik.\nKöszönöm!';
    expect(splitWords(prose, true).skimWords).toBe(0);
    // Assistant answers: prose read, code skimmed.
    const answer = `Here you go:\n\n\`\`\`js\n${'console.log(1);\n'.repeat(100)}\`\`\``;
    expect(readSeconds(answer, S)).toBeCloseTo((3 / 230 + 100 / 1000) * 60, 6);
  });
});

// --- Property-based: engaged ≥ active, and every window respects its caps --------------------

const roleArb = fc.constantFrom<NormalisedMessage['role']>('user', 'assistant', 'assistant', 'system');
const textArb = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 1, max: 3000 }).map((n) => words(n)),
  fc.integer({ min: 1, max: 300 }).map((n) => Array.from({ length: n }, (_, i) => `2026-11-22 10:00:${i % 60} INFO line ${i}`).join('\n')),
  fc.string({ maxLength: 200 }),
);
const conversationArb = fc
  .array(fc.record({ role: roleArb, delta: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 7200 })), text: textArb }), { minLength: 1, maxLength: 25 })
  .map((specs) => {
    let t = T0;
    return specs.map((s, i) => {
      t += s.delta;
      return msg({ id: `p${String(i).padStart(3, '0')}`, role: s.role, timestamp: t, text: s.text, onActiveBranch: i % 3 !== 2 });
    });
  });
const settingsArb = fc.record({
  idleThresholdSeconds: fc.integer({ min: 60, max: 14_400 }),
  typingWpm: fc.integer({ min: 5, max: 200 }),
  readingWpm: fc.integer({ min: 50, max: 1000 }),
  skimmingWpm: fc.integer({ min: 300, max: 5000 }),
});

describe('engaged time — properties', () => {
  it('engaged ≥ active, and engaged intervals cover the active ones', () => {
    fc.assert(
      fc.property(conversationArb, settingsArb, fc.boolean(), (messages, settings, shuffle) => {
        const input = shuffle ? [...messages].reverse() : messages;
        const t = computeTiming(input, settings);
        expect(t.engagedSeconds).toBeGreaterThanOrEqual(t.activeSeconds);
        expect(unionLength([...t.engagedIntervals, ...t.activeIntervals])).toBeCloseTo(unionLength(t.engagedIntervals), 6);
        expect(t.activeSeconds + t.idleSeconds).toBeCloseTo(t.totalSeconds, 6);
        const m = toMinutes(t);
        expect(m.engaged).toBeGreaterThanOrEqual(m.active);
        expect(m.idle).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('no engaged time outside [first − threshold, last + threshold]; each window within its caps', () => {
    fc.assert(
      fc.property(conversationArb, settingsArb, (messages, settings) => {
        const t = computeTiming(messages, settings);
        for (const [s, e] of t.engagedIntervals) {
          expect(s).toBeGreaterThanOrEqual(t.firstMessageAt - settings.idleThresholdSeconds);
          expect(e).toBeLessThanOrEqual(t.lastMessageAt + settings.idleThresholdSeconds);
        }
        // Each message alone with its predecessor: the composing window is ≤ gap and ≤ threshold.
        const times = [...new Set(messages.map((m) => m.timestamp))].sort((a, b) => a - b);
        for (const m of messages) {
          const prev = times.filter((x) => x < m.timestamp).pop();
          const next = times.find((x) => x > m.timestamp);
          if (m.role === 'user') {
            const length = Math.min(composeSeconds(m.text, settings), settings.idleThresholdSeconds, prev === undefined ? Infinity : m.timestamp - prev);
            expect(length).toBeLessThanOrEqual(settings.idleThresholdSeconds);
            if (prev !== undefined) expect(length).toBeLessThanOrEqual(m.timestamp - prev);
          }
          if (m.role === 'assistant' && next === undefined) {
            // Engaged time after the last message never exceeds the threshold.
            const after = t.engagedIntervals.reduce((sum, [s, e]) => sum + Math.max(0, e - Math.max(s, t.lastMessageAt)), 0);
            expect(after).toBeLessThanOrEqual(settings.idleThresholdSeconds + 1e-6);
          }
        }
        // Before the first message only a composing window can exist: ≤ threshold.
        const before = t.engagedIntervals.reduce((sum, [s, e]) => sum + Math.max(0, Math.min(e, t.firstMessageAt) - s), 0);
        expect(before).toBeLessThanOrEqual(settings.idleThresholdSeconds + 1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('every composing and reading window respects its caps', () => {
    fc.assert(
      fc.property(conversationArb, settingsArb, (messages, settings) => {
        const { windows } = engagedIntervals(messages, [], settings);
        const times = [...new Set(messages.map((m) => m.timestamp))].sort((a, b) => a - b);
        for (const [start, end] of windows.composing) {
          // Ends at a user message; never longer than the threshold, never before the previous message.
          expect(messages.some((m) => m.role === 'user' && m.timestamp === end)).toBe(true);
          expect(end - start).toBeLessThanOrEqual(settings.idleThresholdSeconds);
          const previous = times.filter((t) => t < end).pop();
          if (previous !== undefined) expect(start).toBeGreaterThanOrEqual(previous);
        }
        for (const [start, end] of windows.reading) {
          // Starts at an answer; never past the next message; the last answer within the threshold.
          expect(messages.some((m) => m.role === 'assistant' && m.timestamp === start)).toBe(true);
          const next = times.find((t) => t > start);
          if (next !== undefined) expect(end).toBeLessThanOrEqual(next);
          else expect(end - start).toBeLessThanOrEqual(settings.idleThresholdSeconds);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('engaged time within an idle gap is at most composing + reading caps (never the whole gap)', () => {
    const messages = chain([
      { role: 'user', timestamp: T0, text: 'a' },
      { role: 'assistant', timestamp: T0, text: words(230) }, // 60 s to read
      { role: 'user', timestamp: T0 + 3 * 3600, text: words(40) }, // 60 s to type
    ]);
    const t = computeTiming(messages, S);
    expect(t.activeSeconds).toBe(0);
    expect(t.engagedSeconds).toBeCloseTo(1.5 + 60 + 60, 6);
  });
});
