import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { expect, type Page, type TestInfo } from '@playwright/test';
import type { Channel } from '../../src/shared/channels.ts';
import type { ArgsIn, Result } from '../../src/shared/contract.ts';
import type { Envelope } from '../../src/shared/types.ts';
import { e2eEnv } from './env.ts';

// What the specs share: opening the console, calling its API from the test (to prepare or to
// check state), reading the analytics database directly, screenshots, and the axe scan.

export const SCREENS_DIR = path.resolve('test-results/screens');

export async function openConsole(page: Page, route = 'dashboard'): Promise<void> {
  await page.goto(e2eEnv('url'));
  // The token leaves the address bar at once; the console keeps it for the tab.
  await expect(page).not.toHaveURL(/token=/);
  if (route) await page.evaluate((r) => (window.location.hash = `#/${r}`), route);
}

/** A call through the same HTTP transport the browser uses. */
export async function api<C extends Channel>(channel: C, args: ArgsIn<C>): Promise<Result<C>> {
  const response = await fetch(`${e2eEnv('origin')}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cogniforce-token': e2eEnv('token') },
    body: JSON.stringify(args),
  });
  const envelope = (await response.json()) as Envelope<Result<C>>;
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.data;
}

export async function waitForJob(timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { active } = await api('jobs.current', {});
    if (!active) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('The job did not finish in time.');
}

/**
 * Makes a spec runnable on its own: when the setup spec has not configured the console (or a
 * run is missing), configure it through the API and backfill, as the setup screens would.
 */
export async function ensureConfigured(): Promise<void> {
  const info = await api('app.info', {});
  if (!info.setup.complete) {
    await api('secrets.set', { key: 'openai-api-key', value: 'sk-e2e-test' });
    await api('settings.update', {
      patch: {
        source: { url: e2eEnv('sourceUrl') },
        analytics: { mode: 'url', url: e2eEnv('analyticsUrl') },
        llm: { estimator: 'llm', baseUrl: e2eEnv('llmUrl'), model: 'gpt-4o-mini' },
      },
    });
  }
  const runs = await api('runs.list', { page: 0, pageSize: 50 });
  if (!runs.rows.some((r) => r.status === 'completed' && r.processed > 0)) {
    await waitForJob();
    const to = info.display.today;
    const from = shiftDay(to, -40);
    await api('runs.start', { kind: 'backfill', from, to, force: false });
    await waitForJob();
  }
}

export function shiftDay(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export async function analyticsQuery<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: e2eEnv('analyticsUrl') });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Takes an exclusive lock on an analytics table and holds it until the returned function is
 * called: whatever reads the table waits meanwhile, so a job can be watched and cancelled
 * mid-way however fast the machine is.
 */
export async function holdAnalyticsTable(table: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: e2eEnv('analyticsUrl') });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

/** Saves a full-page screenshot under test-results/screens and attaches it to the report. */
export async function screenshot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  fs.mkdirSync(SCREENS_DIR, { recursive: true });
  const file = path.join(SCREENS_DIR, `${name}.png`);
  // Let charts finish drawing and fonts settle.
  await page.waitForTimeout(300);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

const AXE_SOURCE = fs.readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page; fails on serious or critical violations (listing them). */
export async function expectAccessible(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's strict CSP (no inline scripts)
  // stays in force for the app itself.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })) }));
  });
  await testInfo.attach(`axe-${name}.json`, { body: JSON.stringify(violations, null, 2), contentType: 'application/json' });
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(blocking, `axe on ${name}: ${blocking.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; ')}`).toEqual([]);
}

/** Stops the Open WebUI PostgreSQL server (fast shutdown) as an outage would. */
export async function stopSourceDatabase(): Promise<void> {
  const pidFile = path.join(e2eEnv('sourceCluster'), 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The source database did not stop.');
}
