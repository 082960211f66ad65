// Bounded concurrency for LLM work. The rate limiter decides WHEN a request may start; this
// decides HOW MANY may be in flight. Both are needed: the limiter alone would let a burst of
// callers open hundreds of sockets, the pool alone would not keep the per-minute budget.

export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('Semaphore size must be a positive integer');
    this.available = size;
  }

  get inUse(): number {
    return this.size - this.available;
  }

  /** Resolves with a release function; rejects with the signal's reason if cancelled first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.available > 0) {
      this.available -= 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return; // a double release must not mint an extra slot
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.available += 1;
    };
  }
}

export interface PoolResult<R> {
  index: number;
  ok: boolean;
  value?: R;
  error?: unknown;
}

/**
 * Runs `worker` over `items` with at most `concurrency` in flight and collects every outcome
 * (one failure does not stop the others — a failed estimate only fails its conversation).
 * When `signal` fires, items not yet started are reported as failed with the signal's reason.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number, signal: AbortSignal | undefined) => Promise<R>,
  options: { signal?: AbortSignal; onSettled?: (result: PoolResult<R>) => void } = {},
): Promise<Array<PoolResult<R>>> {
  const results: Array<PoolResult<R>> = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      let result: PoolResult<R>;
      if (options.signal?.aborted) {
        result = { index, ok: false, error: options.signal.reason };
      } else {
        try {
          result = { index, ok: true, value: await worker(items[index]!, index, options.signal) };
        } catch (error) {
          result = { index, ok: false, error };
        }
      }
      results[index] = result;
      options.onSettled?.(result);
    }
  };
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
