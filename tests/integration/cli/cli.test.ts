import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tryAcquireRunLock } from '../../../src/main/core/store/lock.ts';
import { startRun } from '../../../src/main/core/store/runs.ts';
import { openAnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { migrateToLatest } from '../../../src/main/core/store/migrate.ts';
import { ChatBuilder, chatRecord, createOpenWebUiSource, linearChat, T0, tempDir, type SourceFixture } from '../../support/openwebui-fixture.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-server.ts';
import { createTestDatabase } from '../../support/pg.ts';

// The command line is a contract used by scripts: exit codes, --json on stdout, one-line reasons.

const run = promisify(execFile);
const BIN = path.resolve('bin/cogniforce-analytics.mjs');

interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string>): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let source: SourceFixture;
let analyticsUrl: string;
let home: string;
let llm: FakeOpenAI;

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    COGNIFORCE_HOME: home,
    DATABASE_URL: source.url,
    COGNIFORCE_DATABASE_URL: analyticsUrl,
    ANALYTICS_SALT: 'cli-test-salt',
    TZ: 'Europe/Budapest',
    ...extra,
  };
}

beforeAll(async () => {
  home = tempDir('cf-cli-home-');
  const ref = new ChatBuilder();
  ref.user('Draft a reply to the supplier', { at: T0 });
  ref.assistant('Dear supplier, …', { at: T0 + 600 });
  ref.user('More formal please', { at: T0 + 4200 });
  source = await createOpenWebUiSource({
    dialect: 'sqlite',
    generation: '0.11',
    chats: [
      chatRecord('c-ref', 'u-eva', ref),
      chatRecord('c-2', 'u-peter', linearChat(['Write a regex for Hungarian phone numbers', '```\n^\\+36…\n```'], { start: T0 + 300 })),
    ],
  });
  analyticsUrl = await createTestDatabase('cli');
  llm = await startFakeOpenAI({ latencyMs: 5 });
});

afterAll(async () => {
  await source.cleanup();
  await llm.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('usage and configuration errors exit 2 with a one-line reason', () => {
  test('no command', async () => {
    const out = await cli([], baseEnv());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/Usage: cogniforce-analytics/);
  });

  test('a bad date', async () => {
    const out = await cli(['backfill', '--from', '2026-13-01', '--to', '2026-01-07'], baseEnv());
    expect(out.code).toBe(2);
    expect(out.stderr.split('\n')[0]).toMatch(/--from 2026-13-01 is not a date/);
  });

  test('no estimator configured: stops, never falls back silently', async () => {
    const out = await cli(['backfill', '--from', '2026-01-07', '--to', '2026-01-07'], baseEnv());
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/No estimator is configured: set OPENAI_API_KEY .* ANALYTICS_ESTIMATOR=heuristic/);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('no source configured', async () => {
    const env = baseEnv({ ANALYTICS_ESTIMATOR: 'heuristic' });
    delete (env as Partial<typeof env>).DATABASE_URL;
    const out = await cli(['run', '--date', '2026-01-07'], env);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/No Open WebUI database is configured/);
  });
});

describe('runs', () => {
  test('backfill with the heuristic, then stats --json with both time bases', async () => {
    const out = await cli(['backfill', '--from', '2026-01-07', '--to', '2026-01-07', '--json'], baseEnv({ ANALYTICS_ESTIMATOR: 'heuristic' }));
    expect(out.code, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as { status: string; processed: number };
    expect(result).toMatchObject({ status: 'completed', processed: 2 });

    const stats = await cli(['stats', '--days', '400', '--json'], baseEnv());
    expect(stats.code, stats.stderr).toBe(0);
    const parsed = JSON.parse(stats.stdout) as { totals: Record<string, number>; timeBasis: string };
    expect(parsed.totals.conversations).toBe(2);
    expect(parsed.totals).toHaveProperty('timeSavedMinutes');
    expect(parsed.totals).toHaveProperty('timeSavedEngagedMinutes');
    expect(parsed.totals.engagedMinutes).toBeGreaterThanOrEqual(parsed.totals.activeMinutes!);
    expect(parsed.timeBasis).toBe('engaged');
  });

  test('run --date against the LLM test server via OPENAI_BASE_URL', async () => {
    const before = llm.stats().chatRequests;
    const out = await cli(['run', '--date', '2026-01-07', '--json'], baseEnv({ OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-cli-test' }));
    expect(out.code, out.stderr).toBe(0);
    // Unchanged since the heuristic backfill: nothing to re-estimate.
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'completed', processed: 0, unchanged: 2 });
    const forced = await cli(['backfill', '--from', '2026-01-07', '--to', '2026-01-07', '--force', '--json'], baseEnv({ OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-cli-test' }));
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ processed: 2, llmRequests: 2 });
    expect(llm.stats().chatRequests).toBe(before + 2);
  });

  test('another run holding the lock: exit 3 naming the holder', async () => {
    const db = openAnalyticsDb(analyticsUrl);
    await migrateToLatest(db);
    const lock = await tryAcquireRunLock(analyticsUrl);
    expect(lock.acquired).toBe(true);
    const runId = await startRun(db, {
      runDate: '2026-01-07', rangeFrom: '2026-01-07', rangeTo: '2026-01-07', forced: false,
      trigger: 'schedule', host: 'night-owl-workstation', appVersion: 'test', pid: 4242, estimator: 'heuristic',
    });
    try {
      const out = await cli(['backfill', '--from', '2026-01-07', '--to', '2026-01-07', '--json'], baseEnv({ ANALYTICS_ESTIMATOR: 'heuristic' }));
      expect(out.code).toBe(3);
      expect(out.stderr).toMatch(/A run is already in progress on night-owl-workstation/);
      expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { kind: 'locked' } });
    } finally {
      if (lock.acquired) await lock.release();
      await db.updateTable('processing_log').set({ status: 'completed' }).where('id', '=', runId).execute();
      await db.destroy();
    }
  });

  test('health --json reports both databases and the keychain state', async () => {
    const out = await cli(['health', '--json'], baseEnv());
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as { overall: string; checks: Array<{ name: string; level: string }> };
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c.level]));
    expect(byName['analytics-db']).toBe('healthy');
    expect(byName['source-db']).toBe('healthy');
    expect(byName).toHaveProperty('keychain');
  });

  test('health with the analytics database unreachable is unhealthy (exit 1) and still checks the source', async () => {
    const out = await cli(['health', '--json'], baseEnv({ COGNIFORCE_DATABASE_URL: 'postgresql://nobody:secret-pw@127.0.0.1:1/none' }));
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as { overall: string; checks: Array<{ name: string; level: string; message: string }> };
    expect(report.overall).toBe('unhealthy');
    expect(report.checks.find((c) => c.name === 'source-db')?.level).toBe('healthy');
    expect(out.stdout).not.toContain('secret-pw');
  });
});
