import type { DailyPoint, SummaryStats } from '../store/queries.ts';

// Derived figures shared by the CSV and the PDF, so both files agree to the last digit.

export type TimeBasis = 'engaged' | 'active';

/** Minutes → hours with two decimals (CSV cells; the PDF rounds further when it prints). */
export function hours2(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}

/** Value of time saved: hours × hourly rate, in currency units with cents. */
export function money(minutes: number, hourlyRate: number): number {
  return Math.round((minutes / 60) * hourlyRate * 100) / 100;
}

export function percent(share: number | null): number | null {
  return share === null ? null : Math.round(share * 1000) / 10;
}

export function round1(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

export function savedMinutes(stats: Pick<SummaryStats, 'timeSavedMinutes' | 'timeSavedEngagedMinutes'>, basis: TimeBasis): number {
  return basis === 'engaged' ? stats.timeSavedEngagedMinutes : stats.timeSavedMinutes;
}

/**
 * The low–high range of time saved over a period, built day by day exactly like the console's
 * trend band: a day's range is max(0, manual low − time with AI) … max(0, manual high − time
 * with AI), widened to include the day's most likely figure.
 */
export function savedRangeMinutes(points: readonly DailyPoint[], basis: TimeBasis): { low: number; high: number } {
  let low = 0;
  let high = 0;
  for (const p of points) {
    const withAi = basis === 'engaged' ? p.engagedMinutes : p.activeMinutes;
    const saved = basis === 'engaged' ? p.timeSavedEngagedMinutes : p.timeSavedMinutes;
    low += Math.min(saved, Math.max(0, p.manualMinutesLow - withAi));
    high += Math.max(saved, Math.max(0, p.manualMinutesHigh - withAi));
  }
  return { low, high };
}
