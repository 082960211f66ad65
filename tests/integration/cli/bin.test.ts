import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from '../../support/pg.ts';
import { tempDir } from '../../support/openwebui-fixture.ts';

// bin/cogniforce-analytics.mjs runs the build (out/main/cli.js) when no source is newer than
// it, else the sources through tsx. Both must behave alike, down to where `serve` finds the
// console's files, which is relative to the code that runs.

const run = promisify(execFile);
const BIN = path.resolve('bin/cogniforce-analytics.mjs');
const BUILT_CLI = path.resolve('out/main/cli.js');
const RENDERER_INDEX = path.resolve('out/renderer/index.html');

// The build runs before the tests in CI; without it half of this file would prove nothing.
const newestSource = Math.max(
  ...['src/main', 'src/shared'].flatMap((dir) => fs.readdirSync(dir, { recursive: true }).map((f) => fs.statSync(path.join(dir, String(f))).mtimeMs)),
);
const builtFresh = fs.existsSync(BUILT_CLI) && fs.existsSync(RENDERER_INDEX) && fs.statSync(BUILT_CLI).mtimeMs >= newestSource;
if (!builtFresh && process.env.CI === 'true') throw new Error('out/main/cli.js is missing or older than the sources: run `npm run build` before the tests');

const FROM_SOURCES = { COGNIFORCE_CLI_FROM_SOURCES: '1' };
let home: string;
let analyticsUrl: string;

beforeAll(async () => {
  home = tempDir('cf-bin-home-');
  analyticsUrl = await createTestDatabase('bin');
});

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', COGNIFORCE_HOME: home, COGNIFORCE_DATABASE_URL: analyticsUrl, ANALYTICS_SALT: 'bin-test-salt', ...extra };
}

async function version(extra: Record<string, string> = {}): Promise<{ version: string; runsFrom: string }> {
  const { stdout } = await run(process.execPath, [BIN, '--version', '--json'], { env: env(extra), timeout: 30_000 });
  return JSON.parse(stdout) as { version: string; runsFrom: string };
}

/** Starts `serve --json`, loads the page and one call with its token, stops it with SIGTERM. */
async function serveOnce(extra: Record<string, string> = {}): Promise<{ page: string; info: { ok: boolean }; exitCode: number | null }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--json'], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const address = await new Promise<{ url: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { url: string });
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
    });
    const url = new URL(address.url);
    const token = url.hash.replace('#token=', '');
    const page = await (await fetch(new URL('/', url))).text();
    const response = await fetch(new URL('/api/invoke/app.info', url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: '{}',
    });
    const info = (await response.json()) as { ok: boolean };
    child.kill('SIGTERM');
    return { page, info, exitCode: await exited };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('the bin', () => {
  test('runs the sources when asked to (or when they are newer than the build)', async () => {
    expect(await version(FROM_SOURCES)).toEqual({ version: expect.any(String), runsFrom: 'sources' });
  });

  test.skipIf(!builtFresh)('runs the build when it is up to date, with the same version', async () => {
    const [built, sources] = await Promise.all([version(), version(FROM_SOURCES)]);
    expect(built).toEqual({ version: sources.version, runsFrom: 'build' });
  });

  // Without a built renderer serve refuses to start; CI builds first (builtFresh above throws otherwise).
  test.skipIf(!fs.existsSync(RENDERER_INDEX))('serve from the sources finds the console and answers calls', async () => {
    const served = await serveOnce(FROM_SOURCES);
    expect(served.page).toContain('<div id="root">');
    expect(served.info.ok).toBe(true);
    expect(served.exitCode).toBe(0);
  });

  test.skipIf(!builtFresh)('serve from the build finds the console and answers calls', async () => {
    const served = await serveOnce();
    expect(served.page).toContain('<div id="root">');
    expect(served.info.ok).toBe(true);
    expect(served.exitCode).toBe(0);
  });
});
