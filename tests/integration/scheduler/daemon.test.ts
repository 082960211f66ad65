import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openAnalyticsDb } from '../../../src/main/core/store/connect.ts';
import { migrateToLatest } from '../../../src/main/core/store/migrate.ts';
import { listRuns, type RunRow } from '../../../src/main/core/store/runs.ts';
import { addLocalDays, dayBounds, today } from '../../../src/main/core/time/days.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-server.ts';
import { chatRecord, createOpenWebUiSource, linearChat, tempDir, type SourceFixture } from '../../support/openwebui-fixture.ts';
import { createTestDatabase } from '../../support/pg.ts';

// The real `daemon` command in a child process: it prints the next runs, catches up, logs to
// rotating files under COGNIFORCE_HOME/logs, and on SIGTERM cancels a running night (the run
// ends 'cancelled') and exits 0.

const BIN = path.resolve('bin/cogniforce-analytics.mjs');
const ZONE = 'Europe/Budapest';

interface Daemon {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startDaemon(env: Record<string, string>): Daemon {
  const child = spawn(process.execPath, [BIN, 'daemon'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: ZONE, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let source: SourceFixture;
let llm: FakeOpenAI;
const homes: string[] = [];

beforeAll(async () => {
  // A few chats whose last message falls yesterday (Budapest), so the catch-up has work.
  const yesterday = addLocalDays(today(ZONE), -1);
  const noon = dayBounds(yesterday, ZONE).start + 12 * 3600;
  source = await createOpenWebUiSource({
    dialect: 'sqlite',
    generation: '0.11',
    chats: Array.from({ length: 6 }, (_, i) =>
      chatRecord(`c-${i}`, `u-${i % 2}`, linearChat([`Write a report section ${i}`, 'Here it is…', 'Shorter please'], { start: noon + i * 600, gap: 240 })),
    ),
  });
  llm = await startFakeOpenAI();
});

afterAll(async () => {
  await llm.close();
  await source.cleanup();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

async function setup(): Promise<{ home: string; analyticsUrl: string; runs: () => Promise<RunRow[]>; close: () => Promise<void> }> {
  const home = tempDir('cf-daemon-');
  homes.push(home);
  const analyticsUrl = await createTestDatabase('daemon');
  const db = openAnalyticsDb(analyticsUrl);
  await migrateToLatest(db);
  return { home, analyticsUrl, runs: () => listRuns(db, { limit: 10, offset: 0 }), close: () => db.destroy() };
}

describe('cogniforce-analytics daemon', () => {
  test('prints next runs, catches up yesterday, logs to rotating files, exits 0 on SIGTERM', async () => {
    const { home, analyticsUrl, runs, close } = await setup();
    const daemon = startDaemon({
      COGNIFORCE_HOME: home,
      DATABASE_URL: source.url,
      COGNIFORCE_DATABASE_URL: analyticsUrl,
      ANALYTICS_ESTIMATOR: 'heuristic',
      ANALYTICS_SALT: 'daemon-test-salt',
    });
    try {
      await until('the start banner', () => /next run .*\n.*next run .*\n.*next run /s.test(daemon.stdout()));
      expect(daemon.stdout()).toMatch(/"0 0 \* \* \*" in Europe\/Budapest/);
      expect(daemon.stdout()).toMatch(/next run \d{4}-\d\d-\d\d 00:00 \(\+0[12]:00\)/);
      const [run] = await until('the catch-up run', async () => {
        const rows = await runs();
        return rows[0]?.status === 'completed' ? rows : null;
      });
      expect(run).toMatchObject({ trigger: 'schedule', processed: 6, rangeTo: addLocalDays(today(ZONE), -1) });
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
      expect(daemon.stdout()).toMatch(/Stopped\.\n$/);
      const log = fs.readFileSync(path.join(home, 'logs', 'main.log'), 'utf8');
      expect(log).toMatch(/\(scheduler\) Daemon started/);
      expect(log).toMatch(/\(scheduler\) Nightly run for \d{4}-\d\d-\d\d: Run #\d+ for .*6 analysed/);
      expect(log).toMatch(/\(scheduler\) Daemon stopped/);
      expect(log).not.toContain('daemon-test-salt');
    } finally {
      daemon.child.kill('SIGKILL');
      await close();
    }
  });

  test('SIGTERM during a night cancels the run through its signal and exits 0', async () => {
    const { home, analyticsUrl, runs, close } = await setup();
    llm.setBehaviour(() => ({ kind: 'hang' }));
    const daemon = startDaemon({
      COGNIFORCE_HOME: home,
      DATABASE_URL: source.url,
      COGNIFORCE_DATABASE_URL: analyticsUrl,
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'sk-test-daemon-key-0123456789',
      ANALYTICS_ESTIMATOR: 'llm',
      ANALYTICS_SALT: 'daemon-test-salt',
    });
    try {
      await until('a running night with requests in flight', async () => ((await runs())[0]?.status === 'running' && llm.stats().inFlight > 0 ? true : null));
      daemon.child.kill('SIGTERM');
      const code = await daemon.exited;
      expect(code, daemon.stderr()).toBe(0);
      const [run] = await runs();
      expect(run).toMatchObject({ status: 'cancelled', trigger: 'schedule', processed: 0 });
      expect(daemon.stdout()).toContain('cancelling the running night');
      const log = fs.readFileSync(path.join(home, 'logs', 'main.log'), 'utf8');
      expect(log).toMatch(/was cancelled/);
      expect(log).not.toContain('sk-test-daemon-key');
    } finally {
      llm.setBehaviour(undefined);
      daemon.child.kill('SIGKILL');
      await close();
    }
  });

  test('a configuration problem stops it at once with exit 2', async () => {
    const { home, close } = await setup();
    const daemon = startDaemon({ COGNIFORCE_HOME: home, DATABASE_URL: source.url, COGNIFORCE_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', ANALYTICS_ESTIMATOR: 'bogus' });
    try {
      expect(await daemon.exited).toBe(2);
      expect(daemon.stderr()).toMatch(/ANALYTICS_ESTIMATOR=bogus/);
    } finally {
      await close();
    }
  });
});
