import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SALT } from '../pipeline/harness.ts';
import { createReportFixture, FROM, hashOf, TO, type ReportFixture } from './fixture.ts';

// `export` is part of the CLI contract: exit 0 with a file, 2 for bad usage, 1 when the export
// fails; --json prints the result (path, rows, bytes, seconds) or the error.

const run = promisify(execFile);
const BIN = path.resolve('bin/cogniforce-analytics.mjs');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let fx: ReportFixture;
let home: string;

async function cli(args: string[]): Promise<Outcome> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    COGNIFORCE_HOME: home,
    DATABASE_URL: fx.names.url,
    COGNIFORCE_DATABASE_URL: fx.harness.analyticsUrl,
    ANALYTICS_SALT: SALT,
    TZ: 'Europe/Budapest',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  fx = await createReportFixture();
  home = path.join(fx.dir, 'home');
  fs.mkdirSync(home);
});
afterAll(async () => {
  await fx?.close();
});

describe('cogniforce-analytics export', () => {
  test('detailed CSV with --json: exit 0, the result on stdout, the file on disk', async () => {
    const out = path.join(fx.dir, 'cli-detailed.csv');
    const result = await cli(['export', '--kind', 'detailed', '--from', FROM, '--to', TO, '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { path: string; rows: number; bytes: number; seconds: number };
    expect(json.path).toBe(out);
    expect(json.bytes).toBe(fs.statSync(out).size);
    const rows = parse(fs.readFileSync(out), { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(json.rows);
    expect(rows.some((r) => r.user === 'Szabó Éva (eva.szabo@example.hu)')).toBe(true);
  });

  test('one user, human output', async () => {
    const out = path.join(fx.dir, 'cli-summary.csv');
    const result = await cli(['export', '--kind', 'summary', '--from', FROM, '--to', TO, '--out', out, '--user', hashOf('u-eva')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Wrote 1 rows, [\d.]+ kB to .*cli-summary\.csv in [\d.]+ s/);
  });

  test('the PDF', async () => {
    const out = path.join(fx.dir, 'cli.pdf');
    const result = await cli(['export', '--kind', 'pdf', '--from', FROM, '--to', TO, '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(fs.readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    expect(JSON.parse(result.stdout)).not.toHaveProperty('rows');
  });

  test.each([
    [['export', '--from', FROM, '--to', TO, '--out', 'x.csv'], /--kind must be one of summary, daily, detailed, pdf/],
    [['export', '--kind', 'xlsx', '--from', FROM, '--to', TO, '--out', 'x.csv'], /--kind must be one of/],
    [['export', '--kind', 'daily', '--to', TO, '--out', 'x.csv'], /--from is required/],
    [['export', '--kind', 'daily', '--from', '2026-02-30', '--to', TO, '--out', 'x.csv'], /--from 2026-02-30 is not a date/],
    [['export', '--kind', 'daily', '--from', TO, '--to', FROM, '--out', 'x.csv'], /--from must not be after --to/],
    [['export', '--kind', 'daily', '--from', FROM, '--to', TO], /--out is required/],
    [['export', '--kind', 'daily', '--from', FROM, '--to', TO, '--out', 'x.csv', '--user', 'eva'], /--user must be a 64-character user hash/],
  ])('bad usage exits 2 with a one-line reason: %j', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(message);
  });

  test('an unwritable target exits 1 with the reason, in --json too', async () => {
    const out = path.join(fx.dir, 'missing-folder', 'x.csv');
    const result = await cli(['export', '--kind', 'daily', '--from', FROM, '--to', TO, '--out', out, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { kind: 'error', message: expect.stringMatching(/folder does not exist/) } });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
