import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ESTIMATE_MINUTES } from '../../../src/main/core/llm/prompt.ts';
import { TASK_CATEGORIES } from '../../../src/main/core/llm/types.ts';
import { extractJson, parseAnswer, validateAnswer } from '../../../src/main/core/llm/validate.ts';

const good = {
  reasoning: 'Writing and testing a CSV parser by hand takes about an hour.',
  task_category: 'coding',
  work_related: true,
  task_completed: true,
  low: 30,
  most_likely: 60,
  high: 120,
  confidence: 70,
};

function ok(value: unknown) {
  const result = validateAnswer(value);
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result;
}

describe('validateAnswer', () => {
  it('accepts a well-formed answer unchanged', () => {
    const result = ok(good);
    expect(result.repairs).toEqual([]);
    expect(result.answer).toEqual({
      low: 30,
      mostLikely: 60,
      high: 120,
      confidence: 70,
      taskCategory: 'coding',
      workRelated: true,
      taskCompleted: true,
      reasoning: good.reasoning,
    });
    expect(result.raw).toBe(good);
  });

  it('rounds floats without flagging a repair', () => {
    const result = ok({ ...good, low: 29.6, most_likely: 60.4, high: 119.5, confidence: 70.2 });
    expect(result.answer).toMatchObject({ low: 30, mostLikely: 60, high: 120, confidence: 70 });
    expect(result.repairs).toEqual([]);
  });

  it('turns negatives into 0 and marks the repair', () => {
    const result = ok({ ...good, low: -5 });
    expect(result.answer.low).toBe(0);
    expect(result.repairs).toContain('negative_to_zero');
  });

  it('sorts out-of-order values and marks the repair', () => {
    const result = ok({ ...good, low: 120, most_likely: 30, high: 60 });
    expect(result.answer).toMatchObject({ low: 30, mostLikely: 60, high: 120 });
    expect(result.repairs).toEqual(['sorted']);
  });

  it('caps absurd values at 40 hours', () => {
    const result = ok({ ...good, low: 100, most_likely: 10_000, high: 1e9 });
    expect(result.answer).toMatchObject({ low: 100, mostLikely: MAX_ESTIMATE_MINUTES, high: MAX_ESTIMATE_MINUTES });
    expect(result.repairs).toContain('capped');
  });

  it('clamps confidence to 0–100 and reads 0.8 as 80 %', () => {
    expect(ok({ ...good, confidence: 140 }).answer.confidence).toBe(100);
    expect(ok({ ...good, confidence: -3 }).answer.confidence).toBe(0);
    expect(ok({ ...good, confidence: -3 }).repairs).toContain('confidence_clamped');
    const fraction = ok({ ...good, confidence: 0.8 });
    expect(fraction.answer.confidence).toBe(80);
    expect(fraction.repairs).toContain('confidence_fraction');
    expect(ok({ ...good, confidence: 1 }).answer.confidence).toBe(1);
  });

  it('maps an unknown category to "other" and normalises case', () => {
    const unknown = ok({ ...good, task_category: 'poetry' });
    expect(unknown.answer.taskCategory).toBe('other');
    expect(unknown.repairs).toContain('unknown_category');
    const upper = ok({ ...good, task_category: ' Writing ' });
    expect(upper.answer.taskCategory).toBe('writing');
    expect(upper.repairs).toEqual([]);
  });

  it('accepts numbers and booleans written as strings (small local models)', () => {
    const result = ok({ ...good, low: '15', most_likely: ' 20 ', high: '45.5', work_related: 'false', task_completed: 'yes' });
    expect(result.answer).toMatchObject({ low: 15, mostLikely: 20, high: 46, workRelated: false, taskCompleted: true });
  });

  it('rejects missing fields instead of inventing them', () => {
    const { most_likely: _omit, ...rest } = good;
    const result = validateAnswer(rest);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('most_likely');
    expect(validateAnswer({ ...good, confidence: null }).ok).toBe(false);
  });

  it('rejects values of the wrong kind', () => {
    expect(validateAnswer({ ...good, low: 'about an hour' }).ok).toBe(false);
    expect(validateAnswer({ ...good, work_related: 'maybe' }).ok).toBe(false);
    expect(validateAnswer({ ...good, reasoning: 42 }).ok).toBe(false);
    expect(validateAnswer([good]).ok).toBe(false);
    expect(validateAnswer('60').ok).toBe(false);
  });

  it('shortens a rambling reasoning without flagging the numbers as repaired', () => {
    const result = ok({ ...good, reasoning: 'word '.repeat(400) });
    expect(result.answer.reasoning.length).toBeLessThanOrEqual(500);
    expect(result.repairs).toEqual([]);
  });

  it('property: any numeric answer comes out as ordered, bounded integers', () => {
    const num = fc.oneof(fc.integer({ min: -1e6, max: 1e7 }), fc.double({ min: -1e6, max: 1e7, noNaN: true }));
    fc.assert(
      fc.property(num, num, num, num, fc.string(), (low, most, high, confidence, category) => {
        const result = ok({ ...good, low, most_likely: most, high, confidence, task_category: category });
        const { answer } = result;
        for (const v of [answer.low, answer.mostLikely, answer.high]) {
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(MAX_ESTIMATE_MINUTES);
        }
        expect(answer.low).toBeLessThanOrEqual(answer.mostLikely);
        expect(answer.mostLikely).toBeLessThanOrEqual(answer.high);
        expect(answer.confidence).toBeGreaterThanOrEqual(0);
        expect(answer.confidence).toBeLessThanOrEqual(100);
        expect(TASK_CATEGORIES).toContain(answer.taskCategory);
      }),
    );
  });
});

describe('extractJson / parseAnswer', () => {
  it('parses plain JSON', () => {
    expect(parseAnswer(JSON.stringify(good)).ok).toBe(true);
  });

  it('finds JSON inside a ```json fence or surrounding prose', () => {
    expect(parseAnswer(`Sure!\n\`\`\`json\n${JSON.stringify(good, null, 2)}\n\`\`\`\nHope this helps.`).ok).toBe(true);
    expect(parseAnswer(`My estimate: ${JSON.stringify(good)} (rough)`).ok).toBe(true);
  });

  it('reports invalid and empty content', () => {
    const invalid = parseAnswer('{"low": 10, "most_likely": ');
    expect(invalid).toMatchObject({ ok: false, reason: 'the answer was not valid JSON' });
    expect(extractJson('   ')).toEqual({ ok: false, reason: 'the answer was empty' });
  });
});
