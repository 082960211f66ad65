// Benchmark: dashboard latency over the analytics fixture (a million analysed conversations over
// two years, 2,000 users; bench/fixtures.ts).
//
// Every call goes through the real handler registry (createRuntime → createHandlers → dispatch:
// zod validation, the store query, user names resolved from the Open WebUI users), the way both
// transports serve it. Its reference is the same figures computed straight from the raw
// conversation_analysis (and conversation_insights) rows with plain pg — what the dashboard would
// cost without daily_aggregates and its breakdowns (migration 0004) — timed the same way,
// interleaved call by call so both see the same machine.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createAppContext } from '../src/main/core/app/context.ts';
import { defaultSettings } from '../src/main/core/config/settings.ts';
import { closeRuntime, createHandlers, createRuntime, dispatch } from '../src/main/core/handlers.ts';
import { MemorySecretStore } from '../src/main/core/secrets/store.ts';
import { addLocalDays } from '../src/main/core/time/days.ts';
import type { Channel } from '../src/shared/channels.ts';
import type { ConversationRowDto, Page, SummaryDto, TopUsersDto, TrendDto } from '../src/shared/types.ts';
import { BENCH_SALT, ZONE, type AnalyticsFixture } from './fixtures.ts';

export const DASHBOARD_TARGET_P95_MS = 50;

interface Period {
  label: string;
  from: string;
  to: string;
}

interface RawQuery {
  text: string;
  values: unknown[];
}

interface Call {
  channel: Channel;
  /** Part of the four calls the benchmark is specified on; the others are timed with fewer calls. */
  core: boolean;
  args(p: Period): Record<string, unknown>;
  /** The same figures from the raw rows; queries of one call run concurrently, as the handler's do. */
  raw(p: Period): RawQuery[];
  /** Whether the handler's answer and the raw rows agree on the figures both carry. */
  agrees(data: unknown, raw: pg.QueryResult[]): boolean;
}

const RANGE = 'analysis_date BETWEEN $1::date AND $2::date';
const range = (p: Period): unknown[] => [p.from, p.to];
const num = (v: unknown): number => Number(v ?? 0);

