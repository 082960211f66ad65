import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

// electron-log works out the app name from the nearest package.json of require.main, argv or the
// working directory, and without a name it silently writes nothing. An ES module entry has no
// require.main, and a daemon started from `/` (a service) or a packaged app finds no
// package.json there: the name must not depend on where the process was started.

const LOG_MODULE = path.resolve('src/main/core/log/index.ts');
const RUN_TS = path.resolve('bin/run-ts.mjs');

describe('log files outside the project folder', () => {
  test('are written when no package.json can be found from the working directory', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-log-nopkg-'));
    const dir = path.join(cwd, 'logs');
    const script = path.join(cwd, 'entry.mts');
    fs.writeFileSync(
      script,
      [
        `import { configureLogging, getLogger } from ${JSON.stringify(LOG_MODULE)};`,
        `configureLogging({ dir: ${JSON.stringify(dir)} });`,
        `getLogger('scheduler').info('started from a folder without package.json');`,
      ].join('\n'),
    );
    execFileSync(process.execPath, [RUN_TS, script], { cwd, env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 });
    const text = fs.readFileSync(path.join(dir, 'main.log'), 'utf8');
    expect(text).toMatch(/\[info\]\s*\(scheduler\)\s*started from a folder without package\.json/);
    fs.rmSync(cwd, { recursive: true, force: true });
  });
});
