import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { e2eEnv } from './env.ts';
import { analyticsQuery, api, ensureConfigured, expectAccessible, openConsole, screenshot } from './helpers.ts';

// Schedule, the Health log viewer and diagnostics bundle, and the salt in Settings, through the
// real renderer and the `serve` transport. Sorts before 06-health.spec.ts, which stops the
// source database.

const PLANTED_PASSWORD = 'e2e-planted-log-pw-5521';

test.beforeAll(async () => {
  await ensureConfigured();
});

test.afterAll(async () => {
  // Later specs expect the default schedule.
  await api('schedule.update', { patch: { cron: '0 0 * * *', timezone: null, exports: [] } });
});

test('schedule: edit the time and zone, see the next runs, save and find it kept', async ({ page }, testInfo) => {
  await openConsole(page, 'schedule');
  await expect(page.getByRole('heading', { name: 'Schedule', level: 1 })).toBeVisible();
  // `serve` runs no scheduler, and the page says so.
  const state = page.getByTestId('scheduler-state');
  await expect(state).toHaveAttribute('data-runs-here', 'false');
  await expect(state).toContainText('No scheduler runs in this process');

  const time = page.getByLabel('Time of day');
  await expect(time).toHaveValue('00:00');
  const runs = page.getByTestId('next-runs').getByRole('listitem');
  await expect(runs).toHaveCount(5);
  await expect(runs.first()).toContainText('00:00 (+0');

  await time.fill('02:30');
  await page.getByLabel('Time zone').selectOption('America/New_York');
  await expect(runs.first()).toContainText(/02:30 \(-0[45]:00\)/);
  for (const item of await runs.all()) await expect(item).toContainText('02:30');
  await expect(page.getByText('Saved as the cron expression "30 2 * * *".')).toBeVisible();
  await screenshot(page, '05c-schedule-edited', testInfo);

  // A cron expression the scheduler cannot use is explained at once, and cannot be saved.
  await page.getByRole('radio', { name: 'Cron expression' }).check();
  const cron = page.getByRole('textbox', { name: 'Cron expression' });
  await expect(cron).toHaveValue('30 2 * * *');
  await cron.fill('61 2 * * *');
  await expect(page.getByTestId('cron-error')).toContainText('Invalid value for minute: 61');
  await expect(page.getByRole('button', { name: 'Save schedule' })).toBeDisabled();
  await screenshot(page, '05c-schedule-invalid', testInfo);
  await cron.fill('30 2 * * *');
  await expect(page.getByTestId('cron-error')).toHaveCount(0);
  await expect(runs.first()).toContainText('02:30');

  // A scheduled export: weekly summary CSV and PDF into the suggested folder, daily CSV added.
  await page.getByRole('button', { name: 'Add a scheduled export' }).click();
  const exportRow = page.getByRole('group', { name: 'Scheduled export 1' });
  await expect(exportRow.getByLabel('Folder')).toHaveValue(path.join(e2eEnv('home'), 'exports'));
  await exportRow.getByLabel('Daily CSV').check();
  await exportRow.getByLabel('Period').selectOption('previous-month');

  await page.getByRole('button', { name: 'Save schedule' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const saved = await api('schedule.get', {});
  expect(saved.schedule).toMatchObject({ cron: '30 2 * * *', timezone: 'America/New_York' });
  expect(saved.schedule.exports).toEqual([{ enabled: true, kinds: ['summary', 'daily', 'pdf'], period: 'previous-month', folder: path.join(e2eEnv('home'), 'exports') }]);

  // A full reload (the tab keeps its token): what is shown now comes from the saved settings.
  await page.reload();
  await expect(page).toHaveURL(/#\/schedule$/);
  await expect(page.getByLabel('Time of day')).toHaveValue('02:30');
  await expect(page.getByLabel('Time zone')).toHaveValue('America/New_York');
  await expect(runs.first()).toContainText(/02:30 \(-0[45]:00\)/);
  await expect(page.getByRole('group', { name: 'Scheduled export 1' }).getByLabel('Period')).toHaveValue('previous-month');
  await screenshot(page, '05c-schedule-saved', testInfo);
  await expectAccessible(page, 'schedule', testInfo);
});

test('health: log lines, masked, filtered; a diagnostics bundle on disk', async ({ page }, testInfo) => {
  // `serve` does not write a log of its own: these lines stand for the desktop app's and the
  // daemon's, which share the data folder.
  const logs = path.join(e2eEnv('home'), 'logs');
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(
    path.join(logs, 'main.log'),
    [
      '[2026-03-28 00:00:00.010] [info]  (scheduler) Nightly run for 2026-03-27 (schedule) starting.',
      '[2026-03-28 00:00:05.200] [info]  (scheduler) Nightly run for 2026-03-27: Run #12 for 2026-03-27: 18 analysed, 3 unchanged in 5 s.',
      `[2026-03-28 06:00:00.000] [warn]  (db)        Reconnecting with password=${PLANTED_PASSWORD}`,
      '[2026-03-28 06:00:01.000] [error] (scheduler) Health check failed to run: Error: analytics database unreachable',
      '    at checkHealth (file:///app/checks.ts:40:11)',
      '',
    ].join('\n'),
  );

  await openConsole(page, 'health');
  const viewer = page.getByTestId('log-viewer');
  const lines = page.getByTestId('log-lines');
  await expect(lines).toContainText('Nightly run for 2026-03-27 (schedule) starting.');
  await expect(lines).toContainText('password=[REDACTED]');
  await expect(page.locator('body')).not.toContainText(PLANTED_PASSWORD);
  // The browser console cannot open folders: it names the folder instead.
  await expect(viewer.getByRole('button', { name: 'Open logs folder' })).toHaveCount(0);
  await expect(viewer).toContainText(logs);

  await viewer.getByLabel('Level').selectOption('error');
  await expect(lines.locator('.log-line')).toHaveCount(1);
  await expect(lines).toContainText('at checkHealth');
  await viewer.getByLabel('Level').selectOption('');
  await viewer.getByLabel('Area').selectOption('db');
  await expect(lines.locator('.log-line')).toHaveCount(1);
  await viewer.getByLabel('Area').selectOption('');
  await expect(lines.locator('.log-line')).toHaveCount(4);

  await page.getByRole('button', { name: 'Create diagnostics bundle' }).click();
  const result = page.getByTestId('diagnostics-result');
  await expect(result).toContainText('Written to');
  const file = await result.getAttribute('data-path');
  expect(file).toMatch(/[/\\]diagnostics[/\\]cogniforce-diagnostics-\d{8}-\d{6}Z\.json$/);
  expect(path.dirname(file!)).toBe(path.join(e2eEnv('home'), 'diagnostics'));
  const text = fs.readFileSync(file!, 'utf8');
  const bundle = JSON.parse(text) as { format: string; health: { overall: string }; logs: { lines: string[] }; secrets: Array<{ name: string; state: string }> };
  expect(bundle.format).toBe('cogniforce-diagnostics/1');
  expect(bundle.logs.lines).toHaveLength(4);
  expect(bundle.secrets).toContainEqual({ name: 'openai-api-key', state: 'set' });
  for (const secret of [PLANTED_PASSWORD, 'sk-e2e-test', 'e2e-source-pw', 'e2e-analytics-pw']) expect(text).not.toContain(secret);

  await screenshot(page, '05c-health-logs', testInfo);
  await expectAccessible(page, 'health-logs', testInfo);
});

test('settings: the salt fingerprint, and an export that never shows the salt', async ({ page }, testInfo) => {
  const [stored] = await analyticsQuery<{ value: string }>("SELECT value FROM app_meta WHERE key = 'salt_fingerprint'");
  expect(stored?.value).toMatch(/^[0-9a-f]{16}$/);

  await openConsole(page, 'settings');
  const panel = page.getByTestId('salt-panel');
  await expect(panel.getByTestId('salt-fingerprint')).toHaveText(stored!.value);
  await expect(panel.getByTestId('salt-database')).toHaveAttribute('data-matches', 'true');

  const target = path.join(e2eEnv('home'), `salt-export-${Date.now()}.txt`);
  const exportButton = panel.getByRole('button', { name: 'Export salt' });
  await panel.getByLabel('File to write (full path)').fill(target);
  await expect(exportButton).toBeDisabled();
  await panel.getByLabel(/I understand the salt is a secret/).check();
  await exportButton.click();
  await expect(panel.getByTestId('salt-export-result')).toContainText(target);
  const fileText = fs.readFileSync(target, 'utf8');
  const salt = fileText.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#'))!;
  expect(salt.length).toBeGreaterThanOrEqual(16);
  if (process.platform !== 'win32') expect(fs.statSync(target).mode & 0o777).toBe(0o600);
  await expect(page.locator('body')).not.toContainText(salt);

  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, '05c-settings-salt', testInfo);
  await expectAccessible(page, 'settings-salt', testInfo);
});
