import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_ESTIMATE_MINUTES } from '../../src/main/core/llm/prompt.ts';
import { fakeAnswerFor, type FakeBehaviour, type FakeOpenAI } from '../support/fake-openai-server.ts';
import { T0, type SourceFixture } from '../support/openwebui-fixture.ts';
import {
  buildSource,
  cleanRunDump,
  conversationByMessage,
  countRows,
  createAnalytics,
  dumpAnalytics,
  estimatorFor,
  faultSettings,
  manyChats,
  requestsPerConversation,
  runOnce,
  startFakeOpenAI,
  tag,
  type Analytics,
} from '../support/faults-harness.ts';

// LLM faults: every way an OpenAI-compatible endpoint misbehaves. Retries stay bounded, the run
// completes with the failures counted per conversation, failed conversations are retried by the
// next run, and no stored estimate is anything but a (repaired) answer the server really gave.

const RANGE = { from: '2026-01-07', to: '2026-01-08' };
const CHATS = 5;
/** Conversations c-0000 and c-0001 get the fault; the others are answered normally. */
const FAULTY = [tag(0), tag(1)];
const MAX_RETRIES = 2;

let source: SourceFixture;
let clean: Awaited<ReturnType<typeof cleanRunDump>>;

beforeAll(async () => {
  source = await buildSource('sqlite', manyChats(CHATS, { start: T0 }));
  clean = await cleanRunDump(source.url, RANGE);
});
afterAll(async () => {
  await source.cleanup();
});

function faultyFor(message: string): boolean {
  return FAULTY.some((t) => message.includes(` ${t},`));
}

async function withServer<T>(fn: (llm: FakeOpenAI, analytics: Analytics) => Promise<T>): Promise<T> {
  const llm = await startFakeOpenAI();
  const analytics = await createAnalytics('llmfault');
  try {
    return await fn(llm, analytics);
  } finally {
    await llm.close();
    await analytics.close();
  }
}

/** Every stored row's numbers are the server's answer for exactly that conversation, repaired as documented. */
async function expectEstimatesFromServer(analytics: Analytics, repair: (a: ReturnType<typeof fakeAnswerFor>) => [number, number, number] = (a) => [a.low, a.most_likely, a.high]): Promise<void> {
  const byMessage = await conversationByMessage(analytics.db);
  const rows = await analytics.db.selectFrom('conversation_analysis').selectAll().execute();
  for (const [message, id] of byMessage) {
    const row = rows.find((r) => r.conversation_id === id)!;
    expect([row.manual_time_low, row.manual_time_most_likely, row.manual_time_high], id).toEqual(repair(fakeAnswerFor(message)));
    expect(row.estimate_source).toBe('llm');
  }
}

const TRANSIENT: Array<{ name: string; fault: FakeBehaviour; code: string; attempts: number; timeoutMs?: number }> = [
  { name: '429 storm without Retry-After', fault: { kind: 'rate_limit' }, code: 'rate_limited', attempts: MAX_RETRIES + 1 },
  { name: '500 server errors', fault: { kind: 'error', status: 500 }, code: 'server_error', attempts: MAX_RETRIES + 1 },
  { name: '503 with Retry-After: 0', fault: { kind: 'error', status: 503, retryAfterSeconds: 0 }, code: 'server_error', attempts: MAX_RETRIES + 1 },
  { name: 'timeouts (server never answers)', fault: { kind: 'hang' }, code: 'timeout', attempts: MAX_RETRIES + 1, timeoutMs: 300 },
  { name: 'connection resets', fault: { kind: 'reset' }, code: 'connection', attempts: MAX_RETRIES + 1 },
  { name: 'invalid JSON', fault: { kind: 'invalid_json' }, code: 'invalid_response', attempts: 2 },
  { name: 'answers missing fields', fault: { kind: 'missing_fields' }, code: 'invalid_response', attempts: 2 },
  { name: 'refusals', fault: { kind: 'refusal' }, code: 'refused', attempts: 1 },
  { name: 'content filter', fault: { kind: 'content_filter' }, code: 'refused', attempts: 1 },
  { name: 'HTML page instead of JSON (502 from a proxy)', fault: { kind: 'raw', status: 502, contentType: 'text/html', body: '<html><body>Bad gateway</body></html>' }, code: 'server_error', attempts: MAX_RETRIES + 1 },
];

