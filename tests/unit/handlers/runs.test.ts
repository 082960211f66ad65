import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { writeDemoDatabase } from '../../../src/main/core/demo/dataset.ts';
import { consoleFixture, type ConsoleFixture } from './support.ts';
import type { JobEvent } from '../../../src/shared/types.ts';

// runs.start drives the real pipeline as a job (demo Open WebUI SQLite file, offline heuristic
// estimator, real PostgreSQL): progress is published, a second start is refused while one
// runs, cancel stops it, and the dashboard then shows what the run stored.

let f: ConsoleFixture;
let today: string;

beforeAll(async () => {
  f = await consoleFixture({ withSource: false });
  const file = path.join(f.dataDir, 'webui.db');
  await writeDemoDatabase(file, { seed: 5, users: 6, days: 20, now: Date.now() });
  await f.handlers['settings.update']({ patch: { source: { url: file }, llm: { estimator: 'heuristic' } } });
  today = (await f.handlers['app.info']({})).display.today;
}, 120_000);

afterAll(async () => {
  await f?.cleanup();
});

const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('runs handlers', () => {
  it('runs a backfill as a job with progress, refusing a second one meanwhile', async () => {
    const events: JobEvent[] = [];
    const unsubscribe = f.runtime.jobs.subscribe((e) => events.push(e));
    const job = await f.handlers['runs.start']({ kind: 'backfill', from: addDays(today, -25), to: today, force: false });
    await expect(f.handlers['runs.start']({ kind: 'run', from: today, to: today, force: false })).rejects.toMatchObject({ code: 'busy' });
    const final = await f.runtime.jobs.waitFor(job);
    unsubscribe();
    expect(final.status).toBe('completed');
    expect(final.result?.processed).toBeGreaterThan(0);
    expect(events[0]?.type).toBe('started');
    expect(events.some((e) => e.type === 'progress' && e.job.progress !== null)).toBe(true);
    expect(events.at(-1)?.type).toBe('finished');

    const { db } = await f.runtime.contexts.analytics();
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM conversation_analysis`.execute(db);
    const summary = await f.handlers['dashboard.summary']({ from: addDays(today, -25), to: today });
    expect(summary.conversations).toBe(rows[0]!.n);
    expect(summary.heuristicShare).toBe(1);
    const runs = await f.handlers['runs.list']({ page: 0, pageSize: 10 });
    expect(runs.rows[0]).toMatchObject({ status: 'completed', trigger: 'backfill', processed: final.result?.processed });
  });

  it('cancels a forced backfill', async () => {
    const job = await f.handlers['runs.start']({ kind: 'backfill', from: addDays(today, -25), to: today, force: true });
    const cancelled = await f.handlers['runs.cancel']({ jobId: job.id });
    expect(cancelled.cancelRequested).toBe(true);
    const final = await f.runtime.jobs.waitFor(job.id);
    expect(final.status).toBe('cancelled');
    expect((await f.handlers['jobs.current']({})).active).toBeNull();
  });

  it('offers the scheduled range', async () => {
    const range = await f.handlers['runs.defaultRange']({});
    expect(range.to <= today).toBe(true);
    expect(range.from <= range.to).toBe(true);
  });

  it('refuses to start without a source, with a message', async () => {
    const bare = await consoleFixture({ withSource: false });
    try {
      await expect(bare.handlers['runs.start']({ kind: 'backfill', from: today, to: today, force: false })).rejects.toMatchObject({
        code: 'config',
        message: expect.stringMatching(/No Open WebUI database/),
      });
    } finally {
      await bare.cleanup();
    }
  });
});
