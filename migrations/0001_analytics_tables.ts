import { sql, type Kysely } from 'kysely';

// The analytics schema (SPEC §5). Written as plain SQL rather than the schema builder because
// the CHECK constraints and expression indexes read better that way and are what a DBA reviews.
// Kysely runs each migration inside one transaction (PostgreSQL has transactional DDL), so a
// failure half-way leaves nothing behind. Statements run one by one: parameterless
// multi-statement strings would work with pg's simple protocol, but nothing should depend on it.

const UP: readonly string[] = [
  // One row per conversation; re-analysis replaces it (unique conversation_id).
  `CREATE TABLE conversation_analysis (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id text NOT NULL UNIQUE,
    user_id_hash varchar(64) NOT NULL,
    first_message_at timestamptz,
    last_message_at timestamptz,
    total_duration_minutes integer,
    active_duration_minutes integer,
    idle_time_minutes integer,
    engaged_duration_minutes integer,
    manual_time_low integer,
    manual_time_most_likely integer,
    manual_time_high integer,
    confidence_level integer,
    time_saved_minutes integer,
    time_saved_engaged_minutes integer,
    message_count integer,
    processed_at timestamptz NOT NULL DEFAULT now(),
    processing_version text,
    conversation_summary text,
    llm_response jsonb,
    analysis_date date NOT NULL,
    source_updated_at timestamptz,
    content_fingerprint text,
    estimate_source text,
    estimate_repaired boolean NOT NULL DEFAULT false,
    model text,
    prompt_version text,
    task_category text,
    work_related boolean,
    task_completed boolean,
    input_tokens integer NOT NULL DEFAULT 0,
    output_tokens integer NOT NULL DEFAULT 0,
    cost_usd numeric(14,6) NOT NULL DEFAULT 0,
    active_intervals jsonb,
    engaged_intervals jsonb,
    run_id bigint,
    CONSTRAINT conversation_analysis_durations_nonnegative CHECK (
      total_duration_minutes >= 0 AND active_duration_minutes >= 0 AND idle_time_minutes >= 0
      AND engaged_duration_minutes >= 0),
    CONSTRAINT conversation_analysis_confidence_range CHECK (confidence_level BETWEEN 0 AND 100),
    CONSTRAINT conversation_analysis_manual_nonnegative CHECK (manual_time_low >= 0),
    CONSTRAINT conversation_analysis_manual_order CHECK (
      manual_time_low <= manual_time_most_likely AND manual_time_most_likely <= manual_time_high),
    CONSTRAINT conversation_analysis_time_saved_nonnegative CHECK (
      time_saved_minutes >= 0 AND time_saved_engaged_minutes >= 0),
    CONSTRAINT conversation_analysis_counts_nonnegative CHECK (
      message_count >= 0 AND input_tokens >= 0 AND output_tokens >= 0 AND cost_usd >= 0),
    CONSTRAINT conversation_analysis_estimate_source CHECK (estimate_source IN ('llm', 'heuristic')),
    -- The aggregate SQL unnests these with jsonb_array_elements, which fails on anything else.
    CONSTRAINT conversation_analysis_intervals_are_arrays CHECK (
      (active_intervals IS NULL OR jsonb_typeof(active_intervals) = 'array')
      AND (engaged_intervals IS NULL OR jsonb_typeof(engaged_intervals) = 'array'))
  )`,
  // Dashboard filters: by period, by user within a period, by category and estimate source.
  `CREATE INDEX conversation_analysis_date_idx ON conversation_analysis (analysis_date)`,
  `CREATE INDEX conversation_analysis_user_date_idx ON conversation_analysis (user_id_hash, analysis_date)`,
  `CREATE INDEX conversation_analysis_category_idx ON conversation_analysis (task_category)`,
  `CREATE INDEX conversation_analysis_source_idx ON conversation_analysis (estimate_source)`,

  // Per (date, user) and one global row per date (user_id_hash NULL). Rebuilt from
  // conversation_analysis for every touched date, never incremented, so re-runs are idempotent.
  // Beyond the seed's columns it keeps the counts behind its averages (confidence_sum/count,
  // heuristic_count) so figures over a period are exact sums, not averages of averages, and the
  // plain sums of duration and idle time for the "active vs idle" chart.
  `CREATE TABLE daily_aggregates (
    id bigserial PRIMARY KEY,
    analysis_date date NOT NULL,
    user_id_hash varchar(64),
    conversation_count integer NOT NULL DEFAULT 0,
    message_count bigint NOT NULL DEFAULT 0,
    total_active_time bigint NOT NULL DEFAULT 0,
    total_engaged_time bigint NOT NULL DEFAULT 0,
    total_duration_time bigint NOT NULL DEFAULT 0,
    total_idle_time bigint NOT NULL DEFAULT 0,
    total_manual_time_estimated bigint NOT NULL DEFAULT 0,
    total_manual_time_low bigint NOT NULL DEFAULT 0,
    total_manual_time_high bigint NOT NULL DEFAULT 0,
    total_time_saved bigint NOT NULL DEFAULT 0,
    total_time_saved_engaged bigint NOT NULL DEFAULT 0,
    avg_time_saved_per_conversation numeric,
    avg_confidence_level numeric,
    confidence_sum bigint NOT NULL DEFAULT 0,
    confidence_count integer NOT NULL DEFAULT 0,
    heuristic_count integer NOT NULL DEFAULT 0,
    heuristic_share numeric,
    llm_cost_usd numeric(16,6) NOT NULL DEFAULT 0,
    input_tokens bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- '' would collide with the global row in the unique index below.
    CONSTRAINT daily_aggregates_user_not_empty CHECK (user_id_hash <> ''),
    CONSTRAINT daily_aggregates_heuristic_share_range CHECK (heuristic_share BETWEEN 0 AND 1),
    CONSTRAINT daily_aggregates_nonnegative CHECK (
      conversation_count >= 0 AND total_active_time >= 0 AND total_engaged_time >= 0
      AND total_time_saved >= 0 AND total_time_saved_engaged >= 0)
  )`,
  // A plain unique index on (analysis_date, user_id_hash) lets any number of global (NULL) rows
  // through because NULLs are distinct. NULLS NOT DISTINCT needs PostgreSQL 15; the COALESCE
  // expression gives the same guarantee on 14 too (range_agg already needs 14).
  `CREATE UNIQUE INDEX daily_aggregates_date_user_key ON daily_aggregates (analysis_date, (COALESCE(user_id_hash, '')))`,
  `CREATE INDEX daily_aggregates_user_date_idx ON daily_aggregates (user_id_hash, analysis_date)`,

  `CREATE TABLE processing_log (
    id bigserial PRIMARY KEY,
    run_date date,
    range_from date,
    range_to date,
    forced boolean NOT NULL DEFAULT false,
    started_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    status text NOT NULL DEFAULT 'running',
    conversations_processed integer NOT NULL DEFAULT 0,
    conversations_skipped integer NOT NULL DEFAULT 0,
    conversations_failed integer NOT NULL DEFAULT 0,
    conversations_unchanged integer NOT NULL DEFAULT 0,
    total_llm_requests integer NOT NULL DEFAULT 0,
    total_llm_cost_usd numeric(14,6) NOT NULL DEFAULT 0,
    processing_duration_seconds numeric,
    error_message text,
    error_details jsonb,
    trigger text NOT NULL,
    host text,
    app_version text,
    pid integer,
    estimator text,
    CONSTRAINT processing_log_status CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
    CONSTRAINT processing_log_trigger CHECK (trigger IN ('schedule', 'manual', 'backfill', 'cli'))
  )`,
  `CREATE INDEX processing_log_started_idx ON processing_log (started_at DESC)`,
  // Finding the live run (lock holder info, interrupted-run recovery) must not scan history.
  `CREATE INDEX processing_log_running_idx ON processing_log (status) WHERE status = 'running'`,

  `CREATE TABLE conversation_skips (
    conversation_id text PRIMARY KEY,
    run_id bigint,
    reason text NOT NULL,
    detail text,
    source_updated_at timestamptz,
    seen_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE conversation_failures (
    conversation_id text PRIMARY KEY,
    run_id bigint,
    error_code text,
    error_message text,
    attempts integer NOT NULL DEFAULT 1,
    last_attempt_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX conversation_failures_last_attempt_idx ON conversation_failures (last_attempt_at)`,

  `CREATE TABLE conversation_insights (
    conversation_id text PRIMARY KEY,
    user_id_hash varchar(64) NOT NULL,
    analysis_date date NOT NULL,
    user_messages integer NOT NULL DEFAULT 0,
    assistant_messages integer NOT NULL DEFAULT 0,
    system_messages integer NOT NULL DEFAULT 0,
    branch_count integer NOT NULL DEFAULT 0,
    models jsonb NOT NULL DEFAULT '{}'::jsonb,
    input_tokens bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    avg_response_seconds numeric,
    median_response_seconds numeric,
    attachments jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversation_insights_models_object CHECK (jsonb_typeof(models) = 'object')
  )`,
  `CREATE INDEX conversation_insights_date_idx ON conversation_insights (analysis_date)`,
  `CREATE INDEX conversation_insights_user_date_idx ON conversation_insights (user_id_hash, analysis_date)`,

  `CREATE TABLE user_engagement (
    user_id_hash varchar(64) PRIMARY KEY,
    conversations integer NOT NULL DEFAULT 0,
    messages integer NOT NULL DEFAULT 0,
    active_days integer NOT NULL DEFAULT 0,
    first_seen date,
    last_seen date,
    input_tokens bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    total_time_saved integer NOT NULL DEFAULT 0,
    total_time_saved_engaged integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE app_meta (
    key text PRIMARY KEY,
    value text
  )`,
  `INSERT INTO app_meta (key, value) VALUES ('schema_created_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))`,
];

const TABLES = [
  'app_meta',
  'user_engagement',
  'conversation_insights',
  'conversation_failures',
  'conversation_skips',
  'processing_log',
  'daily_aggregates',
  'conversation_analysis',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
}