describe('per-conversation faults: bounded retries, failures counted, retried next run, nothing invented', () => {
  test.each(TRANSIENT)('$name', async ({ fault, code, attempts, timeoutMs }) => {
    await withServer(async (llm, analytics) => {
      llm.setBehaviour(({ userMessage }) => (faultyFor(userMessage) ? fault : undefined));
      const settings = faultSettings(llm.url, (s) => (s.llm.maxRetries = MAX_RETRIES));
      const estimator = estimatorFor(llm, settings, timeoutMs ? { timeoutMs } : {});
      const result = await runOnce(source.url, analytics, RANGE, { settings, estimator });
      expect(result).toMatchObject({ status: 'completed', processed: CHATS - 2, failed: 2 });
      const log = await analytics.db.selectFrom('processing_log').selectAll().executeTakeFirstOrThrow();
      expect(log).toMatchObject({ status: 'completed', conversations_processed: CHATS - 2, conversations_failed: 2 });
      const failures = await analytics.db.selectFrom('conversation_failures').selectAll().orderBy('conversation_id').execute();
      expect(failures.map((f) => [f.conversation_id, f.error_code])).toEqual([
        ['c-0000', code],
        ['c-0001', code],
      ]);
      for (const f of failures) expect(f.error_message).toMatch(/\S{10}/);
      // Bounded: the faulty conversations got exactly their attempts, the others one request.
      const faultyRequests = llm.requests.filter((r) => r.index >= 0 && faultyFor(r.userMessage ?? ''));
      expect(faultyRequests.length).toBe(2 * attempts);
      expect(llm.stats().chatRequests).toBe(CHATS - 2 + 2 * attempts);
      expect(result.llmRequests).toBe(CHATS - 2 + 2 * attempts);
      await expectEstimatesFromServer(analytics);
      expect(await countRows(analytics.db, 'conversation_analysis')).toBe(CHATS - 2);

      // The endpoint recovers: the next run (for another day) retries exactly the failed two.
      llm.setBehaviour(undefined);
      llm.reset();
      const next = await runOnce(source.url, analytics, { from: '2026-01-09', to: '2026-01-09' }, { settings, estimator: estimatorFor(llm, settings) });
      expect(next).toMatchObject({ status: 'completed', processed: 2, failed: 0 });
      expect([...requestsPerConversation(llm, await conversationByMessage(analytics.db))].sort()).toEqual([
        ['c-0000', 1],
        ['c-0001', 1],
      ]);
      expect(await countRows(analytics.db, 'conversation_failures')).toBe(0);
      expect(await dumpAnalytics(analytics.db)).toEqual(clean);
    });
  });
});

describe('rate limiting', () => {
  test('429 storm with Retry-After: the wait is honoured by every worker and the run completes', async () => {
    await withServer(async (llm, analytics) => {
      llm.enqueue({ kind: 'rate_limit', retryAfterSeconds: 1 }, { kind: 'rate_limit', retryAfterSeconds: 1 }, { kind: 'rate_limit', retryAfterSeconds: 1 });
      const settings = faultSettings(llm.url, (s) => (s.llm.maxRetries = 4));
      const started = Date.now();
      const result = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
      expect(result).toMatchObject({ status: 'completed', processed: CHATS, failed: 0 });
      const first = Math.min(...llm.chatTimestamps());
      // Every request after the first wave (the retries and any later one) waited out the
      // server's second: the pause holds back all workers, not only the one that got the 429.
      const later = llm.requests.filter((r) => r.index >= CHATS);
      expect(later.length).toBe(3);
      for (const r of later) expect(r.at - first).toBeGreaterThanOrEqual(950);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(llm.stats().served429).toBe(3);
      expect(await dumpAnalytics(analytics.db)).toEqual(clean);
    });
  });

  test('a Retry-After of an hour fails the conversations at once (no hour-long run) and the next run retries them', async () => {
    await withServer(async (llm, analytics) => {
      llm.setBehaviour(() => ({ kind: 'rate_limit', retryAfterSeconds: 3600 }));
      const settings = faultSettings(llm.url);
      const started = Date.now();
      const result = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result).toMatchObject({ status: 'failed', processed: 0, failed: CHATS });
      expect(result.errorMessage).toMatch(/All 5 estimates failed: .*pause for 60 min/);
      // Once told to wait an hour, the estimator does not keep hammering the endpoint.
      expect(llm.stats().chatRequests).toBeLessThanOrEqual(settings.llm.concurrency);
      expect(await countRows(analytics.db, 'conversation_failures')).toBe(CHATS);
      expect(await countRows(analytics.db, 'conversation_analysis')).toBe(0);

      llm.setBehaviour(undefined);
      const next = await runOnce(source.url, analytics, { from: '2026-01-09', to: '2026-01-09' }, { settings, estimator: estimatorFor(llm, settings) });
      expect(next).toMatchObject({ status: 'completed', processed: CHATS });
      expect(await dumpAnalytics(analytics.db)).toEqual(clean);
    });
  });
});

