import { describe, expect, test } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { defaultSettings } from '../../../src/main/core/config/settings.ts';
import { nextFireTimes, scheduleConfig, validateCron, type ScheduleConfig } from '../../../src/main/core/scheduler/config.ts';
import type { Logger } from '../../../src/main/core/log/index.ts';
import type { Notice } from '../../../src/main/core/scheduler/notifier.ts';
import {
  Scheduler,
  type HealthSummary,
  type NightlyInput,
  type NightlyOutcome,
  type SchedulerJobs,
} from '../../../src/main/core/scheduler/scheduler.ts';
import { FakeClock } from './fake-clock.ts';

// The scheduler on a fake clock: whole nights, DST changes included, in milliseconds.

const ZONE = 'Europe/Budapest';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An instant given as Budapest wall-clock time. */
function budapest(y: number, m: number, d: number, h = 0, min = 0): number {
  return new TZDate(y, m - 1, d, h, min, 0, ZONE).getTime();
}

function wall(ms: number): string {
  return new Date(ms).toLocaleString('sv-SE', { timeZone: ZONE });
}

const quietLog: Logger = { error() {}, warn() {}, info() {}, verbose() {}, debug() {} };

function config(overrides: Partial<ScheduleConfig> = {}): ScheduleConfig {
  return { ...scheduleConfig(defaultSettings()), timezone: ZONE, ...overrides };
}

interface Harness {
  clock: FakeClock;
  scheduler: Scheduler;
  calls: Array<NightlyInput & { wall: string }>;
  notices: Notice[];
  advance(ms: number): Promise<void>;
  advanceTo(ms: number): Promise<void>;
}

function harness(options: {
  start: number;
  config?: Partial<ScheduleConfig>;
  nightly?: (input: NightlyInput, n: number) => Promise<NightlyOutcome>;
  health?: () => Promise<HealthSummary>;
  exports?: SchedulerJobs['exports'];
  maxSleepMs?: number;
}): Harness {
  const clock = new FakeClock(options.start);
  const calls: Harness['calls'] = [];
  const notices: Notice[] = [];
  const jobs: SchedulerJobs = {
    async nightly(input) {
      calls.push({ ...input, wall: wall(input.nowMs) });
      return options.nightly ? options.nightly(input, calls.length) : { kind: 'completed', runId: calls.length, message: 'ok' };
    },
  };
  if (options.health) jobs.health = options.health;
  if (options.exports) jobs.exports = options.exports;
  const scheduler = new Scheduler({
    config: config(options.config),
    jobs,
    clock,
    logger: quietLog,
    notifier: { notify: (n) => notices.push(n) },
    maxSleepMs: options.maxSleepMs ?? 15 * 60_000,
  });
  const settle = (): Promise<void> => scheduler.settled();
  return {
    clock,
    scheduler,
    calls,
    notices,
    advance: (ms) => clock.advanceTo(clock.now() + ms, settle),
    advanceTo: (ms) => clock.advanceTo(ms, settle),
  };
}

function runsPerDay(calls: Harness['calls']): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.day, (counts.get(c.day) ?? 0) + 1);
  return counts;
}

describe('cron maths', () => {
  test('nextFireTimes in Budapest keeps midnight across both DST changes', () => {
    const spring = nextFireTimes('0 0 * * *', ZONE, 3, budapest(2026, 3, 28, 12));
    expect(spring.map((d) => d.toISOString())).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z']);
    const fall = nextFireTimes('0 0 * * *', ZONE, 3, budapest(2026, 10, 24, 12));
    expect(fall.map((d) => d.toISOString())).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z']);
  });

  test('validateCron explains a bad expression', () => {
    expect(validateCron('0 0 * * *', ZONE)).toEqual({ ok: true });
    const bad = validateCron('61 0 * * *', ZONE);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/not a cron expression.*minute/);
  });

  test('settings defaults: daily midnight, health every 6 hours, zone from processing', () => {
    const c = scheduleConfig(defaultSettings());
    expect(c).toMatchObject({ cron: '0 0 * * *', healthCron: '0 */6 * * *', timezone: 'Europe/Budapest', retryMs: 600_000, exports: [], batchMode: false });
  });
});

