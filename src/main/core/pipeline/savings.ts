// Savings (SPEC §4.4). Pure arithmetic, shared by the run, the aggregates and the reports so a
// figure is computed one way everywhere.
//
//   time_saved = max(0, most_likely − with-AI minutes)      (never negative: a slower-with-AI
//                                                            conversation saves nothing, it
//                                                            does not "cost" time in the sums)
//   value      = time_saved / 60 × hourly rate
//
// The with-AI minutes are the seed's active minutes, or engaged minutes (recommended, see
// docs/method.md); both variants are stored.

function finiteOrZero(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** Minutes saved: max(0, mostLikely − withAiMinutes). */
export function timeSaved(mostLikelyMinutes: number, withAiMinutes: number): number {
  return Math.max(0, finiteOrZero(mostLikelyMinutes) - Math.max(0, finiteOrZero(withAiMinutes)));
}

/** Money value of saved minutes at an hourly rate, rounded to cents. */
export function valueOfMinutes(minutes: number, hourlyRate: number): number {
  const value = (Math.max(0, finiteOrZero(minutes)) / 60) * Math.max(0, finiteOrZero(hourlyRate));
  return Math.round(value * 100) / 100;
}

export interface Savings {
  /** Against active (seed) minutes. */
  timeSavedMinutes: number;
  /** Against engaged minutes. */
  timeSavedEngagedMinutes: number;
  /** The saving's range from the estimate's low and high, against active minutes. */
  timeSavedLowMinutes: number;
  timeSavedHighMinutes: number;
  value: number;
  valueEngaged: number;
}

export function computeSavings(
  estimate: { low: number; mostLikely: number; high: number },
  minutes: { active: number; engaged: number },
  hourlyRate: number,
): Savings {
  const timeSavedMinutes = timeSaved(estimate.mostLikely, minutes.active);
  const timeSavedEngagedMinutes = timeSaved(estimate.mostLikely, minutes.engaged);
  return {
    timeSavedMinutes,
    timeSavedEngagedMinutes,
    timeSavedLowMinutes: timeSaved(estimate.low, minutes.active),
    timeSavedHighMinutes: timeSaved(estimate.high, minutes.active),
    value: valueOfMinutes(timeSavedMinutes, hourlyRate),
    valueEngaged: valueOfMinutes(timeSavedEngagedMinutes, hourlyRate),
  };
}
