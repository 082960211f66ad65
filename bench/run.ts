// `npm run bench [-- --quick]`: prints one JSON object per benchmark on stdout.
// Each benchmark that measures memory runs in a child process of its own.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeDemoDatabase } from '../src/main/core/demo/dataset.ts';
import { startEmbeddedPostgres } from '../src/main/core/store/embedded.ts';
import { ensureDatabaseExists } from '../src/main/core/store/connect.ts';
import { benchLlmThroughput } from './llm-throughput.ts';
import { compareEngaged } from './engaged.ts';
import { benchExports } from './exports.ts';
import { openOpenWebUiWriter } from '../src/main/core/source/openwebui-writer.ts';
import { realisticChats } from '../tests/support/realistic-chats.ts';
import { FIXTURE_USERS } from '../tests/support/openwebui-fixture.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const exec = promisify(execFile);
const emit = (name: string, figures: Record<string, unknown>): void => {
  process.stdout.write(JSON.stringify({ benchmark: name, quick, ...figures }) + '\n');
};
const wanted = (name: string): boolean => !only || only.includes(name);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cogniforce-bench-'));
const pg = await startEmbeddedPostgres({ dataDir: work, password: 'bench' });
try {
  if (wanted('ingest')) {
    const chats = quick ? 2_000 : 10_000;
    const days = 90;
    const sourceFile = path.join(work, `webui-${chats}.db`);
    const t0 = performance.now();
    await writeDemoDatabase(sourceFile, { seed: 7, chats, users: 200, days, overwrite: true });
    const generateSeconds = (performance.now() - t0) / 1000;
    const analytics = pg.url(`ingest_${chats}`);
    await ensureDatabaseExists(analytics);
    const { stdout } = await exec(process.execPath, ['bin/run-ts.mjs', 'bench/ingest.ts', '--source', sourceFile, '--analytics', analytics, '--days', String(days)], {
      maxBuffer: 1 << 20,
    });
    emit('ingest-sqlite-heuristic', { chats, generateSeconds: Math.round(generateSeconds * 10) / 10, ...JSON.parse(stdout.trim().split('\n').pop() ?? '{}') });
  }
  if (wanted('engaged')) {
    const demoFile = path.join(work, 'engaged-demo.db');
    await writeDemoDatabase(demoFile, { seed: 42, users: 25, days: 60, overwrite: true });
    emit('engaged-vs-active', { dataset: 'demo (25 users, 60 days)', ...(await compareEngaged(demoFile)) });
    const realisticFile = path.join(work, 'engaged-realistic.db');
    const writer = await openOpenWebUiWriter(realisticFile, { generation: '0.11', overwrite: true });
    await writer.insertUsers(FIXTURE_USERS);
    await writer.insertChats(realisticChats(quick ? 500 : 3000, 11));
    await writer.close();
    emit('engaged-vs-active', { dataset: 'realistic fixture (55 % single-turn, same-second answers)', ...(await compareEngaged(realisticFile)) });
  }
  if (wanted('llm')) {
    const r = await benchLlmThroughput({ rpm: 600, latencyMs: 200, quick });
    emit('llm-throughput', { ...r, target: 'ratio ≥ 0.95, overBudget false, server429s 0' });
  }
  if (wanted('exports')) {
    const r = await benchExports({ serverUrl: (database) => pg.url(database), work, quick });
    emit('export-detailed-csv', r.detailedCsv);
    emit('export-pdf-one-year', r.pdf);
  }
} finally {
  await pg.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
