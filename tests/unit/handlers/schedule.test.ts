import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettingsFile } from '../../../src/main/core/config/load.ts';
import { createHandlers, createRuntime, dispatch } from '../../../src/main/core/handlers.ts';
import { scheduleConfig } from '../../../src/main/core/scheduler/config.ts';
import { Scheduler } from '../../../src/main/core/scheduler/scheduler.ts';
import { FakeClock } from '../scheduler/fake-clock.ts';
import { consoleFixture, fixtureContext, type ConsoleFixture } from './support.ts';

// The Schedule page's channels against a real runtime (settings written to the data folder):
// next runs come from the scheduler's cron maths in the right zone, invalid expressions and
// zones are refused with a sentence, a save is persisted and reported back, and the page says
// whether a scheduler runs in this process.

let f: ConsoleFixture;
// 2026-03-28 12:00 UTC: the night before Europe/Budapest springs forward (02:00 → 03:00).
const NOW = Date.parse('2026-03-28T12:00:00Z');

beforeAll(async () => {
  f = await consoleFixture({ withSource: false });
  f.runtime.now = () => NOW;
}, 120_000);

afterAll(async () => {
  await f?.cleanup();
});

describe('schedule.get', () => {
  it('shows the saved schedule, its next runs in the analytics zone, and that no scheduler runs here', async () => {
    const view = await f.handlers['schedule.get']({});
    expect(view.schedule).toMatchObject({ enabled: true, cron: '0 0 * * *', timezone: null, catchUpMaxDays: 31, retryMinutes: 10, exports: [] });
    expect(view.effectiveTimezone).toBe('Europe/Budapest');
    expect(view.preview.ok).toBe(true);
    if (!view.preview.ok) return;
    expect(view.preview.nextRuns).toHaveLength(5);
    expect(view.preview.nextRuns[0]).toEqual({ at: '2026-03-28T23:00:00.000Z', local: '2026-03-29 00:00 (+01:00)', weekday: 'Sun' });
    // After the change to summer time midnight is 22:00 UTC.
    expect(view.preview.nextRuns[1]?.at).toBe('2026-03-29T22:00:00.000Z');
    expect(view.scheduler.runsHere).toBe(false);
    expect(view.scheduler.message).toMatch(/No scheduler runs in this process.*serve/);
    expect(view.defaultExportFolder).toBe(path.join(f.dataDir, 'exports'));
  });

  it('reports the live scheduler when the platform runs one', async () => {
    const base = await fixtureContext({ withSource: false });
    const clock = new FakeClock(NOW);
    const scheduler = new Scheduler({
      config: scheduleConfig(base.context.settings),
      clock,
      jobs: { nightly: async () => ({ kind: 'up-to-date', message: 'Nothing to do.' }) },
    });
    scheduler.pause();
    const runtime = createRuntime(base.context, { env: {}, persisted: structuredClone(base.settings), writeFile: false, platform: { schedulerStatus: () => scheduler.status(5) } });
    try {
      const paused = await createHandlers(runtime)['schedule.get']({});
      expect(paused.scheduler).toMatchObject({ runsHere: true, paused: true, running: false, nextRuns: [] });
      expect(paused.scheduler.message).toMatch(/paused/);
      scheduler.resume();
      const active = await createHandlers(runtime)['schedule.get']({});
      expect(active.scheduler.message).toBe('The scheduler runs in this app.');
      expect(active.scheduler.nextRuns[0]).toMatchObject({ at: '2026-03-28T23:00:00.000Z', local: '2026-03-29 00:00 (+01:00)' });
    } finally {
      await runtime.contexts.close();
      await base.cleanup();
    }
  });
});

describe('schedule.preview', () => {
  it('computes the next runs of an expression in a zone, across the DST gap', async () => {
    const preview = await f.handlers['schedule.preview']({ cron: '30 2 * * *', timezone: 'Europe/Budapest', count: 3 });
    expect(preview).toEqual({
      ok: true,
      cron: '30 2 * * *',
      timezone: 'Europe/Budapest',
      nextRuns: [
        // 02:30 does not exist on 29 March: the first valid minute after the gap.
        { at: '2026-03-29T01:00:00.000Z', local: '2026-03-29 03:00 (+02:00)', weekday: 'Sun' },
        { at: '2026-03-30T00:30:00.000Z', local: '2026-03-30 02:30 (+02:00)', weekday: 'Mon' },
        { at: '2026-03-31T00:30:00.000Z', local: '2026-03-31 02:30 (+02:00)', weekday: 'Tue' },
      ],
    });
    const tokyo = await f.handlers['schedule.preview']({ cron: '15 6 * * 1-5', timezone: 'Asia/Tokyo', count: 2 });
    expect(tokyo.ok && tokyo.nextRuns.map((r) => r.local)).toEqual(['2026-03-30 06:15 (+09:00)', '2026-03-31 06:15 (+09:00)']);
  });

  it('uses the analytics zone when none is given', async () => {
    const preview = await f.handlers['schedule.preview']({ cron: '0 1 * * *', count: 1 });
    expect(preview).toMatchObject({ ok: true, timezone: 'Europe/Budapest', nextRuns: [{ local: '2026-03-29 01:00 (+01:00)' }] });
  });

  it('answers a readable reason for an expression or zone that cannot be used', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['61 0 * * *', 'Europe/Budapest', /Invalid value for minute: 61/],
      ['0 0 * *', 'Europe/Budapest', /has 4 fields; a cron expression has 5/],
      ['every night', 'Europe/Budapest', /has 2 fields/],
      ['0 0 31 2 *', 'Europe/Budapest', /never fires/],
      ['@daily', 'Europe/Budapest', /five fields/],
      ['', 'Europe/Budapest', /Enter a cron expression/],
      ['0 0 * * *', 'Mars/Olympus', /not an IANA time zone/],
    ];
    for (const [cron, timezone, message] of cases) {
      const preview = await f.handlers['schedule.preview']({ cron, timezone, count: 5 });
      expect(preview.ok, cron).toBe(false);
      if (!preview.ok) expect(preview.message).toMatch(message);
    }
  });

  it('refuses malformed arguments as validation errors', async () => {
    for (const args of [{}, { cron: 5 }, { cron: '0 0 * * *', count: 0 }, { cron: '0 0 * * *', count: 21 }, { cron: '0 0 * * *', extra: true }, { cron: 'x'.repeat(201) }]) {
      const result = await dispatch(f.runtime, f.handlers, 'schedule.preview', args);
      expect(result.ok, JSON.stringify(args)).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('validation');
    }
  });
});

