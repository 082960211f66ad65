import { expect, test } from '@playwright/test';
import { ensureConfigured, expectAccessible, openConsole, screenshot, stopSourceDatabase } from './helpers.ts';

// Health reports each part on its own: with the Open WebUI database stopped, that check is
// degraded while the analytics database and the rest still answer; the dashboard keeps
// working and shows short hashes instead of names. Runs last: it stops the source server.

test.beforeAll(async () => {
  await ensureConfigured();
});

test('health with the source database stopped', async ({ page }, testInfo) => {
  await openConsole(page, 'health');
  await expect(page.getByTestId('check-source-db')).toHaveAttribute('data-level', 'healthy');
  await expect(page.getByTestId('check-analytics-db')).toHaveAttribute('data-level', 'healthy');
  await screenshot(page, '06-health', testInfo);
  await expectAccessible(page, 'health', testInfo);

  await stopSourceDatabase();
  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByTestId('check-source-db')).toHaveAttribute('data-level', 'degraded');
  await expect(page.getByTestId('check-source-db')).toContainText('Open WebUI database unreachable');
  await expect(page.getByTestId('check-analytics-db')).toHaveAttribute('data-level', 'healthy');
  await expect(page.getByTestId('health-overall')).toHaveAttribute('data-level', /degraded|unhealthy/);
  await screenshot(page, '06-health-source-down', testInfo);
  await expectAccessible(page, 'health-source-down', testInfo);

  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByText(/Names are shown as short hashes/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('list', { name: 'Top users' }).getByRole('link').first()).toHaveText(/^user [0-9a-f]{8}$/);
  await screenshot(page, '06-dashboard-source-down', testInfo);
});
