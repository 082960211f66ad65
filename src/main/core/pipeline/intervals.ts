import type { Interval } from './types.ts';

// Interval arithmetic on closed [start, end] intervals in epoch seconds. Used for one
// conversation's active/engaged windows and, by the aggregates, to count a user's parallel
// conversations once (union) instead of summing them.

/**
 * Sorts and merges overlapping or touching intervals. Empty or inverted intervals
 * (end ≤ start) and non-finite bounds carry no time and are dropped.
 */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const valid = intervals.filter(([s, e]) => Number.isFinite(s) && Number.isFinite(e) && e > s);
  valid.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Interval[] = [];
  let current: [number, number] | null = null;
  for (const [s, e] of valid) {
    if (current && s <= current[1]) {
      if (e > current[1]) current[1] = e;
    } else {
      if (current) merged.push([current[0], current[1]]);
      current = [s, e];
    }
  }
  if (current) merged.push([current[0], current[1]]);
  return merged;
}

/** Total length (seconds) covered by the intervals, overlaps counted once. */
export function unionLength(intervals: readonly Interval[]): number {
  let total = 0;
  for (const [s, e] of mergeIntervals(intervals)) total += e - s;
  return total;
}

/**
 * The parts of the intervals that fall inside [from, to). Aggregates use it to attribute
 * time to a local day when a conversation crosses midnight.
 */
export function clipIntervals(intervals: readonly Interval[], from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const [s, e] of intervals) {
    const cs = Math.max(s, from);
    const ce = Math.min(e, to);
    if (ce > cs) out.push([cs, ce]);
  }
  return mergeIntervals(out);
}