const CALLS: Call[] = [
  {
    channel: 'dashboard.summary',
    core: true,
    args: (p) => ({ from: p.from, to: p.to }),
    raw: (p) => [
      {
        text: `SELECT count(*) AS conversations, sum(message_count) AS messages, sum(active_duration_minutes) AS active,
          sum(engaged_duration_minutes) AS engaged, sum(total_duration_minutes) AS duration, sum(idle_time_minutes) AS idle,
          sum(manual_time_most_likely) AS manual, sum(manual_time_low) AS manual_low, sum(manual_time_high) AS manual_high,
          sum(time_saved_minutes) AS saved, sum(time_saved_engaged_minutes) AS saved_engaged, sum(confidence_level) AS confidence_sum,
          count(confidence_level) AS confidence_count, count(*) FILTER (WHERE estimate_source = 'heuristic') AS heuristic, sum(cost_usd) AS cost
          FROM conversation_analysis WHERE ${RANGE}`,
        values: range(p),
      },
    ],
    agrees: (data, [r]) => {
      const s = data as SummaryDto;
      const row = r?.rows[0] as Record<string, unknown> | undefined;
      return s.conversations === num(row?.conversations) && s.timeSaved.engagedMinutes === num(row?.saved_engaged) && s.messages === num(row?.messages);
    },
  },
  {
    channel: 'dashboard.trend',
    core: true,
    args: (p) => ({ from: p.from, to: p.to }),
    raw: (p) => [
      {
        text: `SELECT analysis_date, count(*) AS conversations, sum(message_count) AS messages, sum(active_duration_minutes) AS active,
          sum(engaged_duration_minutes) AS engaged, sum(idle_time_minutes) AS idle, sum(manual_time_most_likely) AS manual,
          sum(manual_time_low) AS manual_low, sum(manual_time_high) AS manual_high, sum(time_saved_minutes) AS saved,
          sum(time_saved_engaged_minutes) AS saved_engaged, sum(confidence_level) AS confidence_sum, count(confidence_level) AS confidence_count,
          count(*) FILTER (WHERE estimate_source = 'heuristic') AS heuristic, sum(cost_usd) AS cost
          FROM conversation_analysis WHERE ${RANGE} GROUP BY analysis_date ORDER BY analysis_date`,
        values: range(p),
      },
    ],
    agrees: (data, [r]) => {
      const points = (data as TrendDto).points.filter((x) => x.conversations > 0);
      const rows = r?.rows ?? [];
      return points.length === rows.length && points.reduce((a, x) => a + x.conversations, 0) === rows.reduce((a, x) => a + num(x.conversations), 0);
    },
  },
  {
    channel: 'dashboard.topUsers',
    core: true,
    args: (p) => ({ from: p.from, to: p.to, limit: 10 }),
    raw: (p) => [
      {
        text: `SELECT user_id_hash, count(*) AS conversations, sum(message_count) AS messages, count(DISTINCT analysis_date) AS active_days,
          sum(active_duration_minutes) AS active, sum(engaged_duration_minutes) AS engaged, sum(manual_time_most_likely) AS manual,
          sum(time_saved_minutes) AS saved, sum(time_saved_engaged_minutes) AS saved_engaged
          FROM conversation_analysis WHERE ${RANGE}
          GROUP BY user_id_hash ORDER BY sum(time_saved_engaged_minutes) DESC, user_id_hash LIMIT 10`,
        values: range(p),
      },
    ],
    agrees: (data, [r]) => {
      const users = (data as TopUsersDto).users;
      const rows = r?.rows ?? [];
      return users.length === rows.length && users.every((u, i) => u.userHash === rows[i]?.user_id_hash && u.conversations === num(rows[i]?.conversations));
    },
  },
  {
    channel: 'dashboard.categories',
    core: false,
    args: (p) => ({ from: p.from, to: p.to }),
    raw: (p) => [
      {
        text: `SELECT task_category AS category, count(*) AS conversations, coalesce(sum(manual_time_most_likely), 0) AS manual,
          coalesce(sum(time_saved_minutes), 0) AS saved, coalesce(sum(time_saved_engaged_minutes), 0) AS saved_engaged
          FROM conversation_analysis WHERE ${RANGE} GROUP BY task_category ORDER BY count(*) DESC, task_category NULLS LAST`,
        values: range(p),
      },
    ],
    agrees: (data, [r]) => (data as { conversations: number }[]).reduce((a, x) => a + x.conversations, 0) === (r?.rows ?? []).reduce((a, x) => a + num(x.conversations), 0),
  },
  {
    channel: 'dashboard.models',
    core: false,
    args: (p) => ({ from: p.from, to: p.to }),
    raw: (p) => [
      {
        text: `SELECT m.key AS model, sum((m.value)::bigint) AS messages, count(*) AS conversations
          FROM conversation_insights ci CROSS JOIN LATERAL jsonb_each_text(ci.models) AS m
          WHERE ci.${RANGE} GROUP BY m.key ORDER BY sum((m.value)::bigint) DESC, m.key`,
        values: range(p),
      },
    ],
    agrees: (data, [r]) => (data as { messages: number }[]).reduce((a, x) => a + x.messages, 0) === (r?.rows ?? []).reduce((a, x) => a + num(x.messages), 0),
  },
  {
    channel: 'conversations.list',
    core: true,
    // What the Conversations page asks first: newest last message first, 50 a page.
    args: (p) => ({ from: p.from, to: p.to, page: 0, pageSize: 50, sort: 'lastMessageAt', direction: 'desc' }),
    raw: (p) => [
      {
        text: `SELECT conversation_id, user_id_hash, analysis_date, first_message_at, last_message_at, total_duration_minutes,
          active_duration_minutes, idle_time_minutes, engaged_duration_minutes, manual_time_low, manual_time_most_likely, manual_time_high,
          confidence_level, time_saved_minutes, time_saved_engaged_minutes, message_count, task_category, work_related, task_completed,
          estimate_source, estimate_repaired, model, cost_usd
          FROM conversation_analysis WHERE ${RANGE} ORDER BY last_message_at DESC NULLS LAST, conversation_id DESC LIMIT 50`,
        values: range(p),
      },
      { text: `SELECT count(*) AS n FROM conversation_analysis WHERE ${RANGE}`, values: range(p) },
    ],
    agrees: (data, [rows, count]) => {
      const page = data as Page<ConversationRowDto>;
      return page.total === num(count?.rows[0]?.n) && page.rows.length === rows?.rows.length && page.rows[0]?.conversationId === rows?.rows[0]?.conversation_id;
    },
  },
];

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

