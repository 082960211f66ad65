import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { demoChats } from '../../../src/main/core/demo/dataset.ts';
import { analyseConversation } from '../../../src/main/core/pipeline/analysis.ts';
import { createAnalysisPool, defaultAnalysisThreads, defaultWorkerEntry, inlineAnalysis, type AnalysisPool } from '../../../src/main/core/pipeline/analysis-pool.ts';
import { DEFAULT_TIMING_SETTINGS } from '../../../src/main/core/pipeline/timing.ts';
import { normaliseChatRow } from '../../../src/main/core/source/normalise.ts';
import type { NormalisedConversation } from '../../../src/main/core/source/types.ts';
import { conversation, chain, words } from './fixtures.ts';

// The analysis pool runs the pure analysis in real worker threads. Whatever happens to a
// worker, every conversation comes back analysed exactly as inline analysis would.

/** Demo chats as the readers normalise them: branches, code, pastes, PII, usage formats. */
function demoConversations(count: number, largeChatShare = 0): NormalisedConversation[] {
  const out: NormalisedConversation[] = [];
  for (const chat of demoChats({ chats: count, seed: 7, now: Date.UTC(2026, 0, 31), includeSkippedRows: false, largeChatShare })) {
    const row = normaliseChatRow({ id: chat.id, user_id: chat.userId, title: chat.title, chat: JSON.stringify(chat.chat), created_at: chat.createdAt, updated_at: chat.updatedAt });
    if (row.kind === 'conversation') out.push(row.conversation);
  }
  return out;
}

let pool: AnalysisPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('the analysis pool', () => {
  test('worker threads give the same timing, summary and usage as inline analysis', async () => {
    const conversations = demoConversations(120);
    expect(conversations.length).toBeGreaterThan(100);
    const lost: string[] = [];
    pool = createAnalysisPool({ threads: 2, onWorkerLost: (reason) => lost.push(reason) });
    expect(pool.threads).toBe(2);
    const pooled = await Promise.all(conversations.map((c) => pool!.analyse(c, DEFAULT_TIMING_SETTINGS)));
    expect(pooled).toEqual(conversations.map((c) => analyseConversation(c, DEFAULT_TIMING_SETTINGS)));
    expect(lost).toEqual([]);
  });

  test('a worker that runs out of memory on a huge chat is replaced; that chat is analysed here', async () => {
    const huge = conversation(chain([
      { role: 'user', timestamp: 1_000, text: `Summarise this log:\n${words(2_000_000, 'ERROR 0x1f timeout')}` },
      { role: 'assistant', timestamp: 1_060, text: 'The log shows repeated timeouts.' },
    ]));
    const small = demoConversations(20);
    const lost: string[] = [];
    // A heap this small cannot hold the huge chat's analysis, but does hold the small ones'.
    pool = createAnalysisPool({ threads: 1, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 }, onWorkerLost: (r) => lost.push(r) });
    const results = await Promise.all([huge, ...small].map((c) => pool!.analyse(c, DEFAULT_TIMING_SETTINGS)));
    expect(results).toEqual([huge, ...small].map((c) => analyseConversation(c, DEFAULT_TIMING_SETTINGS)));
    expect(lost.length).toBeGreaterThanOrEqual(1);
    expect(lost[0]).toMatch(/memory|exit code/i);
    // The replacement takes later work.
    const later = await pool.analyse(small[0]!, DEFAULT_TIMING_SETTINGS);
    expect(later).toEqual(analyseConversation(small[0]!, DEFAULT_TIMING_SETTINGS));
  });

  test('an analysis that throws rejects with its message, and the worker keeps serving', async () => {
    pool = createAnalysisPool({ threads: 1 });
    const broken = { ...conversation(chain([{ role: 'user', timestamp: 1 }])), messages: null } as unknown as NormalisedConversation;
    await expect(pool.analyse(broken, DEFAULT_TIMING_SETTINGS)).rejects.toThrow(/TypeError/);
    const [ok] = demoConversations(1);
    expect(await pool.analyse(ok!, DEFAULT_TIMING_SETTINGS)).toEqual(analyseConversation(ok!, DEFAULT_TIMING_SETTINGS));
  });

  test('a missing worker file means inline analysis, and says so', async () => {
    const told: string[] = [];
    pool = createAnalysisPool({ threads: 1, entry: { file: '/nonexistent/analysis-worker.js', typescript: false }, onWorkerLost: (r) => told.push(r) });
    expect(pool).toBe(inlineAnalysis);
    expect(told[0]).toContain('/nonexistent/analysis-worker.js');
  });

  test('closing finishes conversations still in flight', async () => {
    pool = createAnalysisPool({ threads: 1 });
    const conversations = demoConversations(30);
    const pending = conversations.map((c) => pool!.analyse(c, DEFAULT_TIMING_SETTINGS));
    await pool.close();
    expect(await Promise.all(pending)).toEqual(conversations.map((c) => analyseConversation(c, DEFAULT_TIMING_SETTINGS)));
  });

  test('threads: one per core beyond the first, at most four; COGNIFORCE_ANALYSIS_THREADS overrides', () => {
    expect(defaultAnalysisThreads({ COGNIFORCE_ANALYSIS_THREADS: '0' })).toBe(0);
    expect(defaultAnalysisThreads({ COGNIFORCE_ANALYSIS_THREADS: '3' })).toBe(3);
    const auto = defaultAnalysisThreads({ COGNIFORCE_ANALYSIS_THREADS: 'many' });
    expect(auto).toBeGreaterThanOrEqual(0);
    expect(auto).toBeLessThanOrEqual(4);
    expect(defaultWorkerEntry()).toEqual({ file: expect.stringMatching(/analysis-worker\.ts$/), typescript: true });
  });
});

describe('the Electron bundle', () => {
  const bundled = path.resolve('out/main/analysis-worker.js');
  // The build runs before the tests in CI; without it this check would prove nothing.
  const built = fs.existsSync(bundled);
  if (!built && process.env.CI === 'true') throw new Error('out/main/analysis-worker.js is missing: run `npm run build` before the tests');

  test.skipIf(!built)('carries the worker beside the code that starts it, and the bundled worker analyses like the source', async () => {
    // The pool finds the worker relative to its own file: whichever entry or chunk holds it must
    // sit in out/main itself, beside analysis-worker.js.
    const outMain = path.resolve('out/main');
    const starters = fs
      .readdirSync(outMain, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.js') && fs.readFileSync(path.join(outMain, file), 'utf8').includes('./analysis-worker.js'));
    expect(starters.length).toBeGreaterThan(0);
    expect(starters.filter((file) => path.dirname(file) !== '.')).toEqual([]);
    const lost: string[] = [];
    pool = createAnalysisPool({ threads: 1, entry: { file: bundled, typescript: false }, onWorkerLost: (r) => lost.push(r) });
    const conversations = demoConversations(10);
    const results = await Promise.all(conversations.map((c) => pool!.analyse(c, DEFAULT_TIMING_SETTINGS)));
    expect(results).toEqual(conversations.map((c) => analyseConversation(c, DEFAULT_TIMING_SETTINGS)));
    expect(lost).toEqual([]);
  });
});
