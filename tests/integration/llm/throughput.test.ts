// Throughput and the RPM guarantee over real HTTP, on a scaled-down clock: a 3-second window
// with a budget of 30 stands in for 600 RPM (same rate per window, 20× shorter), so the test
// takes seconds. The fake server enforces the same limit and answers 429 when exceeded, which
// proves we never trigger it. The 60-second figures live in bench/llm-throughput.ts.

import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../../src/main/core/config/settings.ts';
import { checkLlmReachable, createOpenAIEstimator } from '../../../src/main/core/llm/openai.ts';
import { RateLimiter } from '../../../src/main/core/llm/ratelimit.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai-server.ts';
import { sampleSummary } from '../../unit/llm/summary-fixture.ts';

let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
});

/** Keeps `workers` estimates going until `durationMs` has passed; returns when all settle. */
async function drive(estimate: (i: number) => Promise<unknown>, workers: number, durationMs: number): Promise<{ ok: number; failed: number }> {
  const deadline = performance.now() + durationMs;
  let ok = 0;
  let failed = 0;
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        try {
          await estimate(n++);
          ok++;
        } catch {
          failed++;
        }
      }
    }),
  );
  return { ok, failed };
}

describe('throughput against a rate-limited server (scaled)', () => {
  it('fills the budget without ever exceeding it in any window, retries included', async () => {
    const windowMs = 3_000;
    const budget = 30;
    const durationMs = 6_000;
    server = await startFakeOpenAI({ latencyMs: 60, rpmLimit: { limit: budget, windowMs } });
    // Every 5th request fails once with a 500, so retries have to fit in the budget too.
    server.setBehaviour(({ index }) => (index % 5 === 4 ? { kind: 'error', status: 500 } : undefined));
    // The margin scales with the window less well than jitter does: the first request on a
    // fresh connection arrives tens of ms late, and on a loaded 2-core machine the event loop
    // adds more: noise against 60 s, but not against a few seconds. Warming the connection (as
    // the app's health check does) and a 150 ms margin absorb it.
    const limiter = new RateLimiter({ requestsPerMinute: budget, windowMs, safetyMarginMs: 150 });
    await checkLlmReachable({ baseUrl: server.url });
    const est = createOpenAIEstimator({
      baseUrl: server.url,
      model: 'gpt-4o-mini',
      requestsPerMinute: budget,
      concurrency: 4,
      timeoutMs: 5_000,
      maxRetries: 3,
      prices: DEFAULT_PRICES,
      limiter,
      backoffBaseMs: 10,
      backoffMaxMs: 50,
    });

    const started = performance.now();
    const outcome = await drive((i) => est.estimate(sampleSummary({ wordsByUser: i })), 4, durationMs);
    const stats = server.stats();

    expect(outcome.failed).toBe(0);
    expect(stats.rejectedByRpm).toBe(0);
    expect(stats.served429).toBe(0);
    expect(server.maxInWindow(windowMs)).toBeLessThanOrEqual(budget);
    expect(est.stats().retries).toBeGreaterThan(0);
    expect(est.requestCount).toBe(stats.chatRequests);

    // Achieved rate over the measured span, against budget per window.
    const inSpan = server.chatTimestamps().filter((t) => t - performance.timeOrigin - started < durationMs).length;
    const expected = (budget * durationMs) / windowMs;
    expect(inSpan / expected).toBeGreaterThanOrEqual(0.9);
  });

  it('an over-eager limit is slowed down by the server’s Retry-After instead of failing', async () => {
    const windowMs = 1_000;
    server = await startFakeOpenAI({ latencyMs: 10, rpmLimit: { limit: 5, windowMs } });
    // Misconfigured: we believe the budget is 3× what the server allows.
    const limiter = new RateLimiter({ requestsPerMinute: 15, windowMs, safetyMarginMs: 0 });
    const est = createOpenAIEstimator({
      baseUrl: server.url,
      model: 'gpt-4o-mini',
      requestsPerMinute: 15,
      concurrency: 4,
      timeoutMs: 5_000,
      maxRetries: 6,
      prices: DEFAULT_PRICES,
      limiter,
      backoffBaseMs: 10,
    });
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => est.estimate(sampleSummary({ wordsByUser: i }))));
    expect(results).toHaveLength(15);
    const stats = est.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    // Global pauses keep the 429s to a fraction of the requests.
    expect(stats.rateLimited).toBeLessThan(stats.requests / 2);
  });
});
