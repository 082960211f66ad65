import { expect, test } from '@playwright/test';
import { api, ensureConfigured, expectAccessible, openConsole, screenshot, shiftDay, waitForJob } from './helpers.ts';

// A forced backfill shows its progress live and can be cancelled; the history records it.

test.beforeAll(async () => {
  await ensureConfigured();
  // One request at a time against the (slightly slow) test LLM, so the run lasts long
  // enough to be watched and cancelled.
  await api('settings.update', { patch: { llm: { concurrency: 1 } } });
});

test.afterAll(async () => {
  await waitForJob();
  await api('settings.update', { patch: { llm: { concurrency: 16 } } });
});

test('a backfill shows progress and can be cancelled', async ({ page }, testInfo) => {
  const today = (await api('app.info', {})).display.today;
  await openConsole(page, 'runs');
  await expect(page.getByRole('heading', { name: 'Runs', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Run history' })).toBeVisible();
  await screenshot(page, '04-runs', testInfo);
  await expectAccessible(page, 'runs', testInfo);

  await page.getByRole('radio', { name: 'Backfill a range of days' }).check();
  await page.getByLabel('From', { exact: true }).fill(shiftDay(today, -40));
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('checkbox', { name: /force/ }).check();
  await page.getByRole('button', { name: 'Start backfill' }).click();

  const progress = page.getByTestId('job-progress');
  await expect(progress).toHaveAttribute('data-status', 'running');
  await expect(progress.getByRole('progressbar')).toBeVisible();
  await expect(progress.getByTestId('job-counts')).toContainText(/Analysed [1-9]/);
  await expect(progress).toContainText(/left|Estimating|Reading/);
  await screenshot(page, '04-runs-progress', testInfo);
  await expectAccessible(page, 'runs-progress', testInfo);

  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  await expect(progress).toContainText('Cancelled');
  const history = page.getByRole('table', { name: 'Run history' });
  await expect(history.locator('tbody tr').first()).toContainText('cancelled');
  await screenshot(page, '04-runs-cancelled', testInfo);

  const runs = await api('runs.list', { page: 0, pageSize: 5 });
  expect(runs.rows[0]).toMatchObject({ status: 'cancelled', forced: true, trigger: 'backfill' });
});
