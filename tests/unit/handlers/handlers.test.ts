import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishRun, startRun } from '../../../src/main/core/store/runs.ts';
import { settingsPath } from '../../../src/main/core/config/load.ts';
import { analysis, consoleFixture, hashOf, seed, type ConsoleFixture } from './support.ts';
import type { AnalysisRecord } from '../../../src/main/core/store/analysis.ts';

// Handlers called directly, against a real PostgreSQL analytics database and a real Open WebUI
// SQLite file: the figures they return must be what the database holds.

let f: ConsoleFixture;
const records: AnalysisRecord[] = [];

beforeAll(async () => {
  f = await consoleFixture();
  records.push(
    analysis('2026-01-05', 'u-eva', { manualTimeMostLikely: 120, activeDurationMinutes: 20, confidenceLevel: 80 }),
    analysis('2026-01-05', 'u-peter', { manualTimeMostLikely: 30, activeDurationMinutes: 5, taskCategory: 'writing', confidenceLevel: 60 }),
    analysis('2026-01-06', 'u-eva', { manualTimeMostLikely: 45, activeDurationMinutes: 15, estimateSource: 'heuristic', confidenceLevel: 40 }),
    analysis('2026-01-07', 'u-emma', { manualTimeMostLikely: 240, activeDurationMinutes: 30, taskCategory: 'analysis', confidenceLevel: 90 }),
    analysis('2026-01-07', 'u-ghost', { manualTimeMostLikely: 20, activeDurationMinutes: 25, confidenceLevel: 50 }),
    analysis('2026-01-07', 'u-peter', { manualTimeMostLikely: 60, activeDurationMinutes: 10, taskCategory: 'writing', confidenceLevel: 75 }),
    analysis('2026-01-07', 'u-eva', { manualTimeMostLikely: 90, activeDurationMinutes: 30, confidenceLevel: 65 }),
  );
  await seed(f.db, records);
}, 120_000);

afterAll(async () => {
  await f?.cleanup();
});

const period = { from: '2026-01-01', to: '2026-01-31' };
const sum = (rows: AnalysisRecord[], pick: (r: AnalysisRecord) => number): number => rows.reduce((acc, r) => acc + pick(r), 0);

describe('dashboard handlers', () => {
  it('summary equals the stored rows, leading with the configured basis', async () => {
    const s = await f.handlers['dashboard.summary'](period);
    expect(s.conversations).toBe(records.length);
    expect(s.timeBasis).toBe('engaged');
    expect(s.timeSaved.activeMinutes).toBe(sum(records, (r) => r.timeSavedMinutes));
    expect(s.timeSaved.engagedMinutes).toBe(sum(records, (r) => r.timeSavedEngagedMinutes));
    expect(s.manual.mostLikelyMinutes).toBe(sum(records, (r) => r.manualTimeMostLikely));
    expect(s.manual.lowMinutes).toBe(sum(records, (r) => r.manualTimeLow));
    expect(s.manual.highMinutes).toBe(sum(records, (r) => r.manualTimeHigh));
    expect(s.withAi.activeMinutes).toBe(sum(records, (r) => r.activeDurationMinutes));
    expect(s.avgConfidence).toBeCloseTo(sum(records, (r) => r.confidenceLevel) / records.length, 6);
    expect(s.heuristicShare).toBeCloseTo(1 / records.length, 6);
    expect(s.value.currency).toBe('EUR');
    expect(s.value.active).toBeCloseTo((s.timeSaved.activeMinutes / 60) * 50, 2);
    expect(s.llmCostUsd).toBeCloseTo(sum(records, (r) => r.costUsd), 6);
  });

  it('filters by user', async () => {
    const eva = records.filter((r) => r.userIdHash === hashOf('u-eva'));
    const s = await f.handlers['dashboard.summary']({ ...period, user: hashOf('u-eva') });
    expect(s.conversations).toBe(eva.length);
    expect(s.timeSaved.activeMinutes).toBe(sum(eva, (r) => r.timeSavedMinutes));
  });

  it('trend has one point per day, zeros included', async () => {
    const t = await f.handlers['dashboard.trend']({ from: '2026-01-04', to: '2026-01-08' });
    expect(t.points.map((p) => p.date)).toEqual(['2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08']);
    expect(t.points.map((p) => p.conversations)).toEqual([0, 2, 1, 4, 0]);
    const day7 = records.filter((r) => r.analysisDate === '2026-01-07');
    expect(t.points[3]?.manualHighMinutes).toBe(sum(day7, (r) => r.manualTimeHigh));
  });

  it('top users carry "Name (email)" resolved live from the source, and a short hash otherwise', async () => {
    const top = await f.handlers['dashboard.topUsers']({ ...period, limit: 10 });
    expect(top.namesUnavailable).toBeNull();
    const byLabel = new Map(top.users.map((u) => [u.label, u]));
    expect(byLabel.get('Emma Clarke (emma.clarke@example.com)')?.timeSavedEngagedMinutes).toBe(240 - 35);
    expect(byLabel.has('Szabó Éva (eva.szabo@example.hu)')).toBe(true);
    const ghost = top.users.find((u) => u.userHash === hashOf('u-ghost'));
    expect(ghost?.resolved).toBe(false);
    expect(ghost?.label).toBe(`user ${hashOf('u-ghost').slice(0, 8)}`);
    // Ranked by the engaged basis, descending.
    const ranked = top.users.map((u) => u.timeSavedEngagedMinutes);
    expect([...ranked].sort((a, b) => b - a)).toEqual(ranked);
  });

  it('categories and models break the period down', async () => {
    const categories = await f.handlers['dashboard.categories'](period);
    expect(categories.find((c) => c.category === 'writing')?.conversations).toBe(2);
    expect(categories.reduce((acc, c) => acc + c.conversations, 0)).toBe(records.length);
    const models = await f.handlers['dashboard.models'](period);
    expect(models).toEqual([{ model: 'gpt-4o-mini', conversations: records.length, messages: records.length * 3 }]);
  });
});

