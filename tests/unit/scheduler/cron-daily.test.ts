import { describe, expect, it } from 'vitest';
import { dailyCron, dailyTimeOf, formatDailyTime, parseDailyTime } from '../../../src/shared/cron.ts';

// The Schedule page's "daily at HH:MM" editor: only the plain daily shape is recognised, and
// a time written by the editor reads back as the same time.

describe('daily cron editor', () => {
  it('recognises "M H * * *" and nothing else', () => {
    expect(dailyTimeOf('0 0 * * *')).toEqual({ hour: 0, minute: 0 });
    expect(dailyTimeOf(' 30  2 * * * ')).toEqual({ hour: 2, minute: 30 });
    for (const other of ['30 2 * * 1-5', '*/5 * * * *', '0 0 1 * *', '60 1 * * *', '0 24 * * *', '0 0 0 * * *', '']) expect(dailyTimeOf(other), other).toBeNull();
  });

  it('round-trips every minute of the day through the time input', () => {
    for (let hour = 0; hour < 24; hour++) {
      for (let minute = 0; minute < 60; minute++) {
        const text = formatDailyTime({ hour, minute });
        expect(text).toMatch(/^\d{2}:\d{2}$/);
        expect(dailyTimeOf(dailyCron(parseDailyTime(text)!))).toEqual({ hour, minute });
      }
    }
  });

  it('refuses what is not a time of day', () => {
    for (const bad of ['', '24:00', '12:60', 'noon', '1230']) expect(parseDailyTime(bad), bad).toBeNull();
    expect(parseDailyTime('07:05:00')).toEqual({ hour: 7, minute: 5 });
  });
});
