// Benchmark: does the LLM estimator fill a requests-per-minute budget without ever exceeding it?
//
// Runs the real estimator (openai SDK, rate limiter, retries) against the fake OpenAI server
// over loopback HTTP. The server answers after `latencyMs` and enforces the same budget itself
// (429 when more than `rpm` requests arrive in any 60 s), so `server429s` > 0 would mean we
// overstepped. Target (SPEC §4.3): ratio ≥ 0.95 at 600 RPM with 200 ms latency, never over.
//
//   node bin/run-ts.mjs bench/llm-throughput.ts            # 60 s
//   node bin/run-ts.mjs bench/llm-throughput.ts --quick    # 15 s
//   options: --rpm N --latency MS --seconds S --concurrency N --json

import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkLlmReachable, createOpenAIEstimator } from '../src/main/core/llm/openai.ts';
import type { ConversationSummary } from '../src/main/core/llm/types.ts';
import { startFakeOpenAI } from '../tests/support/fake-openai-server.ts';

export interface LlmThroughputOptions {
  /** Budget, requests per minute. Default 600. */
  rpm?: number;
  /** Server latency per answer, ms. Default 200. */
  latencyMs?: number;
  /** Measured span. Default 60, or 15 with `quick`. */
  durationSeconds?: number;
  quick?: boolean;
  /** Estimates in flight. Default 8 (the settings default). */
  concurrency?: number;
}

export interface LlmThroughputResult {
  /** Requests started per minute over the measured span. */
  achievedRpm: number;
  budgetRpm: number;
  /** achievedRpm / budgetRpm. */
  ratio: number;
  /** Most requests the server saw in any 60 s window. */
  maxInAnyWindow: number;
  overBudget: boolean;
  /** Requests beyond the budget in the worst 60 s window (0 when within it). */
  overBudgetBy: number;
  /** Most requests in any 1 s window: providers enforce "600/min" roughly as "10/s". */
  maxInAnySecond: number;
  /** 429s the server had to send (its limit equals the budget). */
  server429s: number;
  requests: number;
  succeeded: number;
  failed: number;
  durationSeconds: number;
  latencyMs: number;
  concurrency: number;
}

const MINUTE = 60_000;

function summary(i: number): ConversationSummary {
  return {
    taskTypeGuess: i % 2 === 0 ? 'coding' : 'writing',
    language: 'en',
    messageCounts: { user: 2 + (i % 3), assistant: 2 + (i % 3), total: 4 + 2 * (i % 3), branches: 1 },
    wordsByUser: 50 + i,
    wordsByAssistant: 400 + 3 * i,
    codeBlocks: i % 4,
    attachments: {},
    activeMinutes: 5,
    totalMinutes: 20,
    userRequestSamples: [`Request number ${i}: draft a short project update for the team.`],
    finalAnswerSample: 'Here is a concise update covering progress, risks and next steps.',
  };
}

export async function benchLlmThroughput(options: LlmThroughputOptions = {}): Promise<LlmThroughputResult> {
  const rpm = options.rpm ?? 600;
  const latencyMs = options.latencyMs ?? 200;
  const durationSeconds = options.durationSeconds ?? (options.quick ? 15 : 60);
  const concurrency = options.concurrency ?? 8;
  const durationMs = durationSeconds * 1000;

  const server = await startFakeOpenAI({ latencyMs, rpmLimit: { limit: rpm, windowMs: MINUTE } });
  try {
    const estimator = createOpenAIEstimator({
      baseUrl: server.url,
      model: 'gpt-4o-mini',
      requestsPerMinute: rpm,
      concurrency,
      timeoutMs: 30_000,
      maxRetries: 4,
      prices: { 'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 } },
    });
    // Opens the connection, as the app's health check would; listing models is not a chat request.
    await checkLlmReachable({ baseUrl: server.url });

    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const startedAt = performance.timeOrigin + performance.now();
    const timer = setTimeout(() => stop.abort(), durationMs);
    let succeeded = 0;
    let failed = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (!stop.signal.aborted) {
          try {
            await estimator.estimate(summary(next++), stop.signal);
            succeeded++;
          } catch {
            if (!stop.signal.aborted) failed++;
          }
        }
      }),
    );
    clearTimeout(timer);

    const inSpan = server.chatTimestamps().filter((t) => t >= startedAt && t < startedAt + durationMs).length;
    const achievedRpm = inSpan / (durationMs / MINUTE);
    const maxInAnyWindow = server.maxInWindow(MINUTE);
    const stats = server.stats();
    return {
      achievedRpm: Math.round(achievedRpm * 10) / 10,
      budgetRpm: rpm,
      ratio: Math.round((achievedRpm / rpm) * 1000) / 1000,
      maxInAnyWindow,
      overBudget: maxInAnyWindow > rpm,
      overBudgetBy: Math.max(0, maxInAnyWindow - rpm),
      maxInAnySecond: server.maxInWindow(1000),
      server429s: stats.served429,
      requests: stats.chatRequests,
      succeeded,
      failed,
      durationSeconds,
      latencyMs,
      concurrency,
    };
  } finally {
    await server.close();
  }
}

function argValue(args: string[], name: string): number | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = Number(args[index + 1]);
  return Number.isFinite(value) ? value : undefined;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  const args = process.argv.slice(2);
  const result = await benchLlmThroughput({
    quick: args.includes('--quick'),
    rpm: argValue(args, '--rpm'),
    latencyMs: argValue(args, '--latency'),
    durationSeconds: argValue(args, '--seconds'),
    concurrency: argValue(args, '--concurrency'),
  });
  if (args.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    console.log(
      `LLM throughput: ${result.achievedRpm} RPM of ${result.budgetRpm} (${(result.ratio * 100).toFixed(1)} %), ` +
        `max ${result.maxInAnyWindow} in any 60 s window${result.overBudget ? ' — OVER BUDGET' : ''}, ` +
        `${result.server429s} × 429, ${result.succeeded} ok / ${result.failed} failed over ${result.durationSeconds} s ` +
        `(latency ${result.latencyMs} ms, concurrency ${result.concurrency})`,
    );
  }
  const pass = !result.overBudget && result.server429s === 0 && result.ratio >= 0.95;
  process.exitCode = pass ? 0 : 1;
}
