import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect, test, type Page } from '@playwright/test';
import { analyticsQuery, api, ensureConfigured, expectAccessible, holdAnalyticsTable, openConsole, screenshot, shiftDay } from './helpers.ts';

// Exports from the browser console: the Reports page writes the daily and detailed CSV and the
// PDF into the console's exports folder with visible progress, the files hold what the
// analytics database holds, an export can be cancelled, and the Conversations and Dashboard
// buttons run the same flow with their filters. Runs before 06-health stops the source.

type Row = Record<string, string>;

let exportsDir = '';
let today = '';
let from = '';

const readCsv = (file: string): Row[] => parse(fs.readFileSync(file), { columns: true, bom: true }) as Row[];

test.beforeAll(async () => {
  await ensureConfigured();
  const info = await api('app.info', {});
  today = info.display.today;
  from = shiftDay(today, -29);
  exportsDir = path.join(info.dataDir, 'exports');
  // A rerun against the same data folder starts without yesterday's files.
  fs.rmSync(exportsDir, { recursive: true, force: true });
});

/** Exports with the panel's current choices and waits for the outcome; returns the written path. */
async function exportFrom(page: Page, panel: ReturnType<Page['getByTestId']>, button: RegExp): Promise<string> {
  await panel.getByRole('button', { name: button }).click();
  const progress = panel.getByTestId('export-progress');
  await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  // The finished bar is full, and the counts say how much was written.
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '1');
  const written = await panel.getByTestId('export-path').inputValue();
  expect(path.dirname(written)).toBe(exportsDir);
  expect(fs.existsSync(written)).toBe(true);
  await expect(progress.getByTestId('export-counts')).toContainText(`Done`);
  return written;
}

