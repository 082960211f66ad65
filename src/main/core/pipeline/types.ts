/** A closed time interval in epoch seconds: [start, end]. */
export type Interval = readonly [start: number, end: number];

export interface TimingSettings {
  /** Gaps up to this many seconds count as active (seed: 10 minutes). */
  idleThresholdSeconds: number;
  /** Engaged-time speeds (words per minute). */
  typingWpm: number;
  readingWpm: number;
  skimmingWpm: number;
}

export interface Timing {
  firstMessageAt: number;
  lastMessageAt: number;
  totalSeconds: number;
  /** Seed formula: sum of gaps ≤ idle threshold. */
  activeSeconds: number;
  idleSeconds: number;
  /** Union of active gaps, composing windows and reading windows. ≥ activeSeconds. */
  engagedSeconds: number;
  /** Merged intervals behind activeSeconds / engagedSeconds, for union across a user's parallel chats. */
  activeIntervals: Interval[];
  engagedIntervals: Interval[];
}

/** Whole minutes as stored (rounded), derived from a Timing. */
export interface TimingMinutes {
  total: number;
  active: number;
  idle: number;
  engaged: number;
}
