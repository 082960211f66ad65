// Benchmark fixtures, built once and kept between runs.
//
// 100,000 realistic Open WebUI chats (several GB with the 1 % pasted documents) and a million
// analysed conversations take minutes to generate on a two-core machine, far longer than the
// benchmarks themselves. So they live in a cache folder (default <tmp>/cogniforce-bench-cache,
// or COGNIFORCE_BENCH_CACHE) with one embedded PostgreSQL cluster holding every fixture
// database. Each fixture is described by a small JSON file written only after it was complete,
// so an interrupted build is rebuilt next time. Bump a fixture's version when its generator changes.
// Every date in a fixture is fixed, so a cached fixture means the same thing on any day.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { demoChats, demoUsers, type DemoDatasetOptions } from '../src/main/core/demo/dataset.ts';
import { openOpenWebUiWriter, type OpenWebUiChatRecord, type OpenWebUiUserRecord } from '../src/main/core/source/openwebui-writer.ts';
import { recomputeAggregates, recomputeUserEngagement } from '../src/main/core/store/aggregates.ts';
import { ensureDatabaseExists, openAnalyticsDb } from '../src/main/core/store/connect.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/main/core/store/embedded.ts';
import { hashUserId } from '../src/main/core/store/hash.ts';
import { migrateToLatest } from '../src/main/core/store/migrate.ts';
import { addLocalDays, today, type LocalDate } from '../src/main/core/time/days.ts';

const SOURCE_VERSION = 1;
const ANALYTICS_VERSION = 2;
const SERVE_HOME_VERSION = 1;
const PASSWORD = 'bench';
export const BENCH_SALT = 'bench-salt-0123456789abcdef';
export const ZONE = 'Europe/Budapest';

export interface BenchCache {
  dir: string;
  server: EmbeddedServer;
  url(database: string): string;
  close(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Opens (creating if needed) the cache folder and starts its PostgreSQL cluster. One bench at a time. */
export async function openBenchCache(): Promise<BenchCache> {
  const dir = path.resolve(process.env.COGNIFORCE_BENCH_CACHE ?? path.join(os.tmpdir(), 'cogniforce-bench-cache'));
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, 'lock');
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(fs.readFileSync(lock, 'utf8'));
    if (isAlive(holder) && holder !== process.pid) throw new Error(`Another benchmark (pid ${holder}) is using ${dir}; wait for it or set COGNIFORCE_BENCH_CACHE.`);
    fs.writeFileSync(lock, String(process.pid));
  }
  try {
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), password: PASSWORD });
    const cache: BenchCache = {
      dir,
      server,
      url: (database) => server.url(database),
      async close() {
        await server.stop();
        fs.rmSync(lock, { force: true });
      },
    };
    await pruneStale(cache);
    return cache;
  } catch (error) {
    fs.rmSync(lock, { force: true });
    throw error;
  }
}

/** Fixture databases and files of other versions: left by an older generator, never read again. */
async function pruneStale(cache: BenchCache): Promise<void> {
  const current: Record<string, number> = { webui: SOURCE_VERSION, analytics: ANALYTICS_VERSION };
  const client = new pg.Client({ connectionString: cache.url('postgres') });
  await client.connect();
  let stale: string[];
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^(webui|analytics)_.*_v[0-9]+$'`);
    stale = rows.map((r) => r.datname).filter((name) => Number(/_v(\d+)$/.exec(name)?.[1]) !== current[name.split('_')[0]!]);
  } finally {
    await client.end();
  }
  for (const name of stale) {
    await dropDatabase(cache, name);
    for (const file of fs.readdirSync(cache.dir)) if (file.startsWith(`${name}.`) || file.startsWith(`${name}-`)) fs.rmSync(path.join(cache.dir, file), { force: true });
  }
}

function readMeta<T>(cache: BenchCache, name: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(cache.dir, `${name}.json`), 'utf8')) as T;
  } catch {
    return null;
  }
}

