// Benchmark: exports over synthetic analytics rows.
//
// As a library (from bench/run.ts): benchExports() fills a fresh database on the bench's
// embedded server with N conversations spread over a year (INSERT … SELECT generate_series,
// not the pipeline) plus the matching daily aggregates, then runs each export in a child process
// so the peak RSS printed is the export's own.
//
// As a child: node bin/run-ts.mjs bench/exports.ts --kind detailed|pdf --url URL --from D --to D --out PATH
// prints one JSON object: rows, seconds, rowsPerSecond, bytes, peakRssMb.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { sql } from 'kysely';
import { createAppContext } from '../src/main/core/app/context.ts';
import { defaultSettings } from '../src/main/core/config/settings.ts';
import { exportReport, type ExportKind } from '../src/main/core/reports/index.ts';
import { EnvSecretStore } from '../src/main/core/secrets/store.ts';
import { ensureDatabaseExists, openAnalyticsDb } from '../src/main/core/store/connect.ts';
import { migrateToLatest } from '../src/main/core/store/migrate.ts';

const exec = promisify(execFile);
const FROM = '2025-01-01';
const TO = '2025-12-31';

/** N conversations over 2025 for 500 users, with varied figures that satisfy every CHECK. */
export async function fillDatabase(url: string, conversations: number): Promise<number> {
  const db = openAnalyticsDb(url);
  try {
    await migrateToLatest(db);
    const started = performance.now();
    await sql`
      INSERT INTO conversation_analysis (conversation_id, user_id_hash, analysis_date, first_message_at, last_message_at,
        total_duration_minutes, active_duration_minutes, idle_time_minutes, engaged_duration_minutes,
        manual_time_low, manual_time_most_likely, manual_time_high, confidence_level,
        time_saved_minutes, time_saved_engaged_minutes, message_count, estimate_source, model,
        task_category, work_related, task_completed, input_tokens, output_tokens, cost_usd, processing_version)
      SELECT 'bench-' || g, encode(sha256(('user-' || (g % 500))::bytea), 'hex'), d, t, t + ((g % 25) + (g % 17)) * interval '1 minute',
        (g % 25) + (g % 17), g % 25, g % 17, (g % 25) + (g % 7),
        m / 2, m, m * 2, 20 + (g % 70),
        greatest(0, m - (g % 25)), greatest(0, m - (g % 25) - (g % 7)), 2 + (g % 12),
        CASE WHEN g % 5 = 0 THEN 'heuristic' ELSE 'llm' END, CASE WHEN g % 5 = 0 THEN 'heuristic-v1' ELSE 'gpt-4o-mini' END,
        (ARRAY['writing','coding','analysis','translation','summarization','research','communication','other'])[1 + g % 8],
        g % 11 <> 0, g % 7 <> 0, 300 + (g % 200), 60 + (g % 40), 0.000081, 'bench'
      FROM (SELECT g, ${FROM}::date + (g % 365) AS d, ${FROM}::timestamptz + (g % 365) * interval '1 day' + (g % 600) * interval '1 minute' AS t,
                   5 + (g % 90) AS m
            FROM generate_series(1, ${conversations}) AS g) s`.execute(db);
    // Aggregates as the pipeline keeps them: one row per user and day, and a global row per day.
    const sums = sql`count(*), sum(message_count), sum(active_duration_minutes), sum(engaged_duration_minutes),
      sum(total_duration_minutes), sum(idle_time_minutes), sum(manual_time_most_likely), sum(manual_time_low), sum(manual_time_high),
      sum(time_saved_minutes), sum(time_saved_engaged_minutes), sum(confidence_level), count(confidence_level),
      count(*) FILTER (WHERE estimate_source = 'heuristic'), sum(cost_usd), sum(input_tokens), sum(output_tokens)`;
    const columns = sql`conversation_count, message_count, total_active_time, total_engaged_time, total_duration_time, total_idle_time,
      total_manual_time_estimated, total_manual_time_low, total_manual_time_high, total_time_saved, total_time_saved_engaged,
      confidence_sum, confidence_count, heuristic_count, llm_cost_usd, input_tokens, output_tokens`;
    await sql`INSERT INTO daily_aggregates (analysis_date, user_id_hash, ${columns})
      SELECT analysis_date, user_id_hash, ${sums} FROM conversation_analysis GROUP BY analysis_date, user_id_hash`.execute(db);
    await sql`INSERT INTO daily_aggregates (analysis_date, user_id_hash, ${columns})
      SELECT analysis_date, NULL, ${sums} FROM conversation_analysis GROUP BY analysis_date`.execute(db);
    await sql`ANALYZE`.execute(db);
    return (performance.now() - started) / 1000;
  } finally {
    await db.destroy();
  }
}

async function runChild(kind: ExportKind, url: string, out: string): Promise<Record<string, unknown>> {
  const { stdout } = await exec(process.execPath, ['bin/run-ts.mjs', 'bench/exports.ts', '--kind', kind, '--url', url, '--from', FROM, '--to', TO, '--out', out], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

export interface ExportBenchFigures {
  detailedCsv: Record<string, unknown>;
  pdf: Record<string, unknown>;
}

export async function benchExports(options: { serverUrl: (database: string) => string; work: string; quick: boolean }): Promise<ExportBenchFigures> {
  const rows = options.quick ? 100_000 : 1_000_000;
  const url = options.serverUrl(`exports_${rows}`);
  await ensureDatabaseExists(url);
  const generateSeconds = await fillDatabase(url, rows);
  const csv = path.join(options.work, 'detailed.csv');
  const detailedCsv = await runChild('detailed', url, csv);
  fs.rmSync(csv, { force: true });
  const pdf = await runChild('pdf', url, path.join(options.work, 'report.pdf'));
  return {
    detailedCsv: { generatedRows: rows, generateSeconds: Math.round(generateSeconds * 10) / 10, ...detailedCsv, target: '≥ 200,000 rows/s, ≤ 200 MB peak RSS' },
    pdf: { period: `${FROM} … ${TO}`, ...pdf, target: '≤ 3 s' },
  };
}

async function child(): Promise<void> {
  const { values } = parseArgs({
    options: { kind: { type: 'string' }, url: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.kind || !values.url || !values.from || !values.to || !values.out) throw new Error('--kind, --url, --from, --to and --out are required');
  const settings = defaultSettings();
  settings.analytics = { mode: 'url', url: values.url };
  settings.reports.organisationName = 'Példa Kft. – Győr';
  // No source configured: names fall back to hashes, as on a machine without the Open WebUI database.
  const context = await createAppContext({ settings, dataDir: path.dirname(values.out), secrets: new EnvSecretStore({ ANALYTICS_SALT: 'bench-salt' }), env: {} });
  try {
    await context.analytics();
    const result = await exportReport(context, { kind: values.kind as ExportKind, from: values.from, to: values.to, out: values.out });
    process.stdout.write(
      JSON.stringify({
        rows: result.rows ?? null,
        seconds: result.seconds,
        ...(result.rows !== undefined ? { rowsPerSecond: Math.round(result.rows / result.seconds) } : {}),
        megabytes: Math.round(result.bytes / 1e5) / 10,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      }) + '\n',
    );
  } finally {
    await context.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await child();