const ms = (x: number): number => Math.round(x * 10) / 10;

function stats(samples: number[]): { p50Ms: number; p95Ms: number; maxMs: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: ms(percentile(sorted, 0.5)), p95Ms: ms(percentile(sorted, 0.95)), maxMs: ms(sorted[sorted.length - 1] ?? NaN) };
}

export interface DashboardOptions {
  /** Timed calls per (call, period) for the four specified calls. */
  calls: number;
  /** Timed calls for the page's other calls (categories, models). */
  extraCalls: number;
  warmup?: number;
  onResult: (figures: Record<string, unknown>) => void;
  log: (line: string) => void;
}

export async function benchDashboard(fixture: AnalyticsFixture, options: DashboardOptions): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-bench-dashboard-'));
  const settings = defaultSettings();
  settings.analytics = { mode: 'url', url: fixture.url };
  settings.source.url = fixture.usersSource;
  settings.llm.estimator = 'heuristic';
  settings.processing.timezone = ZONE;
  const secrets = new MemorySecretStore();
  await secrets.set('salt', BENCH_SALT);
  const context = await createAppContext({ settings: structuredClone(settings), dataDir, secrets, env: {} });
  const errors: string[] = [];
  const runtime = createRuntime(context, { env: {}, persisted: structuredClone(settings), log: { error: (message) => errors.push(message) } });
  const handlers = createHandlers(runtime);
  // The same pool size as the analytics handle, so concurrency is alike on both sides.
  const pool = new pg.Pool({ connectionString: fixture.url, max: 10 });
  const periods: Period[] = [
    { label: '365 days', from: addLocalDays(fixture.to, -364), to: fixture.to },
    { label: '30 days', from: addLocalDays(fixture.to, -29), to: fixture.to },
  ];
  const warmup = options.warmup ?? 2;
  try {
    for (const period of periods) {
      for (const call of CALLS) {
        const calls = call.core ? options.calls : options.extraCalls;
        options.log(`  ${call.channel}, ${period.label}: ${calls} calls and as many references`);
        const handlerMs: number[] = [];
        const rawMs: number[] = [];
        let agrees = true;
        for (let i = 0; i < warmup + calls; i++) {
          let started = performance.now();
          const envelope = await dispatch(runtime, handlers, call.channel, call.args(period));
          const handlerTime = performance.now() - started;
          if (!envelope.ok) throw new Error(`${call.channel}: ${envelope.error.code}: ${envelope.error.message}`);
          started = performance.now();
          const raw = await Promise.all(call.raw(period).map((q) => pool.query(q.text, q.values)));
          const rawTime = performance.now() - started;
          if (i === 0) agrees = call.agrees(envelope.data, raw);
          if (i < warmup) continue;
          handlerMs.push(handlerTime);
          rawMs.push(rawTime);
        }
        const handler = stats(handlerMs);
        const reference = stats(rawMs);
        options.onResult({
          call: call.channel,
          period: `${period.label} (${period.from} … ${period.to})`,
          calls,
          conversations: fixture.conversations,
          ...handler,
          reference: { what: 'the same figures by SQL over the raw conversation_analysis (conversation_insights) rows, plain pg', ...reference },
          ratio: Math.round((handler.p95Ms / reference.p95Ms) * 100) / 100,
          sameFigures: agrees,
          target: `p95 ≤ ${DASHBOARD_TARGET_P95_MS} ms`,
          pass: agrees && handler.p95Ms <= DASHBOARD_TARGET_P95_MS,
        });
      }
    }
  } finally {
    await pool.end();
    await closeRuntime(runtime);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  if (errors.length > 0) throw new Error(`dashboard handlers logged errors: ${errors.join('; ')}`);
}
