import fs from 'node:fs';
import path from 'node:path';
import { TZDate } from '@date-fns/tz';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/main/core/app/context.ts';
import { runRange } from '../../../src/main/core/app/operations.ts';
import { defaultSettings, type Settings } from '../../../src/main/core/config/settings.ts';
import { exportReport, reportFileName } from '../../../src/main/core/reports/index.ts';
import { createAppScheduler, type ReportExporter } from '../../../src/main/core/scheduler/app.ts';
import type { Notice } from '../../../src/main/core/scheduler/notifier.ts';
import { MemorySecretStore } from '../../../src/main/core/secrets/store.ts';
import { tryAcquireRunLock } from '../../../src/main/core/store/lock.ts';
import { listRuns } from '../../../src/main/core/store/runs.ts';
import { chatRecord, createOpenWebUiSource, linearChat, tempDir, type SourceFixture } from '../../support/openwebui-fixture.ts';
import { createTestDatabase } from '../../support/pg.ts';
import { FakeClock } from '../../unit/scheduler/fake-clock.ts';

// The scheduler against the real pipeline: a real SQLite Open WebUI file, a real PostgreSQL
// analytics database (its advisory lock included), the real exporters; only the clock is fake.

const ZONE = 'Europe/Budapest';
const budapest = (y: number, m: number, d: number, h = 0, min = 0): number => new TZDate(y, m - 1, d, h, min, 0, ZONE).getTime();
const at = (ms: number): number => Math.floor(ms / 1000);

let source: SourceFixture;
let analyticsUrl: string;
let dataDir: string;
let exportDir: string;
let context: AppContext;

const reports: ReportExporter = { exportReport, reportFileName };

beforeAll(async () => {
  // Chats on 2026-05-08, 05-09 and 05-10 (Budapest days).
  source = await createOpenWebUiSource({
    dialect: 'sqlite',
    generation: '0.11',
    chats: [
      chatRecord('c-8', 'u-eva', linearChat(['Draft a supplier email', 'Dear supplier…', 'More formal'], { start: at(budapest(2026, 5, 8, 10)), gap: 300 })),
      chatRecord('c-9', 'u-peter', linearChat(['Write a SQL query for monthly totals', '```sql\nSELECT …\n```'], { start: at(budapest(2026, 5, 9, 14)), gap: 600 })),
      chatRecord('c-10', 'u-eva', linearChat(['Translate this paragraph to German', 'Hier ist…'], { start: at(budapest(2026, 5, 10, 23, 30)), gap: 120 })),
    ],
  });
  analyticsUrl = await createTestDatabase('sched');
  dataDir = tempDir('cf-sched-home-');
  exportDir = path.join(dataDir, 'exports');
  const settings: Settings = defaultSettings();
  settings.source.url = source.url;
  settings.analytics = { mode: 'url', url: analyticsUrl };
  settings.llm.estimator = 'heuristic';
  settings.schedule.catchUpMaxDays = 3;
  settings.schedule.retryMinutes = 5;
  settings.schedule.exports = [{ enabled: true, kinds: ['summary', 'daily'], period: 'previous-day', folder: exportDir }];
  const secrets = new MemorySecretStore();
  await secrets.set('salt', 'scheduler-test-salt');
  context = await createAppContext({ settings, dataDir, secrets });
});

