import { expect, test } from '@playwright/test';
import { ensureConfigured, expectAccessible, openConsole, screenshot } from './helpers.ts';

// Users and Settings render real data, keyboard-reachable, and never show a secret.

test.beforeAll(async () => {
  await ensureConfigured();
});

test('users list engagement with names', async ({ page }, testInfo) => {
  await openConsole(page, 'users');
  const table = page.getByRole('table', { name: 'Users' });
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr').first().getByRole('link')).toHaveText(/\(.+@.+\)/);
  await screenshot(page, '05-users', testInfo);
  await expectAccessible(page, 'users', testInfo);
});

test('settings show connections and secrets without revealing them', async ({ page }, testInfo) => {
  await openConsole(page, 'settings');
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page.getByTestId('secret-openai-api-key')).toHaveText(/Set in the keychain/);
  await expect(page.locator('body')).not.toContainText('sk-e2e-test');
  await expect(page.locator('body')).not.toContainText('e2e-source-pw');
  await screenshot(page, '05-settings', testInfo);
  await expectAccessible(page, 'settings', testInfo);

  // Keyboard: the navigation is reachable and shows focus.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Dashboard' })).toBeFocused();
  const outline = await page.getByRole('link', { name: 'Dashboard' }).evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe('solid');
});
