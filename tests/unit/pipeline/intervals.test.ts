import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipIntervals, mergeIntervals, unionLength } from '../../../src/main/core/pipeline/intervals.ts';
import type { Interval } from '../../../src/main/core/pipeline/types.ts';

describe('intervals', () => {
  it('merges overlapping and touching intervals, drops empty ones', () => {
    expect(mergeIntervals([[5, 10], [0, 3], [3, 4], [9, 12], [20, 20], [30, 25]])).toEqual([[0, 4], [5, 12]]);
    expect(unionLength([[0, 10], [5, 15], [20, 30]])).toBe(25);
    expect(unionLength([])).toBe(0);
  });

  it('counts parallel conversations once', () => {
    const a: Interval[] = [[0, 600]];
    const b: Interval[] = [[300, 900]];
    expect(unionLength([...a, ...b])).toBe(900);
  });

  it('clips to a day', () => {
    expect(clipIntervals([[0, 100], [150, 300]], 50, 200)).toEqual([[50, 100], [150, 200]]);
  });

  it('union length ≤ sum and ≥ max, merged output is sorted and disjoint', () => {
    const intervalArb = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 200 })).map(([s, l]) => [s, s + l] as Interval);
    fc.assert(
      fc.property(fc.array(intervalArb, { maxLength: 40 }), (list) => {
        const merged = mergeIntervals(list);
        for (let i = 1; i < merged.length; i++) expect((merged[i] as Interval)[0]).toBeGreaterThan((merged[i - 1] as Interval)[1]);
        const u = unionLength(list);
        expect(u).toBeLessThanOrEqual(list.reduce((sum, [s, e]) => sum + (e - s), 0));
        expect(u).toBeGreaterThanOrEqual(Math.max(0, ...list.map(([s, e]) => e - s)));
      }),
    );
  });
});