afterAll(async () => {
  await context.close();
  await source.cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the scheduler drives the real pipeline', () => {
  test('the first start runs yesterday, then exports the previous day', async () => {
    const clock = new FakeClock(budapest(2026, 5, 11, 8));
    const notices: Notice[] = [];
    const scheduler = createAppScheduler(context, { clock, reports, notifier: { notify: (n) => notices.push(n) } });
    scheduler.start();
    await scheduler.settled();
    const { db } = await context.analytics();
    const runs = await listRuns(db, { limit: 10, offset: 0 });
    expect(runs).toHaveLength(1);
    // No run yet: only yesterday (history is a backfill's job).
    expect(runs[0]).toMatchObject({ status: 'completed', trigger: 'schedule', rangeFrom: '2026-05-10', rangeTo: '2026-05-10', processed: 1 });
    expect(scheduler.status().history[0]).toMatchObject({ day: '2026-05-11', reason: 'catch-up', outcome: 'completed' });
    expect(fs.readdirSync(exportDir).sort()).toEqual([
      reportFileName('daily', '2026-05-10', '2026-05-10'),
      reportFileName('summary', '2026-05-10', '2026-05-10'),
    ]);
    expect(notices).toEqual([]);
    await scheduler.stop();
  });

  test('a restart the same day finds nothing missing and writes nothing twice', async () => {
    const clock = new FakeClock(budapest(2026, 5, 11, 9));
    const scheduler = createAppScheduler(context, { clock, reports });
    const before = fs.statSync(path.join(exportDir, reportFileName('summary', '2026-05-10', '2026-05-10'))).mtimeMs;
    scheduler.start();
    await scheduler.settled();
    const { db } = await context.analytics();
    expect(await listRuns(db, { limit: 10, offset: 0 })).toHaveLength(1);
    expect(scheduler.status().history[0]).toMatchObject({ outcome: 'up-to-date' });
    expect(fs.statSync(path.join(exportDir, reportFileName('summary', '2026-05-10', '2026-05-10'))).mtimeMs).toBe(before);
    await scheduler.stop();
  });

  test('midnight while another process holds the run lock: recorded, retried, then run', async () => {
    const clock = new FakeClock(budapest(2026, 5, 11, 23, 58));
    const scheduler = createAppScheduler(context, { clock, reports, maxSleepMs: 60_000 });
    const settle = (): Promise<void> => scheduler.settled();
    scheduler.start();
    await settle();
    const held = await tryAcquireRunLock(analyticsUrl);
    if (!held.acquired) throw new Error('test could not take the lock');
    try {
      await clock.advanceTo(budapest(2026, 5, 12, 0, 1), settle);
      const locked = scheduler.status().history.find((e) => e.outcome === 'locked');
      expect(locked).toMatchObject({ day: '2026-05-12', reason: 'schedule' });
      expect(locked!.message).toMatch(/A run is already in progress on .* since/);
      expect(scheduler.status().retryAt).toBe(new Date(budapest(2026, 5, 12, 0, 5)).toISOString());
    } finally {
      await held.release();
    }
    await clock.advanceTo(budapest(2026, 5, 12, 0, 10), settle);
    expect(scheduler.status().history[0]).toMatchObject({ day: '2026-05-12', reason: 'retry', outcome: 'completed' });
    expect(scheduler.status().lastDayDone).toBe('2026-05-12');
    const { db } = await context.analytics();
    const [latest] = await listRuns(db, { limit: 1, offset: 0 });
    expect(latest).toMatchObject({ trigger: 'schedule', status: 'completed', rangeTo: '2026-05-11' });
    await scheduler.stop();
  });

  test('a manual run in progress in this process makes the scheduled attempt wait, not overlap', async () => {
    const clock = new FakeClock(budapest(2026, 5, 13, 8));
    const scheduler = createAppScheduler(context, { clock, maxSleepMs: 60_000 });
    // A backfill started by a person holds the lock while the scheduler's catch-up fires. Its
    // first write waits behind a SHARE lock the test holds (reads go on), so it is still
    // running when the catch-up tries, however fast the machine is.
    const blocker = new pg.Client({ connectionString: analyticsUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE conversation_analysis IN SHARE MODE');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const manual = runRange(
      context,
      { from: '2026-05-08', to: '2026-05-12', force: true, trigger: 'backfill' },
      {
        onProgress: (p) => {
          if (p.phase === 'starting') {
            scheduler.start();
            void scheduler.settled().then(release);
          }
        },
      },
    );
    await gate;
    await blocker.query('ROLLBACK');
    await blocker.end();
    const result = await manual;
    expect(result.status).toBe('completed');
    expect(scheduler.status().history[0]).toMatchObject({ reason: 'catch-up', outcome: 'locked' });
    await clock.advanceTo(budapest(2026, 5, 13, 8, 6), () => scheduler.settled());
    expect(scheduler.status().history[0]).toMatchObject({ reason: 'retry', outcome: expect.stringMatching(/completed|up-to-date/) });
    await scheduler.stop();
  });

  test('after a week switched off, catch-up takes the missed days, at most catchUpMaxDays before yesterday', async () => {
    const clock = new FakeClock(budapest(2026, 5, 20, 9));
    const scheduler = createAppScheduler(context, { clock });
    scheduler.start();
    await scheduler.settled();
    const { db } = await context.analytics();
    const [latest] = await listRuns(db, { limit: 1, offset: 0 });
    expect(latest).toMatchObject({ trigger: 'schedule', status: 'completed', rangeFrom: '2026-05-16', rangeTo: '2026-05-19' });
    expect(scheduler.nextRuns(2).map((d) => d.toISOString())).toEqual(['2026-05-20T22:00:00.000Z', '2026-05-21T22:00:00.000Z']);
    await scheduler.stop();
  });
});
