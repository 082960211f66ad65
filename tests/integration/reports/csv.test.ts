import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ExportCancelledError, ExportError, exportReport, type ExportProgress } from '../../../src/main/core/reports/index.ts';
import { dailyTrend, summaryStats } from '../../../src/main/core/store/queries.ts';
import { createReportFixture, FROM, hashOf, TO, type ReportFixture } from './fixture.ts';

// Every CSV is read back with a real CSV parser and compared with the database.

let fx: ReportFixture;
beforeAll(async () => {
  fx = await createReportFixture();
});
afterAll(async () => {
  await fx?.close();
});

type Row = Record<string, string>;
const read = (file: string): Row[] => parse(fs.readFileSync(file), { columns: true, bom: true }) as Row[];
const out = (name: string): string => path.join(fx.dir, name);
const h2 = (minutes: number): string => String(Math.round((minutes / 60) * 100) / 100);

describe('summary CSV', () => {
  test('one row for the period with both bases, units in the header, equal to the database', async () => {
    const context = await fx.context();
    const result = await exportReport(context, { kind: 'summary', from: FROM, to: TO, out: out('summary.csv') });
    expect(result).toMatchObject({ path: out('summary.csv'), rows: 1 });
    expect(result.bytes).toBe(fs.statSync(out('summary.csv')).size);
    const rows = read(out('summary.csv'));
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const stats = await summaryStats(fx.harness.db, { from: FROM, to: TO });
    expect(stats.conversations).toBeGreaterThan(5);
    expect(row).toMatchObject({
      period_from: FROM,
      period_to: TO,
      user_hash: '',
      leading_time_basis: 'engaged',
      conversations: String(stats.conversations),
      messages: String(stats.messages),
      time_saved_engaged_hours: h2(stats.timeSavedEngagedMinutes),
      time_saved_active_hours: h2(stats.timeSavedMinutes),
      engaged_hours: h2(stats.engagedMinutes),
      active_hours: h2(stats.activeMinutes),
      manual_most_likely_hours: h2(stats.manualMinutes),
      manual_low_hours: h2(stats.manualMinutesLow),
      manual_high_hours: h2(stats.manualMinutesHigh),
      value_engaged_eur: String(Math.round((stats.timeSavedEngagedMinutes / 60) * 50 * 100) / 100),
    });
    expect(Number(row.time_saved_engaged_low_hours)).toBeLessThanOrEqual(Number(row.time_saved_engaged_hours));
    expect(Number(row.time_saved_engaged_high_hours)).toBeGreaterThanOrEqual(Number(row.time_saved_engaged_hours));
  });

  test("for one user: that user's figures and name", async () => {
    const context = await fx.context();
    const eva = hashOf('u-eva');
    await exportReport(context, { kind: 'summary', from: FROM, to: TO, userHash: eva, out: out('summary-eva.csv') });
    const row = read(out('summary-eva.csv'))[0]!;
    const stats = await summaryStats(fx.harness.db, { from: FROM, to: TO, userHash: eva });
    expect(row).toMatchObject({ user_hash: eva, user: 'Szabó Éva (eva.szabo@example.hu)', conversations: String(stats.conversations) });
  });
});

describe('daily CSV', () => {
  test('every day for everyone plus a row per active user and day, equal to the aggregates', async () => {
    const context = await fx.context();
    const result = await exportReport(context, { kind: 'daily', from: FROM, to: TO, out: out('daily.csv') });
    const rows = read(out('daily.csv'));
    expect(result.rows).toBe(rows.length);
    const global = rows.filter((r) => r.scope === 'all');
    const trend = await dailyTrend(fx.harness.db, { from: FROM, to: TO });
    expect(global.map((r) => r.date)).toEqual(trend.map((p) => p.date));
    for (const [i, p] of trend.entries()) {
      expect(global[i]).toMatchObject({
        conversations: String(p.conversations),
        engaged_minutes: String(p.engagedMinutes),
        active_minutes: String(p.activeMinutes),
        time_saved_engaged_minutes: String(p.timeSavedEngagedMinutes),
        time_saved_active_minutes: String(p.timeSavedMinutes),
        manual_low_minutes: String(p.manualMinutesLow),
        manual_high_minutes: String(p.manualMinutesHigh),
      });
    }
    const { rows: perUser } = await sql<{ date: string; user_id_hash: string; conversation_count: number; total_time_saved_engaged: number }>`
      SELECT analysis_date::text AS date, user_id_hash, conversation_count, total_time_saved_engaged FROM daily_aggregates
      WHERE user_id_hash IS NOT NULL AND analysis_date BETWEEN ${FROM} AND ${TO} ORDER BY analysis_date, user_id_hash`.execute(fx.harness.db);
    const users = rows.filter((r) => r.scope === 'user');
    expect(users.map((r) => [r.date, r.user_hash, Number(r.conversations), Number(r.time_saved_engaged_minutes)])).toEqual(
      perUser.map((r) => [r.date, r.user_id_hash, r.conversation_count, r.total_time_saved_engaged]),
    );
    // Rows are ordered by day, the everyone-row first.
    expect(rows.map((r) => r.date)).toEqual([...rows.map((r) => r.date)].sort());
    expect(users.find((r) => r.user_hash === hashOf('u-eva'))?.user).toBe('Szabó Éva (eva.szabo@example.hu)');
  });

  test('with a user filter: one row per day for that user, zeros included', async () => {
    const context = await fx.context();
    await exportReport(context, { kind: 'daily', from: FROM, to: TO, userHash: hashOf('u-emma'), out: out('daily-emma.csv') });
    const rows = read(out('daily-emma.csv'));
    expect(rows.map((r) => r.date)).toEqual(['2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09']);
    expect(new Set(rows.map((r) => r.scope))).toEqual(new Set(['user']));
    expect(rows[0]).toMatchObject({ conversations: '0', time_saved_engaged_minutes: '0' });
  });
});

