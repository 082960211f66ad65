import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { isValidTimeZone } from '../config/settings.ts';
import { formatInZone, nextFireTimes, validateCron } from './config.ts';

// What the Schedule page shows while someone edits: the next fire times of a cron expression in
// a zone, or one sentence saying why it cannot be used. The calendar maths is croner's, through
// config.ts, exactly as the scheduler will read the same expression.

export interface NextRun {
  /** The instant, ISO UTC. */
  at: string;
  /** "2026-03-29 00:00 (+01:00)": as people in the zone read it. */
  local: string;
  /** Short weekday in the zone ("Sun"). */
  weekday: string;
}

export type SchedulePreview =
  | { ok: true; cron: string; timezone: string; nextRuns: NextRun[] }
  | { ok: false; cron: string; timezone: string; message: string };

export const MAX_PREVIEW_RUNS = 20;

export function previewSchedule(cron: string, timezone: string, count: number, nowMs: number): SchedulePreview {
  const expression = cron.trim().replace(/\s+/g, ' ');
  if (!isValidTimeZone(timezone)) {
    return { ok: false, cron: expression, timezone, message: `"${timezone}" is not an IANA time zone; choose one such as Europe/Budapest.` };
  }
  if (expression === '') {
    return { ok: false, cron: expression, timezone, message: 'Enter a cron expression, for example "0 0 * * *" for daily at midnight.' };
  }
  if (expression.startsWith('@')) {
    return { ok: false, cron: expression, timezone, message: `Write "${expression}" as five fields instead, for example "0 0 * * *" for daily at midnight.` };
  }
  const fields = expression.split(' ').length;
  if (fields < 5 || fields > 6) {
    return {
      ok: false,
      cron: expression,
      timezone,
      message: `"${expression}" has ${fields} field${fields === 1 ? '' : 's'}; a cron expression has 5 (minute hour day month weekday), for example "30 2 * * *" for daily at 02:30.`,
    };
  }
  const valid = validateCron(expression, timezone);
  if (!valid.ok) return { ok: false, cron: expression, timezone, message: valid.message };
  const runs = nextFireTimes(expression, timezone, Math.min(Math.max(1, count), MAX_PREVIEW_RUNS), nowMs);
  return {
    ok: true,
    cron: expression,
    timezone,
    nextRuns: runs.map((date) => ({
      at: date.toISOString(),
      local: formatInZone(date, timezone),
      weekday: format(new TZDate(date.getTime(), timezone), 'EEE'),
    })),
  };
}
