import { sql } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import { demoChats } from '../../../src/main/core/demo/dataset.ts';
import { inlineAnalysis } from '../../../src/main/core/pipeline/analysis-pool.ts';
import { SaltMismatchError, WORKER_POOL_MIN_CANDIDATES } from '../../../src/main/core/pipeline/run.ts';
import { RunLockedError } from '../../../src/main/core/store/lock.ts';
import { hashUserId } from '../../../src/main/core/store/hash.ts';
import { ChatBuilder, chatRecord, linearChat, T0 } from '../../support/openwebui-fixture.ts';
import { aggregateRows, createHarness, globalDailyTotals, rawDailyTotals, SALT, type Harness } from './harness.ts';

// The engine's contract, end to end: real Open WebUI source, real analytics PostgreSQL, the real
// OpenAI estimator against our OpenAI-compatible test server.

const DAY = '2026-01-07'; // T0 = 2026-01-07 10:00 UTC = 11:00 in Budapest
const NEXT_DAY = '2026-01-08';
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The SPEC's reference case: messages at 0, +10 min and +70 min. */
function referenceChat(): ChatBuilder {
  const b = new ChatBuilder({ title: 'Reference' });
  b.user('Draft a short reply to the supplier about the late delivery.', { at: T0 });
  b.assistant('Here is a draft reply: Dear supplier, …', { at: T0 + 600 });
  b.user('Make it more formal.', { at: T0 + 4200 });
  return b;
}

function someChats() {
  return [
    chatRecord('c-ref', 'u-eva', referenceChat()),
    chatRecord('c-2', 'u-peter', linearChat(['Write a SQL query for monthly active users', 'SELECT date_trunc(…)', 'Exclude test accounts', 'SELECT …'], { start: T0 + 300 })),
    chatRecord('c-3', 'u-emma', linearChat(['Translate this paragraph to Hungarian: The meeting is moved to Friday.', 'A megbeszélés péntekre került.'], { start: T0 + 900 })),
  ];
}