describe('detailed CSV', () => {
  test('one row per conversation with every figure, equal to conversation_analysis', async () => {
    const context = await fx.context();
    const progress: ExportProgress[] = [];
    const result = await exportReport(context, { kind: 'detailed', from: FROM, to: TO, out: out('detailed.csv') }, { onProgress: (p) => progress.push(p) });
    const rows = read(out('detailed.csv'));
    const { rows: db } = await sql<Record<string, unknown>>`
      SELECT conversation_id, analysis_date::text AS date, user_id_hash, message_count, active_duration_minutes, engaged_duration_minutes,
        idle_time_minutes, manual_time_low, manual_time_most_likely, manual_time_high, time_saved_minutes, time_saved_engaged_minutes,
        confidence_level, estimate_source, model, work_related, task_completed, input_tokens, cost_usd,
        floor(extract(epoch FROM first_message_at))::float8 AS first_epoch, floor(extract(epoch FROM last_message_at))::float8 AS last_epoch
      FROM conversation_analysis ORDER BY analysis_date, conversation_id`.execute(fx.harness.db);
    expect(result.rows).toBe(db.length);
    expect(rows.map((r) => r.conversation_id)).toEqual(db.map((r) => r.conversation_id));
    for (const [i, r] of db.entries()) {
      expect(rows[i]).toMatchObject({
        date: r.date,
        user_hash: r.user_id_hash,
        messages: String(r.message_count),
        active_minutes: String(r.active_duration_minutes),
        engaged_minutes: String(r.engaged_duration_minutes),
        idle_minutes: String(r.idle_time_minutes),
        manual_low_minutes: String(r.manual_time_low),
        manual_most_likely_minutes: String(r.manual_time_most_likely),
        manual_high_minutes: String(r.manual_time_high),
        time_saved_active_minutes: String(r.time_saved_minutes),
        time_saved_engaged_minutes: String(r.time_saved_engaged_minutes),
        confidence_percent: String(r.confidence_level),
        estimate_source: 'heuristic',
        estimator_model: r.model,
        work_related: String(r.work_related),
        task_completed: String(r.task_completed),
        estimator_input_tokens: String(r.input_tokens),
      });
      expect(Number(rows[i]!.estimate_cost_usd)).toBe(Number(r.cost_usd));
      // The instants to the second, in UTC, as the stored ones.
      expect(rows[i]!.first_message_at_utc).toBe(new Date(Number(r.first_epoch) * 1000).toISOString().replace('.000Z', 'Z'));
      expect(rows[i]!.last_message_at_utc).toBe(new Date(Number(r.last_epoch) * 1000).toISOString().replace('.000Z', 'Z'));
    }
    const first = rows[0]!;
    expect(first.first_message_at_utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Number(first.chat_output_tokens)).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ kind: 'detailed', phase: 'done', rows: db.length });
  });

  test('filters: one user, work-related only', async () => {
    const context = await fx.context();
    const peter = hashOf('u-peter');
    await exportReport(context, { kind: 'detailed', from: FROM, to: TO, userHash: peter, filters: { workRelated: true }, out: out('detailed-peter.csv') });
    const rows = read(out('detailed-peter.csv'));
    const { rows: n } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM conversation_analysis WHERE user_id_hash = ${peter} AND work_related`.execute(fx.harness.db);
    expect(rows).toHaveLength(n[0]!.n);
    expect(new Set(rows.map((r) => r.user_hash))).toEqual(new Set([peter]));
  });
});

describe('spreadsheet safety and encoding', () => {
  test('cells starting with = + - @ or a tab are prefixed with an apostrophe; RFC 4180 quoting survives', async () => {
    const context = await fx.context();
    await exportReport(context, { kind: 'detailed', from: FROM, to: TO, out: out('hostile.csv') });
    const text = fs.readFileSync(out('hostile.csv'), 'utf8');
    const rows = read(out('hostile.csv'));
    const categories = rows.map((r) => r.task_category);
    expect(categories).toContain("'=SUM(1+2)*cmd|' /C calc'!A0");
    expect(categories).toContain("'\tcategory with tab");
    expect(categories).toContain("'@SUM(A1)");
    const users = new Set(rows.map((r) => r.user));
    expect(users).toContain('\'=HYPERLINK("http://evil.example","click") (peter@example.hu)');
    expect(users).toContain('\'+Clarke, "Emma" (emma.clarke@example.com)');
    expect(users).toContain('Szabó Éva (eva.szabo@example.hu)');
    // No raw cell anywhere starts a formula.
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // CRLF record ends, a quoted field for the comma and doubled quotes.
    expect(text).toContain('\r\n');
    expect(text).toContain('"\'+Clarke, ""Emma"" (emma.clarke@example.com)"');
    fs.mkdirSync('test-results/reports', { recursive: true });
    fs.copyFileSync(out('hostile.csv'), 'test-results/reports/detailed-hostile.csv');
  });

  test('BOM on for Excel, off on request', async () => {
    const context = await fx.context();
    await exportReport(context, { kind: 'daily', from: FROM, to: TO, out: out('bom.csv'), bom: true });
    await exportReport(context, { kind: 'daily', from: FROM, to: TO, out: out('nobom.csv'), bom: false });
    const withBom = fs.readFileSync(out('bom.csv'));
    const without = fs.readFileSync(out('nobom.csv'));
    expect([...withBom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(without.subarray(0, 4).toString()).toBe('date');
    expect(withBom.subarray(3).equals(without)).toBe(true);
    // The default follows settings.reports.excelBom.
    const noBomContext = await fx.context({ bom: false });
    await exportReport(noBomContext, { kind: 'summary', from: FROM, to: TO, out: out('default.csv') });
    expect(fs.readFileSync(out('default.csv')).subarray(0, 6).toString()).toBe('period');
  });

  test('an unreachable Open WebUI database: hashes instead of names', async () => {
    const context = await fx.context({ sourceUrl: `sqlite:///${path.join(fx.dir, 'missing', 'webui.db')}` });
    await exportReport(context, { kind: 'detailed', from: FROM, to: TO, out: out('hashes.csv') });
    const rows = read(out('hashes.csv'));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.user).toBe(r.user_hash);
      expect(r.user).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test('an empty period writes the header only', async () => {
    const context = await fx.context();
    const result = await exportReport(context, { kind: 'detailed', from: '2025-01-01', to: '2025-01-31', out: out('empty.csv') });
    expect(result.rows).toBe(0);
    const lines = fs.readFileSync(out('empty.csv'), 'utf8').replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toMatch(/^conversation_id,date,user_hash,user,/);
    expect(lines.filter(Boolean)).toHaveLength(1);
  });
});

