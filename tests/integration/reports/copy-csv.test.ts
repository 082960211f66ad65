import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CsvRecordEnds, prepareCsvSession } from '../../../src/main/core/reports/copy-csv.ts';
import { DETAILED_HEADER, detailedSelect, writeDetailedCsv } from '../../../src/main/core/reports/conversation-stream.ts';
import { writeCsv } from '../../../src/main/core/reports/csv-writer.ts';
import { exportReport } from '../../../src/main/core/reports/index.ts';
import { connectExportClient } from '../../../src/main/core/reports/pg-stream.ts';
import { resolveUserNames } from '../../../src/main/core/reports/user-names.ts';
import { waitFor } from '../../support/faults-harness.ts';
import { createReportFixture, FROM, hashOf, TO, type ReportFixture } from './fixture.ts';

// The detailed CSV is written by PostgreSQL's COPY (copy-csv.ts). It must be byte for byte the
// file csv-stringify writes from the same cells with the options every other export uses
// (csv-writer.ts): the same quoting, formula prefixes, empty cells and CRLF record ends.

/** Cells that differ between COPY's CSV and csv-stringify unless handled: quotes, separators, line breaks, formula starts, empties. */
const AWKWARD = [
  '',
  'plain',
  'with, comma',
  'with "quotes"',
  '"',
  '""',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\ninside',
  '\nleading newline',
  'trailing newline\n',
  '=1+1',
  '+49 30 1234',
  '-minus',
  '@mention',
  '\ttab first',
  '\rcr first',
  '＝full-width equals',
  '＋full-width plus',
  '－full-width minus',
  '＠full-width at',
  ' leading space',
  "'already quoted",
  '\\.',
  'Árvíztűrő, "tükör"\nfúrógép',
  '😀 emoji',
];

describe('CsvRecordEnds', () => {
  const records = fc.array(fc.array(fc.oneof(fc.constantFrom(...AWKWARD), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }), { maxLength: 12 });

  test('turns LF record ends into CRLF, leaves line breaks inside quoted cells alone, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(records, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), async (rows, cuts) => {
        const options = { quote_record_delimiter: true, quoted_empty: false };
        const copyLike = Buffer.from(stringify(rows, { ...options, record_delimiter: 'unix' }));
        const expected = stringify(rows, { ...options, record_delimiter: 'windows' });
        const chunks: Buffer[] = [];
        for (let at = 0, k = 0; at < copyLike.length; k++) {
          const size = cuts[k % cuts.length]!;
          chunks.push(copyLike.subarray(at, at + size));
          at += size;
        }
        const source = new PassThrough();
        const ends = new CsvRecordEnds();
        const out: Buffer[] = [];
        const sink = new PassThrough();
        sink.on('data', (b: Buffer) => out.push(b));
        const done = pipeline(source, ends, sink);
        for (const chunk of chunks) source.write(chunk);
        source.end();
        await done;
        expect(Buffer.concat(out).toString()).toBe(expected);
        expect(ends.records).toBe(rows.length);
      }),
      { numRuns: 400 },
    );
  });
});