describe('a run over one day', () => {
  test('stores the reference timing case exactly (total 70, active 10, idle 60) and the estimate', async () => {
    harness = await createHarness(someChats());
    const result = await harness.run({ from: DAY, to: DAY });
    expect(result).toMatchObject({ status: 'completed', processed: 3, failed: 0, skipped: 0 });
    const row = await harness.db.selectFrom('conversation_analysis').selectAll().where('conversation_id', '=', 'c-ref').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ total_duration_minutes: 70, active_duration_minutes: 10, idle_time_minutes: 60, analysis_date: DAY, estimate_source: 'llm' });
    expect(row.engaged_duration_minutes).toBeGreaterThanOrEqual(10);
    expect(row.manual_time_low!).toBeLessThanOrEqual(row.manual_time_most_likely!);
    expect(row.manual_time_most_likely!).toBeLessThanOrEqual(row.manual_time_high!);
    expect(row.time_saved_minutes).toBe(Math.max(0, row.manual_time_most_likely! - 10));
    expect(row.user_id_hash).toBe(hashUserId(SALT, 'u-eva'));
    expect(row.user_id_hash).not.toContain('u-eva');
    expect(row.input_tokens).toBeGreaterThan(0);
    // Aggregates equal the raw rows.
    expect(await globalDailyTotals(harness.db)).toEqual(await rawDailyTotals(harness.db));
    const log = await harness.db.selectFrom('processing_log').selectAll().executeTakeFirstOrThrow();
    expect(log).toMatchObject({ status: 'completed', conversations_processed: 3, total_llm_requests: 3 });
  });

  test('a re-run changes nothing and makes no LLM calls; a forced re-run replaces rows and keeps aggregates consistent', async () => {
    harness = await createHarness(someChats());
    await harness.run({ from: DAY, to: DAY });
    const before = await harness.db.selectFrom('conversation_analysis').select(['conversation_id', 'processed_at', 'manual_time_most_likely']).orderBy('conversation_id').execute();
    const aggregatesBefore = await aggregateRows(harness.db);
    const requestsBefore = harness.llm.stats().chatRequests;

    const again = await harness.run({ from: DAY, to: DAY });
    expect(again).toMatchObject({ status: 'completed', processed: 0, unchanged: 3, llmRequests: 0 });
    expect(harness.llm.stats().chatRequests).toBe(requestsBefore);
    expect(await harness.db.selectFrom('conversation_analysis').select(['conversation_id', 'processed_at', 'manual_time_most_likely']).orderBy('conversation_id').execute()).toEqual(before);
    expect(await aggregateRows(harness.db)).toEqual(aggregatesBefore);

    const forced = await harness.run({ from: DAY, to: DAY, force: true });
    expect(forced).toMatchObject({ status: 'completed', processed: 3 });
    expect(harness.llm.stats().chatRequests).toBe(requestsBefore + 3);
    const after = await harness.db.selectFrom('conversation_analysis').select(['conversation_id', 'processed_at']).orderBy('conversation_id').execute();
    expect(after).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(after[i]!.processed_at.getTime()).toBeGreaterThan(before[i]!.processed_at.getTime());
    expect(await aggregateRows(harness.db)).toEqual(aggregatesBefore);
    expect(await globalDailyTotals(harness.db)).toEqual(await rawDailyTotals(harness.db));
  });

  test('the same chats give the same stored figures from a PostgreSQL source', async () => {
    harness = await createHarness(someChats(), { dialect: 'postgres' });
    await harness.run({ from: DAY, to: DAY }, { estimator: harness.estimator('heuristic') });
    const fromPg = await harness.db.selectFrom('conversation_analysis').select(['conversation_id', 'total_duration_minutes', 'active_duration_minutes', 'engaged_duration_minutes', 'manual_time_most_likely', 'content_fingerprint']).orderBy('conversation_id').execute();
    await harness.setChats(someChats());
    const sqliteHarness = await createHarness(someChats(), { dialect: 'sqlite' });
    try {
      await sqliteHarness.run({ from: DAY, to: DAY }, { estimator: sqliteHarness.estimator('heuristic') });
      const fromSqlite = await sqliteHarness.db.selectFrom('conversation_analysis').select(['conversation_id', 'total_duration_minutes', 'active_duration_minutes', 'engaged_duration_minutes', 'manual_time_most_likely', 'content_fingerprint']).orderBy('conversation_id').execute();
      expect(fromSqlite).toEqual(fromPg);
    } finally {
      await sqliteHarness.close();
    }
  });
});

describe('conversations over days', () => {
  test('a conversation continued the next day moves to that day and both days are recomputed', async () => {
    const chat = referenceChat();
    harness = await createHarness([chatRecord('c-ref', 'u-eva', chat), chatRecord('c-2', 'u-peter', linearChat(['Hello there', 'Hi!'], { start: T0 }))]);
    await harness.run({ from: DAY, to: DAY });
    expect((await globalDailyTotals(harness.db)).map((r) => [r.date, r.conversations])).toEqual([[DAY, 2]]);

    chat.assistant('A more formal version: …', { at: T0 + 4260 });
    chat.user('Thanks, one more change tomorrow.', { at: T0 + 86_400 });
    await harness.setChats([chatRecord('c-ref', 'u-eva', chat), chatRecord('c-2', 'u-peter', linearChat(['Hello there', 'Hi!'], { start: T0 }))]);
    const result = await harness.run({ from: NEXT_DAY, to: NEXT_DAY });
    expect(result).toMatchObject({ processed: 1 });
    expect(result.touchedDates).toEqual([DAY, NEXT_DAY]);
    const row = await harness.db.selectFrom('conversation_analysis').select(['analysis_date']).where('conversation_id', '=', 'c-ref').executeTakeFirstOrThrow();
    expect(row.analysis_date).toBe(NEXT_DAY);
    expect((await globalDailyTotals(harness.db)).map((r) => [r.date, r.conversations])).toEqual([[DAY, 1], [NEXT_DAY, 1]]);
    expect(await globalDailyTotals(harness.db)).toEqual(await rawDailyTotals(harness.db));
  });

  test('a backfill takes every day of its range and only those', async () => {
    const chats = [0, 1, 2, 3].map((d) => chatRecord(`c-day${d}`, 'u-eva', linearChat(['Summarise the attached report please', 'Summary: …'], { start: T0 + d * 86_400 })));
    harness = await createHarness(chats);
    const result = await harness.run({ from: '2026-01-08', to: '2026-01-09', trigger: 'backfill' });
    expect(result.processed).toBe(2);
    expect((await rawDailyTotals(harness.db)).map((r) => r.date)).toEqual(['2026-01-08', '2026-01-09']);
  });
});

