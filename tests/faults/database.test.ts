import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createAppContext } from '../../src/main/core/app/context.ts';
import { runRange } from '../../src/main/core/app/operations.ts';
import { checkHealth, type HealthReport } from '../../src/main/core/health/checks.ts';
import { openSource } from '../../src/main/core/source/open.ts';
import type { ReadOptions, SourceReader, SourceRow } from '../../src/main/core/source/types.ts';
import { clusterDir, freePort } from '../../src/main/core/store/embedded.ts';
import { tryAcquireRunLock } from '../../src/main/core/store/lock.ts';
import { runPipeline } from '../../src/main/core/pipeline/run.ts';
import { T0, type SourceFixture } from '../support/openwebui-fixture.ts';
import {
  adminClient,
  buildSource,
  cleanRunDump,
  cliEnv,
  countRows,
  createAnalytics,
  databaseName,
  dumpAnalytics,
  estimatorFor,
  FAULT_SALT,
  faultSettings,
  manyChats,
  runCli,
  runOnce,
  runStatuses,
  settle,
  startFakeOpenAI,
  tempHome,
  terminateSessions,
  waitFor,
} from '../support/faults-harness.ts';

// Database faults: the analytics connection killed mid-run, the source going away mid-run, the
// analytics database unreachable at start, and the embedded server killed and left with its
// lock file. Each must end in a clear state (failed with the reason, or recovered), the health
// check must say what is wrong, and a later run must store what a clean run stores.

const DAY1 = '2026-01-07';
const DAY2 = '2026-01-08';
const RANGE = { from: DAY1, to: DAY2 };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function later(fn: () => Promise<void> | void): void {
  cleanups.push(async () => {
    try {
      await fn();
    } catch {
      // cleanup is best effort
    }
  });
}

async function healthFor(env: Record<string, string>): Promise<HealthReport> {
  const context = await createAppContext({ env });
  try {
    return await checkHealth(context);
  } finally {
    await context.close().catch(() => undefined);
  }
}

function check(report: HealthReport, name: string) {
  return report.checks.find((c) => c.name === name);
}

describe('analytics connection terminated mid-run', () => {
  test('every analytics session killed while the LLM thinks: the run recovers (or fails with the reason), and a clean result follows', async () => {
    const source = await buildSource('sqlite', manyChats(6, { start: T0 }));
    const analytics = await createAnalytics('dbterm');
    const llm = await startFakeOpenAI({ latencyMs: 250 });
    later(() => source.cleanup());
    later(() => analytics.close());
    later(() => llm.close());
    const settings = faultSettings(llm.url, (s) => (s.llm.concurrency = 1));
    const running = settle(runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings), batchSize: 2 }));
    await waitFor('the first batch', async () => (await countRows(analytics.db, 'conversation_analysis')) >= 2);
    const killed = await terminateSessions(databaseName(analytics.url));
    expect(killed).toBeGreaterThanOrEqual(1); // at least the run lock's connection
    const outcome = await running;
    if (outcome instanceof Error) {
      // The kill hit a statement in flight (a commit or a progress update): a clear failure.
      expect(outcome.message).toMatch(/terminat|connection/i);
      expect(await runStatuses(analytics.db)).toEqual(['failed']);
      const again = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
      expect(again.status).toBe('completed');
    } else {
      // Idle connections were killed: the pool reconnects and the lock is taken again.
      expect(outcome.status, outcome.errorMessage ?? '').toBe('completed');
      expect(outcome.processed).toBe(6);
      expect(await runStatuses(analytics.db)).toEqual(['completed']);
    }
    expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, RANGE));
  });

  test('the run lock connection is lost and another run takes the lock: the first stops with the reason, nothing is stored twice', async () => {
    const source = await buildSource('sqlite', manyChats(6, { start: T0 }));
    const analytics = await createAnalytics('dblock');
    const llm = await startFakeOpenAI({ latencyMs: 250 });
    later(() => source.cleanup());
    later(() => analytics.close());
    later(() => llm.close());
    const settings = faultSettings(llm.url, (s) => (s.llm.concurrency = 1));
    const first = settle(runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings), batchSize: 2 }));
    await waitFor('the first batch', async () => (await countRows(analytics.db, 'conversation_analysis')) >= 2);
    // Only the lock's session dies (a network blip on that one connection).
    expect(await terminateSessions(databaseName(analytics.url), `application_name LIKE 'cogniforce-run:%'`)).toBe(1);
    // Someone else gets the lock meanwhile and holds it until the first run has given up.
    const other = await waitFor('the freed lock', async () => {
      const attempt = await tryAcquireRunLock(analytics.url);
      return attempt.acquired ? attempt : null;
    });
    let firstOutcome: Awaited<typeof first>;
    try {
      firstOutcome = await first;
    } finally {
      await other.release();
    }
    // Either way the first run must not go on writing without the lock.
    const message = firstOutcome instanceof Error ? firstOutcome.message : (firstOutcome.errorMessage ?? '');
    expect(firstOutcome instanceof Error || firstOutcome.status === 'failed').toBe(true);
    expect(message).toMatch(/lock/i);
    const log = await analytics.db.selectFrom('processing_log').selectAll().executeTakeFirstOrThrow();
    expect(log.status).toBe('failed');
    expect(log.error_message).toMatch(/lock/i);

    const again = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
    expect(again.status).toBe('completed');
    expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, RANGE));
  });
});

