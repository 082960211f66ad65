import os from 'node:os';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RunLockedError } from '../../src/main/core/store/lock.ts';
import { T0 } from '../support/openwebui-fixture.ts';
import {
  adminClient,
  buildSource,
  cleanRunDump,
  cliEnv,
  createAnalytics,
  databaseName,
  dumpAnalytics,
  estimatorFor,
  faultSettings,
  manyChats,
  runOnce,
  runStatuses,
  startCli,
  startFakeOpenAI,
  tempHome,
  waitFor,
  type Analytics,
} from '../support/faults-harness.ts';
import type { FakeOpenAI } from '../support/fake-openai-server.ts';
import type { SourceFixture } from '../support/openwebui-fixture.ts';

// Two CLI runs and a scheduled run start together against one analytics database: exactly one
// works; the CLIs that lose exit 3 and the scheduled one gets RunLockedError, each naming the
// holder's host and start time.

const RANGE = { from: '2026-01-07', to: '2026-01-08' };
let source: SourceFixture;
let analytics: Analytics;
let llm: FakeOpenAI;
let home: { dir: string; cleanup(): void };

beforeAll(async () => {
  source = await buildSource('sqlite', manyChats(4, { start: T0 }));
  analytics = await createAnalytics('concurrency');
  llm = await startFakeOpenAI();
  home = tempHome('cf-conc-');
});
afterAll(async () => {
  await llm.close();
  await analytics.close();
  await source.cleanup();
  home.cleanup();
});

test('two CLI runs and a scheduled run at once: one works, the others are told who holds the lock', async () => {
  const env = cliEnv(home.dir, source.url, analytics.url, llm.url);
  const settings = faultSettings(llm.url);
  // A gate instead of timing: whoever wins the run lock blocks in its first write (the
  // processing_log row) on an advisory lock this test holds, until both others have been
  // refused. CLI start-up takes seconds on a busy machine; no race with it is left.
  const gate = await adminClient(databaseName(analytics.url));
  await gate.query(`
    CREATE FUNCTION faults_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock(7007); PERFORM pg_advisory_unlock(7007); RETURN NEW; END $$;
    CREATE TRIGGER faults_gate BEFORE INSERT ON processing_log FOR EACH ROW EXECUTE FUNCTION faults_gate();
    SELECT pg_advisory_lock(7007);`);
  const settled: boolean[] = [];
  const track = <T,>(p: Promise<T>): Promise<T> => p.finally(() => settled.push(true));
  const clis = [startCli(['backfill', '--from', RANGE.from, '--to', RANGE.to], env), startCli(['backfill', '--from', RANGE.from, '--to', RANGE.to], env)];
  const outcomes = [track(clis[0]!.done), track(clis[1]!.done)];
  const scheduled = track(
    runOnce(source.url, analytics, { ...RANGE, trigger: 'schedule' }, { settings, estimator: estimatorFor(llm, settings) }).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  );
  try {
    await waitFor('two contenders to be refused', () => settled.length >= 2, 60_000);
  } finally {
    await gate.query('SELECT pg_advisory_unlock(7007)');
    await gate.query('DROP TRIGGER faults_gate ON processing_log');
    await gate.end();
  }
  const [a, b, s] = await Promise.all([outcomes[0]!, outcomes[1]!, scheduled]);

  const winners = [a.code === 0, b.code === 0, s.ok].filter(Boolean);
  expect(winners).toHaveLength(1);
  const logs = await analytics.db.selectFrom('processing_log').selectAll().execute();
  expect(logs).toHaveLength(1); // losers never open a run row
  const holder = logs[0]!;
  expect(holder.status).toBe('completed');
  expect(holder.host).toBe(os.hostname());

  for (const loser of [a, b].filter((o) => o.code !== 0)) {
    expect(loser.code, loser.stderr).toBe(3);
    expect(loser.stderr.trim().split('\n')).toHaveLength(1);
    expect(loser.stderr).toMatch(new RegExp(`A run is already in progress on ${os.hostname()}.* since \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} \\(UTC[+-]\\d{2}:\\d{2}\\)`));
  }
  if (!s.ok) {
    expect(s.error).toBeInstanceOf(RunLockedError);
    const error = s.error as RunLockedError;
    expect(error.holder.host).toBe(os.hostname());
    expect(error.holder.since).not.toBeNull();
    // The holder's lock connection opened just before its run row was written.
    expect(Math.abs(error.holder.since! - holder.started_at.getTime() / 1000)).toBeLessThan(60);
    expect(error.message).toMatch(/in progress on .+ since \d{4}-\d{2}-\d{2}/);
  } else {
    expect(holder.trigger).toBe('schedule');
  }
  expect(await runStatuses(analytics.db)).toEqual(['completed']);
  expect(llm.stats().chatRequests).toBe(4);
  expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, RANGE));
});
