import { expect, test } from '@playwright/test';
import { analyticsQuery, api, ensureConfigured, expectAccessible, openConsole, screenshot, shiftDay } from './helpers.ts';

// Server-side paging and sorting, and the detail view with the exact summary that was sent.

test.beforeAll(async () => {
  await ensureConfigured();
});

test('conversations page through the server and open a detail', async ({ page }, testInfo) => {
  const today = (await api('app.info', {})).display.today;
  const from = shiftDay(today, -40);
  const [{ n }] = (await analyticsQuery<{ n: number }>('SELECT count(*)::int AS n FROM conversation_analysis WHERE analysis_date BETWEEN $1 AND $2', [from, today])) as [{ n: number }];
  expect(n).toBeGreaterThan(25);

  await openConsole(page, `conversations?from=${from}&to=${today}`);
  await expect(page.locator('.pager-info')).toHaveText(`Rows 1–${Math.min(50, n)} of ${n}`);
  await page.getByLabel('Rows per page').selectOption('25');
  await expect(page.locator('.pager-info')).toHaveText(`Rows 1–25 of ${n}`);
  const firstPage = await page.locator('tbody tr td:first-child').allTextContents();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.locator('.pager-info')).toHaveText(`Rows 26–${Math.min(50, n)} of ${n}`);
  const secondPage = await page.locator('tbody tr td:first-child').allTextContents();
  expect(secondPage).not.toEqual(firstPage);
  await expect(page.getByText(`Page 2 of ${Math.ceil(n / 25)}`)).toBeVisible();

  // Sorting by confidence, ascending, on the server.
  await page.getByRole('button', { name: /Confidence/ }).click();
  await page.getByRole('button', { name: /Confidence/ }).click();
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText('Confidence');
  const [{ min }] = (await analyticsQuery<{ min: number }>('SELECT min(confidence_level)::int AS min FROM conversation_analysis WHERE analysis_date BETWEEN $1 AND $2', [from, today])) as [{ min: number }];
  const confidenceColumn = await page.locator('thead th').allTextContents();
  const index = confidenceColumn.findIndex((t) => t.includes('Confidence'));
  await expect(page.locator(`tbody tr:first-child td:nth-child(${index + 1})`)).toHaveText(String(min));
  await screenshot(page, '03-conversations', testInfo);
  await expectAccessible(page, 'conversations', testInfo);

  // Detail: timing, estimate and the redacted summary exactly as stored.
  await page.locator('tbody tr:first-child td:first-child a').click();
  await expect(page.getByRole('heading', { name: /^Conversation / })).toBeVisible();
  const id = decodeURIComponent(page.url().split('#/conversations/')[1]!.split('?')[0]!);
  const [stored] = await analyticsQuery<{ conversation_summary: string }>('SELECT conversation_summary FROM conversation_analysis WHERE conversation_id = $1', [id]);
  await expect(page.getByTestId('summary-sent')).toHaveText(JSON.stringify(JSON.parse(stored!.conversation_summary), null, 2));
  await expect(page.getByRole('heading', { name: 'Timing' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Reasoning' })).toBeVisible();
  await screenshot(page, '03-conversation-detail', testInfo);
  await expectAccessible(page, 'conversation-detail', testInfo);

  await page.getByRole('link', { name: '← Back to conversations' }).click();
  await expect(page.locator('.pager-info')).toContainText(`of ${n}`);
});
