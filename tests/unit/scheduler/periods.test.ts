import { describe, expect, test } from 'vitest';
import { previousPeriod } from '../../../src/main/core/scheduler/periods.ts';

describe('export periods before "today"', () => {
  test.each([
    ['previous-day', '2026-03-01', '2026-02-28', '2026-02-28'],
    ['previous-day', '2024-03-01', '2024-02-29', '2024-02-29'],
    ['previous-day', '2026-01-01', '2025-12-31', '2025-12-31'],
    // ISO weeks, Monday to Sunday: a run on any day of a week exports the week before it.
    ['previous-week', '2026-03-30', '2026-03-23', '2026-03-29'], // Monday after the DST Sunday
    ['previous-week', '2026-04-05', '2026-03-23', '2026-03-29'], // Sunday: its own week is not over
    ['previous-week', '2026-01-01', '2025-12-22', '2025-12-28'],
    ['previous-month', '2026-03-01', '2026-02-01', '2026-02-28'],
    ['previous-month', '2024-03-15', '2024-02-01', '2024-02-29'],
    ['previous-month', '2026-01-01', '2025-12-01', '2025-12-31'],
  ] as const)('%s on %s → %s … %s', (period, today, from, to) => {
    expect(previousPeriod(period, today)).toEqual({ from, to });
  });
});
