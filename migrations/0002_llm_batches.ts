import { sql, type Kysely } from 'kysely';

// OpenAI Batch mode (src/main/core/pipeline/batch-run.ts). A scheduled run that sent its
// estimates to the Batch API waits for up to 24 hours without holding the run lock; what it
// waits on is kept here so any later start (after a restart, on another workstation sharing the
// database) can poll the batch and collect it. Its processing_log row has status 'waiting'.

const UP: readonly string[] = [
  `CREATE TABLE llm_batches (
    id bigserial PRIMARY KEY,
    -- The processing_log row that shows the night as waiting.
    run_id bigint NOT NULL,
    -- preparing → submitted → collected; abandoned when a crash hit before the batch existed.
    status text NOT NULL DEFAULT 'preparing',
    batch_id text UNIQUE,
    input_file_id text,
    remote_status text,
    model text NOT NULL,
    prompt_version text NOT NULL,
    range_from date NOT NULL,
    range_to date NOT NULL,
    request_count integer NOT NULL DEFAULT 0,
    -- [{ "customId", "key", "conversationId" }]: which answer belongs to which summary.
    items jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    last_polled_at timestamptz,
    collected_at timestamptz,
    -- The run that stored the answers.
    collected_run_id bigint,
    error_message text,
    CONSTRAINT llm_batches_status CHECK (status IN ('preparing', 'submitted', 'collected', 'abandoned')),
    CONSTRAINT llm_batches_items_array CHECK (jsonb_typeof(items) = 'array')
  )`,
  `CREATE INDEX llm_batches_open_idx ON llm_batches (status) WHERE status IN ('preparing', 'submitted')`,
  // Runs waiting on a batch get their own status, so the Runs page and Health can say so.
  `ALTER TABLE processing_log DROP CONSTRAINT processing_log_status`,
  `ALTER TABLE processing_log ADD CONSTRAINT processing_log_status
     CHECK (status IN ('running', 'waiting', 'completed', 'failed', 'cancelled', 'interrupted'))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`UPDATE processing_log SET status = 'interrupted' WHERE status = 'waiting'`).execute(db);
  await sql.raw(`ALTER TABLE processing_log DROP CONSTRAINT processing_log_status`).execute(db);
  await sql
    .raw(`ALTER TABLE processing_log ADD CONSTRAINT processing_log_status CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted'))`)
    .execute(db);
  await sql.raw('DROP TABLE IF EXISTS llm_batches').execute(db);
}
