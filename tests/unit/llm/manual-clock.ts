// A simulated clock for the rate limiter: time only moves when a test advances it, and timers
// fire in order, so hours of traffic run in milliseconds and every run is reproducible.

import type { Clock } from '../../../src/main/core/llm/ratelimit.ts';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets every pending promise continuation run (setImmediate runs after the microtask queue drains). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Sleeps on the simulated clock. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward to `this.now() + ms`, firing due timers in order and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await flush();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
      await flush();
    }
    this.t = target;
    await flush();
  }
}
