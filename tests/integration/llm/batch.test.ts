import fs from 'node:fs';
import { TZDate } from '@date-fns/tz';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/main/core/app/context.ts';
import { defaultSettings, type Settings } from '../../../src/main/core/config/settings.ts';
import { batchRequestLine, parseBatchFiles, summaryKey } from '../../../src/main/core/llm/batch.ts';
import { costUsd } from '../../../src/main/core/llm/pricing.ts';
import { openBatch, runBatchNight } from '../../../src/main/core/pipeline/batch-run.ts';
import { createAppScheduler } from '../../../src/main/core/scheduler/app.ts';
import { MemorySecretStore } from '../../../src/main/core/secrets/store.ts';
import type { Database } from '../../../src/main/core/store/schema.ts';
import { listRuns } from '../../../src/main/core/store/runs.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-server.ts';
import { chatRecord, createOpenWebUiSource, linearChat, tempDir, type SourceFixture } from '../../support/openwebui-fixture.ts';
import { createTestDatabase } from '../../support/pg.ts';
import { sampleSummary } from '../../unit/llm/summary-fixture.ts';
import { FakeClock } from '../../unit/scheduler/fake-clock.ts';

// OpenAI Batch mode end to end: a real SQLite source, real PostgreSQL, and our OpenAI-compatible
// test server with /v1/files and /v1/batches. Submit → wait (lock released) → restart → collect
// through the ordinary pipeline, with the same validation, half-price cost and failure handling.

const ZONE = 'Europe/Budapest';
const budapest = (y: number, m: number, d: number, h = 0, min = 0): number => new TZDate(y, m - 1, d, h, min, 0, ZONE).getTime();
const at = (ms: number): number => Math.floor(ms / 1000);

let llm: FakeOpenAI;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  llm = await startFakeOpenAI({ apiKey: 'sk-batch-test-key' });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await llm.close();
});

interface World {
  source: SourceFixture;
  analyticsUrl: string;
  settings: Settings;
  secrets: MemorySecretStore;
  dataDir: string;
  /** A fresh context each time: a "restart" of the app. */
  context(): Promise<AppContext>;
  db(): Promise<Kysely<Database>>;
}

