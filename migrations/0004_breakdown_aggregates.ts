import { sql, type Kysely } from 'kysely';
import { rebuildBreakdownStatements } from '../src/main/core/store/aggregates.ts';

// The dashboard's categories, models and top users read, for a year of a million analysed
// conversations, half a million raw rows (categories, models) or 400,000 per-user day rows (top
// users) per call: 0.4–0.7 s each (bench/dashboard.ts). These tables hold the same sums at a
// coarser grain, derived like daily_aggregates (rebuilt for the touched days in the same
// transaction, never incremented): per day, user and category; per day, user and model; per
// month and user. A NULL user_id_hash is the row of all users, as in daily_aggregates.

const UP: readonly string[] = [
  `CREATE TABLE daily_category_aggregates (
    analysis_date date NOT NULL,
    user_id_hash varchar(64),
    task_category text,
    conversation_count integer NOT NULL,
    total_manual_time_estimated bigint NOT NULL,
    total_time_saved bigint NOT NULL,
    total_time_saved_engaged bigint NOT NULL
  )`,
  // A btree finds "user_id_hash IS NULL" as it finds a value, so one index serves both the
  // all-users rows and one user's.
  `CREATE INDEX daily_category_aggregates_user_date_idx ON daily_category_aggregates (user_id_hash, analysis_date)`,
  `CREATE INDEX daily_category_aggregates_date_idx ON daily_category_aggregates (analysis_date)`,
  `CREATE TABLE daily_model_aggregates (
    analysis_date date NOT NULL,
    user_id_hash varchar(64),
    model text NOT NULL,
    message_count bigint NOT NULL,
    conversation_count integer NOT NULL
  )`,
  `CREATE INDEX daily_model_aggregates_user_date_idx ON daily_model_aggregates (user_id_hash, analysis_date)`,
  `CREATE INDEX daily_model_aggregates_date_idx ON daily_model_aggregates (analysis_date)`,
  `CREATE TABLE monthly_user_aggregates (
    month date NOT NULL,
    user_id_hash varchar(64) NOT NULL,
    conversation_count bigint NOT NULL,
    message_count bigint NOT NULL,
    active_days integer NOT NULL,
    total_active_time bigint NOT NULL,
    total_engaged_time bigint NOT NULL,
    total_manual_time_estimated bigint NOT NULL,
    total_time_saved bigint NOT NULL,
    total_time_saved_engaged bigint NOT NULL,
    PRIMARY KEY (month, user_id_hash),
    CONSTRAINT monthly_user_aggregates_first_of_month CHECK (extract(day FROM month) = 1)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
  // Databases from before this migration: fill the new tables from the rows already analysed.
  for (const statement of rebuildBreakdownStatements(null)) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['monthly_user_aggregates', 'daily_model_aggregates', 'daily_category_aggregates']) {
    await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
  }
}