describe('one run per local day across DST (Europe/Budapest, injected clock)', () => {
  test('spring forward, daily 00:00: one run per day, the short day included', async () => {
    const h = harness({ start: budapest(2026, 3, 27, 12) });
    h.scheduler.start();
    await h.scheduler.settled();
    await h.advanceTo(budapest(2026, 4, 1, 12));
    await h.scheduler.stop();
    expect(h.calls.map((c) => [c.day, c.reason, c.wall])).toEqual([
      ['2026-03-27', 'catch-up', '2026-03-27 12:00:00'],
      ['2026-03-28', 'schedule', '2026-03-28 00:00:00'],
      ['2026-03-29', 'schedule', '2026-03-29 00:00:00'],
      ['2026-03-30', 'schedule', '2026-03-30 00:00:00'],
      ['2026-03-31', 'schedule', '2026-03-31 00:00:00'],
      ['2026-04-01', 'schedule', '2026-04-01 00:00:00'],
    ]);
    // 2026-03-29 has 23 hours: midnight to midnight is 23 h in real time.
    expect(h.calls[3]!.nowMs - h.calls[2]!.nowMs).toBe(23 * HOUR);
  });

  test('fall back, daily 00:00: one run per day, the long day included', async () => {
    const h = harness({ start: budapest(2026, 10, 23, 12) });
    h.scheduler.start();
    await h.advanceTo(budapest(2026, 10, 28, 12));
    await h.scheduler.stop();
    expect(h.calls.map((c) => c.day)).toEqual(['2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27', '2026-10-28']);
    expect(h.calls.slice(1).every((c) => c.wall.endsWith('00:00:00'))).toBe(true);
    expect(h.calls[3]!.nowMs - h.calls[2]!.nowMs).toBe(25 * HOUR);
  });

  test('spring forward, 02:30 (inside the gap): runs once at 03:00 that night', async () => {
    const h = harness({ start: budapest(2026, 3, 27, 12), config: { cron: '30 2 * * *' } });
    h.scheduler.start();
    await h.advanceTo(budapest(2026, 3, 31, 12));
    await h.scheduler.stop();
    expect(h.calls.slice(1).map((c) => c.wall)).toEqual(['2026-03-28 02:30:00', '2026-03-29 03:00:00', '2026-03-30 02:30:00', '2026-03-31 02:30:00']);
    expect([...runsPerDay(h.calls).values()].every((n) => n === 1)).toBe(true);
  });

  test('fall back, 02:30 (happens twice): runs once', async () => {
    const h = harness({ start: budapest(2026, 10, 23, 12), config: { cron: '30 2 * * *' } });
    h.scheduler.start();
    await h.advanceTo(budapest(2026, 10, 27, 12));
    await h.scheduler.stop();
    expect(h.calls.slice(1).map((c) => c.wall)).toEqual(['2026-10-24 02:30:00', '2026-10-25 02:30:00', '2026-10-26 02:30:00', '2026-10-27 02:30:00']);
    expect([...runsPerDay(h.calls).values()].every((n) => n === 1)).toBe(true);
  });

  test('an hourly expression over both DST nights still gives one run per local day', async () => {
    for (const [start, end] of [
      [budapest(2026, 3, 28, 12), budapest(2026, 3, 30, 12)],
      [budapest(2026, 10, 24, 12), budapest(2026, 10, 26, 12)],
    ] as const) {
      const h = harness({ start, config: { cron: '0 * * * *' } });
      h.scheduler.start();
      await h.advanceTo(end);
      await h.scheduler.stop();
      const perDay = runsPerDay(h.calls);
      expect([...perDay.keys()]).toHaveLength(3);
      expect([...perDay.values()].every((n) => n === 1)).toBe(true);
      expect(h.scheduler.status().history.filter((e) => e.outcome === 'skipped').length).toBeGreaterThan(40);
    }
  });

  test('a machine asleep over midnight runs the missed night once when it wakes', async () => {
    const h = harness({ start: budapest(2026, 3, 28, 22) });
    h.scheduler.start();
    await h.scheduler.settled();
    h.clock.jump(10 * HOUR); // 08:00 on 03-29, the 00:00 timer never got to fire
    await h.clock.fireDue(() => h.scheduler.settled());
    await h.advance(HOUR);
    await h.scheduler.stop();
    expect(h.calls.map((c) => [c.day, c.reason])).toEqual([
      ['2026-03-28', 'catch-up'],
      ['2026-03-29', 'schedule'],
    ]);
  });
});