describe('schedule.update', () => {
  it('saves time, zone, catch-up, retries, tray options and exports to the settings file', async () => {
    const folder = fs.mkdtempSync(path.join(f.dataDir, 'reports-'));
    const view = await f.handlers['schedule.update']({
      patch: {
        enabled: true,
        cron: ' 30   2 * * * ',
        timezone: 'America/New_York',
        catchUpMaxDays: 7,
        retryMinutes: 25,
        notifyOnSuccess: true,
        keepInTray: false,
        startAtLogin: true,
        exports: [{ enabled: true, kinds: ['summary', 'pdf'], period: 'previous-week', folder }],
      },
    });
    expect(view.schedule).toMatchObject({ cron: '30 2 * * *', timezone: 'America/New_York', catchUpMaxDays: 7, retryMinutes: 25, notifyOnSuccess: true, keepInTray: false, startAtLogin: true });
    expect(view.schedule.exports).toEqual([{ enabled: true, kinds: ['summary', 'pdf'], period: 'previous-week', folder }]);
    expect(view.effectiveTimezone).toBe('America/New_York');
    expect(view.preview.ok && view.preview.nextRuns[0]?.local).toBe('2026-03-29 02:30 (-04:00)');

    const onDisk = readSettingsFile(f.dataDir).schedule;
    expect(onDisk).toMatchObject({ cron: '30 2 * * *', timezone: 'America/New_York', catchUpMaxDays: 7, retryMinutes: 25, startAtLogin: true });
    expect(onDisk.exports).toEqual([{ enabled: true, kinds: ['summary', 'pdf'], period: 'previous-week', folder }]);
    // The scheduler reads the same settings the same way.
    expect(scheduleConfig(f.runtime.contexts.current().settings)).toMatchObject({ cron: '30 2 * * *', timezone: 'America/New_York', retryMs: 25 * 60_000 });
    expect((await f.handlers['schedule.get']({})).schedule.cron).toBe('30 2 * * *');
  });

  it('null follows the analytics zone again; a partial patch leaves the rest', async () => {
    const view = await f.handlers['schedule.update']({ patch: { timezone: null } });
    expect(view.schedule.timezone).toBeNull();
    expect(view.schedule.cron).toBe('30 2 * * *');
    expect(view.effectiveTimezone).toBe('Europe/Budapest');
    expect(readSettingsFile(f.dataDir).schedule.timezone).toBeUndefined();
  });

  it('refuses an unusable expression, zone or export folder and keeps what was saved', async () => {
    const file = path.join(f.dataDir, 'not-a-folder.txt');
    fs.writeFileSync(file, 'x');
    const cases: Array<[unknown, RegExp]> = [
      [{ cron: '0 25 * * *' }, /Invalid value for hour: 25/],
      [{ cron: '0 0 * *' }, /has 4 fields/],
      [{ timezone: 'Europe/Atlantis' }, /not an IANA time zone/],
      [{ exports: [{ enabled: true, kinds: ['pdf'], period: 'previous-day', folder: 'reports/nightly' }] }, /full path.*relative/],
      [{ exports: [{ enabled: true, kinds: ['pdf'], period: 'previous-day', folder: file }] }, /is a file, not a folder/],
      [{ exports: [{ enabled: true, kinds: [], period: 'previous-day', folder: f.dataDir }] }, /choose at least one report/],
      [{ exports: [{ enabled: true, kinds: ['pdf', 'pdf'], period: 'previous-day', folder: f.dataDir }] }, /names a report twice/],
      [{ exports: [{ enabled: true, kinds: ['pdf'], period: 'yesterday', folder: f.dataDir }] }, /period/],
      [{ retryMinutes: 0 }, /retryMinutes/],
      [{ catchUpMaxDays: 400 }, /catchUpMaxDays/],
      [{ healthCron: '* * * * *' }, /healthCron|Unrecognized/i],
    ];
    for (const [patch, message] of cases) {
      const result = await dispatch(f.runtime, f.handlers, 'schedule.update', { patch });
      expect(result.ok, JSON.stringify(patch)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('validation');
        expect(result.error.message).toMatch(message);
      }
    }
    expect(readSettingsFile(f.dataDir).schedule.cron).toBe('30 2 * * *');
  });
});
