// Requests-per-minute limiter shared by every worker of one estimator.
//
// Two mechanisms, for two different reasons:
//  - A sliding-window log of request start times is the hard guarantee: a request is only
//    granted while fewer than `requestsPerMinute` requests started in the last window, so the
//    budget is never exceeded in ANY window, whatever the pattern of retries and concurrency.
//  - A token bucket paces grants at budget/window with a small burst. Without it, a full budget
//    would go out in the first seconds of every minute; providers quantise their limits (OpenAI
//    enforces "600/min" roughly as "10/s"), so bursts draw 429s even though the minute is fine.
//    Pacing at the budget rate still fills it, provided enough requests are waiting.
//
// Time comes from an injectable Clock so unit tests can simulate hours in milliseconds; the
// default clock is monotonic (performance.now), so a wall-clock jump cannot reopen the window.

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels the timer. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

export interface RateLimiterOptions {
  /** Maximum request starts in any window. */
  requestsPerMinute: number;
  /** Window length; 60 000 in production, shorter in scaled tests. */
  windowMs?: number;
  /** Requests that may start back to back before pacing applies. Default: 1/60 of the budget, at least 1. */
  burst?: number;
  /**
   * Extra time a start stays in the log after the window has passed. The provider sees our
   * requests a few milliseconds later than we start them, and not always the same few
   * milliseconds (new connection vs. kept-alive), so a slot reused exactly one window later
   * could look early from its side. A quarter second costs 0.4 % of the budget.
   */
  safetyMarginMs?: number;
  clock?: Clock;
}

export interface RateLimiterSnapshot {
  requestsPerMinute: number;
  windowMs: number;
  /** Starts still counted in the current window. */
  inWindow: number;
  /** Callers waiting in acquire(). */
  waiting: number;
  /** Remaining global pause (Retry-After), 0 when none. */
  pausedForMs: number;
  /** Grants since creation. */
  granted: number;
}

/** A granted slot. */
export interface RateLimitGrant {
  /**
   * Moves the recorded start to now (never earlier), for when the request actually leaves
   * later than the grant — e.g. the SDK's first call spends tens of milliseconds loading.
   * Keeping the log at true send times is what the provider's own count sees.
   */
  markSent(): void;
}

interface LogEntry {
  t: number;
}

interface Waiter {
  resolve: (grant: RateLimitGrant) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Raised when acquire() is abandoned because its signal fired. */
export class AcquireAbortedError extends Error {
  constructor(readonly reason: unknown) {
    super('Waiting for a rate-limit slot was cancelled.');
    this.name = 'AcquireAbortedError';
  }
}

export class RateLimiter {
  readonly requestsPerMinute: number;
  readonly windowMs: number;
  readonly burst: number;
  private readonly marginMs: number;
  private readonly clock: Clock;
  /** Start times of granted requests, oldest first. */
  private readonly log: LogEntry[] = [];
  private readonly queue: Waiter[] = [];
  private tokens: number;
  private lastRefill: number;
  private pausedUntil = 0;
  private cancelTimer: (() => void) | undefined;
  private grantedTotal = 0;

  constructor(options: RateLimiterOptions) {
    if (!Number.isFinite(options.requestsPerMinute) || options.requestsPerMinute < 1) {
      throw new RangeError('requestsPerMinute must be at least 1');
    }
    this.requestsPerMinute = Math.floor(options.requestsPerMinute);
    this.windowMs = options.windowMs ?? 60_000;
    this.burst = Math.max(1, Math.floor(options.burst ?? Math.round(this.requestsPerMinute / 60)));
    this.marginMs = options.safetyMarginMs ?? 250;
    this.clock = options.clock ?? systemClock;
    // Start with one token, not a full bucket: the burst is there to catch up after a stall,
    // not to front-load the first second (which would also overstate short measurements).
    this.tokens = 1;
    this.lastRefill = this.clock.now();
  }

  /** Resolves when the caller may start one request; the start is recorded at that moment. */
  acquire(signal?: AbortSignal): Promise<RateLimitGrant> {
    if (signal?.aborted) return Promise.reject(new AcquireAbortedError(signal.reason));
    return new Promise<RateLimitGrant>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(new AcquireAbortedError(signal.reason));
          // The head of the queue may have changed; nothing else to recompute.
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  /**
   * Stops every grant for `ms` (the server said Retry-After). A pause only ever extends: two
   * workers reporting different Retry-After values leave the later deadline in force.
   */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
    this.pump();
  }

  pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  get granted(): number {
    return this.grantedTotal;
  }

  snapshot(): RateLimiterSnapshot {
    const now = this.clock.now();
    this.prune(now);
    return {
      requestsPerMinute: this.requestsPerMinute,
      windowMs: this.windowMs,
      inWindow: this.log.length,
      waiting: this.queue.length,
      pausedForMs: Math.max(0, this.pausedUntil - now),
      granted: this.grantedTotal,
    };
  }

  /** Grants as many waiters as the budget allows now, then sleeps until the next one can go. */
  private pump(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    while (this.queue.length > 0) {
      const now = this.clock.now();
      const wait = this.msUntilFree(now);
      if (wait > 0) {
        // Timers may fire a millisecond early; pump() simply re-checks and sleeps again.
        this.cancelTimer = this.clock.setTimer(() => {
          this.cancelTimer = undefined;
          this.pump();
        }, Math.max(1, Math.ceil(wait)));
        return;
      }
      const waiter = this.queue.shift()!;
      const entry: LogEntry = { t: now };
      this.log.push(entry);
      this.tokens -= 1;
      this.grantedTotal += 1;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve({ markSent: () => this.restamp(entry) });
    }
  }

  private restamp(entry: LogEntry): void {
    const now = this.clock.now();
    if (now <= entry.t) return;
    const index = this.log.indexOf(entry);
    if (index < 0) return; // already expired: nothing left to protect
    entry.t = now;
    // Keep the log sorted: slide the entry past any later grant that it now follows.
    let i = index;
    while (i + 1 < this.log.length && this.log[i + 1]!.t < entry.t) {
      this.log[i] = this.log[i + 1]!;
      i++;
    }
    this.log[i] = entry;
  }

  private prune(now: number): void {
    const expiry = this.windowMs + this.marginMs;
    while (this.log.length > 0 && now - this.log[0]!.t >= expiry) this.log.shift();
  }

  private msUntilFree(now: number): number {
    this.prune(now);
    let wait = 0;
    if (this.pausedUntil > now) wait = this.pausedUntil - now;

    const ratePerMs = this.requestsPerMinute / this.windowMs;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.lastRefill) * ratePerMs);
    this.lastRefill = now;
    // Tolerance: floating-point refill can leave 0.9999999 tokens when one is due.
    if (this.tokens < 1 - 1e-9) wait = Math.max(wait, (1 - this.tokens) / ratePerMs);

    if (this.log.length >= this.requestsPerMinute) {
      // The oldest start whose expiry brings the count below the budget.
      const blocking = this.log[this.log.length - this.requestsPerMinute]!.t;
      wait = Math.max(wait, blocking + this.windowMs + this.marginMs - now);
    }
    return wait;
  }
}

/** Largest number of timestamps (ms) that fall in any half-open window [t, t + windowMs). */
export function maxInAnyWindow(timestamps: readonly number[], windowMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
