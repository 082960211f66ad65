import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, createRuntime, type ConsoleRuntime } from '../../../src/main/core/handlers.ts';
import type { SaveFileOptions } from '../../../src/main/core/handlers/runtime.ts';
import { resolveTarget, suggestedFileName } from '../../../src/main/core/handlers/reports.ts';
import type { Handlers } from '../../../src/shared/contract.ts';
import type { ExportJobState, JobEvent } from '../../../src/shared/types.ts';
import { analysis, fixtureContext, hashOf, seed, type FixtureContext } from './support.ts';
import type { AnalysisRecord } from '../../../src/main/core/store/analysis.ts';

// reports.* called directly against a real PostgreSQL analytics database: an export is a job
// in its own lane with progress, cancel and readable refusals, the file it writes holds what
// the database holds, and the desktop hooks (save dialog, show in folder) are used only where
// the platform offers them.

type Row = Record<string, string>;

let base: FixtureContext;
let runtime: ConsoleRuntime;
let handlers: Handlers;
let outside: string;
const saveDialogs: SaveFileOptions[] = [];
const shown: string[] = [];
let dialogAnswer: string | null = null;
const records: AnalysisRecord[] = [];
const period = { from: '2026-01-01', to: '2026-01-31' };

beforeAll(async () => {
  base = await fixtureContext();
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-exports-'));
  runtime = createRuntime(base.context, {
    env: {},
    persisted: structuredClone(base.settings),
    writeFile: false,
    log: { error: () => undefined },
    // The desktop's hooks as the Electron layer offers them; the dialog answers what a test sets.
    platform: {
      pickSaveFile: async (options) => {
        saveDialogs.push(options);
        return dialogAnswer;
      },
      showInFolder: (file) => shown.push(file),
    },
  });
  handlers = createHandlers(runtime);
  const { db } = await runtime.contexts.analytics();
  records.push(
    analysis('2026-01-05', 'u-eva', { manualTimeMostLikely: 120, activeDurationMinutes: 20 }),
    analysis('2026-01-05', 'u-peter', { manualTimeMostLikely: 30, activeDurationMinutes: 5, taskCategory: 'writing' }),
    analysis('2026-01-06', 'u-eva', { manualTimeMostLikely: 45, activeDurationMinutes: 15, estimateSource: 'heuristic' }),
    analysis('2026-01-07', 'u-emma', { manualTimeMostLikely: 240, activeDurationMinutes: 30, taskCategory: 'analysis' }),
    analysis('2026-01-07', 'u-peter', { manualTimeMostLikely: 60, activeDurationMinutes: 10, taskCategory: 'writing' }),
  );
  await seed(db, records);
}, 120_000);

afterAll(async () => {
  await runtime?.jobs.shutdown();
  await runtime?.contexts.close();
  await base?.cleanup();
  fs.rmSync(outside, { recursive: true, force: true });
});

const exportsDir = (): string => path.join(base.dataDir, 'exports');
const read = (file: string): Row[] => parse(fs.readFileSync(file), { columns: true, bom: true }) as Row[];
const sum = <T,>(rows: T[], pick: (r: T) => number): number => rows.reduce((acc, r) => acc + pick(r), 0);

/** Starts an export and returns its final state with every event it published. */
async function exportAndWait(args: Parameters<Handlers['reports.export']>[0]): Promise<{ final: ExportJobState; events: JobEvent[] }> {
  const events: JobEvent[] = [];
  const unsubscribe = runtime.jobs.subscribe((e) => events.push(e));
  try {
    const job = await handlers['reports.export'](args);
    expect(job).toMatchObject({ kind: 'export', status: 'running' });
    const final = await runtime.jobs.waitFor(job);
    return { final, events: events.filter((e) => e.job.id === job.id) };
  } finally {
    unsubscribe();
  }
}

