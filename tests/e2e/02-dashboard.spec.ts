import { expect, test } from '@playwright/test';
import { analyticsQuery, api, ensureConfigured, expectAccessible, openConsole, screenshot, shiftDay } from './helpers.ts';

// The dashboard's figures are what the analytics database holds, and a click on a user opens
// exactly that user's conversations.

const hours = (minutes: number): string => `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(minutes / 60)} h`;

interface Totals {
  n: number;
  engaged: number;
  active: number;
}

async function totals(from: string, to: string, user?: string): Promise<Totals> {
  const [row] = await analyticsQuery<Totals>(
    `SELECT count(*)::int AS n, coalesce(sum(time_saved_engaged_minutes), 0)::int AS engaged, coalesce(sum(time_saved_minutes), 0)::int AS active
     FROM conversation_analysis WHERE analysis_date BETWEEN $1 AND $2 AND ($3::text IS NULL OR user_id_hash = $3)`,
    [from, to, user ?? null],
  );
  return row!;
}

test.beforeAll(async () => {
  await ensureConfigured();
});

test('dashboard figures equal the database', async ({ page }, testInfo) => {
  const today = (await api('app.info', {})).display.today;
  // Nothing the page asks for may fail.
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  await openConsole(page, 'dashboard');
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  // The page names its icon (without one, browsers ask for /favicon.ico, which is not there).
  const iconLink = page.locator('link[rel="icon"]');
  await expect(iconLink).toHaveAttribute('href', /icon-.*\.svg$/);
  const iconResponse = await page.request.get(await iconLink.evaluate((link: HTMLLinkElement) => link.href));
  expect(iconResponse.status()).toBe(200);
  expect(iconResponse.headers()['content-type']).toContain('image/svg+xml');

  // Default period: the last 30 days.
  const month = await totals(shiftDay(today, -29), today);
  expect(month.n).toBeGreaterThan(0);
  await expect(page.getByTestId('kpi-conversations').locator('.kpi-value')).toHaveText(new Intl.NumberFormat('en-US').format(month.n));
  await expect(page.getByTestId('kpi-time-saved').locator('.kpi-value')).toHaveText(hours(month.engaged));
  await expect(page.getByTestId('kpi-time-saved')).toContainText('Time saved (engaged time)');
  await expect(page.getByTestId('kpi-time-saved-other')).toHaveText(hours(month.active));
  await expect(page.locator('canvas').first()).toBeVisible();
  expect(failed).toEqual([]);
  await screenshot(page, '02-dashboard', testInfo);
  await expectAccessible(page, 'dashboard', testInfo);
  // The OS dark theme is followed, charts included, with readable contrast.
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, '02-dashboard-dark', testInfo);
  await expectAccessible(page, 'dashboard-dark', testInfo);
  await page.emulateMedia({ colorScheme: 'light' });

  // Presets change the period.
  await page.getByRole('button', { name: '7 days' }).click();
  const week = await totals(shiftDay(today, -6), today);
  await expect(page.getByTestId('kpi-conversations').locator('.kpi-value')).toHaveText(new Intl.NumberFormat('en-US').format(week.n));
  await page.getByRole('button', { name: '1 year' }).click();
  const year = await totals(shiftDay(today, -364), today);
  await expect(page.getByTestId('kpi-conversations').locator('.kpi-value')).toHaveText(new Intl.NumberFormat('en-US').format(year.n));
  await expect(page.getByTestId('kpi-time-saved').locator('.kpi-value')).toHaveText(hours(year.engaged));
});

test('a top user drills into their conversations', async ({ page }, testInfo) => {
  const today = (await api('app.info', {})).display.today;
  await openConsole(page, 'dashboard');
  const top = page.getByRole('list', { name: 'Top users' }).getByRole('link').first();
  await expect(top).toBeVisible();
  // Names come live from Open WebUI as "Name (email)".
  await expect(top).toHaveText(/^.+ \(.+@.+\)$/);
  await top.click();
  await expect(page.getByRole('heading', { name: 'Conversations', level: 1 })).toBeVisible();
  const user = new URLSearchParams(page.url().split('?')[1] ?? '').get('user');
  expect(user).toMatch(/^[0-9a-f]{64}$/);
  const expected = await totals(shiftDay(today, -29), today, user!);
  await expect(page.locator('.pager-info')).toHaveText(`Rows 1–${Math.min(50, expected.n)} of ${expected.n}`);
  await screenshot(page, '02-drilldown-user', testInfo);
});