describe('untidy numbers are repaired, never invented', () => {
  const cap = (n: number): number => Math.min(MAX_ESTIMATE_MINUTES, Math.max(0, n));
  const CASES: Array<{ kind: 'out_of_order' | 'negative' | 'absurd'; repair: (a: ReturnType<typeof fakeAnswerFor>) => [number, number, number] }> = [
    { kind: 'out_of_order', repair: (a) => [a.low, a.most_likely, a.high] },
    { kind: 'negative', repair: (a) => [0, a.most_likely, a.high] },
    { kind: 'absurd', repair: () => [cap(100_000), cap(500_000), cap(9_000_000)] },
  ];
  test.each(CASES)('$kind', async ({ kind, repair }) => {
    await withServer(async (llm, analytics) => {
      llm.setBehaviour(() => ({ kind }));
      const settings = faultSettings(llm.url);
      const result = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
      expect(result).toMatchObject({ status: 'completed', processed: CHATS, failed: 0 });
      expect(llm.stats().chatRequests).toBe(CHATS);
      await expectEstimatesFromServer(analytics, repair);
      const rows = await analytics.db.selectFrom('conversation_analysis').select(['estimate_repaired', 'time_saved_minutes', 'manual_time_most_likely', 'active_duration_minutes']).execute();
      for (const row of rows) {
        expect(row.estimate_repaired).toBe(true);
        expect(row.time_saved_minutes).toBe(Math.max(0, row.manual_time_most_likely! - row.active_duration_minutes!));
      }
    });
  });

  test('hostile text in the answer (NUL, lone surrogates, HTML) is stored without breaking the batch', async () => {
    await withServer(async (llm, analytics) => {
      llm.setBehaviour(({ userMessage }) => {
        const base = fakeAnswerFor(userMessage);
        return faultyFor(userMessage)
          ? { kind: 'answer', answer: { ...base, reasoning: 'nul \u0000 here, lone \ud800 surrogate, <script>alert(1)</script>', task_category: 'writing\u0000' } }
          : undefined;
      });
      const settings = faultSettings(llm.url);
      const result = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
      expect(result).toMatchObject({ status: 'completed', processed: CHATS, failed: 0 });
      await expectEstimatesFromServer(analytics);
    });
  });
});

describe('a misconfigured endpoint stops the run once', () => {
  test('wrong model name: one clear reason, no conversation marked failed, the next run with the right model completes', async () => {
    await withServer(async (llm, analytics) => {
      const wrong = faultSettings(llm.url, (s) => (s.llm.model = 'gpt-does-not-exist'));
      const result = await runOnce(source.url, analytics, RANGE, { settings: wrong, estimator: estimatorFor(llm, wrong) });
      expect(result.status).toBe('failed');
      expect(result.errorMessage).toMatch(/model "gpt-does-not-exist" is not available/);
      expect(llm.stats().chatRequests).toBeLessThanOrEqual(wrong.llm.concurrency);
      expect(await countRows(analytics.db, 'conversation_failures')).toBe(0);
      expect(await countRows(analytics.db, 'conversation_analysis')).toBe(0);
      const log = await analytics.db.selectFrom('processing_log').selectAll().executeTakeFirstOrThrow();
      expect(log).toMatchObject({ status: 'failed', error_message: result.errorMessage });

      const settings = faultSettings(llm.url);
      const next = await runOnce(source.url, analytics, RANGE, { settings, estimator: estimatorFor(llm, settings) });
      expect(next).toMatchObject({ status: 'completed', processed: CHATS });
      expect(await dumpAnalytics(analytics.db)).toEqual(clean);
    });
  });
});