test('daily and detailed CSV from the Reports page equal the database', async ({ page, context }, testInfo) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openConsole(page, 'reports');
  await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Reports' })).toHaveAttribute('aria-current', 'page');
  const panel = page.getByTestId('export-panel');
  for (const kind of ['Summary CSV', 'Daily CSV', 'Detailed CSV', 'PDF report']) await expect(panel.getByRole('radio', { name: new RegExp(kind) })).toBeVisible();
  // No native dialog in the browser: a path field with the exports folder and the scheduler's name.
  await panel.getByRole('radio', { name: /Daily CSV/ }).check();
  const target = panel.getByLabel('Save to');
  await expect(target).toHaveValue(path.join(exportsDir, `cogniforce-daily-${from}_${today}.csv`));
  await expect(panel.getByRole('checkbox', { name: /Excel-friendly \(BOM\)/ })).toBeChecked();
  await screenshot(page, '05b-reports', testInfo);
  await expectAccessible(page, 'reports', testInfo);

  // ---- daily ----
  const daily = await exportFrom(page, panel, /^Export Daily CSV$/);
  expect(path.basename(daily)).toBe(`cogniforce-daily-${from}_${today}.csv`);
  expect([...fs.readFileSync(daily).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = readCsv(daily);
  const everyone = rows.filter((r) => r.scope === 'all');
  expect(everyone).toHaveLength(30);
  const stored = await analyticsQuery<{ d: string; n: number; saved: number; active: number }>(
    `SELECT analysis_date::text AS d, conversation_count::int AS n, total_time_saved_engaged::int AS saved, total_time_saved::int AS active
     FROM daily_aggregates WHERE user_id_hash IS NULL AND analysis_date BETWEEN $1 AND $2`,
    [from, today],
  );
  expect(stored.length).toBeGreaterThan(0);
  for (const day of stored) {
    expect(everyone.find((r) => r.date === day.d), day.d).toMatchObject({
      conversations: String(day.n),
      time_saved_engaged_minutes: String(day.saved),
      time_saved_active_minutes: String(day.active),
    });
  }
  const [{ n: conversations, users }] = (await analyticsQuery<{ n: number; users: number }>(
    `SELECT count(*)::int AS n, (SELECT count(*)::int FROM daily_aggregates WHERE user_id_hash IS NOT NULL AND analysis_date BETWEEN $1 AND $2) AS users
     FROM conversation_analysis WHERE analysis_date BETWEEN $1 AND $2`,
    [from, today],
  )) as [{ n: number; users: number }];
  expect(everyone.reduce((acc, r) => acc + Number(r.conversations), 0)).toBe(conversations);
  expect(rows.filter((r) => r.scope === 'user')).toHaveLength(users);
  // Names come live from Open WebUI for the per-user rows.
  expect(rows.find((r) => r.scope === 'user')?.user).toMatch(/^.+ \(.+@.+\)$/);
  const progress = panel.getByTestId('export-progress');
  await expect(progress.getByTestId('export-counts')).toContainText(`${new Intl.NumberFormat('en-US').format(rows.length)} rows`);
  await expect(progress.getByTestId('export-counts')).toContainText(/\d(\.\d)? KB/);
  await expect(panel.getByTestId('export-outcome')).toContainText(`Saved cogniforce-daily-${from}_${today}.csv`);
  // Copy puts the full path on the clipboard; the browser console offers no "Open containing folder".
  await panel.getByRole('button', { name: 'Copy path' }).click();
  await expect(panel.getByText('Path copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(daily);
  await expect(panel.getByRole('button', { name: 'Open containing folder' })).toHaveCount(0);
  await screenshot(page, '05b-reports-daily-done', testInfo);
  await expectAccessible(page, 'reports-done', testInfo);

  // ---- detailed, keyboard only: choose the kind with the arrow keys, export with Enter ----
  await panel.getByRole('radio', { name: /Daily CSV/ }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(panel.getByRole('radio', { name: /Detailed CSV/ })).toBeChecked();
  await expect(target).toHaveValue(path.join(exportsDir, `cogniforce-detailed-${from}_${today}.csv`));
  await target.focus();
  await page.keyboard.press('Enter');
  await expect(progress).toHaveAttribute('data-request', 'detailed');
  await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  const detailed = await panel.getByTestId('export-path').inputValue();
  expect(path.basename(detailed)).toBe(`cogniforce-detailed-${from}_${today}.csv`);
  const conversationsRows = readCsv(detailed);
  const expected = await analyticsQuery<{ id: string; saved: number; manual: number }>(
    `SELECT conversation_id AS id, time_saved_engaged_minutes::int AS saved, manual_time_most_likely::int AS manual
     FROM conversation_analysis WHERE analysis_date BETWEEN $1 AND $2 ORDER BY analysis_date, conversation_id`,
    [from, today],
  );
  expect(conversationsRows.map((r) => r.conversation_id)).toEqual(expected.map((r) => r.id));
  expect(conversationsRows.map((r) => Number(r.time_saved_engaged_minutes))).toEqual(expected.map((r) => r.saved));
  expect(conversationsRows.map((r) => Number(r.manual_most_likely_minutes))).toEqual(expected.map((r) => r.manual));
  await expect(progress.getByTestId('export-counts')).toContainText(`${new Intl.NumberFormat('en-US').format(expected.length)} rows`);

  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, '05b-reports-dark', testInfo);
  await expectAccessible(page, 'reports-dark', testInfo);
  await page.emulateMedia({ colorScheme: 'light' });
});

test('a PDF shows its progress, can be cancelled, then is written', async ({ page }, testInfo) => {
  await openConsole(page, 'reports');
  const panel = page.getByTestId('export-panel');
  await panel.getByRole('radio', { name: /PDF report/ }).check();
  const target = panel.getByLabel('Save to');
  const pdf = path.join(exportsDir, `cogniforce-report-${from}_${today}.pdf`);
  await expect(target).toHaveValue(pdf);
  // No BOM choice for a PDF.
  await expect(panel.getByRole('checkbox', { name: /Excel-friendly/ })).toHaveCount(0);

  // The report's models query waits behind a lock this test holds, so the export can be
  // watched and cancelled mid-way on any machine.
  const release = await holdAnalyticsTable('daily_model_aggregates');
  const progress = panel.getByTestId('export-progress');
  try {
    await panel.getByRole('button', { name: /^Export PDF report$/ }).click();
    await expect(progress).toHaveAttribute('data-status', 'running');
    await expect(progress.getByRole('progressbar')).toBeVisible();
    await expect(progress.getByTestId('export-counts')).toContainText('Drawing the report');
    await screenshot(page, '05b-reports-progress', testInfo);
    await progress.getByRole('button', { name: 'Cancel export' }).click();
    await expectAccessible(page, 'reports-progress', testInfo);
  } finally {
    await release();
  }
  await expect(progress).toHaveAttribute('data-status', 'cancelled', { timeout: 60_000 });
  await expect(panel.getByTestId('export-outcome')).toHaveText('Cancelled: no file was written.');
  expect(fs.existsSync(pdf)).toBe(false);
  expect(fs.readdirSync(exportsDir).filter((name) => name.endsWith('.partial'))).toEqual([]);

  const written = await exportFrom(page, panel, /^Export PDF report$/);
  expect(written).toBe(pdf);
  const bytes = fs.readFileSync(pdf);
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(bytes.length).toBeGreaterThan(10_000);
  await expect(panel.getByTestId('export-outcome')).toContainText(`Saved cogniforce-report-${from}_${today}.pdf`);

  // Exporting the same file again asks before replacing it.
  await panel.getByRole('button', { name: 'Export another' }).click();
  await panel.getByRole('button', { name: /^Export PDF report$/ }).click();
  await expect(panel.getByRole('alert')).toContainText(`cogniforce-report-${from}_${today}.pdf already exists`);
  await screenshot(page, '05b-reports-exists', testInfo);
  const before = fs.statSync(pdf).mtimeMs;
  await panel.getByRole('button', { name: 'Replace it' }).click();
  await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  expect(fs.statSync(pdf).mtimeMs).toBeGreaterThan(before);

  // A name with another ending is refused readably, before any job starts.
  await panel.getByRole('button', { name: 'Export another' }).click();
  await target.fill(path.join(exportsDir, 'report.txt'));
  await panel.getByRole('button', { name: /^Export PDF report$/ }).click();
  await expect(panel.getByRole('alert')).toContainText('A PDF report is saved as a .pdf file');
});

test('the Conversations export writes the listed conversations', async ({ page }, testInfo) => {
  const [top] = await analyticsQuery<{ category: string; n: number }>(
    `SELECT task_category AS category, count(*)::int AS n FROM conversation_analysis
     WHERE analysis_date BETWEEN $1 AND $2 AND task_category IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
    [from, today],
  );
  expect(top?.n).toBeGreaterThan(0);
  await openConsole(page, `conversations?from=${from}&to=${today}&category=${top!.category}`);
  await expect(page.locator('.pager-info')).toContainText(`of ${top!.n}`);
  const button = page.getByRole('button', { name: 'Export CSV' });
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  const panel = page.getByTestId('export-panel');
  await expect(panel.getByRole('heading', { name: 'Export these conversations' })).toBeVisible();
  // Focus moves into the panel; the name says the file is filtered.
  await expect(panel.getByLabel('Save to')).toBeFocused();
  await expect(panel.getByLabel('Save to')).toHaveValue(path.join(exportsDir, `cogniforce-detailed-${from}_${today}-filtered.csv`));
  await screenshot(page, '05b-conversations-export', testInfo);
  await expectAccessible(page, 'conversations-export', testInfo);

  const written = await exportFrom(page, panel, /^Export Detailed CSV$/);
  const rows = readCsv(written);
  const expected = await analyticsQuery<{ id: string }>(
    `SELECT conversation_id AS id FROM conversation_analysis WHERE analysis_date BETWEEN $1 AND $2 AND task_category = $3 ORDER BY analysis_date, conversation_id`,
    [from, today, top!.category],
  );
  expect(rows.map((r) => r.conversation_id)).toEqual(expected.map((r) => r.id));
  expect(new Set(rows.map((r) => r.task_category))).toEqual(new Set([top!.category]));

  // Escape closes the panel and gives focus back to the button.
  await panel.getByRole('button', { name: 'Copy path' }).focus();
  await page.keyboard.press('Escape');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(button).toBeFocused();
});

test('the Dashboard export writes the summary of its period and user', async ({ page }) => {
  const [user] = await analyticsQuery<{ hash: string; n: number }>(
    `SELECT user_id_hash AS hash, count(*)::int AS n FROM conversation_analysis WHERE analysis_date BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
    [from, today],
  );
  await openConsole(page, `dashboard?from=${from}&to=${today}&user=${user!.hash}`);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const panel = page.getByTestId('export-panel');
  await panel.getByRole('radio', { name: /Summary CSV/ }).check();
  await expect(panel.getByLabel('Save to')).toHaveValue(path.join(exportsDir, `cogniforce-summary-${from}_${today}-user-${user!.hash.slice(0, 8)}.csv`));
  const written = await exportFrom(page, panel, /^Export Summary CSV$/);
  const [row] = readCsv(written);
  expect(row).toMatchObject({ period_from: from, period_to: today, user_hash: user!.hash, conversations: String(user!.n) });
});
