import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, createRuntime, dispatch, type ConsoleRuntime } from '../../../src/main/core/handlers.ts';
import type { Handlers } from '../../../src/shared/contract.ts';
import { consoleFixture, fixtureContext, SALT, type ConsoleFixture, type FixtureContext } from './support.ts';

// Health's log viewer, "open logs folder" and the diagnostics bundle, over a real runtime and
// log files planted in the data folder the way log/index.ts writes them (a stack trace on the
// lines after its entry, a rotated file). Secrets planted in the lines never come back.

const API_KEY = 'sk-proj-PLANTEDapikey0123456789';
const SOURCE_PASSWORD = 'Planted-Source-Pw-4711';

const LIVE = [
  '[2026-03-28 10:00:00.001] [info]  (scheduler) Scheduler started: "0 0 * * *" in Europe/Budapest.',
  '[2026-03-28 10:00:01.000] [warn]  (db)        Analytics database slow: 900 ms',
  '[2026-03-28 10:00:02.000] [error] (pipeline)  Run #7 failed: boom',
  'Error: boom',
  '    at runRange (file:///app/run.ts:10:5)',
  `[2026-03-28 10:00:03.000] [info]  (app)       connecting with password=${SOURCE_PASSWORD} to postgresql://reader:${SOURCE_PASSWORD}@db.example:5432/webui`,
  `[2026-03-28 10:00:04.000] [info]  (llm)       key in use ${API_KEY}; salt ${SALT}`,
  '[2026-03-28 10:00:05.000] [debug] (llm)       request 42 took 300 ms',
  '',
].join('\n');
const ROTATED = ['[2026-03-27 23:59:00.000] [info]  (scheduler) Nightly run for 2026-03-27 (schedule) starting.', '[2026-03-27 23:59:30.000] [error] (scheduler) Nightly run for 2026-03-27 failed: disk full', ''].join('\n');

let f: ConsoleFixture;

function plantLogs(dataDir: string): string {
  const dir = path.join(dataDir, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.log'), LIVE);
  fs.writeFileSync(path.join(dir, 'main.1.log'), ROTATED);
  // Not a log file of ours: ignored.
  fs.writeFileSync(path.join(dir, 'other.txt'), 'password=should-not-be-read');
  return dir;
}

beforeAll(async () => {
  f = await consoleFixture({ withSource: false });
  await f.secrets.set('openai-api-key', API_KEY);
  await f.secrets.set('source-db-password', SOURCE_PASSWORD);
  plantLogs(f.dataDir);
}, 120_000);

afterAll(async () => {
  await f?.cleanup();
});

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of [SALT, API_KEY, SOURCE_PASSWORD]) expect(text).not.toContain(secret);
}

describe('logs.tail', () => {
  it('reads the newest entries across the live and the rotated file, oldest first, stack traces attached', async () => {
    const tail = await f.handlers['logs.tail']({ lines: 200 });
    expect(tail.folder).toBe(path.join(f.dataDir, 'logs'));
    expect(tail.files.map((file) => file.name)).toEqual(['main.log', 'main.1.log']);
    expect(tail.entries).toHaveLength(8);
    expect(tail.entries[0]).toMatchObject({ at: '2026-03-27 23:59:00.000', level: 'info', scope: 'scheduler', file: 'main.1.log' });
    expect(tail.entries.at(-1)).toMatchObject({ level: 'debug', scope: 'llm', text: 'request 42 took 300 ms', file: 'main.log' });
    const failure = tail.entries.find((e) => e.text.startsWith('Run #7 failed'));
    expect(failure?.text).toBe('Run #7 failed: boom\nError: boom\n    at runRange (file:///app/run.ts:10:5)');
    expect(tail.scopes).toEqual(['app', 'db', 'llm', 'pipeline', 'scheduler']);
    expect(tail.truncated).toBe(false);
    expect(tail.canOpenFolder).toBe(false);
  });

  it('masks secrets again on read: patterns, and the values this workstation holds', async () => {
    const tail = await f.handlers['logs.tail']({ lines: 200 });
    expectNoSecret(tail);
    const lines = tail.entries.map((e) => e.text).join('\n');
    expect(lines).toContain('password=[REDACTED]');
    expect(lines).toContain('postgresql://reader:[REDACTED]@db.example:5432/webui');
    expect(lines).toContain('key in use [REDACTED]; salt [REDACTED]');
    // A search for a secret cannot tell whether it was logged.
    expect((await f.handlers['logs.tail']({ lines: 200, search: SOURCE_PASSWORD })).entries).toEqual([]);
  });

  it('filters by level, scope and text, and limits to the newest N', async () => {
    const errors = await f.handlers['logs.tail']({ lines: 200, level: 'error' });
    expect(errors.entries.map((e) => e.level)).toEqual(['error', 'error']);
    const warnings = await f.handlers['logs.tail']({ lines: 200, level: 'warn' });
    expect(warnings.entries.map((e) => e.level)).toEqual(['error', 'warn', 'error']);
    const scheduler = await f.handlers['logs.tail']({ lines: 200, scope: 'scheduler' });
    expect(scheduler.entries.map((e) => e.file)).toEqual(['main.1.log', 'main.1.log', 'main.log']);
    const disk = await f.handlers['logs.tail']({ lines: 200, search: 'DISK FULL' });
    expect(disk.entries).toHaveLength(1);
    const newest = await f.handlers['logs.tail']({ lines: 2 });
    expect(newest.entries.map((e) => e.scope)).toEqual(['llm', 'llm']);
    expect(newest.truncated).toBe(true);
  });

  it('answers an empty list when there are no log files yet', async () => {
    const base = await fixtureContext({ withSource: false });
    const runtime = createRuntime(base.context, { env: {}, persisted: structuredClone(base.settings), writeFile: false });
    try {
      const tail = await createHandlers(runtime)['logs.tail']({ lines: 10 });
      expect(tail).toMatchObject({ entries: [], files: [], truncated: false, folder: path.join(base.dataDir, 'logs') });
    } finally {
      await runtime.contexts.close();
      await base.cleanup();
    }
  });

  it('refuses malformed arguments', async () => {
    for (const args of [{ lines: 0 }, { lines: 2001 }, { level: 'fatal' }, { scope: '../etc' }, { search: 'x'.repeat(201) }, { lines: 10, extra: 1 }]) {
      const result = await dispatch(f.runtime, f.handlers, 'logs.tail', args);
      expect(result.ok, JSON.stringify(args)).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('validation');
    }
  });
});

