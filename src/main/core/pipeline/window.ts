import { addLocalDays, type LocalDate } from '../time/days.ts';

/**
 * The days a scheduled (or argument-less) run covers: yesterday plus every day missed since
 * the last fully covered day, at most `catchUpMaxDays` back. Today is never taken: it is not over.
 */
export function nightlyRange(
  lastCovered: LocalDate | null,
  today: LocalDate,
  catchUpMaxDays: number,
): { from: LocalDate; to: LocalDate } {
  const to = addLocalDays(today, -1);
  const earliest = addLocalDays(to, -Math.max(0, catchUpMaxDays));
  let from = lastCovered ? addLocalDays(lastCovered, 1) : to;
  if (from > to) from = to;
  if (from < earliest) from = earliest;
  return { from, to };
}