describe('privacy', () => {
  test('no e-mail, phone, key, card number or IBAN from the chats reaches the LLM or the stored summary', async () => {
    const secrets = {
      email: 'kovacs.peter@ceg.hu',
      phone: '+36 30 123 4567',
      key: 'sk-proj-Abc123Def456Ghi789Jkl012Mno345',
      card: '4111 1111 1111 1111',
      iban: 'HU42 1177 3016 1111 1018 0000 0000',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    };
    const b = new ChatBuilder();
    b.user(`Please email ${secrets.email} or call ${secrets.phone}. Our key is ${secrets.key}.`, { at: T0 });
    b.assistant(`I will not store ${secrets.key}. Card ${secrets.card} noted.`, { at: T0 + 30 });
    b.user(`Transfer to ${secrets.iban} and use token ${secrets.jwt}`, { at: T0 + 90 });
    b.assistant(`Done: the transfer to ${secrets.iban} is drafted; contact ${secrets.email}.`, { at: T0 + 120 });
    harness = await createHarness([chatRecord('c-pii', 'u-eva', b)]);
    await harness.run({ from: DAY, to: DAY });
    const sent = harness.llm.requests.map((r) => JSON.stringify(r.body)).join('\n');
    const stored = (await harness.db.selectFrom('conversation_analysis').select(['conversation_summary']).executeTakeFirstOrThrow()).conversation_summary ?? '';
    expect(sent.length).toBeGreaterThan(100);
    for (const value of Object.values(secrets)) {
      expect(sent).not.toContain(value);
      expect(stored).not.toContain(value);
      expect(sent).not.toContain(value.replace(/\s/g, ''));
    }
    // Not even the user id, the name or the e-mail of the account is stored.
    const dump = JSON.stringify(await harness.db.selectFrom('conversation_analysis').selectAll().execute());
    expect(dump).not.toContain('u-eva');
  });

  test('a workstation with another salt refuses to write', async () => {
    harness = await createHarness(someChats());
    await harness.run({ from: DAY, to: DAY });
    await expect(harness.run({ from: DAY, to: DAY, force: true }, { salt: 'another-salt' })).rejects.toThrow(SaltMismatchError);
    expect(await harness.db.selectFrom('processing_log').select('id').execute()).toHaveLength(1);
  });
});