describe('conversations handlers', () => {
  it('pages on the server with a stable order and a total', async () => {
    const seen: string[] = [];
    for (let page = 0; page < 3; page++) {
      const result = await f.handlers['conversations.list']({ ...period, page, pageSize: 3, sort: 'confidence', direction: 'asc' });
      expect(result.total).toBe(records.length);
      seen.push(...result.rows.map((r) => r.conversationId));
      if (page === 0) expect(result.rows.map((r) => r.confidence)).toEqual([40, 50, 60]);
    }
    expect(new Set(seen).size).toBe(records.length);
  });

  it('filters by day, user, category, source and confidence', async () => {
    const list = (extra: object) => f.handlers['conversations.list']({ ...period, page: 0, pageSize: 50, sort: 'date', direction: 'desc', ...extra });
    expect((await list({ from: '2026-01-07', to: '2026-01-07' })).total).toBe(4);
    expect((await list({ user: hashOf('u-eva') })).total).toBe(3);
    expect((await list({ category: 'writing' })).total).toBe(2);
    expect((await list({ estimateSource: 'heuristic' })).total).toBe(1);
    expect((await list({ minConfidence: 75 })).total).toBe(3);
    const emma = await list({ user: hashOf('u-emma') });
    expect(emma.rows[0]?.userLabel).toBe('Emma Clarke (emma.clarke@example.com)');
  });

  it('details show the exact summary that was sent and the reasoning', async () => {
    const d = await f.handlers['conversations.get']({ conversationId: records[0]!.conversationId });
    expect(d.summarySent).toBe(records[0]!.conversationSummary);
    expect(d.reasoning).toBe('A short coding fix.');
    expect(d.insights?.assistantMessages).toBe(3);
    expect(d.activeIntervals).toHaveLength(1);
    await expect(f.handlers['conversations.get']({ conversationId: 'missing' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists skips and failures (empty here)', async () => {
    expect(await f.handlers['conversations.skips']({ page: 0, pageSize: 10 })).toEqual({ rows: [], total: 0, page: 0, pageSize: 10 });
    expect((await f.handlers['conversations.failures']({ page: 0, pageSize: 10 })).total).toBe(0);
  });
});

describe('users, runs, health', () => {
  it('users list engagement with names', async () => {
    const users = await f.handlers['users.list']({ page: 0, pageSize: 10, sort: 'conversations', direction: 'desc' });
    expect(users.total).toBe(4);
    expect(users.rows[0]).toMatchObject({ label: 'Szabó Éva (eva.szabo@example.hu)', conversations: 3 });
  });

  it('runs list reads processing_log', async () => {
    const id = await startRun(f.db, { runDate: '2026-01-07', rangeFrom: '2026-01-05', rangeTo: '2026-01-07', forced: false, trigger: 'manual', host: 'test', appVersion: '0', pid: 1, estimator: 'heuristic-v1' });
    await finishRun(f.db, id, { status: 'completed', counts: { processed: 7, skipped: 0, failed: 0, unchanged: 0 }, llmRequests: 0, llmCostUsd: 0 });
    const runs = await f.handlers['runs.list']({ page: 0, pageSize: 10 });
    expect(runs.total).toBe(1);
    expect(runs.rows[0]).toMatchObject({ id, status: 'completed', processed: 7, rangeFrom: '2026-01-05', trigger: 'manual' });
  });

  it('health reports the databases', async () => {
    const h = await f.handlers['health.check']({});
    expect(h.checks.find((c) => c.name === 'analytics-db')?.level).toBe('healthy');
    expect(h.checks.find((c) => c.name === 'source-db')?.level).toBe('healthy');
  });

  it('jobs.current is empty at rest', async () => {
    expect(await f.handlers['jobs.current']({})).toEqual({ active: null, recent: [] });
  });
});

describe('setup and settings handlers', () => {
  it('app.info says setup is complete and carries display settings', async () => {
    const info = await f.handlers['app.info']({});
    expect(info.setup).toMatchObject({ sourceConfigured: true, estimatorConfigured: true, complete: true, analyticsMode: 'url' });
    expect(info.display).toMatchObject({ timeBasis: 'engaged', currency: 'EUR', timezone: 'Europe/Budapest' });
    expect(info.capabilities.nativeDialogs).toBe(false);
  });

  it('tests connections and migrates', async () => {
    const source = await f.handlers['setup.testSource']({});
    expect(source).toMatchObject({ ok: true, details: { dialect: 'sqlite', users: 3 } });
    const missing = await f.handlers['setup.testSource']({ url: '/nonexistent/webui.db' });
    expect(missing.ok).toBe(false);
    expect(missing.message).toMatch(/webui\.db/);
    expect(await f.handlers['setup.testAnalytics']({})).toMatchObject({ ok: true });
    const refused = await f.handlers['setup.testAnalytics']({ mode: 'url', url: 'postgresql://nobody@127.0.0.1:1/none' });
    expect(refused.ok).toBe(false);
    expect(await f.handlers['setup.migrate']({})).toMatchObject({ applied: [] });
    expect(await f.handlers['setup.testLlm']({ estimator: 'heuristic' })).toMatchObject({ ok: true });
  });

  it('sets secrets, reports whether they are set, never returns them', async () => {
    const status = await f.handlers['secrets.set']({ key: 'openai-api-key', value: 'sk-test-123' });
    expect(status.isSet['openai-api-key']).toBe(true);
    expect(JSON.stringify(status)).not.toContain('sk-test-123');
    expect((await f.handlers['secrets.delete']({ key: 'openai-api-key' })).isSet['openai-api-key']).toBe(false);
    expect((await f.handlers['secrets.status']({})).isSet.salt).toBe(true);
  });

  it('updates settings live and persists them without passwords', async () => {
    const before = await f.handlers['dashboard.summary'](period);
    const updated = await f.handlers['settings.update']({ patch: { value: { hourlyRate: 100, currency: 'USD' }, processing: { timeBasis: 'active' } } });
    expect(updated.settings.value).toEqual({ hourlyRate: 100, currency: 'USD' });
    const after = await f.handlers['dashboard.summary'](period);
    expect(after.timeBasis).toBe('active');
    expect(after.value.active).toBeCloseTo((after.timeSaved.activeMinutes / 60) * 100, 2);
    expect(before.value.active).toBeCloseTo((before.timeSaved.activeMinutes / 60) * 50, 2);
    expect(JSON.parse(fs.readFileSync(settingsPath(f.dataDir), 'utf8')).value.currency).toBe('USD');
  });

  it('moves a password typed into a PostgreSQL URL to the keychain', async () => {
    const original = f.runtime.contexts.current().settings.source.url;
    const view = await f.handlers['settings.update']({ patch: { source: { url: 'postgresql://owui:p%40ss word@db.example:5432/openwebui' } } });
    expect(view.settings.source.url).toBe('postgresql://owui@db.example:5432/openwebui');
    expect(await f.secrets.get('source-db-password')).toBe('p@ss word');
    expect(fs.readFileSync(settingsPath(f.dataDir), 'utf8')).not.toContain('p%40ss');
    await f.handlers['settings.update']({ patch: { source: { url: original ?? null } } });
  });

  it('refuses an invalid time zone with a readable message', async () => {
    await expect(f.handlers['settings.update']({ patch: { processing: { timezone: 'Mars/Olympus' } } })).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringMatching(/processing\.timezone.*IANA/),
    });
  });

  it('native dialogs are unavailable without the desktop app', async () => {
    await expect(f.handlers['dialog.pickSqliteFile']({})).rejects.toMatchObject({ code: 'unavailable' });
  });
});
