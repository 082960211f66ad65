import { afterEach, describe, expect, test } from 'vitest';
import type { Settings } from '../../src/main/core/config/settings.ts';
import type { RunRequest, RunResult } from '../../src/main/core/pipeline/run.ts';
import type { FakeOpenAI } from '../support/fake-openai-server.ts';
import { T0, type SourceFixture } from '../support/openwebui-fixture.ts';
import {
  adminClient,
  buildSource,
  cleanRunDump,
  cliEnv,
  conversationByMessage,
  countRows,
  createAnalytics,
  databaseName,
  dumpAnalytics,
  estimatorFor,
  faultSettings,
  manyChats,
  requestsPerConversation,
  runOnce,
  runStatuses,
  startCli,
  startFakeOpenAI,
  tempHome,
  terminateSessions,
  waitFor,
  type Analytics,
} from '../support/faults-harness.ts';

// SIGKILL the CLI in the middle of a backfill — while it reads the source, while it waits on
// the LLM, while it commits aggregates — then run again. The next run must mark the dead one
// 'interrupted', finish its range, store exactly what a clean run stores, and never ask the LLM
// again about a conversation the dead run had already stored.

const DAY1 = '2026-01-07';
const DAY2 = '2026-01-08';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(chatCount: number, dialect: 'sqlite' | 'postgres' = 'sqlite'): Promise<{ source: SourceFixture; analytics: Analytics; llm: FakeOpenAI; home: string }> {
  const source = await buildSource(dialect, manyChats(chatCount, { start: T0 }));
  const analytics = await createAnalytics('crash');
  const llm = await startFakeOpenAI();
  const home = tempHome('cf-crash-');
  cleanups.push(() => source.cleanup(), () => analytics.close(), () => llm.close(), () => home.cleanup());
  return { source, analytics, llm, home: home.dir };
}

/**
 * The run after the crash, in process (a CLI start costs seconds of transpiling on a busy
 * machine; the dead process is what must be the real CLI). Same settings as the CLI's, except
 * limits that only change speed.
 */
async function resume(ctx: { source: SourceFixture; analytics: Analytics; llm: FakeOpenAI }, request: Partial<RunRequest> & Pick<RunRequest, 'from' | 'to'>, edit?: (s: Settings) => void): Promise<RunResult> {
  const settings = faultSettings(ctx.llm.url, edit);
  return runOnce(ctx.source.url, ctx.analytics, request, { settings, estimator: estimatorFor(ctx.llm, settings) });
}

async function expectResumedAndClean(analytics: Analytics, sourceUrl: string, edit?: Parameters<typeof cleanRunDump>[2]): Promise<void> {
  expect(await runStatuses(analytics.db)).toEqual(['interrupted', 'completed']);
  const interrupted = await analytics.db.selectFrom('processing_log').selectAll().where('status', '=', 'interrupted').executeTakeFirstOrThrow();
  expect(interrupted.completed_at).not.toBeNull();
  expect(interrupted.error_message).toMatch(/stopped before the run finished/);
  const after = await dumpAnalytics(analytics.db);
  expect(after).toEqual(await cleanRunDump(sourceUrl, { from: DAY1, to: DAY2 }, edit));
}

