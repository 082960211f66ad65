import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { describe, expect, test } from 'vitest';
import { addLocalDays, dayBounds, daysBetween, isLocalDate, localDateOf } from '../../../src/main/core/time/days.ts';
import { nightlyRange } from '../../../src/main/core/pipeline/window.ts';

const BUD = 'Europe/Budapest';

describe('local days', () => {
  test('an instant belongs to the local day of the configured zone, not UTC', () => {
    // 2026-03-10 23:30 UTC is already 00:30 on the 11th in Budapest (UTC+1).
    expect(localDateOf(Date.UTC(2026, 2, 10, 23, 30) / 1000, BUD)).toBe('2026-03-11');
    expect(localDateOf(Date.UTC(2026, 2, 10, 23, 30) / 1000, 'UTC')).toBe('2026-03-10');
    expect(localDateOf(Date.UTC(2026, 2, 11, 3, 30) / 1000, 'America/New_York')).toBe('2026-03-10');
  });

  test('DST nights are 23 and 25 hours long', () => {
    const spring = dayBounds('2026-03-29', BUD);
    const autumn = dayBounds('2026-10-25', BUD);
    const plain = dayBounds('2026-06-01', BUD);
    expect(spring.end - spring.start).toBe(23 * 3600);
    expect(autumn.end - autumn.start).toBe(25 * 3600);
    expect(plain.end - plain.start).toBe(24 * 3600);
    expect(new Date(plain.start * 1000).toISOString()).toBe('2026-05-31T22:00:00.000Z');
  });

  test('every instant of a day maps back to that day', () => {
    for (const date of ['2026-03-29', '2026-10-25', '2026-01-01']) {
      const { start, end } = dayBounds(date, BUD);
      expect(localDateOf(start, BUD)).toBe(date);
      expect(localDateOf(end - 1, BUD)).toBe(date);
      expect(localDateOf(end, BUD)).toBe(addLocalDays(date, 1));
    }
  });

  test('the remembered last day gives what a fresh lookup gives, in time order or not, across DST nights', () => {
    const fresh = (t: number, zone: string): string => format(new TZDate(t * 1000, zone), 'yyyy-MM-dd');
    // Zones with DST at midnight (Santiago, Havana), half-hour (Lord Howe) and none (Kolkata).
    const zones = [BUD, 'America/New_York', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const start = Date.UTC(2025, 0, 1) / 1000;
    const span = 2 * 365 * 86_400;
    for (const zone of zones) {
      let t = start;
      const sequential: number[] = [];
      while (t < start + span) sequential.push((t += Math.floor(random() * 20_000)));
      const shuffled = Array.from({ length: 1_000 }, () => start + Math.floor(random() * span));
      for (const instant of [...sequential, ...shuffled]) {
        if (localDateOf(instant, zone) !== fresh(instant, zone)) expect({ zone, instant, got: localDateOf(instant, zone) }).toEqual({ zone, instant, got: fresh(instant, zone) });
      }
      for (const date of ['2025-03-09', '2025-04-06', '2025-09-07', '2025-11-02', '2026-03-29', '2026-10-25']) {
        const { start: s0, end } = dayBounds(date, zone);
        for (const instant of [s0 - 1, s0, end - 1, end, s0 - 1]) expect(localDateOf(instant, zone)).toBe(fresh(instant, zone));
      }
    }
  });

  test('date helpers', () => {
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2026-1-1')).toBe(false);
    expect(daysBetween('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });
});

describe('nightly range', () => {
  test('yesterday when nothing was missed', () => {
    expect(nightlyRange('2026-11-20', '2026-11-22', 31)).toEqual({ from: '2026-11-21', to: '2026-11-21' });
  });
  test('catches up every missed day since the last covered one', () => {
    expect(nightlyRange('2026-11-17', '2026-11-22', 31)).toEqual({ from: '2026-11-18', to: '2026-11-21' });
  });
  test('bounded by the catch-up limit', () => {
    expect(nightlyRange('2026-01-01', '2026-11-22', 7)).toEqual({ from: '2026-11-14', to: '2026-11-21' });
  });
  test('first run takes yesterday; a repeat run re-takes yesterday', () => {
    expect(nightlyRange(null, '2026-11-22', 31)).toEqual({ from: '2026-11-21', to: '2026-11-21' });
    expect(nightlyRange('2026-11-21', '2026-11-22', 31)).toEqual({ from: '2026-11-21', to: '2026-11-21' });
  });
});
