import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeSavings, timeSaved, valueOfMinutes } from '../../../src/main/core/pipeline/savings.ts';

describe('savings', () => {
  it('time saved = max(0, most likely − with-AI minutes)', () => {
    expect(timeSaved(60, 10)).toBe(50);
    expect(timeSaved(10, 60)).toBe(0);
    expect(timeSaved(Number.NaN, 5)).toBe(0);
  });

  it('value = saved / 60 × hourly rate, in cents', () => {
    expect(valueOfMinutes(90, 50)).toBe(75);
    expect(valueOfMinutes(10, 72)).toBe(12);
    expect(valueOfMinutes(7, 33.33)).toBe(3.89);
  });

  it('computes both variants and the range; engaged saves no more than active', () => {
    expect(computeSavings({ low: 20, mostLikely: 60, high: 120 }, { active: 5, engaged: 15 }, 60)).toEqual({
      timeSavedMinutes: 55,
      timeSavedEngagedMinutes: 45,
      timeSavedLowMinutes: 15,
      timeSavedHighMinutes: 115,
      value: 55,
      valueEngaged: 45,
    });
    fc.assert(
      fc.property(fc.nat(5000), fc.nat(5000), fc.nat(600), fc.nat(600), (ml, spread, active, extra) => {
        const s = computeSavings({ low: Math.max(0, ml - spread), mostLikely: ml, high: ml + spread }, { active, engaged: active + extra }, 50);
        expect(s.timeSavedEngagedMinutes).toBeLessThanOrEqual(s.timeSavedMinutes);
        expect(s.timeSavedLowMinutes).toBeLessThanOrEqual(s.timeSavedMinutes);
        expect(s.timeSavedMinutes).toBeLessThanOrEqual(s.timeSavedHighMinutes);
        expect(s.timeSavedMinutes).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