describe('no overlap, nothing lost', () => {
  test('a locked attempt is recorded and retried until it runs', async () => {
    const h = harness({
      start: budapest(2026, 5, 10, 23, 30),
      config: { retryMs: 10 * 60_000 },
      nightly: async (input, n) =>
        n >= 2 && n <= 3 ? { kind: 'locked', message: 'A run is already in progress on ws-2 (process 7) since 23:55.' } : { kind: 'completed', runId: n, message: `run ${n} for ${input.day}` },
    });
    h.scheduler.start();
    await h.advanceTo(budapest(2026, 5, 11, 1));
    await h.scheduler.stop();
    expect(h.calls.map((c) => [c.day, c.reason, c.wall])).toEqual([
      ['2026-05-10', 'catch-up', '2026-05-10 23:30:00'],
      ['2026-05-11', 'schedule', '2026-05-11 00:00:00'],
      ['2026-05-11', 'retry', '2026-05-11 00:10:00'],
      ['2026-05-11', 'retry', '2026-05-11 00:20:00'],
    ]);
    const history = h.scheduler.status().history;
    expect(history.filter((e) => e.outcome === 'locked')).toHaveLength(2);
    expect(history[0]).toMatchObject({ outcome: 'completed', day: '2026-05-11' });
    expect(h.scheduler.status().lastDayDone).toBe('2026-05-11');
    expect(h.notices).toEqual([]);
  });

  test('a start failure is notified once, retried, and given up after the limit', async () => {
    const h = harness({
      start: budapest(2026, 5, 10, 12),
      config: { retryMs: 30 * 60_000 },
      nightly: async () => {
        throw new Error('Analytics database unreachable: connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    h.scheduler.start();
    await h.advance(6 * HOUR);
    await h.scheduler.stop();
    expect(h.calls).toHaveLength(6);
    expect(h.notices.map((n) => n.kind)).toEqual(['run-failed', 'run-failed']);
    expect(h.notices[0]!.body).toMatch(/ECONNREFUSED.*Trying again in 30 minutes/);
    expect(h.notices[1]!.body).toMatch(/Giving up for today/);
  });

  test('a failed run is notified with its reason and not repeated the same day', async () => {
    const h = harness({
      start: budapest(2026, 5, 10, 12),
      nightly: async () => ({ kind: 'failed', runId: 41, message: 'The LLM endpoint refused the API key (401). Check the key in Settings.' }),
    });
    h.scheduler.start();
    await h.advance(6 * HOUR);
    await h.scheduler.stop();
    expect(h.calls).toHaveLength(1);
    expect(h.notices).toEqual([{ kind: 'run-failed', title: 'Nightly run failed', body: 'The LLM endpoint refused the API key (401). Check the key in Settings.', runId: 41 }]);
  });

  test('completed runs notify only when chosen', async () => {
    const h = harness({ start: budapest(2026, 5, 10, 12), config: { notifyOnSuccess: true } });
    h.scheduler.start();
    await h.scheduler.stop();
    expect(h.notices.map((n) => n.kind)).toEqual(['run-completed']);
  });

  test('stop() cancels a running night through its signal', async () => {
    let sawAbort = false;
    const h = harness({
      start: budapest(2026, 5, 10, 12),
      nightly: (input) =>
        new Promise((resolve) => {
          input.signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve({ kind: 'cancelled', runId: 5, message: 'Cancelled.' });
          });
        }),
    });
    h.scheduler.start();
    expect(h.scheduler.status().running).toBe(true);
    await h.scheduler.stop();
    expect(sawAbort).toBe(true);
    expect(h.scheduler.status()).toMatchObject({ running: false, lastDayDone: null });
  });

  test('pause stops fires; resume catches up', async () => {
    const h = harness({ start: budapest(2026, 5, 10, 12) });
    h.scheduler.start();
    await h.scheduler.settled();
    h.scheduler.pause();
    expect(h.scheduler.nextRuns(3)).toEqual([]);
    await h.advanceTo(budapest(2026, 5, 12, 12));
    expect(h.calls.map((c) => c.day)).toEqual(['2026-05-10']);
    h.scheduler.resume();
    await h.scheduler.settled();
    expect(h.calls.map((c) => [c.day, c.reason])).toEqual([
      ['2026-05-10', 'catch-up'],
      ['2026-05-12', 'catch-up'],
    ]);
    expect(h.scheduler.nextRuns(2).map((d) => wall(d.getTime()))).toEqual(['2026-05-13 00:00:00', '2026-05-14 00:00:00']);
    await h.scheduler.stop();
  });

  test('run now runs even when the day is done', async () => {
    const h = harness({ start: budapest(2026, 5, 10, 12) });
    h.scheduler.start();
    await h.scheduler.settled();
    await h.scheduler.runNow();
    await h.scheduler.stop();
    expect(h.calls.map((c) => c.reason)).toEqual(['catch-up', 'manual']);
  });

  test('a batch that is still waiting is polled until it completes', async () => {
    const h = harness({
      start: budapest(2026, 5, 10, 23, 50),
      config: { batchPollMs: 5 * 60_000 },
      nightly: async (_input, n) => (n === 1 ? { kind: 'up-to-date', message: 'nothing missing' } : n < 4 ? { kind: 'waiting', runId: 9, message: 'batch_1 in_progress' } : { kind: 'completed', runId: 9, message: 'done' }),
    });
    h.scheduler.start();
    await h.scheduler.settled();
    await h.advanceTo(budapest(2026, 5, 11, 1));
    await h.scheduler.stop();
    expect(h.calls.map((c) => [c.reason, c.wall])).toEqual([
      ['catch-up', '2026-05-10 23:50:00'],
      ['schedule', '2026-05-11 00:00:00'],
      ['retry', '2026-05-11 00:05:00'],
      ['retry', '2026-05-11 00:10:00'],
    ]);
  });
});

describe('health and exports', () => {
  test('health runs every 6 hours; a change to unhealthy is notified once', async () => {
    const levels: HealthSummary['overall'][] = ['healthy', 'unhealthy', 'unhealthy', 'healthy', 'unhealthy'];
    let i = 0;
    const h = harness({
      start: budapest(2026, 5, 10, 1),
      health: async () => ({ overall: levels[i++] ?? 'healthy', reasons: ['Analytics database unreachable.'] }),
    });
    h.scheduler.start();
    await h.advanceTo(budapest(2026, 5, 11, 6));
    await h.scheduler.stop();
    expect(i).toBe(5); // 06, 12, 18, 00, 06
    expect(h.notices.filter((n) => n.kind === 'health-unhealthy')).toHaveLength(2);
    expect(h.scheduler.status().lastHealth?.overall).toBe('unhealthy');
  });

  test('exports run after a complete night; failures are notified', async () => {
    const days: string[] = [];
    const h = harness({
      start: budapest(2026, 6, 1, 12),
      config: { exports: [{ enabled: true, kinds: ['summary'], period: 'previous-day', folder: '/reports' }] },
      nightly: async (_input, n) => (n === 2 ? { kind: 'failed', runId: 2, message: 'boom' } : { kind: 'completed', runId: n, message: 'ok' }),
      exports: async ({ today }) => {
        days.push(today);
        return [{ path: `/reports/summary_${today}.csv`, ok: today !== '2026-06-03', message: 'EACCES: permission denied' }];
      },
    });
    h.scheduler.start();
    await h.advanceTo(budapest(2026, 6, 3, 12));
    await h.scheduler.stop();
    // 06-02's run failed: no export from incomplete data.
    expect(days).toEqual(['2026-06-01', '2026-06-03']);
    expect(h.notices.map((n) => n.kind)).toEqual(['run-failed', 'export-failed']);
    expect(h.notices[1]!.body).toContain('permission denied');
  });

  test('status lists the next runs and the next health check', () => {
    const h = harness({ start: budapest(2026, 10, 24, 12), health: async () => ({ overall: 'healthy', reasons: [] }) });
    h.scheduler.start();
    const status = h.scheduler.status(3);
    expect(status.nextRuns.map((iso) => wall(Date.parse(iso)))).toEqual(['2026-10-25 00:00:00', '2026-10-26 00:00:00', '2026-10-27 00:00:00']);
    expect(wall(Date.parse(status.nextHealthCheck!))).toBe('2026-10-24 18:00:00');
    void h.scheduler.stop();
  });

  test('update() applies a new cron at once', async () => {
    const h = harness({ start: budapest(2026, 5, 10, 12) });
    h.scheduler.start();
    await h.scheduler.settled();
    h.scheduler.update(config({ cron: '0 3 * * *' }));
    expect(wall(h.scheduler.nextRuns(1)[0]!.getTime())).toBe('2026-05-11 03:00:00');
    await h.advanceTo(budapest(2026, 5, 11, 4));
    await h.scheduler.stop();
    expect(h.calls.map((c) => c.wall)).toEqual(['2026-05-10 12:00:00', '2026-05-11 03:00:00']);
  });
});

void DAY;
