import type { ExportPeriod } from '../config/settings.ts';
import { addLocalDays, type LocalDate } from '../time/days.ts';

// Report periods for scheduled exports: the last complete day, ISO week (Monday–Sunday) or
// calendar month before `today`. Calendar arithmetic on 'YYYY-MM-DD' only: the zone has already
// been applied when `today` was worked out.

function weekdayIso(date: LocalDate): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

export function previousPeriod(period: ExportPeriod, today: LocalDate): { from: LocalDate; to: LocalDate } {
  switch (period) {
    case 'previous-day': {
      const day = addLocalDays(today, -1);
      return { from: day, to: day };
    }
    case 'previous-week': {
      const thisMonday = addLocalDays(today, 1 - weekdayIso(today));
      return { from: addLocalDays(thisMonday, -7), to: addLocalDays(thisMonday, -1) };
    }
    case 'previous-month': {
      const to = addLocalDays(`${today.slice(0, 7)}-01`, -1);
      return { from: `${to.slice(0, 7)}-01`, to };
    }
  }
}