async function world(chatCount: number, day: [number, number, number]): Promise<World> {
  const [y, m, d] = day;
  const source = await createOpenWebUiSource({
    dialect: 'sqlite',
    generation: '0.11',
    chats: Array.from({ length: chatCount }, (_, i) =>
      chatRecord(`c-${i}`, `u-${i % 3}`, linearChat([`Write a project update number ${i} for the steering group`, 'Here is a draft…', 'Make it shorter'], { start: at(budapest(y, m, d, 9 + (i % 8))), gap: 300 + i })),
    ),
  });
  const analyticsUrl = await createTestDatabase('batch');
  const dataDir = tempDir('cf-batch-');
  const settings = defaultSettings();
  settings.source.url = source.url;
  settings.analytics = { mode: 'url', url: analyticsUrl };
  settings.llm.estimator = 'llm';
  settings.llm.baseUrl = llm.url;
  settings.llm.batchMode = true;
  settings.llm.requestsPerMinute = 6000;
  settings.llm.maxRetries = 0;
  const secrets = new MemorySecretStore();
  await secrets.set('openai-api-key', 'sk-batch-test-key');
  await secrets.set('salt', 'batch-test-salt');
  const contexts: AppContext[] = [];
  cleanups.push(async () => {
    for (const c of contexts) await c.close();
    await source.cleanup();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const w: World = {
    source,
    analyticsUrl,
    settings,
    secrets,
    dataDir,
    async context() {
      const c = await createAppContext({ settings, dataDir, secrets });
      contexts.push(c);
      return c;
    },
    async db() {
      return (await (contexts[0] ?? (await w.context())).analytics()).db;
    },
  };
  return w;
}

const chatRequests = (): number => llm.requests.filter((r) => r.path === '/v1/chat/completions').length;

describe('batch lines and results', () => {
  test('a request line is the structured-output request; answers validate and cost half', () => {
    const summary = sampleSummary();
    const line = batchRequestLine('c0', summary, 'gpt-4o-mini');
    expect(line).toMatchObject({ custom_id: 'c0', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', temperature: 0 } });
    expect(line.body.response_format).toMatchObject({ type: 'json_schema' });
    expect(summaryKey(summary, 'gpt-4o-mini')).toMatch(/^[0-9a-f]{64}$/);
    expect(summaryKey(summary, 'gpt-4o')).not.toBe(summaryKey(summary, 'gpt-4o-mini'));

    const body = (content: string | null, extra: Record<string, unknown> = {}): unknown => ({
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content, ...extra }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1000, completion_tokens: 200 },
    });
    const answer = { low: 50, most_likely: 20, high: 10, confidence: 0.8, task_category: 'writing', work_related: true, task_completed: true, reasoning: 'A short update.' };
    const output = [
      { custom_id: 'ok', response: { status_code: 200, body: body(JSON.stringify(answer)) } },
      { custom_id: 'bad', response: { status_code: 200, body: body('{"low": 1') } },
      { custom_id: 'refused', response: { status_code: 200, body: body(null, { refusal: 'no' }) } },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const errors = JSON.stringify({ custom_id: 'err', response: { status_code: 500, body: { error: { message: 'boom' } } } });
    const results = parseBatchFiles({ output: `${output}\nnot json\n`, errors }, { model: 'gpt-4o-mini', prices: defaultSettings().llm.prices });
    const ok = results.get('ok');
    expect(ok?.ok).toBe(true);
    if (ok?.ok) {
      // Repaired like a synchronous answer: sorted, confidence as a percentage.
      expect(ok.estimate).toMatchObject({ low: 10, mostLikely: 20, high: 50, confidence: 80, repaired: true, source: 'llm', inputTokens: 1000, outputTokens: 200 });
      expect(ok.estimate.costUsd).toBe(costUsd({ inputTokens: 1000, outputTokens: 200 }, { inputPerMTok: 0.15, outputPerMTok: 0.6 }) / 2);
    }
    for (const [id, code] of [['bad', 'invalid_response'], ['refused', 'refused'], ['err', 'server_error']] as const) {
      const r = results.get(id);
      expect(r?.ok, id).toBe(false);
      if (r && !r.ok) expect(r.error.code).toBe(code);
    }
  });
});

describe('a night in batch mode', () => {
  test('submit, wait without the lock, restart, collect: failures stay failures, cost at batch price', async () => {
    const w = await world(6, [2026, 5, 10]);
    llm.reset();
    const first = await w.context();
    const signal = new AbortController().signal;
    const submitted = await runBatchNight(first, { from: '2026-05-10', to: '2026-05-10', signal });
    expect(submitted).toMatchObject({ kind: 'waiting' });
    expect(chatRequests()).toBe(0);
    const db = await w.db();
    const [waiting] = await listRuns(db, { limit: 1, offset: 0 });
    expect(waiting).toMatchObject({ status: 'waiting', trigger: 'schedule', estimator: 'llm-batch:gpt-4o-mini' });
    expect(waiting!.errorMessage).toMatch(/6 conversations sent to OpenAI batch batch_fake\d+/);
    const open = await openBatch(db);
    expect(open).toMatchObject({ requestCount: 6, from: '2026-05-10', to: '2026-05-10' });
    const batch = llm.batches.list().find((b) => b.id === open!.batchId)!;
    expect(batch.lines).toHaveLength(6);
    // The same request the synchronous estimator sends: the rendered, redacted summary.
    expect(batch.lines[0]!.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0, response_format: { type: 'json_schema' } });

    // Still running at OpenAI: the night keeps waiting, nothing is stored.
    expect(await runBatchNight(first, { from: '2026-05-10', to: '2026-05-10', signal })).toMatchObject({ kind: 'waiting', message: expect.stringMatching(/in progress \(0 of 6 answered\)/) });

    llm.batches.complete(open!.batchId, ({ index }) => (index === 1 ? 'invalid_json' : index === 2 ? 'server_error' : index === 3 ? 'out_of_order' : 'ok'));
    await first.close();

    // A restart: a new context finds the batch in the database and collects it.
    const second = await w.context();
    const collected = await runBatchNight(second, { from: '2026-05-11', to: '2026-05-11', signal });
    expect(collected.kind).toBe('done');
    if (collected.kind !== 'done') return;
    expect(collected.result).toMatchObject({ status: 'completed', from: '2026-05-10', to: '2026-05-10', processed: 4, failed: 2 });
    expect(chatRequests()).toBe(0);

    const db2 = (await second.analytics()).db;
    const rows = await sql<{ conversation_id: string; cost_usd: string; input_tokens: number; output_tokens: number; estimate_repaired: boolean }>`
      SELECT conversation_id, cost_usd, input_tokens, output_tokens, estimate_repaired FROM conversation_analysis ORDER BY conversation_id`.execute(db2);
    expect(rows.rows.map((r) => r.conversation_id)).toEqual(['c-0', 'c-3', 'c-4', 'c-5']);
    for (const r of rows.rows) {
      expect(Number(r.cost_usd)).toBeCloseTo(costUsd({ inputTokens: r.input_tokens, outputTokens: r.output_tokens }, { inputPerMTok: 0.15, outputPerMTok: 0.6 }) / 2, 6);
    }
    expect(rows.rows.find((r) => r.conversation_id === 'c-3')!.estimate_repaired).toBe(true);
    const failures = await sql<{ conversation_id: string; error_code: string }>`SELECT conversation_id, error_code FROM conversation_failures ORDER BY conversation_id`.execute(db2);
    expect(failures.rows).toEqual([
      { conversation_id: 'c-1', error_code: 'invalid_response' },
      { conversation_id: 'c-2', error_code: 'server_error' },
    ]);
    const runs = await listRuns(db2, { limit: 5, offset: 0 });
    const waitingRow = runs.find((r) => r.id === waiting!.id)!;
    expect(waitingRow.status).toBe('completed');
    expect(waitingRow.errorDetails).toMatchObject({ batch: { collectedByRun: collected.result.runId, fromBatch: 4, failedInBatch: 2, fallback: 0 } });
    expect(await openBatch(db2)).toBeNull();
    const aggregates = await sql<{ n: number }>`SELECT conversation_count AS n FROM daily_aggregates WHERE analysis_date = '2026-05-10' AND user_id_hash IS NULL`.execute(db2);
    expect(aggregates.rows[0]?.n).toBe(4);

    // The next night submits the two failed conversations again (retried, never invented).
    const next = await runBatchNight(second, { from: '2026-05-11', to: '2026-05-11', signal });
    expect(next.kind).toBe('waiting');
    const retry = await openBatch(db2);
    expect(retry?.items.map((i) => i.conversationId).sort()).toEqual(['c-1', 'c-2']);
  });

  test('a conversation that changed after submission is estimated directly; an expired batch fails the rest', async () => {
    const w = await world(4, [2026, 6, 1]);
    llm.reset();
    const context = await w.context();
    const signal = new AbortController().signal;
    expect((await runBatchNight(context, { from: '2026-06-01', to: '2026-06-01', signal })).kind).toBe('waiting');
    const db = await w.db();
    const open = (await openBatch(db))!;
    // OpenAI answered two lines, then the 24-hour window ran out.
    llm.batches.fail(open.batchId, 'expired', 'The batch expired before all requests were completed.', 2);
    // Meanwhile someone continued c-3 the same evening: its summary is no longer the one sent.
    const changed = await createOpenWebUiSource({
      dialect: 'sqlite',
      generation: '0.11',
      chats: Array.from({ length: 4 }, (_, i) =>
        chatRecord(`c-${i}`, `u-${i % 3}`, linearChat([`Write a project update number ${i} for the steering group`, 'Here is a draft…', 'Make it shorter', ...(i === 3 ? ['Shorter.', 'Ok.'] : [])], { start: at(budapest(2026, 6, 1, 9 + i)), gap: 300 + i })),
      ),
    });
    cleanups.push(() => changed.cleanup());
    w.settings.source.url = changed.url;
    const result = await runBatchNight(context, { from: '2026-06-02', to: '2026-06-02', signal });
    expect(result.kind).toBe('done');
    if (result.kind !== 'done') return;
    expect(result.result).toMatchObject({ status: 'completed', processed: 3, failed: 1 });
    // Only the changed conversation went out synchronously (full price); the rest came from the batch.
    expect(chatRequests()).toBe(1);
    const failures = await sql<{ conversation_id: string; error_message: string }>`SELECT conversation_id, error_message FROM conversation_failures`.execute(db);
    expect(failures.rows).toHaveLength(1);
    expect(failures.rows[0]).toMatchObject({ conversation_id: 'c-2', error_message: expect.stringMatching(/ended "expired" \(The batch expired.*\) before answering/) });
  });

  test('the scheduler shows the night as waiting, polls, and completes it', async () => {
    const w = await world(3, [2026, 7, 1]);
    llm.reset();
    const context = await w.context();
    const clock = new FakeClock(budapest(2026, 7, 2, 8));
    w.settings.llm.batchPollSeconds = 120;
    const scheduler = createAppScheduler(context, { clock, maxSleepMs: 60_000 });
    const settle = (): Promise<void> => scheduler.settled();
    scheduler.start();
    await settle();
    expect(scheduler.status().history[0]).toMatchObject({ reason: 'catch-up', outcome: 'waiting' });
    expect(scheduler.status().retryAt).toBe(new Date(budapest(2026, 7, 2, 8, 2)).toISOString());
    await clock.advanceTo(budapest(2026, 7, 2, 8, 3), settle);
    expect(scheduler.status().history[0]).toMatchObject({ reason: 'retry', outcome: 'waiting' });
    llm.batches.complete();
    await clock.advanceTo(budapest(2026, 7, 2, 8, 6), settle);
    expect(scheduler.status().history[0]).toMatchObject({ reason: 'retry', outcome: 'completed' });
    expect(scheduler.status().lastDayDone).toBe('2026-07-02');
    const [latest] = await listRuns(await w.db(), { limit: 1, offset: 0 });
    expect(latest).toMatchObject({ status: 'completed', processed: 3 });
    await scheduler.stop();
  });
});
