import { setMaxListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcquireAbortedError, maxInAnyWindow, RateLimiter } from '../../../src/main/core/llm/ratelimit.ts';
import { flush, ManualClock } from './manual-clock.ts';

const MINUTE = 60_000;

/**
 * Simulates `workers` callers that loop: acquire → request of `latency(i)` ms → repeat, for
 * `durationMs` of simulated time. `onRequest` may return a Retry-After to pause the limiter,
 * the way the estimator does on a 429. Returns the grant times.
 */
async function simulate(opts: {
  limiter: RateLimiter;
  clock: ManualClock;
  workers: number;
  durationMs: number;
  latency: (n: number) => number;
  onRequest?: (n: number) => number | undefined;
}): Promise<number[]> {
  const grants: number[] = [];
  let stop = false;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // one waiter per simulated worker
  const worker = async (): Promise<void> => {
    while (!stop) {
      try {
        await opts.limiter.acquire(controller.signal);
      } catch {
        return;
      }
      if (stop) return;
      const n = grants.length;
      grants.push(opts.clock.now());
      await opts.clock.sleep(opts.latency(n));
      const pause = opts.onRequest?.(n);
      if (pause !== undefined) opts.limiter.pauseFor(pause);
    }
  };
  const running = Array.from({ length: opts.workers }, worker);
  await opts.clock.advance(opts.durationMs);
  stop = true;
  controller.abort();
  await opts.clock.advance(10 * MINUTE);
  await Promise.all(running);
  return grants;
}

describe('RateLimiter', () => {
  it('paces grants evenly at the budget rate instead of bursting', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, clock, safetyMarginMs: 0 });
    const grants: number[] = [];
    for (let i = 0; i < 5; i++) void limiter.acquire().then(() => grants.push(clock.now()));
    await clock.advance(10_000);
    expect(grants).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('never lets more than the budget start in one window, even with a large burst', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 10, burst: 10, clock, safetyMarginMs: 250 });
    const grants: number[] = [];
    for (let i = 0; i < 12; i++) void limiter.acquire().then(() => grants.push(clock.now()));
    await clock.advance(2 * MINUTE);
    expect(grants).toHaveLength(12);
    expect(maxInAnyWindow(grants, MINUTE)).toBe(10);
    // The 11th waits for the first start to leave the window (plus the safety margin).
    expect(grants[10]).toBeGreaterThanOrEqual(grants[0]! + MINUTE + 250);
  });

  it('holds every caller during a global pause (Retry-After)', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 600, clock });
    await limiter.acquire();
    limiter.pauseFor(5_000);
    expect(limiter.pausedForMs()).toBe(5_000);
    const grants: number[] = [];
    for (let i = 0; i < 3; i++) void limiter.acquire().then(() => grants.push(clock.now()));
    await clock.advance(4_999);
    expect(grants).toEqual([]);
    await clock.advance(1_000);
    expect(grants.length).toBeGreaterThan(0);
    expect(Math.min(...grants)).toBeGreaterThanOrEqual(5_000);
  });

  it('keeps the later deadline when pauses overlap', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, clock });
    limiter.pauseFor(3_000);
    limiter.pauseFor(1_000);
    expect(limiter.pausedForMs()).toBe(3_000);
  });

  it('removes a cancelled waiter and serves the others', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, clock, safetyMarginMs: 0 });
    await limiter.acquire();
    const controller = new AbortController();
    const cancelled = limiter.acquire(controller.signal);
    const kept = limiter.acquire();
    controller.abort(new Error('stop'));
    await expect(cancelled).rejects.toBeInstanceOf(AcquireAbortedError);
    await clock.advance(1_000);
    await expect(kept).resolves.toHaveProperty("markSent");
    expect(limiter.snapshot().waiting).toBe(0);
    expect(limiter.granted).toBe(2);
  });

  it('rejects at once when the signal has already fired', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 60, clock: new ManualClock() });
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(AcquireAbortedError);
  });

  it('fills ≥ 95 % of a 600 RPM budget with 200 ms latency and 8 workers (simulated 5 min)', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 600, clock });
    const grants = await simulate({ limiter, clock, workers: 8, durationMs: 5 * MINUTE, latency: () => 200 });
    expect(maxInAnyWindow(grants, MINUTE)).toBeLessThanOrEqual(600);
    expect(grants.length / 5).toBeGreaterThanOrEqual(0.95 * 600);
  });

  it('fills the budget with just enough workers (latency × rate)', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 600, clock });
    // 10 req/s × 200 ms = 2 in flight on average; 3 workers leave a little slack.
    const grants = await simulate({ limiter, clock, workers: 3, durationMs: 3 * MINUTE, latency: () => 200 });
    expect(grants.length / 3).toBeGreaterThanOrEqual(0.95 * 600);
  });

  it('property: no window ever holds more than the budget, whatever workers, latency and pauses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          rpm: fc.integer({ min: 1, max: 300 }),
          burst: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
          margin: fc.integer({ min: 0, max: 500 }),
          workers: fc.integer({ min: 1, max: 24 }),
          latencies: fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 20 }),
          pauses: fc.array(fc.option(fc.integer({ min: 1, max: 90_000 }), { freq: 4, nil: undefined }), { minLength: 1, maxLength: 20 }),
        }),
        async ({ rpm, burst, margin, workers, latencies, pauses }) => {
          const clock = new ManualClock();
          const limiter = new RateLimiter({ requestsPerMinute: rpm, burst, safetyMarginMs: margin, clock });
          const grants = await simulate({
            limiter,
            clock,
            workers,
            durationMs: 3 * MINUTE,
            latency: (n) => latencies[n % latencies.length]!,
            onRequest: (n) => pauses[n % pauses.length],
          });
          expect(maxInAnyWindow(grants, MINUTE)).toBeLessThanOrEqual(rpm);
          // Also with the margin: the limiter keeps a start for window + margin.
          expect(maxInAnyWindow(grants, MINUTE + margin)).toBeLessThanOrEqual(rpm);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('property: with enough workers and no pauses the budget is filled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 6, max: 600 }), fc.integer({ min: 0, max: 500 }), async (rpm, latency) => {
        const clock = new ManualClock();
        const limiter = new RateLimiter({ requestsPerMinute: rpm, clock });
        const workers = Math.ceil((rpm / MINUTE) * latency) + 2;
        const grants = await simulate({ limiter, clock, workers, durationMs: 4 * MINUTE, latency: () => latency });
        expect(grants.length / 4).toBeGreaterThanOrEqual(0.95 * rpm);
      }),
      { numRuns: 25 },
    );
  });

  it('maxInAnyWindow counts half-open windows', () => {
    expect(maxInAnyWindow([], MINUTE)).toBe(0);
    expect(maxInAnyWindow([0, 59_999, 60_000], MINUTE)).toBe(2);
    expect(maxInAnyWindow([5, 1, 3, 2], 3)).toBe(3);
  });

  it('validates its budget', () => {
    expect(() => new RateLimiter({ requestsPerMinute: 0 })).toThrow(RangeError);
  });

  it('exposes a snapshot for diagnostics', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerMinute: 2, burst: 2, clock });
    await limiter.acquire();
    await flush();
    expect(limiter.snapshot()).toMatchObject({ requestsPerMinute: 2, windowMs: MINUTE, inWindow: 1, waiting: 0, granted: 1 });
  });
});
