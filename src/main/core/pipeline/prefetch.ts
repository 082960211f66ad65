// Reads ahead of an async iterator's consumer: a pump pulls items into a bounded queue while
// the consumer works on earlier ones. The pipeline uses it so that reading the next batch of
// rows overlaps with analysing the current one instead of taking turns with it.

export interface Prefetched<T> extends AsyncIterator<T> {
  /** Stops reading ahead and closes the source; items not taken yet are dropped. */
  return(): Promise<IteratorResult<T>>;
}

export function prefetch<T>(source: AsyncIterator<T>, depth: number): Prefetched<T> {
  const queue: T[] = [];
  let done = false;
  let failure: { error: unknown } | null = null;
  let stopped = false;
  // Consumers waiting for an item (several may call next() at once), the pump waiting for room.
  const waitingForItem: Array<() => void> = [];
  let waitingForRoom: (() => void) | null = null;
  const itemOrEnd = (): void => {
    for (const resolve of waitingForItem.splice(0)) resolve();
  };
  const room = (): void => {
    const resolve = waitingForRoom;
    waitingForRoom = null;
    resolve?.();
  };

  const pump = (async () => {
    try {
      while (!stopped) {
        if (queue.length >= depth) {
          await new Promise<void>((resolve) => (waitingForRoom = resolve));
          continue;
        }
        const next = await source.next();
        if (next.done || stopped) break;
        queue.push(next.value);
        itemOrEnd();
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      itemOrEnd();
    }
  })();

  return {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (queue.length > 0) {
          const value = queue.shift() as T;
          room();
          return { done: false, value };
        }
        if (failure) throw failure.error;
        if (done || stopped) return { done: true, value: undefined };
        await new Promise<void>((resolve) => waitingForItem.push(resolve));
      }
    },
    async return(): Promise<IteratorResult<T>> {
      stopped = true;
      queue.length = 0;
      room();
      await pump;
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}
