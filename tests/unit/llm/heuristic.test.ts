import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHeuristicEstimator, heuristicBreakdown, heuristicEstimate, HEURISTIC_VERSION } from '../../../src/main/core/llm/heuristic.ts';
import { TASK_CATEGORIES, type ConversationSummary } from '../../../src/main/core/llm/types.ts';
import { sampleSummary } from './summary-fixture.ts';

const summaryArb: fc.Arbitrary<ConversationSummary> = fc.record({
  taskTypeGuess: fc.oneof(fc.constantFrom(...TASK_CATEGORIES), fc.string({ maxLength: 12 })),
  language: fc.constantFrom('en', 'hu', 'de', 'other'),
  messageCounts: fc.record({ user: fc.nat(500), assistant: fc.nat(500), total: fc.nat(1000), branches: fc.nat(50) }),
  wordsByUser: fc.nat(1_000_000),
  wordsByAssistant: fc.nat(1_000_000),
  codeBlocks: fc.nat(200),
  codeLines: fc.option(fc.nat(50_000), { nil: undefined }),
  attachments: fc.dictionary(fc.constantFrom('pdf', 'image', 'document', 'spreadsheet', 'code', 'audio', 'other', 'weird'), fc.nat(100)),
  activeMinutes: fc.nat(1000),
  totalMinutes: fc.nat(10_000),
  userRequestSamples: fc.array(fc.string({ maxLength: 240 }), { maxLength: 3 }),
  finalAnswerSample: fc.string({ maxLength: 400 }),
});

describe('heuristic estimator', () => {
  it('is deterministic and always gives non-negative integers with low ≤ most likely ≤ high', () => {
    fc.assert(
      fc.property(summaryArb, (summary) => {
        const a = heuristicEstimate(summary);
        const b = heuristicEstimate(structuredClone(summary));
        expect(b).toEqual(a);
        for (const n of [a.low, a.mostLikely, a.high]) {
          expect(Number.isInteger(n)).toBe(true);
          expect(n).toBeGreaterThanOrEqual(0);
        }
        expect(a.low).toBeLessThanOrEqual(a.mostLikely);
        expect(a.mostLikely).toBeLessThanOrEqual(a.high);
        expect(a.confidence).toBeGreaterThanOrEqual(20);
        expect(a.confidence).toBeLessThanOrEqual(45);
        expect(TASK_CATEGORIES).toContain(a.taskCategory);
      }),
      { numRuns: 500 },
    );
  });

  it('labels itself: source heuristic, model/prompt version heuristic-v1, zero tokens and cost', () => {
    const e = heuristicEstimate(sampleSummary());
    expect(e).toMatchObject({ source: 'heuristic', model: HEURISTIC_VERSION, promptVersion: HEURISTIC_VERSION, inputTokens: 0, outputTokens: 0, costUsd: 0, repaired: false });
    expect(e.reasoning).toMatch(/^Offline heuristic \(coding\)/);
  });

  it('follows the documented formula', () => {
    const s = sampleSummary({ taskTypeGuess: 'writing', wordsByAssistant: 500, codeLines: 0, wordsByUser: 50, attachments: {}, messageCounts: { user: 2, assistant: 2, total: 4, branches: 0 } });
    // 500 words at 25 wpm = 20 min, + 2 requests × 2 min = 24
    expect(heuristicEstimate(s)).toMatchObject({ low: 12, mostLikely: 24, high: 48 });
    const code = sampleSummary({ taskTypeGuess: 'coding', wordsByAssistant: 400, codeLines: 50, attachments: { pdf: 1 }, messageCounts: { user: 1, assistant: 1, total: 2, branches: 0 } });
    // prose 400 − 300 = 100 words at 20 wpm = 5, code 50, pdf 10, 1 request 2 → 67
    expect(heuristicBreakdown(code).totalMinutes).toBeCloseTo(67, 6);
    expect(heuristicEstimate(code).mostLikely).toBe(67);
    const translation = sampleSummary({ taskTypeGuess: 'translation', wordsByAssistant: 1000, codeLines: 0, attachments: {}, messageCounts: { user: 1, assistant: 1, total: 2, branches: 0 } });
    // 1,000 words at 500 words/hour = 120 min + 2
    expect(heuristicEstimate(translation).mostLikely).toBe(122);
  });

  it('caps absurd inputs and flags leisure and unfinished conversations', () => {
    const huge = heuristicEstimate(sampleSummary({ wordsByAssistant: 10_000_000, codeLines: 1_000_000 }));
    expect(huge.mostLikely).toBe(480);
    expect(huge.reasoning).toContain('(capped)');
    expect(heuristicEstimate(sampleSummary({ taskTypeGuess: 'other', userRequestSamples: ['Give me a recipe for goulash'] })).workRelated).toBe(false);
    expect(heuristicEstimate(sampleSummary({ taskTypeGuess: 'other', userRequestSamples: ['Adj egy gulyás receptet'] })).workRelated).toBe(false);
    expect(heuristicEstimate(sampleSummary()).workRelated).toBe(true);
    expect(heuristicEstimate(sampleSummary({ finalAnswerSample: '', wordsByAssistant: 0 })).taskCompleted).toBe(false);
  });

  it('implements Estimator without requests and honours cancellation', async () => {
    const estimator = createHeuristicEstimator();
    expect(estimator.source).toBe('heuristic');
    expect(estimator.model).toBe(HEURISTIC_VERSION);
    await expect(estimator.estimate(sampleSummary())).resolves.toMatchObject({ source: 'heuristic' });
    expect(estimator.requestCount).toBe(0);
    const controller = new AbortController();
    controller.abort();
    await expect(estimator.estimate(sampleSummary(), controller.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });
});
