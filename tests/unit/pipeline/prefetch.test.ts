import { describe, expect, test } from 'vitest';
import { prefetch } from '../../../src/main/core/pipeline/prefetch.ts';

// prefetch() reads ahead of its consumers, never more than `depth` items, in order, and hands
// on the source's failure and its end.

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function counting(n: number, failAt?: number) {
  const state = { produced: 0, returned: false };
  async function* source(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error(`source failed at ${i}`);
        state.produced += 1;
        yield i;
      }
    } finally {
      state.returned = true;
    }
  }
  return { state, iterator: source() };
}

describe('prefetch', () => {
  test('reads ahead up to its depth before anyone asks, then one more per item taken', async () => {
    const { state, iterator } = counting(100);
    const ahead = prefetch(iterator, 5);
    for (let i = 0; i < 10; i++) await tick();
    // The pump holds five queued and waits with the sixth item read from the source.
    expect(state.produced).toBeLessThanOrEqual(6);
    expect(state.produced).toBeGreaterThanOrEqual(5);
    expect(await ahead.next()).toEqual({ done: false, value: 0 });
    for (let i = 0; i < 10; i++) await tick();
    expect(state.produced).toBeLessThanOrEqual(7);
    await ahead.return();
  });

  test('several consumers at once get every item exactly once, in order of asking', async () => {
    const { iterator } = counting(200);
    const ahead = prefetch(iterator, 7);
    const taken: number[] = [];
    const consumer = async (): Promise<void> => {
      for (;;) {
        const next = await ahead.next();
        if (next.done) return;
        taken.push(next.value);
        if (next.value % 3 === 0) await tick();
      }
    };
    await Promise.all([consumer(), consumer(), consumer()]);
    expect([...taken].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await ahead.next()).toEqual({ done: true, value: undefined });
  });

  test("the source's failure reaches the consumer after the items read before it", async () => {
    const { iterator } = counting(10, 4);
    const ahead = prefetch(iterator, 3);
    const taken: number[] = [];
    await expect(
      (async () => {
        for (;;) {
          const next = await ahead.next();
          if (next.done) return;
          taken.push(next.value);
        }
      })(),
    ).rejects.toThrow('source failed at 4');
    expect(taken).toEqual([0, 1, 2, 3]);
  });

  test('return() stops reading and closes the source', async () => {
    const { state, iterator } = counting(1_000);
    const ahead = prefetch(iterator, 4);
    await ahead.next();
    await ahead.return();
    expect(state.returned).toBe(true);
    const produced = state.produced;
    for (let i = 0; i < 5; i++) await tick();
    expect(state.produced).toBe(produced);
    expect(await ahead.next()).toEqual({ done: true, value: undefined });
  });
});
