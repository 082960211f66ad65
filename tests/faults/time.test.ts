import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createAppContext } from '../../src/main/core/app/context.ts';
import { scheduledRange } from '../../src/main/core/app/operations.ts';
import { ChatBuilder, chatRecord, type SourceFixture } from '../support/openwebui-fixture.ts';
import type { OpenWebUiChatRecord } from '../../src/main/core/source/openwebui-writer.ts';
import type { FakeOpenAI } from '../support/fake-openai-server.ts';
import {
  buildSource,
  cliEnv,
  createAnalytics,
  dumpAnalytics,
  estimatorFor,
  faultSettings,
  runCli,
  runOnce,
  startFakeOpenAI,
  tempHome,
  type Analytics,
} from '../support/faults-harness.ts';

// Day boundaries: DST nights in Europe/Budapest (a 25-hour and a 23-hour day), a run configured
// for America/New_York, and a machine clock (process TZ) that differs from the configured zone.
// The analytics day of a conversation is the configured zone's day of its last message, always.

const utc = (iso: string): number => Date.parse(iso) / 1000;

/** A short exchange whose messages are at the given instants. */
function exchange(id: string, instants: number[]): OpenWebUiChatRecord {
  const b = new ChatBuilder({ start: instants[0]! });
  instants.forEach((at, i) => (i % 2 === 0 ? b.user(`Question ${id} ${i}: please help with the report`, { at }) : b.assistant(`Answer ${id} ${i}`, { at })));
  return chatRecord(id, 'u-eva', b);
}

const CHATS: OpenWebUiChatRecord[] = [
  // Fall back, Sunday 2025-10-26: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
  exchange('fb-0230-first', [utc('2025-10-26T00:30:00Z'), utc('2025-10-26T00:31:00Z')]),
  exchange('fb-0230-second', [utc('2025-10-26T01:30:00Z'), utc('2025-10-26T01:31:00Z')]),
  // 02:50 CEST → 02:10 CET: twenty real minutes, not minus forty.
  exchange('fb-across', [utc('2025-10-26T00:50:00Z'), utc('2025-10-26T00:55:00Z'), utc('2025-10-26T01:00:00Z'), utc('2025-10-26T01:05:00Z'), utc('2025-10-26T01:10:00Z')]),
  exchange('fb-last-second', [utc('2025-10-26T22:58:00Z'), utc('2025-10-26T22:59:59Z')]), // 23:59:59 CET
  exchange('fb-next-day', [utc('2025-10-26T22:59:00Z'), utc('2025-10-26T23:00:30Z')]), // ends 00:00:30 on the 27th
  exchange('fb-day-before', [utc('2025-10-25T21:58:00Z'), utc('2025-10-25T21:59:30Z')]), // 23:59:30 CEST on the 25th
  // Spring forward, Sunday 2026-03-29: 02:00 CET becomes 03:00 CEST.
  exchange('sf-across', [utc('2026-03-29T00:59:00Z'), utc('2026-03-29T01:01:00Z')]), // 01:59 CET → 03:01 CEST
  exchange('sf-first-second', [utc('2026-03-28T23:00:00Z'), utc('2026-03-28T23:00:30Z')]), // 00:00 CET
  exchange('sf-last-second', [utc('2026-03-29T21:58:00Z'), utc('2026-03-29T21:59:59Z')]), // 23:59:59 CEST
  exchange('sf-next-day', [utc('2026-03-29T21:59:00Z'), utc('2026-03-29T22:00:30Z')]),
  // Around New York's midnight on 2026-01-07 (05:00 UTC; 06:00 in Budapest).
  exchange('ny-before-midnight', [utc('2026-01-07T04:58:00Z'), utc('2026-01-07T04:59:30Z')]),
  exchange('ny-after-midnight', [utc('2026-01-07T05:00:00Z'), utc('2026-01-07T05:00:30Z')]),
];

let source: SourceFixture;
let llm: FakeOpenAI;
const open: Analytics[] = [];
const processTz = process.env.TZ;

beforeAll(async () => {
  source = await buildSource('sqlite', CHATS);
  llm = await startFakeOpenAI();
});
afterEach(() => {
  if (processTz === undefined) delete process.env.TZ;
  else process.env.TZ = processTz;
});
afterAll(async () => {
  for (const a of open) await a.close();
  await llm.close();
  await source.cleanup();
});

async function daysOf(analytics: Analytics): Promise<Record<string, string>> {
  const rows = await analytics.db.selectFrom('conversation_analysis').select(['conversation_id', 'analysis_date']).orderBy('conversation_id').execute();
  return Object.fromEntries(rows.map((r) => [r.conversation_id, r.analysis_date]));
}

async function runDays(from: string, to: string, zone: string): Promise<Analytics> {
  const analytics = await createAnalytics('time');
  open.push(analytics);
  const settings = faultSettings(llm.url, (s) => (s.processing.timezone = zone));
  const result = await runOnce(source.url, analytics, { from, to }, { settings, estimator: estimatorFor(llm, settings) });
  expect(result.status).toBe('completed');
  return analytics;
}

