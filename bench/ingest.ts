// Benchmark: backfill an Open WebUI database with the heuristic estimator into the analytics
// PostgreSQL, against the physical floor of reading the same chat rows.
//
// As a library (from bench/run.ts): benchIngest() times the floor (COPY … TO STDOUT of the chat
// columns the reader selects, or every row stepped with better-sqlite3), then the backfill in a
// child process of its own, so the peak RSS printed is the ingest's alone.
//
// As a child: node bin/run-ts.mjs bench/ingest.ts --source URL --analytics URL --from D --to D
// prints one JSON object: status, conversations, skipped, seconds, conversationsPerSecond, peakRssMb.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { defaultSettings } from '../src/main/core/config/settings.ts';
import { createHeuristicEstimator } from '../src/main/core/llm/heuristic.ts';
import { createAnalysisPool } from '../src/main/core/pipeline/analysis-pool.ts';
import { runPipeline } from '../src/main/core/pipeline/run.ts';
import { openSource } from '../src/main/core/source/open.ts';
import { CHAT_FIELDS } from '../src/main/core/source/shape.ts';
import { ensureDatabaseExists, openAnalyticsDb } from '../src/main/core/store/connect.ts';
import { migrateToLatest } from '../src/main/core/store/migrate.ts';
import { copyFloor, sqliteFloor, type FloorFigures } from './floor.ts';
import { BENCH_SALT, dropDatabase, ZONE, type BenchCache, type SourceFixture } from './fixtures.ts';

const exec = promisify(execFile);
export const INGEST_TARGET = { maxRatio: 2.5, maxPeakRssMb: 300 } as const;

const CHAT_COLUMNS = CHAT_FIELDS.map((f) => `"${f}"`).join(', ');

export interface IngestFigures {
  status: string;
  conversations: number;
  skipped: number;
  seconds: number;
  conversationsPerSecond: number;
  peakRssMb: number;
  startRssMb: number;
  /** Worker threads the analysis ran in (0: inline), and workers lost on the way. */
  analysisThreads: number;
  workersLost: number;
}

export async function benchIngest(cache: BenchCache, fixture: SourceFixture, dialect: 'postgres' | 'sqlite'): Promise<Record<string, unknown>> {
  const database = `ingest_${dialect}`;
  await dropDatabase(cache, database);
  const analytics = cache.url(database);
  await ensureDatabaseExists(analytics);
  const source = dialect === 'postgres' ? fixture.postgresUrl : fixture.sqliteFile;

  const { stdout } = await exec(
    process.execPath,
    ['bin/run-ts.mjs', 'bench/ingest.ts', '--source', source, '--analytics', analytics, '--from', fixture.from, '--to', fixture.to],
    { maxBuffer: 1 << 20 },
  );
  const ingest = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as IngestFigures;
  // The floor after the ingest: it then reads pages the ingest already brought into the OS
  // cache, so it is the fastest possible read and the ratio errs against us, never for us.
  const select = `SELECT ${CHAT_COLUMNS} FROM chat`;
  const floor: FloorFigures =
    dialect === 'postgres'
      ? await copyFloor(source, select, "COPY (SELECT <the reader's chat columns> FROM chat) TO STDOUT, bytes dropped")
      : sqliteFloor(source, select, "better-sqlite3 iterate() over SELECT <the reader's chat columns> FROM chat");
  await dropDatabase(cache, database);
  const ratio = Math.round((ingest.seconds / floor.seconds) * 100) / 100;
  return {
    source: dialect,
    chats: fixture.chats,
    chatSizes: fixture.sizes,
    ...ingest,
    reference: floor,
    ratio,
    target: `ingest ≤ ${INGEST_TARGET.maxRatio} × floor, peak RSS ≤ ${INGEST_TARGET.maxPeakRssMb} MB`,
    pass: ingest.status === 'completed' && ratio <= INGEST_TARGET.maxRatio && ingest.peakRssMb <= INGEST_TARGET.maxPeakRssMb,
  };
}

async function child(): Promise<void> {
  // What the process holds before any work: Node, tsx and the modules loaded (for reading peakRssMb).
  const startRssMb = Math.round(process.memoryUsage().rss / 1_048_576);
  const { values } = parseArgs({
    options: { source: { type: 'string' }, analytics: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  });
  if (!values.source || !values.analytics || !values.from || !values.to) throw new Error('--source, --analytics, --from and --to are required');
  const settings = defaultSettings();
  settings.processing.maxConversations = 10_000_000;
  settings.processing.timezone = ZONE;
  const db = openAnalyticsDb(values.analytics);
  await migrateToLatest(db);
  const source = await openSource(values.source);
  const started = performance.now();
  // The pool the pipeline would start itself, made here so its threads and losses can be told.
  let workersLost = 0;
  const analysis = createAnalysisPool({ onWorkerLost: () => (workersLost += 1) });
  const result = await runPipeline(
    { from: values.from, to: values.to, force: false, trigger: 'cli' },
    { db, analyticsUrl: values.analytics, source, estimator: createHeuristicEstimator(), salt: BENCH_SALT, settings, appVersion: 'bench', analysis },
  );
  await analysis.close();
  const seconds = (performance.now() - started) / 1000;
  await source.close();
  await db.destroy();
  process.stdout.write(
    JSON.stringify({
      status: result.status,
      conversations: result.processed,
      skipped: result.skipped,
      seconds: Math.round(seconds * 100) / 100,
      conversationsPerSecond: Math.round(result.processed / seconds),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      startRssMb,
      analysisThreads: analysis.threads,
      workersLost,
    } satisfies IngestFigures) + '\n',
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await child();