describe('files', () => {
  test('a folder that does not exist: a readable error and nothing written', async () => {
    const context = await fx.context();
    const target = path.join(fx.dir, 'no-such-folder', 'x.csv');
    await expect(exportReport(context, { kind: 'summary', from: FROM, to: TO, out: target })).rejects.toThrow(ExportError);
    await expect(exportReport(context, { kind: 'summary', from: FROM, to: TO, out: target })).rejects.toThrow(/folder does not exist/);
  });

  test('a target whose folder is a file is refused', async () => {
    const context = await fx.context();
    fs.writeFileSync(out('plain-file'), '');
    await expect(exportReport(context, { kind: 'summary', from: FROM, to: TO, out: path.join(out('plain-file'), 'x.csv') })).rejects.toThrow(/not a folder/);
  });

  test('a read-only folder is reported as not writable', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; the permission check cannot fail here
    const context = await fx.context();
    const locked = path.join(fx.dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o555 });
    await expect(exportReport(context, { kind: 'summary', from: FROM, to: TO, out: path.join(locked, 'x.csv') })).rejects.toThrow(/not writable/);
  });

  test('cancel: no file and no temporary file left behind', async () => {
    const context = await fx.context();
    const folder = path.join(fx.dir, 'cancel');
    fs.mkdirSync(folder);
    const controller = new AbortController();
    const target = path.join(folder, 'detailed.csv');
    const pending = exportReport(context, { kind: 'detailed', from: FROM, to: TO, out: target }, { signal: controller.signal, onProgress: (p) => p.phase === 'preparing' && controller.abort() });
    await expect(pending).rejects.toThrow(ExportCancelledError);
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  test('an existing file is replaced whole', async () => {
    const context = await fx.context();
    const target = out('replace.csv');
    fs.writeFileSync(target, 'old content that is longer than nothing');
    await exportReport(context, { kind: 'summary', from: FROM, to: TO, out: target, bom: false });
    expect(fs.readFileSync(target, 'utf8')).toMatch(/^period_from,/);
  });

  test('bad requests are refused before anything is read', async () => {
    const context = await fx.context();
    await expect(exportReport(context, { kind: 'summary', from: '2026-02-30', to: TO, out: out('x.csv') })).rejects.toThrow(/YYYY-MM-DD/);
    await expect(exportReport(context, { kind: 'summary', from: TO, to: FROM, out: out('x.csv') })).rejects.toThrow(/starts .* after it ends/);
    await expect(exportReport(context, { kind: 'summary', from: FROM, to: TO, userHash: 'eva', out: out('x.csv') })).rejects.toThrow(/64-character/);
  });
});
