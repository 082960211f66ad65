import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { applyEnv, userDataDir } from '../config/load.ts';
import { defaultSettings } from '../config/settings.ts';
import { MemorySecretStore } from '../secrets/store.ts';
import { clusterDir } from '../store/embedded.ts';
import { writeDemoDatabase } from '../demo/dataset.ts';
import { addLocalDays, today } from '../time/days.ts';
import type { RunProgress, RunResult } from '../pipeline/run.ts';
import { createAppContext } from './context.ts';
import { runRange, stats, type StatsResult } from './operations.ts';

export interface DemoOptions {
  env?: NodeJS.ProcessEnv;
  users: number;
  days: number;
  seed?: number;
  onLog?: (line: string) => void;
  progress?: (progress: RunProgress) => void;
}

export interface DemoResult {
  intro: string;
  sourcePath: string;
  run: RunResult;
  stats: StatsResult;
}

/**
 * The offline demo: a generated Open WebUI SQLite database, a fresh embedded analytics database
 * and a heuristic backfill. Needs no network, keychain or server: its secrets live in memory.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const env = options.env ?? process.env;
  const demoDir = path.join(userDataDir(env), 'demo');
  // The demo's secrets live in memory, so its analytics cluster is rebuilt every time.
  fs.rmSync(clusterDir(demoDir), { recursive: true, force: true });
  fs.rmSync(demoDir, { recursive: true, force: true });
  fs.mkdirSync(demoDir, { recursive: true });
  const sourcePath = path.join(demoDir, 'webui.db');
  const log = options.onLog ?? (() => undefined);

  const base = applyEnv(defaultSettings(), { TZ: env.TZ });
  const zone = base.processing.timezone;
  const now = Date.now();
  log(`Generating the demo Open WebUI database (${options.users} users, ${options.days} days) …`);
  const written = await writeDemoDatabase(sourcePath, { seed: options.seed ?? 42, users: options.users, days: options.days, now });

  const settings = structuredClone(base);
  settings.source.url = sourcePath;
  settings.analytics = { mode: 'embedded' };
  settings.llm.estimator = 'heuristic';
  settings.processing.maxConversations = 10_000_000;
  const secrets = new MemorySecretStore();
  await secrets.set('salt', crypto.randomBytes(32).toString('hex'));
  await secrets.set('embedded-db-password', crypto.randomBytes(24).toString('base64url'));

  log('Starting the embedded analytics database …');
  const context = await createAppContext({ settings, dataDir: demoDir, secrets, env: {} });
  try {
    const to = today(zone, now);
    const from = addLocalDays(to, -options.days);
    log(`Backfilling ${from} … ${to} with the offline heuristic estimator …`);
    const run = await runRange(context, { from, to, force: false, trigger: 'cli' }, { onProgress: options.progress });
    const summary = await stats(context, options.days + 1, now);
    const intro =
      `Demo: ${written.chats} chats of ${written.users} users in ${sourcePath}; ` +
      `run #${run.runId} ${run.status}: ${run.processed} analysed, ${run.skipped} skipped (bad rows on purpose) in ${run.durationSeconds.toFixed(1)} s.`;
    return { intro, sourcePath, run, stats: summary };
  } finally {
    await context.close();
  }
}
