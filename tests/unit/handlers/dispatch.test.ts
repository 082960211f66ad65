import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/main/core/handlers.ts';
import { CHANNELS } from '../../../src/shared/channels.ts';
import { consoleFixture, type ConsoleFixture } from './support.ts';

// Every channel fed invalid payloads answers a validation error as data and never throws.

let f: ConsoleFixture;
beforeAll(async () => {
  f = await consoleFixture();
}, 120_000);
afterAll(async () => {
  await f?.cleanup();
});

const INVALID: unknown[] = [
  'text',
  42,
  true,
  [],
  { unexpected: 1 },
  { from: '2026-13-45', to: 'tomorrow' },
  { page: -1, pageSize: 0 },
  { key: 'salt', value: 'x' },
  { patch: { value: { currency: 'euro' } } },
  { conversationId: '' },
  { jobId: 7 },
  { __proto__: { polluted: true } },
];

describe('dispatch', () => {
  it('answers a validation error for every channel and every invalid payload', async () => {
    for (const channel of CHANNELS) {
      for (const payload of INVALID) {
        const result = await dispatch(f.runtime, f.handlers, channel, payload);
        // Some payloads are valid for one channel (e.g. {} shapes); the rest must be refused.
        if (result.ok) continue;
        expect(['validation', 'not_found', 'unavailable', 'config'], `${channel} ${JSON.stringify(payload)}`).toContain(result.error.code);
        expect(result.error.message).not.toMatch(/\n\s+at /);
      }
      const garbage = await dispatch(f.runtime, f.handlers, channel, 'garbage');
      expect(garbage).toMatchObject({ ok: false, error: { code: 'validation' } });
    }
  });

  it('refuses unknown channels without calling anything', async () => {
    expect(await dispatch(f.runtime, f.handlers, 'secrets.get', { key: 'openai-api-key' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatch(f.runtime, f.handlers, undefined, {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('treats a missing payload as empty arguments', async () => {
    expect(await dispatch(f.runtime, f.handlers, 'app.info', undefined)).toMatchObject({ ok: true });
    expect(await dispatch(f.runtime, f.handlers, 'app.info', null)).toMatchObject({ ok: true });
  });

  it('answers readable messages for validation errors', async () => {
    const result = await dispatch(f.runtime, f.handlers, 'dashboard.summary', { from: '2026-02-30', to: '2026-03-01' });
    expect(result).toEqual({ ok: false, error: { code: 'validation', message: 'Invalid request: from: is not a calendar day.' } });
  });

  it('logs unexpected failures with a stack, but returns only the message', async () => {
    const broken = { ...f.handlers, 'app.info': async () => { throw new TypeError('cannot read x of undefined'); } };
    const result = await dispatch(f.runtime, broken, 'app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('cannot read x of undefined') } });
    expect(f.logged.at(-1)).toBe('app.info failed');
  });
});