describe('the detailed CSV from COPY', () => {
  let fx: ReportFixture;
  beforeAll(async () => {
    fx = await createReportFixture();
    // Conversations whose free-text cells hold every awkward value (ids, model, category), and
    // one user's chat token count negative (the insights table does not forbid it).
    const template = await sql<{ id: string }>`SELECT conversation_id AS id FROM conversation_analysis ORDER BY conversation_id LIMIT 1`.execute(fx.harness.db);
    const source = template.rows[0]!.id;
    for (const [n, value] of AWKWARD.entries()) {
      await sql`
        INSERT INTO conversation_analysis (conversation_id, user_id_hash, first_message_at, last_message_at, total_duration_minutes,
          active_duration_minutes, idle_time_minutes, engaged_duration_minutes, manual_time_low, manual_time_most_likely, manual_time_high,
          confidence_level, time_saved_minutes, time_saved_engaged_minutes, message_count, analysis_date, estimate_source, model,
          task_category, work_related, task_completed, input_tokens, output_tokens, cost_usd)
        SELECT ${`${value}|${n}`}, user_id_hash, first_message_at, last_message_at, total_duration_minutes, active_duration_minutes,
          idle_time_minutes, engaged_duration_minutes, manual_time_low, manual_time_most_likely, manual_time_high, confidence_level,
          time_saved_minutes, time_saved_engaged_minutes, message_count, analysis_date, estimate_source, ${value}, ${value},
          ${n % 3 === 0 ? null : n % 2 === 0}, task_completed, input_tokens, output_tokens, cost_usd
        FROM conversation_analysis WHERE conversation_id = ${source}`.execute(fx.harness.db);
    }
    await sql`
      INSERT INTO conversation_insights (conversation_id, user_id_hash, analysis_date, input_tokens, output_tokens)
      SELECT conversation_id, user_id_hash, analysis_date, -5, 7 FROM conversation_analysis WHERE conversation_id = ${`${AWKWARD[1]}|1`}`.execute(fx.harness.db);
  }, 120_000);
  afterAll(async () => {
    await fx?.close();
  });

  /** The same cells through csv-stringify: the rows as PostgreSQL formats them, names filled in Node. */
  async function csvStringifyVersion(file: string, filter: { from: string; to: string; userHash: string | null }): Promise<void> {
    const context = await fx.context();
    const { url } = await context.analytics();
    const client = await connectExportClient(url);
    try {
      await prepareCsvSession(client);
      await client.query('CREATE TEMPORARY TABLE export_user_names (hash text PRIMARY KEY, cell text NOT NULL)');
      const { rows } = await client.query<(string | null)[]>({ text: detailedSelect(client, filter, 'text'), rowMode: 'array' });
      const names = await resolveUserNames(context, rows.map((r) => r[DETAILED_HEADER.indexOf('user_hash')]!));
      const user = DETAILED_HEADER.indexOf('user');
      for (const row of rows) row[user] = names.name(row[DETAILED_HEADER.indexOf('user_hash')]!) ?? row[user]!;
      await writeCsv(file, { header: DETAILED_HEADER, records: rows, bom: true });
    } finally {
      await client.end();
    }
  }

  test('dates and instants are ISO whatever DateStyle the database gives new sessions', async () => {
    const context = await fx.context();
    const iso = path.join(fx.dir, 'datestyle-iso.csv');
    await exportReport(context, { kind: 'detailed', from: FROM, to: TO, out: iso });
    const database = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(fx.harness.db)).rows[0]!.name;
    for (const style of ['SQL, DMY', 'German', 'Postgres, MDY']) {
      await sql.raw(`ALTER DATABASE "${database}" SET DateStyle = '${style}'`).execute(fx.harness.db);
      try {
        const file = path.join(fx.dir, `datestyle-${style.replace(/\W+/g, '-')}.csv`);
        await exportReport(context, { kind: 'detailed', from: FROM, to: TO, out: file });
        expect(fs.readFileSync(file).equals(fs.readFileSync(iso)), style).toBe(true);
      } finally {
        await sql.raw(`ALTER DATABASE "${database}" RESET DateStyle`).execute(fx.harness.db);
      }
    }
    expect(fs.readFileSync(iso, 'utf8')).toMatch(/\r\n[^,]*,\d{4}-\d{2}-\d{2},[0-9a-f]+,[^\r]*?,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z,/);
  });

  test('a cancel in the middle of the COPY rejects at once and closes the export connection', async () => {
    const context = await fx.context();
    const { url } = await context.analytics();
    const names = await resolveUserNames(context, []);
    const controller = new AbortController();
    const file = path.join(fx.dir, 'cancelled.csv');
    const started = performance.now();
    const writing = writeDetailedCsv(url, { from: FROM, to: TO, userHash: null }, { hashes: [], names }, file, {
      bom: false,
      signal: controller.signal,
      progressEvery: 1,
      onRecords: (n) => n > 0 && controller.abort(),
    });
    await expect(writing).rejects.toThrow(/abort/i);
    expect(performance.now() - started).toBeLessThan(5_000);
    // The client has said goodbye; the server's backend leaves pg_stat_activity a moment later.
    const exportSessions = async (): Promise<number> =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'cogniforce-analytics-export'`.execute(fx.harness.db)).rows[0]!.n;
    await waitFor('the export session to end', async () => (await exportSessions()) === 0, 5_000);
  });

  test.each([
    ['everyone', null],
    ['one user with a formula for a name', 'u-peter'],
  ])('is byte for byte what csv-stringify writes: %s', async (_name, userId) => {
    const context = await fx.context();
    const filter = { from: FROM, to: TO, userHash: userId ? hashOf(userId) : null };
    const copied = path.join(fx.dir, `copied-${userId ?? 'all'}.csv`);
    const stringified = path.join(fx.dir, `stringified-${userId ?? 'all'}.csv`);
    const result = await exportReport(context, { kind: 'detailed', from: FROM, to: TO, ...(filter.userHash ? { userHash: filter.userHash } : {}), out: copied, bom: true });
    await csvStringifyVersion(stringified, filter);
    const ours = fs.readFileSync(copied);
    const reference = fs.readFileSync(stringified);
    expect(ours.toString('utf8')).toBe(reference.toString('utf8'));
    expect(ours.equals(reference)).toBe(true);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM conversation_analysis WHERE ${filter.userHash ? sql`user_id_hash = ${filter.userHash}` : sql`true`}`.execute(fx.harness.db);
    expect(result.rows).toBe(rows[0]!.n);
    if (!userId) expect(result.rows).toBeGreaterThan(AWKWARD.length);
  });
});
