import { describe, expect, test } from 'vitest';
import { withTimeout } from '../../../src/main/core/time/timeout.ts';

describe('withTimeout', () => {
  test('passes a value or an error through when the promise settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, 'the keychain')).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('denied')), 1_000, 'the keychain')).rejects.toThrow('denied');
    await expect(withTimeout(Promise.reject(new Error('x')).catch(() => Promise.reject('plain')), 1_000, 'it')).rejects.toThrow('plain');
  });

  test('rejects with what did not answer, and how long it was given', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, 'the keychain')).rejects.toThrow('the keychain did not answer within 0.02 s');
  });
});
