// The Schedule page's friendly editor: "daily at HH:MM" is the cron expression "M H * * *".
// Only this shape is recognised; anything else is edited as a cron expression. No calendar
// maths here: next run times come from the scheduler's own cron library in main.

export interface DailyTime {
  hour: number;
  minute: number;
}

const DAILY = /^(\d{1,2}) (\d{1,2}) \* \* \*$/;

/** The time of day when `cron` is a plain daily expression, else null. */
export function dailyTimeOf(cron: string): DailyTime | null {
  const match = DAILY.exec(cron.trim().replace(/\s+/g, ' '));
  if (!match) return null;
  const minute = Number(match[1]);
  const hour = Number(match[2]);
  return minute <= 59 && hour <= 23 ? { hour, minute } : null;
}

export function dailyCron({ hour, minute }: DailyTime): string {
  return `${minute} ${hour} * * *`;
}

/** "02:30" for an <input type="time">. */
export function formatDailyTime({ hour, minute }: DailyTime): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** Reads "HH:MM" (as <input type="time"> gives it); null when it is not a time of day. */
export function parseDailyTime(value: string): DailyTime | null {
  const match = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(value.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}