describe('concurrency and recovery', () => {
  test('two concurrent runs: exactly one works, the other is told who holds the lock', async () => {
    harness = await createHarness(someChats());
    harness.llm.setLatency(150);
    const outcomes = await Promise.allSettled([harness.run({ from: DAY, to: DAY }), harness.run({ from: DAY, to: DAY })]);
    const done = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(RunLockedError);
    expect(String(refused[0]!.reason.message)).toMatch(/in progress on .+ since/);
    expect(await harness.db.selectFrom('conversation_analysis').select('conversation_id').execute()).toHaveLength(3);
  });

  test('a run interrupted by a crash is marked interrupted and its range is resumed without counting twice', async () => {
    harness = await createHarness(someChats());
    // A run that died: its processing_log row still says 'running' and it stored one conversation.
    await harness.run({ from: DAY, to: DAY }, {});
    await sql`DELETE FROM conversation_analysis WHERE conversation_id <> 'c-ref'`.execute(harness.db);
    await sql`UPDATE processing_log SET status = 'running', completed_at = NULL`.execute(harness.db);
    const requestsBefore = harness.llm.stats().chatRequests;
    const result = await harness.run({ from: NEXT_DAY, to: NEXT_DAY });
    expect(result.resumed.map((r) => r.from)).toEqual([DAY]);
    expect(result).toMatchObject({ status: 'completed', processed: 2, unchanged: 1 });
    expect(harness.llm.stats().chatRequests).toBe(requestsBefore + 2);
    const statuses = await harness.db.selectFrom('processing_log').select(['status']).orderBy('id').execute();
    expect(statuses.map((s) => s.status)).toEqual(['interrupted', 'completed']);
    expect(await globalDailyTotals(harness.db)).toEqual(await rawDailyTotals(harness.db));
  });

  test('cancelling stops the run and keeps what was stored consistent', async () => {
    const chats = Array.from({ length: 30 }, (_, i) => chatRecord(`c-${i}`, 'u-eva', linearChat(['Write a function that parses dates', '```ts\nfunction parse() {}\n```'], { start: T0 + i * 60 })));
    harness = await createHarness(chats, { settings: (s) => { s.llm.concurrency = 2; } });
    harness.llm.setLatency(100);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 400);
    const result = await harness.run({ from: DAY, to: DAY }, { signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(result.processed).toBeLessThan(30);
    expect(await globalDailyTotals(harness.db)).toEqual(await rawDailyTotals(harness.db));
    const finished = await harness.run({ from: DAY, to: DAY });
    expect(finished.processed + result.processed).toBe(30);
  });
});

describe('LLM failures and limits', () => {
  test('a failed estimate is never invented: the conversation is marked failed and retried next run', async () => {
    harness = await createHarness(someChats());
    harness.llm.setBehaviour((ctx) => (ctx.userMessage.includes('SQL') ? { kind: 'error', status: 500 } : undefined));
    const first = await harness.run({ from: DAY, to: DAY });
    expect(first).toMatchObject({ status: 'completed', processed: 2, failed: 1 });
    expect(await harness.db.selectFrom('conversation_analysis').select('conversation_id').where('conversation_id', '=', 'c-2').execute()).toHaveLength(0);
    const failure = await harness.db.selectFrom('conversation_failures').selectAll().executeTakeFirstOrThrow();
    expect(failure).toMatchObject({ conversation_id: 'c-2', error_code: 'server_error' });

    harness.llm.setBehaviour(undefined);
    const second = await harness.run({ from: NEXT_DAY, to: NEXT_DAY });
    expect(second).toMatchObject({ processed: 1, failed: 0 });
    expect(await harness.db.selectFrom('conversation_failures').selectAll().execute()).toHaveLength(0);
    expect(await globalDailyTotals(harness.db)).toEqual(await rawDailyTotals(harness.db));
  });

  test('maxConversations caps a run; the rest is picked up by the next run', async () => {
    const chats = Array.from({ length: 7 }, (_, i) => chatRecord(`c-${i}`, 'u-peter', linearChat(['Brainstorm names for a product', 'Here are ten names'], { start: T0 + i * 120 })));
    harness = await createHarness(chats, { settings: (s) => { s.processing.maxConversations = 5; } });
    const first = await harness.run({ from: DAY, to: DAY }, { estimator: harness.estimator('heuristic') });
    expect(first).toMatchObject({ processed: 5, deferred: 2 });
    const second = await harness.run({ from: DAY, to: DAY }, { estimator: harness.estimator('heuristic') });
    expect(second).toMatchObject({ processed: 2, unchanged: 5, deferred: 0 });
  });

  test('bad rows are skipped with a reason code and never stop the run', async () => {
    const good = chatRecord('c-good', 'u-eva', referenceChat());
    const broken = { ...chatRecord('c-broken', 'u-eva', null), chat: '{"history": {"messages": ', updatedAt: T0 + 100 };
    const noTimes = chatRecord('c-notimes', 'u-eva', { history: { currentId: 'a', messages: { a: { id: 'a', parentId: null, childrenIds: [], role: 'user', content: 'hi' } } } }, { updatedAt: T0 + 100 });
    harness = await createHarness([good, broken, noTimes]);
    const result = await harness.run({ from: DAY, to: DAY }, { estimator: harness.estimator('heuristic') });
    expect(result).toMatchObject({ status: 'completed', processed: 1, skipped: 2 });
    const skips = await harness.db.selectFrom('conversation_skips').select(['conversation_id', 'reason']).orderBy('conversation_id').execute();
    expect(skips).toEqual([
      { conversation_id: 'c-broken', reason: 'unparsable_json' },
      { conversation_id: 'c-notimes', reason: 'no_timestamps' },
    ]);
  });
});

describe('a misconfigured LLM', () => {
  test('a wrong model name stops the run once with a readable reason and leaves the conversations for the next run', async () => {
    harness = await createHarness(someChats(), { settings: (s) => { s.llm.model = 'no-such-model'; } });
    const result = await harness.run({ from: DAY, to: DAY });
    expect(result.status).toBe('failed');
    expect(result.errorMessage).toMatch(/no-such-model/);
    expect(harness.llm.stats().chatRequests).toBeLessThanOrEqual(harness.settings.llm.concurrency);
    expect(await harness.db.selectFrom('conversation_failures').selectAll().execute()).toHaveLength(0);
    const log = await harness.db.selectFrom('processing_log').select(['status', 'error_message']).executeTakeFirstOrThrow();
    expect(log.status).toBe('failed');
    harness.settings.llm.model = 'gpt-4o-mini';
    expect(await harness.run({ from: DAY, to: DAY })).toMatchObject({ status: 'completed', processed: 3 });
  });
});

describe('an estimator kept across runs (as the console keeps it)', () => {
  test('each run reports only its own LLM requests', async () => {
    harness = await createHarness(someChats());
    const estimator = harness.estimator();
    expect((await harness.run({ from: DAY, to: DAY }, { estimator })).llmRequests).toBe(3);
    expect((await harness.run({ from: DAY, to: DAY, force: true }, { estimator })).llmRequests).toBe(3);
    const logged = await harness.db.selectFrom('processing_log').select(['total_llm_requests']).orderBy('id').execute();
    expect(logged.map((r) => r.total_llm_requests)).toEqual([3, 3]);
  });
});

describe('analysis in worker threads', () => {
  /** Every stored figure of every conversation, without what differs by run (ids, times). */
  async function storedFigures(h: Harness): Promise<unknown[]> {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT a.*, i.user_messages, i.assistant_messages, i.branch_count, i.models, i.avg_response_seconds, i.attachments
      FROM conversation_analysis a JOIN conversation_insights i USING (conversation_id)
      ORDER BY a.conversation_id`.execute(h.db);
    return rows.map(({ id: _id, processed_at: _at, run_id: _run, ...figures }) => figures);
  }

  test('a backfill big enough for worker threads stores exactly what inline analysis stores', async () => {
    const chats = [...demoChats({ chats: WORKER_POOL_MIN_CANDIDATES + 40, days: 20, seed: 11, now: Date.UTC(2026, 0, 31, 12), largeChatShare: 0.01 })];
    harness = await createHarness(chats);
    const range = { from: '2026-01-01', to: '2026-01-31' };
    const inline = await harness.run(range, { estimator: harness.estimator('heuristic'), analysis: inlineAnalysis });
    expect(inline.status).toBe('completed');
    expect(inline.processed).toBeGreaterThan(WORKER_POOL_MIN_CANDIDATES);
    const before = await storedFigures(harness);
    const aggregatesBefore = await aggregateRows(harness.db);

    // No pool given: the run starts its own for this many candidates.
    const pooled = await harness.run({ ...range, force: true }, { estimator: harness.estimator('heuristic') });
    expect(pooled).toMatchObject({ status: 'completed', processed: inline.processed, skipped: inline.skipped, failed: 0 });
    expect(await storedFigures(harness)).toEqual(before);
    expect(await aggregateRows(harness.db)).toEqual(aggregatesBefore);
  });
});