test('Budapest fall-back night: both 02:30s belong to the 25-hour day, its last second too, and durations are real minutes', async () => {
  const analytics = await runDays('2025-10-26', '2025-10-26', 'Europe/Budapest');
  expect(await daysOf(analytics)).toEqual({
    'fb-0230-first': '2025-10-26',
    'fb-0230-second': '2025-10-26',
    'fb-across': '2025-10-26',
    'fb-last-second': '2025-10-26',
  });
  const across = await analytics.db.selectFrom('conversation_analysis').selectAll().where('conversation_id', '=', 'fb-across').executeTakeFirstOrThrow();
  expect([across.total_duration_minutes, across.active_duration_minutes, across.idle_time_minutes]).toEqual([20, 20, 0]);
});

test('Budapest spring-forward night: the 23-hour day keeps exactly its own conversations', async () => {
  const analytics = await runDays('2026-03-28', '2026-03-30', 'Europe/Budapest');
  const days = await daysOf(analytics);
  expect(days).toMatchObject({ 'sf-across': '2026-03-29', 'sf-first-second': '2026-03-29', 'sf-last-second': '2026-03-29', 'sf-next-day': '2026-03-30' });
  const across = await analytics.db.selectFrom('conversation_analysis').selectAll().where('conversation_id', '=', 'sf-across').executeTakeFirstOrThrow();
  expect(across.total_duration_minutes).toBe(2);
  const globals = await analytics.db.selectFrom('daily_aggregates').select(['analysis_date', 'conversation_count']).where('user_id_hash', 'is', null).orderBy('analysis_date').execute();
  expect(globals).toEqual([
    { analysis_date: '2026-03-29', conversation_count: 3 },
    { analysis_date: '2026-03-30', conversation_count: 1 },
  ]);
});

test('a run configured for America/New_York (TZ in the CLI environment) cuts the day at New York midnight', async () => {
  const analytics = await createAnalytics('time_ny');
  open.push(analytics);
  const home = tempHome('cf-time-');
  try {
    const out = await runCli(['backfill', '--from', '2026-01-07', '--to', '2026-01-07', '--json'], cliEnv(home.dir, source.url, analytics.url, llm.url, { TZ: 'America/New_York' }));
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'completed', processed: 1 });
  } finally {
    home.cleanup();
  }
  expect(await daysOf(analytics)).toEqual({ 'ny-after-midnight': '2026-01-07' });
  // The same instants in Budapest are one day.
  const budapest = await runDays('2026-01-07', '2026-01-07', 'Europe/Budapest');
  expect(await daysOf(budapest)).toEqual({ 'ny-after-midnight': '2026-01-07', 'ny-before-midnight': '2026-01-07' });
});

test('the machine clock zone does not matter: process TZ Pacific/Kiritimati (UTC+14) and UTC store the same', async () => {
  process.env.TZ = 'Pacific/Kiritimati';
  expect(new Date('2026-01-07T00:00:00Z').getTimezoneOffset()).toBe(-14 * 60); // the process really is in that zone
  const far = await runDays('2025-10-25', '2026-03-30', 'Europe/Budapest');
  process.env.TZ = 'UTC';
  expect(new Date('2026-01-07T00:00:00Z').getTimezoneOffset()).toBe(0);
  const utcRun = await runDays('2025-10-25', '2026-03-30', 'Europe/Budapest');
  expect(await dumpAnalytics(far.db)).toEqual(await dumpAnalytics(utcRun.db));
  expect(Object.keys(await daysOf(utcRun))).toHaveLength(CHATS.length);
});

test('a machine clock in UTC: at 23:30 UTC the nightly run already covers the Budapest day that just ended', async () => {
  process.env.TZ = 'UTC';
  const analytics = await createAnalytics('time_sched');
  open.push(analytics);
  const home = tempHome('cf-sched-');
  const context = await createAppContext({ env: { COGNIFORCE_HOME: home.dir, COGNIFORCE_DATABASE_URL: analytics.url, ANALYTICS_SALT: 'x', ANALYTICS_ESTIMATOR: 'heuristic' } });
  try {
    expect(context.settings.processing.timezone).toBe('Europe/Budapest');
    // 2026-01-07 23:30 UTC is 00:30 on the 8th in Budapest: "yesterday" is the 7th, not the 6th.
    expect(await scheduledRange(context, Date.parse('2026-01-07T23:30:00Z'))).toEqual({ from: '2026-01-07', to: '2026-01-07' });
    // And on the fall-back night, 23:30 UTC on the 26th is 00:30 on the 27th in Budapest.
    expect(await scheduledRange(context, Date.parse('2025-10-26T23:30:00Z'))).toEqual({ from: '2025-10-26', to: '2025-10-26' });
  } finally {
    await context.close();
    home.cleanup();
  }
});
