import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { configureLogging, disableLogging, getLogger, type LogScope } from '../../src/main/core/log/index.ts';

// Logs end up in diagnostics bundles and support tickets. Whatever a caller passes — a secret
// under a secret-sounding key at any depth, inside arrays and Maps, a password in a URL, a bearer
// token or an API key inside a message — the file hook masks it, for every scope and level.

const dirs: string[] = [];
afterAll(() => {
  disableLogging();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function logFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-logsec-'));
  dirs.push(dir);
  configureLogging({ dir, level: 'debug' });
  return path.join(dir, 'main.log');
}

const SCOPES: LogScope[] = ['app', 'db', 'llm', 'batch', 'scheduler', 'pipeline', 'server', 'reports', 'electron', 'cli'];
const LEVELS = ['error', 'warn', 'info', 'verbose', 'debug'] as const;

/** Key names that mean "secret", spelt the ways code spells them. */
const secretKey = fc.constantFrom(
  'password',
  'Password',
  'PASSWORD',
  'dbPassword',
  'db_password',
  'passwd',
  'passphrase',
  'pwd',
  'token',
  'accessToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'API-KEY',
  'X-Api-Key',
  'authorization',
  'Authorization',
  'secret',
  'clientSecret',
  'client_secret',
  'salt',
  'cookie',
  'Set-Cookie',
  'credentials',
  'privateKey',
  'private_key',
);

const secretValue = fc.stringMatching(/^[A-Za-z0-9]{14,30}$/).map((s) => `Sv${s}9`);
const plainKey = fc.constantFrom('host', 'model', 'conversationId', 'note', 'inputTokens', 'detail');

/** An object holding `value` under `key`, buried `depth` levels down among ordinary fields. */
const buried = fc
  .tuple(secretKey, secretValue, fc.integer({ min: 0, max: 3 }), plainKey, fc.constantFrom('object', 'array', 'map'))
  .map(([key, value, depth, plain, container]) => {
    let node: unknown = container === 'map' ? new Map<string, unknown>([[key, value], [plain, 'ok']]) : { [key]: value, [plain]: 'ok' };
    for (let i = 0; i < depth; i++) node = container === 'array' ? [{ level: i, inner: node }] : { level: i, [plain]: node };
    return { key, value, node };
  });

/** A secret inside free text, the way a driver message or a debug line would carry it. */
const inText = fc.tuple(secretValue, fc.integer({ min: 0, max: 5 })).map(([value, shape]) => {
  const texts = [
    `connect to postgresql://reader:${value}@db.example:5432/openwebui failed`,
    `request headers: Authorization: Bearer ${value}`,
    `calling OpenAI with key sk-proj-${value}`,
    `env: PGPASSWORD=${value} ANALYTICS_SALT=${value}`,
    `callback https://x.example/cb?token=${value}&state=1`,
    `{"apiKey":"${value}","model":"gpt-4o-mini"}`,
  ];
  return { value, text: texts[shape]! };
});

describe('log redaction hook', () => {
  test('secrets under secret keys never reach the file, at any depth, in any scope and level', () => {
    const file = logFile();
    const planted: string[] = [];
    fc.assert(
      fc.property(buried, fc.constantFrom(...SCOPES), fc.constantFrom(...LEVELS), ({ value, node }, scope, level) => {
        planted.push(value);
        getLogger(scope)[level]('event', node);
      }),
      { numRuns: 300 },
    );
    const text = fs.readFileSync(file, 'utf8');
    expect(text.match(/\)\s+event /g)?.length).toBe(300);
    expect(text).toContain('[REDACTED]');
    for (const value of planted) expect(text).not.toContain(value);
  });

  test('secrets inside messages and error objects never reach the file', () => {
    const file = logFile();
    const planted: string[] = [];
    fc.assert(
      fc.property(inText, fc.constantFrom(...SCOPES), fc.boolean(), ({ value, text }, scope, asError) => {
        planted.push(value);
        if (asError) getLogger(scope).error(new Error(text));
        else getLogger(scope).warn(text);
      }),
      { numRuns: 300 },
    );
    const text = fs.readFileSync(file, 'utf8');
    for (const value of planted) expect(text).not.toContain(value);
  });

  test('control: the same values under ordinary keys are written, so the check above can fail', () => {
    const file = logFile();
    const values = fc.sample(secretValue, { numRuns: 20, seed: 3 });
    for (const value of values) getLogger('app').info('event', { note: value });
    const text = fs.readFileSync(file, 'utf8');
    for (const value of values) expect(text).toContain(value);
  });
});
