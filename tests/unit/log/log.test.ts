import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { configureLogging, disableLogging, getLogger, logFiles, logsDir, rotate } from '../../../src/main/core/log/index.ts';
import { REDACTED, redactText, redactValue } from '../../../src/main/core/log/redact.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cf-log-'));
}

afterEach(() => disableLogging());

describe('redaction', () => {
  test('values under secret keys are masked, counts and ids are kept', () => {
    const input = {
      password: 'hunter2',
      apiKey: 'abc',
      api_key: 'abc',
      'X-Api-Key': 'abc',
      Authorization: 'Basic Zm9vOmJhcg==',
      accessToken: 't',
      secret: 's',
      salt: 'pepper',
      clientSecret: 'x',
      inputTokens: 120,
      outputTokens: 30,
      conversationId: 'c-1',
      nested: { db: { password: 'pw', host: 'localhost' } },
    };
    const out = redactValue(input) as Record<string, unknown>;
    for (const key of ['password', 'apiKey', 'api_key', 'X-Api-Key', 'Authorization', 'accessToken', 'secret', 'salt', 'clientSecret']) {
      expect(out[key], key).toBe(REDACTED);
    }
    expect(out.inputTokens).toBe(120);
    expect(out.outputTokens).toBe(30);
    expect(out.conversationId).toBe('c-1');
    expect(out.nested).toEqual({ db: { password: REDACTED, host: 'localhost' } });
    // The caller's object is untouched.
    expect(input.password).toBe('hunter2');
  });

  test.each([
    ['postgresql://admin:s3cr%40t@db.local:5432/webui', `postgresql://admin:${REDACTED}@db.local:5432/webui`],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', `Authorization: ${REDACTED}`],
    ['header Bearer abcdefghijklmnop end', `header Bearer ${REDACTED} end`],
    ['key sk-proj-abcdefghijklmnopqrstuv used', `key ${REDACTED} used`],
    ['https://x.test/cb?token=abcdef&x=1', `https://x.test/cb?token=${REDACTED}&x=1`],
    ['{"apiKey":"abc123","model":"gpt-4o-mini"}', `{"apiKey":"${REDACTED}","model":"gpt-4o-mini"}`],
    ['password = hunter2', `password = ${REDACTED}`],
    ['ghp_0123456789abcdefghijABCDEFGHIJ', REDACTED],
  ])('string %s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  test('plain text, token counts and dates pass unchanged', () => {
    expect(redactText('processed 12 conversations, 3400 tokens in, run #5')).toBe('processed 12 conversations, 3400 tokens in, run #5');
    const date = new Date(0);
    expect(redactValue(date)).toBe(date);
  });

  test('errors keep their name, lose secrets; cycles do not hang', () => {
    const error = new TypeError('connect failed for postgres://u:pw@h/db');
    const out = redactValue(error) as Error;
    expect(out.name).toBe('TypeError');
    expect(out.message).toBe(`connect failed for postgres://u:${REDACTED}@h/db`);
    expect(out.stack).not.toContain(':pw@');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redactValue(cyclic)).toEqual({ a: 1, self: '[Circular]' });
  });
});

describe('files', () => {
  test('nothing is written before configureLogging', () => {
    const dir = tempDir();
    getLogger('db').info('not written');
    expect(logFiles(dir)).toEqual([]);
  });

  test('scoped lines go to <dir>/main.log, redacted', () => {
    const dir = tempDir();
    configureLogging({ dir });
    expect(logsDir()).toBe(dir);
    getLogger('scheduler').info('next run', { token: 'abc', at: '2026-03-29T00:00:00+01:00' });
    getLogger('db').warn('connect to postgres://cf:topsecret@localhost/cogniforce failed');
    const text = fs.readFileSync(path.join(dir, 'main.log'), 'utf8');
    expect(text).toMatch(/\[info\]\s+\(scheduler\)\s+next run \{ token: '\[REDACTED\]', at: '2026-03-29T00:00:00\+01:00' \}/);
    expect(text).toMatch(/\[warn\]\s+\(db\)\s+connect to postgres:\/\/cf:\[REDACTED\]@localhost/);
    expect(text).not.toContain('topsecret');
  });

  test('rotation by size keeps a bounded number of files', () => {
    const dir = tempDir();
    configureLogging({ dir, maxSizeBytes: 1_000, keepFiles: 3 });
    const log = getLogger('pipeline');
    for (let i = 0; i < 200; i++) log.info(`line ${i} ${'x'.repeat(40)}`);
    const files = logFiles(dir);
    expect(files.map((f) => path.basename(f))).toEqual(['main.log', 'main.1.log', 'main.2.log']);
    for (const file of files) expect(fs.statSync(file).size).toBeLessThan(1_200);
    // Newest lines are in the live file, older ones rotated in order.
    expect(fs.readFileSync(files[0]!, 'utf8')).toContain('line 199');
    const rotatedLast = Number(/line (\d+)/.exec(fs.readFileSync(files[1]!, 'utf8').trim().split('\n').at(-1)!)![1]);
    const olderLast = Number(/line (\d+)/.exec(fs.readFileSync(files[2]!, 'utf8').trim().split('\n').at(-1)!)![1]);
    expect(olderLast).toBeLessThan(rotatedLast);
  });

  test('rotate with keep=1 just truncates', () => {
    const dir = tempDir();
    const file = path.join(dir, 'main.log');
    fs.writeFileSync(file, 'old');
    rotate(file, 1);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
