import { TZDate } from '@date-fns/tz';
import { addDays, endOfMonth, format, parseISO } from 'date-fns';

// All local-day maths lives here: which analytics day an instant falls on, and the instants
// that bound a local day. Days are 'YYYY-MM-DD' strings in the configured IANA zone.

export type LocalDate = string;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isLocalDate(value: string): value is LocalDate {
  if (!DATE_RE.test(value)) return false;
  const parsed = parseISO(value);
  return !Number.isNaN(parsed.getTime()) && format(parsed, 'yyyy-MM-dd') === value;
}

/** The last day looked up per zone, with its bounds: instants mostly come in time order. */
const lastDayOf = new Map<string, { date: LocalDate; start: number; end: number }>();

/** The local day (in `zone`) that contains the instant `epochSeconds`. */
export function localDateOf(epochSeconds: number, zone: string): LocalDate {
  const last = lastDayOf.get(zone);
  if (last && epochSeconds >= last.start && epochSeconds < last.end) return last.date;
  const date = format(new TZDate(epochSeconds * 1000, zone), 'yyyy-MM-dd');
  if (Number.isFinite(epochSeconds)) {
    const bounds = dayBounds(date, zone);
    // Kept only where the bounds agree with the lookup (odd zones' skipped days never do harm).
    if (epochSeconds >= bounds.start && epochSeconds < bounds.end) lastDayOf.set(zone, { date, ...bounds });
  }
  return date;
}

/** [start, end) of a local day in epoch seconds; 23 or 25 hours long on DST nights. */
export function dayBounds(date: LocalDate, zone: string): { start: number; end: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const start = new TZDate(y, m - 1, d, 0, 0, 0, zone).getTime() / 1000;
  const next = new TZDate(y, m - 1, d + 1, 0, 0, 0, zone).getTime() / 1000;
  return { start, end: next };
}

export function addLocalDays(date: LocalDate, days: number): LocalDate {
  return format(addDays(parseISO(date), days), 'yyyy-MM-dd');
}

/** Inclusive list of days from `from` to `to`. */
export function daysBetween(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let day = from; day <= to; day = addLocalDays(day, 1)) out.push(day);
  return out;
}

/** The first day of the month `date` falls in. */
export function firstOfMonth(date: LocalDate): LocalDate {
  return `${date.slice(0, 7)}-01`;
}

/** The last day of the month `date` falls in. */
export function lastOfMonth(date: LocalDate): LocalDate {
  return format(endOfMonth(parseISO(date)), 'yyyy-MM-dd');
}

/** Today in `zone` at the instant `nowMs`. */
export function today(zone: string, nowMs: number = Date.now()): LocalDate {
  return localDateOf(nowMs / 1000, zone);
}
