import type { NormalisedMessage } from '../source/types.ts';
import { engagedIntervals } from './engaged.ts';
import { mergeIntervals, unionLength } from './intervals.ts';
import type { Interval, Timing, TimingMinutes, TimingSettings } from './types.ts';

// Timing of one conversation (SPEC §4.1). The seed formula: sort every message timestamp of
// the tree — regenerations and edits are activity too — and count each gap no longer than the
// idle threshold as active. total = last − first, idle = total − active. Everything is
// computed in seconds; whole minutes only when stored (toMinutes).
//
// Reference case: messages at 0, +10 min, +70 min with a 10-minute threshold give
// total 70, active 10, idle 60 minutes.

export const DEFAULT_TIMING_SETTINGS: TimingSettings = {
  idleThresholdSeconds: 10 * 60,
  typingWpm: 40,
  readingWpm: 230,
  skimmingWpm: 1000,
};

/** TimingSettings from the `processing` block of the settings file (threshold in minutes). */
export function timingSettingsFrom(processing: {
  idleThresholdMinutes: number;
  typingWpm: number;
  readingWpm: number;
  skimmingWpm: number;
}): TimingSettings {
  return {
    idleThresholdSeconds: processing.idleThresholdMinutes * 60,
    typingWpm: processing.typingWpm,
    readingWpm: processing.readingWpm,
    skimmingWpm: processing.skimmingWpm,
  };
}

export function computeTiming(messages: readonly NormalisedMessage[], settings: TimingSettings): Timing {
  const times = messages
    .map((m) => m.timestamp)
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  if (times.length === 0) {
    return {
      firstMessageAt: 0,
      lastMessageAt: 0,
      totalSeconds: 0,
      activeSeconds: 0,
      idleSeconds: 0,
      engagedSeconds: 0,
      activeIntervals: [],
      engagedIntervals: [],
    };
  }
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  const gaps: Interval[] = [];
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1] as number;
    const b = times[i] as number;
    if (b - a <= settings.idleThresholdSeconds) gaps.push([a, b]);
  }
  // The gaps are disjoint and sorted, so merging only joins touching ones and drops empty
  // (equal-timestamp) gaps; the sum of gaps equals the union length.
  const activeIntervals = mergeIntervals(gaps);
  const activeSeconds = unionLength(activeIntervals);
  const totalSeconds = last - first;
  const engaged = engagedIntervals(messages, activeIntervals, settings).intervals;
  return {
    firstMessageAt: first,
    lastMessageAt: last,
    totalSeconds,
    activeSeconds,
    idleSeconds: Math.max(0, totalSeconds - activeSeconds),
    engagedSeconds: Math.max(activeSeconds, unionLength(engaged)),
    activeIntervals,
    engagedIntervals: engaged,
  };
}

/**
 * Whole minutes as stored. Total and active are rounded independently; idle is derived as
 * total − active so the three always add up, and it can never be negative because
 * active ≤ total in seconds and rounding is monotonic. Engaged ≥ active for the same reason.
 */
export function toMinutes(timing: Timing): TimingMinutes {
  const total = Math.max(0, Math.round(timing.totalSeconds / 60));
  const active = Math.min(total, Math.max(0, Math.round(timing.activeSeconds / 60)));
  const engaged = Math.max(active, Math.round(timing.engagedSeconds / 60));
  return { total, active, idle: total - active, engaged };
}
