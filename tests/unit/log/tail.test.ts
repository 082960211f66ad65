import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configureLogging, disableLogging, getLogger } from '../../../src/main/core/log/index.ts';
import { parseLogText, tailLogs } from '../../../src/main/core/log/tail.ts';

// The log viewer reads what log/index.ts writes: entries written through the real logger come
// back with their level, scope and (multi-line) text, newest last, across rotated files.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-tail-'));

afterAll(() => {
  disableLogging();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('tailLogs', () => {
  it('reads entries the real logger wrote, error stacks included', async () => {
    configureLogging({ dir, level: 'debug' });
    getLogger('scheduler').info('Nightly run for 2026-01-05 (schedule) starting.');
    getLogger('db').error('Query failed:', new Error('relation "x" does not exist'));
    getLogger('llm').debug('request took 12 ms', { apiKey: 'sk-should-be-masked-123456' });
    const tail = await tailLogs(dir, { lines: 10 });
    expect(tail.entries.map((e) => [e.level, e.scope])).toEqual([
      ['info', 'scheduler'],
      ['error', 'db'],
      ['debug', 'llm'],
    ]);
    expect(tail.entries[0]?.at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(tail.entries[1]?.text).toMatch(/^Query failed: Error: relation "x" does not exist\n\s+at /);
    expect(tail.entries[2]?.text).toContain("apiKey: '[REDACTED]'");
  });

  it('keeps lines before the first entry of a file cut at its start', () => {
    const entries = parseLogText('    at tail of a stack\n[2026-01-05 10:00:00.000] [warn]  (app) next\n', 'main.1.log');
    expect(entries).toEqual([
      { at: null, level: null, scope: null, text: '    at tail of a stack', file: 'main.1.log' },
      { at: '2026-01-05 10:00:00.000', level: 'warn', scope: 'app', text: 'next', file: 'main.1.log' },
    ]);
  });

  it('takes the newest entries first from the live file, then the rotated ones', async () => {
    const rotated = fs.mkdtempSync(path.join(dir, 'rot-'));
    const line = (n: number): string => `[2026-01-05 10:00:${String(n).padStart(2, '0')}.000] [info]  (app) entry ${n}`;
    fs.writeFileSync(path.join(rotated, 'main.2.log'), `${[1, 2].map(line).join('\n')}\n`);
    fs.writeFileSync(path.join(rotated, 'main.1.log'), `${[3, 4].map(line).join('\n')}\n`);
    fs.writeFileSync(path.join(rotated, 'main.log'), `${[5, 6].map(line).join('\n')}\n`);
    const three = await tailLogs(rotated, { lines: 3 });
    expect(three.entries.map((e) => e.text)).toEqual(['entry 4', 'entry 5', 'entry 6']);
    expect(three.truncated).toBe(true);
    const all = await tailLogs(rotated, { lines: 100 });
    expect(all.entries.map((e) => e.text)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `entry ${n}`));
    expect(all.truncated).toBe(false);
  });
});