function writeMeta(cache: BenchCache, name: string, meta: unknown): void {
  const file = path.join(cache.dir, `${name}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export async function dropDatabase(cache: BenchCache, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: cache.url('postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// Open WebUI sources: the demo generator's chats (median ≈ 9 KB, 1 % with a pasted document of
// over a megabyte, a few broken and internal rows), written to PostgreSQL and SQLite in one pass.

export interface SourceFixture {
  database: string;
  chats: number;
  users: number;
  /** The pipeline range that covers every chat. */
  from: LocalDate;
  to: LocalDate;
  postgresUrl: string;
  sqliteFile: string;
  sizes: { medianKb: number; p99Kb: number; over1MbShare: number; totalMb: number };
  buildSeconds: number;
  /** True when this run built it (its figures then ran on a machine busy with building). */
  builtNow?: boolean;
}

/** The fixed "now" of every source fixture; chats fall on the 365 days before it. */
const SOURCE_NOW = Date.parse('2025-12-31T18:00:00Z');
const SOURCE_DAYS = 365;

export async function sourceFixture(cache: BenchCache, chats: number, log: (line: string) => void): Promise<SourceFixture> {
  const name = `webui_${chats}_v${SOURCE_VERSION}`;
  const cached = readMeta<SourceFixture>(cache, name);
  if (cached && fs.existsSync(cached.sqliteFile)) return { ...cached, postgresUrl: cache.url(name) };

  const options: DemoDatasetOptions = {
    seed: 7,
    chats,
    users: Math.max(25, Math.round(chats / 200)),
    days: SOURCE_DAYS,
    now: SOURCE_NOW,
    timezone: ZONE,
    largeChatShare: 0.01,
  };
  log(`building the ${chats.toLocaleString('en-US')}-chat Open WebUI fixture (PostgreSQL and SQLite, once) …`);
  const started = performance.now();
  await dropDatabase(cache, name);
  const postgresUrl = cache.url(name);
  await ensureDatabaseExists(postgresUrl);
  const sqliteFile = path.join(cache.dir, `${name}.db`);
  const writers = [
    await openOpenWebUiWriter(postgresUrl, { generation: '0.11', overwrite: true }),
    await openOpenWebUiWriter(sqliteFile, { generation: '0.11', overwrite: true, bulk: true }),
  ];
  const users: OpenWebUiUserRecord[] = demoUsers(options);
  try {
    for (const w of writers) await w.insertUsers(users);
    // 500 chats hold about five pasted documents (≈ 15 MB): memory stays bounded by count alone.
    let batch: OpenWebUiChatRecord[] = [];
    let written = 0;
    // PostgreSQL works on one batch in its own process while SQLite writes it in ours.
    const flush = async (): Promise<void> => {
      await Promise.all(writers.map((w) => w.insertChats(batch)));
      written += batch.length;
      batch = [];
      if (written % 10_000 < 500) log(`  ${written.toLocaleString('en-US')} / ${chats.toLocaleString('en-US')} chats`);
    };
    for (const chat of demoChats(options)) {
      batch.push(chat);
      if (batch.length >= 500) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    for (const w of writers) await w.close();
  }
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query('VACUUM ANALYZE');
  await client.end();

  const db = new Database(sqliteFile, { readonly: true });
  const lengths = (db.prepare('SELECT length(CAST(chat AS BLOB)) FROM chat WHERE chat IS NOT NULL ORDER BY 1').pluck().all() as number[]);
  db.close();
  const at = (q: number): number => lengths[Math.min(lengths.length - 1, Math.floor(q * lengths.length))] ?? 0;
  const end = today(ZONE, SOURCE_NOW);
  const fixture: SourceFixture = {
    database: name,
    chats,
    users: users.length,
    from: addLocalDays(end, -SOURCE_DAYS - 1),
    to: end,
    postgresUrl,
    sqliteFile,
    sizes: {
      medianKb: round(at(0.5) / 1024),
      p99Kb: round(at(0.99) / 1024),
      over1MbShare: round(lengths.filter((n) => n > 1_048_576).length / Math.max(1, lengths.length), 4),
      totalMb: round(lengths.reduce((a, b) => a + b, 0) / 1_048_576, 0),
    },
    buildSeconds: round((performance.now() - started) / 1000),
  };
  writeMeta(cache, name, fixture);
  log(`  built in ${fixture.buildSeconds} s`);
  return { ...fixture, builtNow: true };
}

// ---------------------------------------------------------------------------------------------
// Analytics database: N analysed conversations over two years for U users, inserted directly
// (INSERT … SELECT generate_series, not the pipeline), aggregates rebuilt by the store's own
// recompute, and a small Open WebUI SQLite file holding those users so names resolve as in
// the console.

export interface AnalyticsFixture {
  database: string;
  conversations: number;
  users: number;
  url: string;
  /** Holds the users (only) whose salted hashes the rows carry. */
  usersSource: string;
  from: LocalDate;
  to: LocalDate;
  buildSeconds: number;
  builtNow?: boolean;
}

const ANALYTICS_FROM = '2024-01-01';
const ANALYTICS_TO = '2025-12-31';
const ANALYTICS_DAYS = 731;

export async function analyticsFixture(cache: BenchCache, conversations: number, userCount: number, log: (line: string) => void): Promise<AnalyticsFixture> {
  const name = `analytics_${conversations}_${userCount}_v${ANALYTICS_VERSION}`;
  const cached = readMeta<AnalyticsFixture>(cache, name);
  const url = cache.url(name);
  if (cached && fs.existsSync(cached.usersSource)) {
    // A migration added since the fixture was built (an index, say) applies here, as in an upgrade.
    const db = openAnalyticsDb(url);
    try {
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) await sql`ANALYZE`.execute(db);
    } finally {
      await db.destroy();
    }
    return { ...cached, url };
  }

  log(`building the ${conversations.toLocaleString('en-US')}-conversation analytics fixture (once) …`);
  const started = performance.now();
  await dropDatabase(cache, name);
  await ensureDatabaseExists(url);
  const users: OpenWebUiUserRecord[] = Array.from({ length: userCount }, (_, i) => ({
    id: `bench-user-${i}`,
    name: `Bench User ${i}`,
    email: `user${i}@example.com`,
    createdAt: Date.parse(`${ANALYTICS_FROM}T00:00:00Z`) / 1000,
  }));
  const hashes = users.map((u) => hashUserId(BENCH_SALT, u.id));
  const usersSource = path.join(cache.dir, `${name}-users.db`);
  const writer = await openOpenWebUiWriter(usersSource, { generation: '0.11', overwrite: true });
  await writer.insertUsers(users);
  await writer.close();

  const db = openAnalyticsDb(url);
  try {
    await migrateToLatest(db);
    // Users are skewed (a few heavy users, a long tail: u² over a hash of g), days uniform over
    // two years and inserted day after day, as nightly runs and backfills store them (rows of a
    // day share pages, which is what a period's queries read), ten-minute-ish conversations with
    // one active and one engaged interval each.
    await sql`
      INSERT INTO conversation_analysis (conversation_id, user_id_hash, analysis_date, first_message_at, last_message_at,
        total_duration_minutes, active_duration_minutes, idle_time_minutes, engaged_duration_minutes,
        manual_time_low, manual_time_most_likely, manual_time_high, confidence_level,
        time_saved_minutes, time_saved_engaged_minutes, message_count, estimate_source, model,
        task_category, work_related, task_completed, input_tokens, output_tokens, cost_usd, processing_version,
        source_updated_at, content_fingerprint, conversation_summary, active_intervals, engaged_intervals)
      SELECT 'bench-' || g, h.hash, d, t, t + (a + i) * interval '1 minute',
        a + i, a, i, a + (g % 7),
        m / 2, m, m * 2, 20 + (g % 70),
        greatest(0, m - a), greatest(0, m - a - (g % 7)), 2 + (g % 12),
        CASE WHEN g % 5 = 0 THEN 'heuristic' ELSE 'llm' END, CASE WHEN g % 5 = 0 THEN 'heuristic-v1' ELSE 'gpt-4o-mini' END,
        (ARRAY['writing','coding','analysis','translation','summarization','research','communication','other'])[1 + g % 8],
        g % 11 <> 0, g % 7 <> 0, 300 + (g % 200), 60 + (g % 40), 0.000081, 'bench',
        t + (a + i) * interval '1 minute', md5(g::text), '{"taskTypeGuess":"coding"}',
        jsonb_build_array(jsonb_build_array(extract(epoch FROM t), extract(epoch FROM t) + a * 60)),
        jsonb_build_array(jsonb_build_array(extract(epoch FROM t), extract(epoch FROM t) + (a + (g % 7)) * 60))
      FROM (SELECT g, ${ANALYTICS_FROM}::date + ((g - 1) * ${ANALYTICS_DAYS}::bigint / ${conversations})::int AS d,
                   (${ANALYTICS_FROM}::date + ((g - 1) * ${ANALYTICS_DAYS}::bigint / ${conversations})::int)::timestamp AT TIME ZONE ${ZONE}
                     + interval '8 hours' + ((g::bigint * 7919) % 540) * interval '1 minute' AS t,
                   5 + (g % 90) AS m, g % 25 AS a, g % 17 AS i,
                   ((g::bigint * 2654435761) % 4294967296) / 4294967296.0 AS u
            FROM generate_series(1, ${conversations}) AS g) s
      JOIN unnest(${hashes}::text[]) WITH ORDINALITY AS h(hash, n) ON h.n = 1 + floor(${userCount} * u * u)::int`.execute(db);
    // The store's own recompute, a month at a time (each call is one transaction).
    const days: string[] = [];
    for (let d = ANALYTICS_FROM; d <= ANALYTICS_TO; d = addLocalDays(d, 1)) days.push(d);
    // What the pipeline stores next to each analysis: message counts, chat models, chat tokens.
    await sql`
      INSERT INTO conversation_insights (conversation_id, user_id_hash, analysis_date, user_messages, assistant_messages,
        branch_count, models, input_tokens, output_tokens, avg_response_seconds, median_response_seconds)
      SELECT conversation_id, user_id_hash, analysis_date, message_count / 2, message_count - message_count / 2, 1,
        jsonb_build_object((ARRAY['gpt-4o', 'gpt-4o-mini', 'llama3.1:8b', 'mistral-small:24b'])[1 + abs(hashtext(conversation_id)) % 4], message_count - message_count / 2),
        40 * message_count, 120 * message_count, 6, 5
      FROM conversation_analysis`.execute(db);
    log(`  rows inserted (${round((performance.now() - started) / 1000)} s)`);
    for (let i = 0; i < days.length; i += 31) await recomputeAggregates(db, days.slice(i, i + 31));
    log(`  daily aggregates rebuilt (${round((performance.now() - started) / 1000)} s)`);
    await recomputeUserEngagement(db, hashes);
  } finally {
    await db.destroy();
  }
  // Autovacuum would get there on a real server; the visibility map matters to index-only scans.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('VACUUM ANALYZE');
  await client.end();
  const fixture: AnalyticsFixture = {
    database: name,
    conversations,
    users: userCount,
    url,
    usersSource,
    from: ANALYTICS_FROM,
    to: ANALYTICS_TO,
    buildSeconds: round((performance.now() - started) / 1000),
  };
  writeMeta(cache, name, fixture);
  log(`  built in ${fixture.buildSeconds} s`);
  return { ...fixture, builtNow: true };
}

// ---------------------------------------------------------------------------------------------
// A console home for `serve`: the demo dataset (25 users, 60 days up to today) backfilled with
// the heuristic into an embedded analytics database inside the home. Rebuilt once a day, since
// the dashboard opens on the last 30 days.

export interface ServeHomeFixture {
  home: string;
  env: Record<string, string>;
  day: LocalDate;
  buildSeconds: number;
}

export async function serveHomeFixture(cache: BenchCache, log: (line: string) => void): Promise<ServeHomeFixture> {
  const day = today(ZONE);
  const name = `serve_home_v${SERVE_HOME_VERSION}`;
  const cached = readMeta<ServeHomeFixture>(cache, name);
  if (cached && cached.day === day && fs.existsSync(cached.home)) return cached;
  log('preparing the demo console home for serve (once a day) …');
  const started = performance.now();
  const home = path.join(cache.dir, 'serve-home');
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  const env = {
    COGNIFORCE_HOME: home,
    ANALYTICS_SALT: BENCH_SALT,
    COGNIFORCE_EMBEDDED_DB_PASSWORD: crypto.randomBytes(18).toString('base64url'),
    TZ: ZONE,
  };
  // Imported here: the app context pulls in the whole main process, which the other fixtures do not need.
  const { writeDemoDatabase } = await import('../src/main/core/demo/dataset.ts');
  const { defaultSettings } = await import('../src/main/core/config/settings.ts');
  const { writeSettingsFile } = await import('../src/main/core/config/load.ts');
  const { createAppContext } = await import('../src/main/core/app/context.ts');
  const { runRange } = await import('../src/main/core/app/operations.ts');
  const { EnvSecretStore } = await import('../src/main/core/secrets/store.ts');
  const sourceFile = path.join(home, 'webui.db');
  await writeDemoDatabase(sourceFile, { seed: 42, users: 25, days: 60, timezone: ZONE });
  const settings = defaultSettings();
  settings.source.url = sourceFile;
  settings.analytics = { mode: 'embedded' };
  settings.llm.estimator = 'heuristic';
  settings.processing.timezone = ZONE;
  settings.processing.maxConversations = 10_000_000;
  writeSettingsFile(home, settings);
  const context = await createAppContext({ env, secrets: new EnvSecretStore(env) });
  try {
    const to = today(ZONE);
    await runRange(context, { from: addLocalDays(to, -61), to, force: false, trigger: 'cli' });
  } finally {
    await context.close();
  }
  const fixture: ServeHomeFixture = { home, env, day, buildSeconds: round((performance.now() - started) / 1000) };
  writeMeta(cache, name, fixture);
  return fixture;
}
