import { sql, type Kysely } from 'kysely';

// The Conversations page opens on the newest last message first, 50 a page. Without an index in
// that order PostgreSQL sorts every conversation of the period to return 50 of them: on a
// million analysed conversations a year's first page took about 1 s (bench/dashboard.ts,
// EXPLAIN ANALYZE: a sort over ~500,000 rows). Walking this index from the newest entry stops
// after one page; analysis_date is carried along so the period is checked in the index itself,
// without visiting the rows of other periods. Its page total comes from daily_aggregates
// (store/queries.ts), so neither part of the first page grows with the period any more.

const UP: readonly string[] = [
  `CREATE INDEX conversation_analysis_last_message_idx
     ON conversation_analysis (last_message_at DESC NULLS LAST, conversation_id DESC, analysis_date)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS conversation_analysis_last_message_idx').execute(db);
}
