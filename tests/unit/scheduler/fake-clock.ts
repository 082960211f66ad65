import type { Clock, TimerHandle } from '../../../src/main/core/scheduler/clock.ts';

/** A clock tests move by hand: timers fire in order as time is advanced, never on their own. */
export class FakeClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; seq: number }> = [];
  private seq = 0;

  constructor(public t: number) {}

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.t + Math.max(0, ms), fn, seq: this.seq++ };
    this.timers.push(timer);
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Moves time without firing anything (a machine asleep). */
  jump(ms: number): void {
    this.t += ms;
  }

  /** Fires every timer due up to `target` in order, letting async work settle after each. */
  async advanceTo(target: number, settle: () => Promise<void> = async () => undefined): Promise<void> {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await settle();
    }
    this.t = Math.max(this.t, target);
  }

  /** Fires whatever is due now (after a jump). */
  async fireDue(settle?: () => Promise<void>): Promise<void> {
    await this.advanceTo(this.t, settle);
  }
}
