import { describe, expect, it } from 'vitest';
import { runPool, Semaphore } from '../../../src/main/core/llm/pool.ts';

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Semaphore', () => {
  it('bounds holders and hands slots over in order', async () => {
    const sem = new Semaphore(2);
    const a = await sem.acquire();
    await sem.acquire();
    const order: string[] = [];
    const c = sem.acquire().then((release) => {
      order.push('c');
      return release;
    });
    void sem.acquire().then(() => order.push('d'));
    await tick();
    expect(order).toEqual([]);
    a();
    a(); // a second release must not mint a slot
    (await c)();
    await tick();
    expect(order).toEqual(['c', 'd']);
    expect(sem.inUse).toBe(2);
  });

  it('drops a cancelled waiter', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire(controller.signal);
    controller.abort(new Error('cancel'));
    await expect(waiting).rejects.toThrow('cancel');
    release();
    expect(sem.inUse).toBe(0);
  });
});

describe('runPool', () => {
  it('runs at most `concurrency` at once and keeps every outcome', async () => {
    let active = 0;
    let peak = 0;
    const results = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      active--;
      if (n === 4) throw new Error('four');
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, true, true, true]);
    expect(results[6]?.value).toBe(70);
    expect((results[3]?.error as Error).message).toBe('four');
  });

  it('stops starting new items once cancelled', async () => {
    const controller = new AbortController();
    let started = 0;
    const results = await runPool(
      Array.from({ length: 10 }, (_, i) => i),
      2,
      async () => {
        started++;
        if (started === 2) controller.abort(new Error('stop'));
        await tick();
      },
      { signal: controller.signal },
    );
    expect(started).toBe(2);
    expect(results.filter((r) => !r.ok)).toHaveLength(8);
  });
});
