// Benchmark: backfill an Open WebUI database with the heuristic estimator into the analytics
// PostgreSQL, in its own process so its peak RSS is the ingest's alone.
//
//   node bin/run-ts.mjs bench/ingest.ts --source URL --analytics URL --days N
// Prints one JSON object: conversations, seconds, conversationsPerSecond, peakRssMb.

import { parseArgs } from 'node:util';
import { defaultSettings } from '../src/main/core/config/settings.ts';
import { createHeuristicEstimator } from '../src/main/core/llm/heuristic.ts';
import { runPipeline } from '../src/main/core/pipeline/run.ts';
import { openSource } from '../src/main/core/source/open.ts';
import { openAnalyticsDb } from '../src/main/core/store/connect.ts';
import { migrateToLatest } from '../src/main/core/store/migrate.ts';
import { addLocalDays, today } from '../src/main/core/time/days.ts';

const { values } = parseArgs({
  options: { source: { type: 'string' }, analytics: { type: 'string' }, days: { type: 'string', default: '365' } },
});
if (!values.source || !values.analytics) throw new Error('--source and --analytics are required');

const settings = defaultSettings();
settings.processing.maxConversations = 10_000_000;
const db = openAnalyticsDb(values.analytics);
await migrateToLatest(db);
const source = await openSource(values.source);
const to = today(settings.processing.timezone);
const from = addLocalDays(to, -Number(values.days) - 1);
const started = performance.now();
const result = await runPipeline(
  { from, to, force: false, trigger: 'cli' },
  { db, analyticsUrl: values.analytics, source, estimator: createHeuristicEstimator(), salt: 'bench-salt', settings, appVersion: 'bench' },
);
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
  }) + '\n',
);