describe('logs.openFolder', () => {
  it('without the desktop app, says where the logs are', async () => {
    const result = await dispatch(f.runtime, f.handlers, 'logs.openFolder', {});
    expect(result).toEqual({ ok: false, error: { code: 'unavailable', message: `Opening a folder needs the desktop app. The logs are in ${path.join(f.dataDir, 'logs')}.` } });
  });

  it('opens the folder through the platform hook and reports its failure readably', async () => {
    const opened: string[] = [];
    let fail = false;
    const { runtime, handlers, close } = await withPlatform({
      openPath: async (target) => {
        if (fail) throw new Error('No application is registered for folders.');
        opened.push(target);
      },
    });
    try {
      expect((await handlers['logs.tail']({ lines: 1 })).canOpenFolder).toBe(true);
      const answer = await handlers['logs.openFolder']({});
      expect(answer.opened).toBe(true);
      expect(opened).toEqual([answer.folder]);
      fail = true;
      const refused = await dispatch(runtime, handlers, 'logs.openFolder', {});
      expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/could not be opened: No application is registered/) } });
    } finally {
      await close();
    }
  });
});

describe('health.diagnostics', () => {
  it('writes the bundle to the diagnostics folder and answers path and size only', async () => {
    const result = await f.handlers['health.diagnostics']({});
    expect(Object.keys(result).sort()).toEqual(['bytes', 'folder', 'path', 'saved']);
    expect(result.saved).toBe(true);
    expect(result.folder).toBe(path.join(f.dataDir, 'diagnostics'));
    expect(path.dirname(result.path!)).toBe(result.folder);
    expect(path.basename(result.path!)).toMatch(/^cogniforce-diagnostics-\d{8}-\d{6}Z\.json$/);
    const text = fs.readFileSync(result.path!, 'utf8');
    expect(Buffer.byteLength(text)).toBe(result.bytes);
    expectNoSecret(text);
    const bundle = JSON.parse(text) as { format: string; health: { checks: unknown[] }; logs: { lines: string[] }; secrets: Array<{ name: string; state: string }> };
    expect(bundle.format).toBe('cogniforce-diagnostics/1');
    expect(bundle.health.checks.length).toBeGreaterThan(0);
    expect(bundle.logs.lines).toHaveLength(8);
    expect(bundle.secrets).toContainEqual({ name: 'openai-api-key', state: 'set' });
    expect((fs.statSync(result.path!).mode & 0o777).toString(8)).toBe('600');
  });

  it('uses the save dialog where the platform has one, and a cancel writes nothing', async () => {
    const target = path.join(f.dataDir, 'picked', 'support-bundle.json');
    let answer: string | null = target;
    const asked: string[] = [];
    const { handlers, close } = await withPlatform({
      pickSaveFile: async (options) => {
        asked.push(options.defaultPath);
        return answer;
      },
    });
    try {
      const saved = await handlers['health.diagnostics']({});
      expect(saved).toMatchObject({ saved: true, path: target });
      expect(fs.existsSync(target)).toBe(true);
      expect(asked[0]).toMatch(/diagnostics[/\\]cogniforce-diagnostics-.*\.json$/);
      answer = null;
      expect(await handlers['health.diagnostics']({})).toMatchObject({ saved: false, path: null, bytes: 0 });
    } finally {
      await close();
    }
  });
});

/** A second runtime over a fresh context whose platform offers the given hooks, with the same planted logs. */
async function withPlatform(platform: ConsoleRuntime['platform']): Promise<{ runtime: ConsoleRuntime; handlers: Handlers; base: FixtureContext; close: () => Promise<void> }> {
  const base = await fixtureContext({ withSource: false });
  plantLogs(base.dataDir);
  const runtime = createRuntime(base.context, { env: {}, persisted: structuredClone(base.settings), writeFile: false, platform });
  return {
    runtime,
    handlers: createHandlers(runtime),
    base,
    async close() {
      await runtime.contexts.close();
      await base.cleanup();
    },
  };
}
