import { beforeEach, describe, expect, test } from 'vitest';
import type { AnalyticsDb } from '../../../src/main/core/store/connect.ts';
import {
  countRuns,
  finishRun,
  getRun,
  lastCompletedRun,
  listRuns,
  markInterruptedRuns,
  runningRun,
  startRun,
  updateRunProgress,
  type StartRunInput,
} from '../../../src/main/core/store/runs.ts';
import { migratedDb } from './helpers.ts';

let db: AnalyticsDb;
beforeEach(async () => {
  ({ db } = await migratedDb('runs'));
});

const input = (overrides: Partial<StartRunInput> = {}): StartRunInput => ({
  runDate: '2025-03-10',
  rangeFrom: '2025-03-10',
  rangeTo: '2025-03-10',
  forced: false,
  trigger: 'schedule',
  host: 'ws-1',
  appVersion: '0.1.0',
  pid: 1234,
  estimator: 'llm:gpt-4o-mini',
  ...overrides,
});

describe('processing_log', () => {
  test('a run goes from running through progress to completed', async () => {
    const id = await startRun(db, input());
    const started = await runningRun(db);
    expect(started).toMatchObject({ id, status: 'running', runDate: '2025-03-10', trigger: 'schedule', host: 'ws-1', pid: 1234, processed: 0, completedAt: null });
    expect(Math.abs(started!.startedAt! - Date.now() / 1000)).toBeLessThan(60);

    await updateRunProgress(db, id, { processed: 10, skipped: 2 });
    await updateRunProgress(db, id, { unchanged: 5 });
    expect(await getRun(db, id)).toMatchObject({ processed: 10, skipped: 2, unchanged: 5, failed: 0 });

    await finishRun(db, id, { status: 'completed', counts: { processed: 12, skipped: 2, failed: 1, unchanged: 5 }, llmRequests: 14, llmCostUsd: 0.0123456 });
    const done = await getRun(db, id);
    expect(done).toMatchObject({ status: 'completed', processed: 12, failed: 1, llmRequests: 14, llmCostUsd: 0.012346, errorMessage: null, capped: false });
    expect(done!.completedAt).toBeGreaterThanOrEqual(done!.startedAt!);
    expect(done!.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(await runningRun(db)).toBeNull();
    expect((await lastCompletedRun(db))?.id).toBe(id);
  });

  test('failure details and the capped flag are kept', async () => {
    const id = await startRun(db, input({ trigger: 'backfill', rangeFrom: '2025-01-01', rangeTo: '2025-03-01', forced: true }));
    await finishRun(db, id, {
      status: 'completed',
      counts: { processed: 1000, skipped: 0, failed: 0, unchanged: 0 },
      llmRequests: 1000,
      llmCostUsd: 1,
      errorDetails: { capped: true, deferred: 250 },
    });
    expect(await lastCompletedRun(db)).toMatchObject({ capped: true, forced: true, rangeFrom: '2025-01-01', errorDetails: { capped: true, deferred: 250 } });

    const failed = await startRun(db, input());
    await finishRun(db, failed, {
      status: 'failed',
      counts: { processed: 0, skipped: 0, failed: 3, unchanged: 0 },
      llmRequests: 9,
      llmCostUsd: 0,
      errorMessage: 'All 3 estimates failed: 401 Unauthorized',
      errorDetails: { name: 'EstimateError' },
    });
    expect(await getRun(db, failed)).toMatchObject({ status: 'failed', errorMessage: 'All 3 estimates failed: 401 Unauthorized', errorDetails: { name: 'EstimateError' } });
    // A failed run is not the last completed one.
    expect((await lastCompletedRun(db))?.id).toBe(id);
  });

  test('markInterruptedRuns turns every running row into interrupted and returns them', async () => {
    const a = await startRun(db, input({ rangeFrom: '2025-03-01', rangeTo: '2025-03-05' }));
    const b = await startRun(db, input({ rangeFrom: '2025-03-06', rangeTo: '2025-03-06', forced: true }));
    const c = await startRun(db, input());
    await finishRun(db, c, { status: 'cancelled', counts: { processed: 0, skipped: 0, failed: 0, unchanged: 0 }, llmRequests: 0, llmCostUsd: 0 });

    const interrupted = await markInterruptedRuns(db);
    expect(interrupted.map((r) => [r.id, r.status, r.rangeFrom, r.rangeTo, r.forced])).toEqual([
      [a, 'interrupted', '2025-03-01', '2025-03-05', false],
      [b, 'interrupted', '2025-03-06', '2025-03-06', true],
    ]);
    expect(interrupted[0]!.errorMessage).toMatch(/stopped before the run finished/);
    expect(interrupted[0]!.completedAt).not.toBeNull();
    expect((await getRun(db, c))?.status).toBe('cancelled');
    expect(await markInterruptedRuns(db)).toEqual([]);
  });

  test('listRuns pages newest first', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await startRun(db, input()));
    expect(await countRuns(db)).toBe(5);
    expect((await listRuns(db, { limit: 2, offset: 0 })).map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect((await listRuns(db, { limit: 2, offset: 4 })).map((r) => r.id)).toEqual([ids[0]]);
    expect(await lastCompletedRun(db)).toBeNull();
  });
});
