import { describe, expect, it } from 'vitest';
import { CHANNELS, DESKTOP_ONLY_CHANNELS, EVENTS, isChannel } from '../../../src/shared/channels.ts';
import { contract, describeIssues, localDate, MAX_RANGE_DAYS, settingsPatchSchema } from '../../../src/shared/contract.ts';

describe('contract', () => {
  it('has exactly one schema per allowlisted channel', () => {
    expect(Object.keys(contract).sort()).toEqual([...CHANNELS].sort());
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
    for (const channel of DESKTOP_ONLY_CHANNELS) expect(CHANNELS).toContain(channel);
    expect(EVENTS).toEqual(['jobs.update', 'app.navigate']);
  });

  it('recognises channels and nothing else', () => {
    expect(isChannel('dashboard.summary')).toBe(true);
    expect(isChannel('dashboard.summary ')).toBe(false);
    expect(isChannel('__proto__')).toBe(false);
    expect(isChannel(42)).toBe(false);
  });

  it('accepts only real calendar days', () => {
    expect(localDate.safeParse('2026-02-28').success).toBe(true);
    expect(localDate.safeParse('2024-02-29').success).toBe(true);
    expect(localDate.safeParse('2026-02-29').success).toBe(false);
    expect(localDate.safeParse('2026-13-01').success).toBe(false);
    expect(localDate.safeParse('26-01-01').success).toBe(false);
    expect(localDate.safeParse('2026-01-01T00:00').success).toBe(false);
  });

  it('validates periods: order, span and user hash', () => {
    const summary = contract['dashboard.summary'].args;
    expect(summary.safeParse({ from: '2026-01-01', to: '2026-01-31' }).success).toBe(true);
    expect(summary.safeParse({ from: '2026-02-01', to: '2026-01-31' }).success).toBe(false);
    expect(summary.safeParse({ from: '2000-01-01', to: '2026-01-31' }).success).toBe(false);
    expect(summary.safeParse({ from: '2026-01-01', to: '2026-01-31', user: 'abc' }).success).toBe(false);
    expect(summary.safeParse({ from: '2026-01-01', to: '2026-01-31', user: 'a'.repeat(64) }).success).toBe(true);
    expect(MAX_RANGE_DAYS).toBeGreaterThan(3650);
  });

  it('fills paging and sorting defaults for conversations', () => {
    const parsed = contract['conversations.list'].args.parse({ from: '2026-01-01', to: '2026-01-31' });
    expect(parsed).toMatchObject({ page: 0, pageSize: 50, sort: 'lastMessageAt', direction: 'desc' });
    expect(contract['conversations.list'].args.safeParse({ from: '2026-01-01', to: '2026-01-31', pageSize: 5000 }).success).toBe(false);
    expect(contract['conversations.list'].args.safeParse({ from: '2026-01-01', to: '2026-01-31', sort: 'title; DROP TABLE' }).success).toBe(false);
  });

  it('refuses unknown keys everywhere (strict objects)', () => {
    for (const channel of CHANNELS) {
      const result = contract[channel].args.safeParse({ unexpected: true });
      expect(result.success, channel).toBe(false);
    }
  });

  it('refuses payloads of the wrong type on every channel', () => {
    for (const channel of CHANNELS) {
      for (const bad of ['text', 42, [], true]) {
        expect(contract[channel].args.safeParse(bad).success, `${channel} ${JSON.stringify(bad)}`).toBe(false);
      }
    }
  });

  it('lets settings be patched partially, with null clearing optional ones', () => {
    expect(settingsPatchSchema.safeParse({ value: { hourlyRate: 80 } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ llm: { baseUrl: null } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ value: { currency: 'euro' } }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ processing: { idleThresholdMinutes: 0 } }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ secrets: { key: 'x' } }).success).toBe(false);
  });

  it('never accepts the salt or the embedded password through secrets.set', () => {
    const set = contract['secrets.set'].args;
    expect(set.safeParse({ key: 'openai-api-key', value: 'sk-test' }).success).toBe(true);
    expect(set.safeParse({ key: 'salt', value: 'x' }).success).toBe(false);
    expect(set.safeParse({ key: 'embedded-db-password', value: 'x' }).success).toBe(false);
    expect(set.safeParse({ key: 'openai-api-key', value: '' }).success).toBe(false);
  });

  it('describes issues as one readable sentence', () => {
    const result = contract['runs.start'].args.safeParse({ from: '2026-01-31', to: '2026-01-01' });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error)).toMatch(/^Invalid request: from: "from" must not be after "to"\.$/);
  });
});