describe('source database stops mid-run', () => {
  test('PostgreSQL source: sessions terminated and connections refused while reading → run failed with the reason, health says so, a later run completes', async () => {
    const source = await buildSource('postgres', manyChats(6, { start: T0 }));
    const analytics = await createAnalytics('srcpg');
    const llm = await startFakeOpenAI();
    const home = tempHome('cf-srcpg-');
    later(() => analytics.close());
    later(() => llm.close());
    later(() => home.cleanup());
    const owuiName = databaseName(source.url);
    const owui = await adminClient(owuiName);
    const { rows } = await owui.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'chat' ORDER BY ordinal_position`,
    );
    const columns = rows.map((r) => (r.column_name === 'chat' ? 'slow_document(c.chat) AS chat' : `c."${r.column_name}"`)).join(', ');
    await owui.query(`
      CREATE FUNCTION slow_document(doc json) RETURNS json LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.2); RETURN doc; END $$;
      ALTER TABLE chat RENAME TO chat_rows;
      CREATE VIEW chat AS SELECT ${columns} FROM chat_rows c;`);
    await owui.end();

    const settings = faultSettings(llm.url);
    const running = settle(runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) }));
    await waitFor('the run to read', async () => (await runStatuses(analytics.db)).includes('running'));
    const admin = await adminClient();
    later(() => admin.end());
    await admin.query(`ALTER DATABASE "${owuiName}" ALLOW_CONNECTIONS false`);
    later(() => admin.query(`ALTER DATABASE "${owuiName}" ALLOW_CONNECTIONS true`).then(() => undefined));
    await terminateSessions(owuiName);
    const failure = await running;
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/Open WebUI database/);
    const log = await analytics.db.selectFrom('processing_log').selectAll().executeTakeFirstOrThrow();
    expect(log.status).toBe('failed');
    expect(log.error_message).toMatch(/Open WebUI database/);
    expect(await countRows(analytics.db, 'conversation_analysis')).toBe(0);

    const env = cliEnv(home.dir, source.url, analytics.url, llm.url);
    const health = await healthFor(env);
    expect(check(health, 'source-db')).toMatchObject({ level: 'degraded', message: expect.stringMatching(/Open WebUI database unreachable/) });
    expect(check(health, 'last-run')).toMatchObject({ level: 'unhealthy', message: expect.stringMatching(/failed: .*Open WebUI database/) });
    expect(check(health, 'analytics-db')?.level).toBe('healthy');

    await admin.query(`ALTER DATABASE "${owuiName}" ALLOW_CONNECTIONS true`);
    const restore = await adminClient(owuiName);
    await restore.query('DROP VIEW chat; ALTER TABLE chat_rows RENAME TO chat;');
    await restore.end();
    const again = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
    expect(again).toMatchObject({ status: 'completed', processed: 6 });
    expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, RANGE));
  });

  test('SQLite source: the file is overwritten with garbage while it is read → run failed with the reason, health says so, a later run completes', async () => {
    // Big enough documents that the rows span many pages, so the reader still has pages to
    // fetch from disk after the file is damaged.
    const chats = manyChats(40, { start: T0 }).map((c) => ({ ...c, title: `${c.title} ${'x'.repeat(3000)}` }));
    const source: SourceFixture = await buildSource('sqlite', chats);
    const analytics = await createAnalytics('srcsqlite');
    const llm = await startFakeOpenAI();
    const home = tempHome('cf-srcsqlite-');
    later(() => source.cleanup());
    later(() => analytics.close());
    later(() => llm.close());
    later(() => home.cleanup());
    const file = source.file!;
    const intact = fs.readFileSync(file);
    const reader = await openSource(source.url);
    // Fault injection around the real reader: after the second row, the file's bytes on disk
    // are replaced by garbage (a disk fault, or another program overwriting webui.db).
    let seen = 0;
    const faulty: SourceReader = {
      dialect: reader.dialect,
      info: () => reader.info(),
      users: () => reader.users(),
      ping: () => reader.ping(),
      close: () => reader.close(),
      countConversations: reader.countConversations?.bind(reader),
      async *readConversations(options?: ReadOptions): AsyncIterable<SourceRow> {
        for await (const row of reader.readConversations(options)) {
          if (++seen === 2) fs.writeFileSync(file, crypto.randomBytes(intact.length));
          yield row;
        }
      },
    };
    const settings = faultSettings(llm.url);
    let failure: unknown;
    try {
      await runPipeline(
        { from: DAY1, to: DAY2, force: false, trigger: 'cli' },
        { db: analytics.db, analyticsUrl: analytics.url, source: faulty, estimator: estimatorFor(llm, settings), salt: FAULT_SALT, settings, appVersion: 'faults' },
      );
    } catch (error) {
      failure = error;
    } finally {
      await reader.close();
    }
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/Open WebUI database|malformed|not a database/i);
    const log = await analytics.db.selectFrom('processing_log').selectAll().executeTakeFirstOrThrow();
    expect(log).toMatchObject({ status: 'failed' });
    expect(log.error_message).toBe((failure as Error).message);
    expect(await countRows(analytics.db, 'conversation_analysis')).toBe(0);

    const health = await healthFor(cliEnv(home.dir, source.url, analytics.url, llm.url));
    expect(check(health, 'source-db')).toMatchObject({ level: 'degraded', message: expect.stringMatching(/not a SQLite database/) });

    fs.writeFileSync(file, intact);
    const again = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
    expect(again).toMatchObject({ status: 'completed', processed: 40 });
    expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, RANGE));
  });
});

describe('analytics database unreachable at start', () => {
  test('CLI run and health exit 1 with the reason; the run with the database back completes', async () => {
    const source = await buildSource('sqlite', manyChats(4, { start: T0 }));
    const analytics = await createAnalytics('unreach');
    const home = tempHome('cf-unreach-');
    later(() => source.cleanup());
    later(() => analytics.close());
    later(() => home.cleanup());
    const dead = new URL(analytics.url);
    dead.port = String(await freePort()); // nothing listens there
    const env = cliEnv(home.dir, source.url, dead.toString(), null);
    const [run, health] = await Promise.all([runCli(['backfill', '--from', DAY1, '--to', DAY2], env), runCli(['health', '--json'], env)]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/analytics database/i);
    expect(run.stderr).toMatch(/refused|reach/i);
    expect(run.stderr).not.toContain('test-admin-pw');
    expect(health.code).toBe(1);
    const report = JSON.parse(health.stdout) as HealthReport;
    expect(report.overall).toBe('unhealthy');
    expect(check(report, 'analytics-db')).toMatchObject({ level: 'unhealthy', message: expect.stringMatching(/Analytics database unreachable: .*(refused|reach)/i) });
    expect(check(report, 'source-db')?.level).toBe('healthy');
    expect(await countRows(analytics.db, 'processing_log')).toBe(0);

    const context = await createAppContext({ env: cliEnv(home.dir, source.url, analytics.url, null) });
    try {
      expect(await runRange(context, { ...RANGE, force: false, trigger: 'cli' })).toMatchObject({ status: 'completed', processed: 4 });
    } finally {
      await context.close();
    }
    expect(await dumpAnalytics(analytics.db)).toEqual(await cleanRunDump(source.url, RANGE, undefined, 'heuristic'));
  });
});

describe('embedded analytics database after a crash', () => {
  test('postmaster SIGKILLed: the stale postmaster.pid is cleared, the next start serves the same data', async () => {
    const source = await buildSource('sqlite', manyChats(4, { start: T0 }));
    const home = tempHome('cf-embedded-');
    later(() => source.cleanup());
    later(() => home.cleanup());
    const env = {
      COGNIFORCE_HOME: home.dir,
      DATABASE_URL: source.url,
      ANALYTICS_SALT: FAULT_SALT,
      ANALYTICS_ESTIMATOR: 'heuristic',
      COGNIFORCE_EMBEDDED_DB_PASSWORD: 'embedded-faults-pw',
      TZ: 'Europe/Budapest',
    };
    const first = await createAppContext({ env });
    expect(await runRange(first, { ...RANGE, force: false, trigger: 'cli' })).toMatchObject({ status: 'completed', processed: 4 });
    const { db } = await first.analytics();
    const before = await dumpAnalytics(db);

    const pidFile = path.join(clusterDir(home.dir), 'postmaster.pid');
    const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    const children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    process.kill(postmaster, 'SIGKILL');
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor('the server processes to die', () => ![postmaster, ...children].some(alive), 20_000);
    await first.close().catch(() => undefined);
    expect(fs.existsSync(pidFile)).toBe(true); // the crash left it behind

    // What the app does at its next start: health first (it starts the server), then a run.
    const second = await createAppContext({ env });
    later(() => second.close());
    const health = await checkHealth(second);
    expect(check(health, 'analytics-db')?.level).toBe('healthy');
    expect(check(health, 'last-run')).toMatchObject({ level: 'healthy', message: expect.stringMatching(/completed/) });
    const { db: reopened } = await second.analytics();
    expect(await dumpAnalytics(reopened)).toEqual(before);
    expect(await runRange(second, { ...RANGE, force: false, trigger: 'cli' })).toMatchObject({ status: 'completed', processed: 0, unchanged: 4 });
  });
});