describe('reports handlers', () => {
  it('suggests the exports folder and the scheduler-style name, marking filtered files', async () => {
    const target = await handlers['reports.defaultTarget']({ kind: 'daily', ...period });
    expect(target).toEqual({
      folder: exportsDir(),
      fileName: 'cogniforce-daily-2026-01-01_2026-01-31.csv',
      path: path.join(exportsDir(), 'cogniforce-daily-2026-01-01_2026-01-31.csv'),
      exists: false,
      excelBom: base.settings.reports.excelBom,
    });
    const pdf = await handlers['reports.defaultTarget']({ kind: 'pdf', ...period, user: hashOf('u-eva') });
    expect(pdf.fileName).toBe(`cogniforce-report-2026-01-01_2026-01-31-user-${hashOf('u-eva').slice(0, 8)}.pdf`);
    const filtered = await handlers['reports.defaultTarget']({ kind: 'detailed', ...period, filters: { category: 'writing' } });
    expect(filtered.fileName).toBe('cogniforce-detailed-2026-01-01_2026-01-31-filtered.csv');
    // Conversation filters mean nothing to the daily file, so they do not mark its name.
    expect(suggestedFileName({ kind: 'daily', ...period, filters: { category: 'writing' } }, 'Példa Kft.')).toBe('cogniforce-pelda-kft-daily-2026-01-01_2026-01-31.csv');
  });

  it('exports a daily CSV into the exports folder with progress, equal to the daily aggregates', async () => {
    const target = await handlers['reports.defaultTarget']({ kind: 'daily', ...period });
    const { final, events } = await exportAndWait({ kind: 'daily', ...period, path: target.path });
    expect(final.status).toBe('completed');
    expect(final.request).toMatchObject({ kind: 'daily', from: period.from, to: period.to, user: null, path: target.path });
    const size = fs.statSync(target.path).size;
    expect(final.result).toMatchObject({ path: target.path, fileName: target.fileName, folder: exportsDir(), bytes: size });
    expect(events[0]?.type).toBe('started');
    expect(events.at(-1)?.type).toBe('finished');
    const phases = events.map((e) => (e.job.kind === 'export' ? e.job.progress?.phase : undefined)).filter(Boolean);
    expect(phases).toContain('preparing');
    expect(phases.at(-1)).toBe('done');
    expect(events.at(-1)?.job).toMatchObject({ progress: { phase: 'done', rows: final.result?.rows, bytes: size } });

    const rows = read(target.path);
    expect(rows).toHaveLength(final.result?.rows ?? -1);
    const everyone = rows.filter((r) => r.scope === 'all');
    expect(everyone).toHaveLength(31);
    const { db } = await runtime.contexts.analytics();
    const { rows: stored } = await sql<{ d: string; n: number; saved: number }>`
      SELECT analysis_date::text AS d, conversation_count::int AS n, total_time_saved_engaged::int AS saved
      FROM daily_aggregates WHERE user_id_hash IS NULL AND analysis_date BETWEEN ${period.from}::date AND ${period.to}::date`.execute(db);
    expect(stored.length).toBe(3);
    for (const day of stored) {
      expect(everyone.find((r) => r.date === day.d)).toMatchObject({ conversations: String(day.n), time_saved_engaged_minutes: String(day.saved) });
    }
    expect(sum(everyone, (r) => Number(r.conversations))).toBe(records.length);
    // The job is an export: the run lane stays free and jobs.current lists it only on request.
    expect((await handlers['jobs.current']({})).recent.some((j) => j.id === final.id)).toBe(false);
    expect((await handlers['jobs.current']({ lane: 'export' })).recent[0]?.id).toBe(final.id);
  });

  it('asks before replacing a file, then replaces it when told to', async () => {
    const target = await handlers['reports.defaultTarget']({ kind: 'daily', ...period });
    expect(target.exists).toBe(true);
    await expect(handlers['reports.export']({ kind: 'daily', ...period, path: target.path, overwrite: false })).rejects.toMatchObject({
      code: 'exists',
      message: `${target.fileName} already exists in ${exportsDir()}. Replace it, or choose another name.`,
    });
    fs.writeFileSync(target.path, 'old');
    const { final } = await exportAndWait({ kind: 'daily', ...period, path: target.path, overwrite: true });
    expect(final.status).toBe('completed');
    expect(fs.readFileSync(target.path, 'utf8')).not.toBe('old');
    expect(read(target.path)).toHaveLength(final.result?.rows ?? -1);
  });

  it('exports the detailed CSV with the conversation filters, a BOM when asked, to a typed absolute path', async () => {
    const file = path.join(outside, 'writing only');
    const { final } = await exportAndWait({
      kind: 'detailed',
      ...period,
      user: hashOf('u-peter'),
      filters: { category: 'writing', estimateSource: 'llm' },
      bom: true,
      path: file,
    });
    expect(final.status).toBe('completed');
    // The extension is added when the name has none.
    expect(final.result?.path).toBe(`${file}.csv`);
    const bytes = fs.readFileSync(`${file}.csv`);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = read(`${file}.csv`);
    const expected = records.filter((r) => r.userIdHash === hashOf('u-peter') && r.taskCategory === 'writing');
    expect(rows.map((r) => r.conversation_id).sort()).toEqual(expected.map((r) => r.conversationId).sort());
    expect(final.result?.rows).toBe(expected.length);
    expect(rows.map((r) => Number(r.time_saved_engaged_minutes)).sort()).toEqual(expected.map((r) => r.timeSavedEngagedMinutes).sort());
    expect(final.request.filters).toEqual({ category: 'writing', estimateSource: 'llm' });
  });

  it('exports the PDF report', async () => {
    const file = path.join(outside, 'report.pdf');
    const { final } = await exportAndWait({ kind: 'pdf', ...period, path: file });
    expect(final.status).toBe('completed');
    expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(final.result).toMatchObject({ path: file, rows: null, bytes: fs.statSync(file).size });
    expect(final.request.bom).toBe(false);
  }, 60_000);

  it('cancels an export and leaves no file, not even a partial one', async () => {
    const file = path.join(outside, 'cancelled.csv');
    const job = await handlers['reports.export']({ kind: 'detailed', ...period, path: file });
    const cancelling = await handlers['reports.cancel']({ jobId: job.id });
    expect(cancelling.cancelRequested).toBe(true);
    const final = await runtime.jobs.waitFor(job);
    expect(final.status).toBe('cancelled');
    expect(final.error).toBeNull();
    expect(fs.readdirSync(outside).filter((name) => name.startsWith('cancelled') || name.includes('.cancelled.csv.'))).toEqual([]);
  });

  it('runs one export at a time, beside a run', async () => {
    const run = runtime.jobs.start('backfill', { from: period.from, to: period.to, force: false }, ({ signal }) =>
      new Promise((resolve) =>
        signal.addEventListener('abort', () =>
          resolve({ runId: 1, status: 'cancelled', from: period.from, to: period.to, processed: 0, skipped: 0, unchanged: 0, failed: 0, deferred: 0, llmRequests: 0, llmCostUsd: 0, durationSeconds: 0, touchedDates: [], resumed: [], errorMessage: null }),
        ),
      ),
    );
    try {
      const first = await handlers['reports.export']({ kind: 'summary', ...period, path: path.join(outside, 'one.csv') });
      await expect(handlers['reports.export']({ kind: 'summary', ...period, path: path.join(outside, 'two.csv') })).rejects.toMatchObject({
        code: 'busy',
        message: expect.stringMatching(/^An export \(summary\) for 2026-01-01 … 2026-01-31 is already running/),
      });
      expect((await runtime.jobs.waitFor(first)).status).toBe('completed');
      expect((await handlers['jobs.current']({})).active?.id).toBe(run.id);
      // Each lane's cancel answers only for its own kind of job.
      await expect(handlers['reports.cancel']({ jobId: run.id })).rejects.toMatchObject({ code: 'not_found' });
      await expect(handlers['runs.cancel']({ jobId: first.id })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await handlers['runs.cancel']({ jobId: run.id });
      await runtime.jobs.waitFor(run);
    }
  });

  it('keeps the database connections while an export reads them', async () => {
    const request = { kind: 'daily', ...period, user: null, filters: {}, bom: false, path: path.join(outside, 'held.csv') } as ExportJobState['request'];
    const held = runtime.jobs.startExport(request, ({ signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    try {
      await expect(handlers['settings.update']({ patch: { source: { url: 'sqlite:////tmp/other-webui.db' } } })).rejects.toMatchObject({
        code: 'busy',
        message: expect.stringMatching(/^An export is being written/),
      });
      // What an export does not read may still change meanwhile.
      const { excelBom } = (await handlers['settings.get']({})).settings.reports;
      await expect(handlers['settings.update']({ patch: { reports: { excelBom: !excelBom } } })).resolves.toBeDefined();
      await handlers['settings.update']({ patch: { reports: { excelBom } } });
    } finally {
      runtime.jobs.cancel(held.id);
      await runtime.jobs.waitFor(held);
    }
  });

  it('refuses what it cannot write, readably, before any job starts', async () => {
    await expect(handlers['reports.export']({ kind: 'pdf', ...period, path: path.join(outside, 'report.csv') })).rejects.toMatchObject({
      code: 'validation',
      message: expect.stringMatching(/PDF report is saved as a \.pdf file/),
    });
    await expect(handlers['reports.export']({ kind: 'daily', ...period, path: path.join(outside, 'x.sh') })).rejects.toMatchObject({ code: 'validation' });
    await expect(handlers['reports.export']({ kind: 'daily', ...period, path: path.join(outside, 'missing', 'x.csv') })).rejects.toMatchObject({
      code: 'validation',
      message: `Cannot write the export to ${path.join(outside, 'missing')}: the folder does not exist.`,
    });
    await expect(handlers['reports.export']({ kind: 'daily', ...period, path: `${outside}/` })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/is a folder/) });
    expect(runtime.jobs.active('export')).toBeNull();
  });

  it('resolves typed paths: home, relative to the exports folder, extension added', () => {
    expect(resolveTarget('~/a.csv', '/data/exports', 'daily')).toBe(path.join(os.homedir(), 'a.csv'));
    expect(resolveTarget('jan', '/data/exports', 'pdf')).toBe('/data/exports/jan.pdf');
    expect(resolveTarget('/tmp/Jan.CSV', '/data/exports', 'summary')).toBe('/tmp/Jan.CSV');
  });

  it('opens the native save dialog on the suggested file, and says when it confirmed a replacement', async () => {
    dialogAnswer = path.join(outside, 'picked.csv');
    expect(await handlers['dialog.pickSaveFile']({ kind: 'summary', ...period })).toEqual({ path: dialogAnswer, replaceConfirmed: true });
    expect(saveDialogs.at(-1)).toEqual({
      title: 'Save the summary CSV',
      defaultPath: path.join(exportsDir(), 'cogniforce-summary-2026-01-01_2026-01-31.csv'),
      filters: [{ name: 'CSV (comma-separated values)', extensions: ['csv'] }],
    });
    dialogAnswer = path.join(outside, 'no-extension');
    expect(await handlers['dialog.pickSaveFile']({ kind: 'pdf', ...period })).toEqual({ path: `${dialogAnswer}.pdf`, replaceConfirmed: false });
    expect(saveDialogs.at(-1)?.filters).toEqual([{ name: 'PDF document', extensions: ['pdf'] }]);
    dialogAnswer = null;
    expect(await handlers['dialog.pickSaveFile']({ kind: 'daily', ...period })).toEqual({ path: null, replaceConfirmed: false });
  });

  it('shows only files it exported in their folder', async () => {
    const file = path.join(outside, 'report.pdf');
    expect(await handlers['shell.showInFolder']({ path: file })).toEqual({ shown: true });
    expect(shown).toEqual([file]);
    await expect(handlers['shell.showInFolder']({ path: '/etc/passwd' })).rejects.toMatchObject({ code: 'not_found' });
    fs.rmSync(file);
    await expect(handlers['shell.showInFolder']({ path: file })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/no longer there/) });
  });

  it('tells the console what the platform offers', async () => {
    expect((await handlers['app.info']({})).capabilities).toEqual({ nativeDialogs: false, saveDialog: true, showInFolder: true });
    const bare = createRuntime(base.context, { env: {}, persisted: structuredClone(base.settings), writeFile: false });
    const bareHandlers = createHandlers(bare);
    expect((await bareHandlers['app.info']({})).capabilities).toEqual({ nativeDialogs: false, saveDialog: false, showInFolder: false });
    await expect(bareHandlers['dialog.pickSaveFile']({ kind: 'daily', ...period })).rejects.toMatchObject({ code: 'unavailable' });
    await expect(bareHandlers['shell.showInFolder']({ path: '/tmp/x.csv' })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