describe('SIGKILL in the middle of a backfill', () => {
  test('while waiting on the LLM after the first batch committed: resumes, no second request for stored conversations', async () => {
    // The run commits every 500 conversations, so 520 chats give one committed batch and 20
    // conversations in flight when the process dies.
    const { source, analytics, llm, home } = await setup(520);
    llm.setBehaviour(({ index }) => (index >= 500 ? { kind: 'ok', latencyMs: 60_000 } : undefined));
    const env = cliEnv(home, source.url, analytics.url, llm.url);
    const cli = startCli(['backfill', '--from', DAY1, '--to', DAY2], env);
    await waitFor('the first batch to commit', async () => (await countRows(analytics.db, 'conversation_analysis')) >= 500 && llm.stats().chatRequests > 500, 40_000);
    const killed = await cli.kill();
    expect(killed.signal).toBe('SIGKILL');
    expect(await runStatuses(analytics.db)).toEqual(['running']);
    const storedBefore = new Set((await analytics.db.selectFrom('conversation_analysis').select('conversation_id').execute()).map((r) => r.conversation_id));
    expect(storedBefore.size).toBe(500);
    // Aggregates of the committed batch are already consistent with its rows.
    const partial = await dumpAnalytics(analytics.db);
    expect(partial.aggregates.length).toBeGreaterThan(0);

    llm.setBehaviour(undefined);
    llm.reset();
    // A run for a later day takes over the dead run's range.
    const result = await resume({ source, analytics, llm }, { from: '2026-01-09', to: '2026-01-09' });
    expect(result.resumed).toEqual([expect.objectContaining({ from: DAY1, to: DAY2 })]);
    expect(result).toMatchObject({ processed: 20, unchanged: 500 });

    const perConversation = requestsPerConversation(llm, await conversationByMessage(analytics.db));
    expect(perConversation.get('?')).toBeUndefined();
    for (const id of storedBefore) expect(perConversation.get(id), id).toBeUndefined();
    expect([...perConversation.values()]).toEqual(Array(20).fill(1));
    await expectResumedAndClean(analytics, source.url);
  });

  test('while reading a slow PostgreSQL source: nothing half-written, the next run finishes', async () => {
    const { source, analytics, llm, home } = await setup(8, 'postgres');
    // Every chat document takes 150 ms to read: the source's `chat` becomes a view over the
    // real table whose document column goes through a sleeping function.
    const owui = await adminClient(databaseName(source.url));
    try {
      const { rows } = await owui.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'chat' ORDER BY ordinal_position`,
      );
      const columns = rows.map((r) => (r.column_name === 'chat' ? 'slow_document(c.chat) AS chat' : `c."${r.column_name}"`)).join(', ');
      await owui.query(`
        CREATE FUNCTION slow_document(doc json) RETURNS json LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.15); RETURN doc; END $$;
        ALTER TABLE chat RENAME TO chat_rows;
        CREATE VIEW chat AS SELECT ${columns} FROM chat_rows c;`);
    } finally {
      await owui.end();
    }
    const env = cliEnv(home, source.url, analytics.url, llm.url);
    const cli = startCli(['backfill', '--from', DAY1, '--to', DAY2], env);
    await waitFor('the run to start', async () => (await runStatuses(analytics.db)).includes('running'), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(llm.stats().chatRequests).toBe(0); // still reading
    await cli.kill();
    expect(await countRows(analytics.db, 'conversation_analysis')).toBe(0);
    // The source is back to normal speed for the rest (the dead reader's session goes first).
    await terminateSessions(databaseName(source.url));
    const restore = await adminClient(databaseName(source.url));
    await restore.query('DROP VIEW chat; ALTER TABLE chat_rows RENAME TO chat;');
    await restore.end();

    expect(await resume({ source, analytics, llm }, { from: DAY1, to: DAY2 })).toMatchObject({ status: 'completed', processed: 8 });
    expect(llm.stats().chatRequests).toBe(8);
    await expectResumedAndClean(analytics, source.url);
  });

  test('while committing rows and aggregates: the batch is all or nothing, the next run finishes', async () => {
    const { source, analytics, llm, home } = await setup(6);
    // A statement trigger that sleeps holds the batch's transaction open right in the
    // aggregate rebuild, so the kill lands between the row upsert and the commit.
    const admin = await adminClient(databaseName(analytics.url));
    cleanups.push(() => admin.end());
    await admin.query(`
      CREATE FUNCTION slow_aggregates() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$;
      CREATE TRIGGER slow_aggregates BEFORE INSERT ON daily_aggregates FOR EACH STATEMENT EXECUTE FUNCTION slow_aggregates();`);
    const env = cliEnv(home, source.url, analytics.url, llm.url);
    const cli = startCli(['backfill', '--from', DAY1, '--to', DAY2], env);
    const database = databaseName(analytics.url);
    await waitFor('the aggregate rebuild to sleep', async () => {
      const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'`, [database]);
      return rows.length > 0;
    }, 30_000);
    // The rows are written but not committed: nobody else sees them.
    expect(await countRows(analytics.db, 'conversation_analysis')).toBe(0);
    await cli.kill();
    // The server would notice the dead client when its statement ends; do not wait 30 s for it.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'`, [database]);
    await admin.query('DROP TRIGGER slow_aggregates ON daily_aggregates');
    expect(await countRows(analytics.db, 'conversation_analysis')).toBe(0);
    expect(await analytics.db.selectFrom('daily_aggregates').select('analysis_date').execute()).toEqual([]);
    expect(await runStatuses(analytics.db)).toEqual(['running']);

    expect(await resume({ source, analytics, llm }, { from: DAY1, to: DAY2 })).toMatchObject({ status: 'completed', processed: 6 });
    await expectResumedAndClean(analytics, source.url);
  });

  test('a forced re-analysis killed half-way is finished by the next ordinary run', async () => {
    const { source, analytics, llm, home } = await setup(6);
    const env = cliEnv(home, source.url, analytics.url, llm.url);
    expect(await resume({ source, analytics, llm }, { from: DAY1, to: DAY2 })).toMatchObject({ status: 'completed', processed: 6 });

    // Re-analyse with another model (what --force is for); it dies while the LLM thinks.
    const newModel = { ...env, ANALYTICS_OPENAI_MODEL: 'gpt-4o' };
    llm.setLatency(60_000);
    const forced = startCli(['backfill', '--from', DAY1, '--to', DAY2, '--force'], newModel);
    await waitFor('the forced run to ask the LLM', () => llm.stats().chatRequests >= 7, 30_000);
    await forced.kill();
    llm.setLatency(0);

    const next = await resume({ source, analytics, llm }, { from: '2026-01-09', to: '2026-01-09' }, (s) => (s.llm.model = 'gpt-4o'));
    // 6 redone by the taking-over run; none had been stored by the dead one.
    expect(next).toMatchObject({ status: 'completed', processed: 6, unchanged: 0 });
    const models = await analytics.db.selectFrom('conversation_analysis').select('model').distinct().execute();
    expect(models).toEqual([{ model: 'gpt-4o' }]);
    expect(await runStatuses(analytics.db)).toEqual(['completed', 'interrupted', 'completed']);
    expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, { from: DAY1, to: DAY2 }, (s) => (s.llm.model = 'gpt-4o')));
  });
});
