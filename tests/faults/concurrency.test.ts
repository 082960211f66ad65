import os from 'node:os';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RunLockedError } from '../../src/main/core/store/lock.ts';
import { T0 } from '../support/openwebui-fixture.ts';
import {
  buildSource,
  cleanRunDump,
  cliEnv,
  createAnalytics,
  dumpAnalytics,
  estimatorFor,
  faultSettings,
  manyChats,
  runOnce,
  runStatuses,
  startCli,
  startFakeOpenAI,
  tempHome,
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
  // Slow answers keep the winner busy while the others (CLI start-up takes seconds) arrive.
  llm = await startFakeOpenAI({ latencyMs: 6_000 });
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
  const clis = [startCli(['backfill', '--from', RANGE.from, '--to', RANGE.to], env), startCli(['backfill', '--from', RANGE.from, '--to', RANGE.to], env)];
  // The scheduled run starts once both CLIs are up and racing (their start-up dominates).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const scheduled = runOnce(source.url, analytics, { ...RANGE, trigger: 'schedule' }, { settings, estimator: estimatorFor(llm, settings, { timeoutMs: 30_000 }) }).then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const [a, b, s] = await Promise.all([clis[0]!.done, clis[1]!.done, scheduled]);

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
    // The holder started at most a few seconds before the refused attempt.
    expect(Math.abs(error.holder.since! - holder.started_at.getTime() / 1000)).toBeLessThan(15);
    expect(error.message).toMatch(/in progress on .+ since \d{4}-\d{2}-\d{2}/);
  } else {
    expect(holder.trigger).toBe('schedule');
  }
  expect(await runStatuses(analytics.db)).toEqual(['completed']);
  expect(llm.stats().chatRequests).toBe(4);
  expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, RANGE));
});
