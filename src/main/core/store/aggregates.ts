import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { daysBetween, firstOfMonth, lastOfMonth } from '../time/days.ts';
import { assertDay, inTransaction } from './util.ts';

// daily_aggregates, its breakdowns (per category, model, and user month) and user_engagement
// are derived data: always rebuilt from conversation_analysis for the touched days/users,
// never incremented, so running the same recompute twice (or after a crash half-way through a
// run) gives identical rows.

/**
 * Serialises recomputes within one database. The run lock already allows one run at a time;
 * this also covers anything else that recomputes (a maintenance command, a second process):
 * without it two transactions could each rebuild a day from a snapshot missing the other's rows.
 */
const AGGREGATE_LOCK_KEY = 6_431_770_215_905_112_091n;

/**
 * Rebuilds the per-user rows and the global row of every given day from conversation_analysis,
 * in one transaction (the caller's, when given one). Days without conversations lose their rows.
 * When a conversation moves from one day to another, pass both days (upsertAnalyses reports
 * the previous one).
 *
 * Active and engaged time: a person with parallel conversations is one person, so per (day,
 * user) the intervals of all their conversations are unioned (range_agg over numranges) before
 * measuring; the global row sums the users' rounded minutes so it equals the sum of user rows.
 * Rows without stored intervals fall back to their stored minutes.
 */
export async function recomputeAggregates(db: Kysely<Database>, dates: readonly string[]): Promise<void> {
  const days = [...new Set(dates)].map((d) => assertDay(d, 'Aggregate day')).sort();
  if (days.length === 0) return;
  await inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(AGGREGATE_LOCK_KEY)})`.execute(trx);
    // A year of conversations needs more than the 4 MB default for its sorts and hash
    // aggregates, which would otherwise spill to disk; LOCAL ends with the transaction.
    await sql`SET LOCAL work_mem = '64MB'`.execute(trx);

    // Rows whose user (or, for the global row, whose day) has no conversation any more. Done
    // before the upsert so the unique index never sees stale rows; the upsert rewrites the rest
    // in place, which keeps created_at meaningful.
    await sql`
      DELETE FROM daily_aggregates d
      WHERE d.analysis_date = ANY(${days}::date[])
        AND NOT EXISTS (
          SELECT 1 FROM conversation_analysis ca
          WHERE ca.analysis_date = d.analysis_date
            AND (d.user_id_hash IS NULL OR ca.user_id_hash = d.user_id_hash))`.execute(trx);

    await rebuildStatement(days).execute(trx);
    for (const statement of rebuildBreakdownStatements(days)) await statement.execute(trx);
  });
}

/**
 * Statements that rebuild the breakdown tables (migration 0004) for `days`, or for every day
 * when null: categories and models per day and user (NULL user: all users) from the raw rows
 * and conversation_insights, and the months of those days per user from daily_aggregates,
 * which must have been rebuilt first. Delete-then-insert: the rows carry nothing but sums.
 */
export function rebuildBreakdownStatements(days: readonly string[] | null) {
  const onDays = days === null ? sql`true` : sql`analysis_date = ANY(${days}::date[])`;
  const months = days === null ? null : [...new Set(days.map(firstOfMonth))].sort();
  const onMonths = months === null ? sql`true` : sql`month = ANY(${months}::date[])`;
  const onMonthDays = months === null ? sql`true` : sql`analysis_date = ANY(${months.flatMap((m) => daysBetween(m, lastOfMonth(m)))}::date[])`;
  return [
    sql`DELETE FROM daily_category_aggregates WHERE ${onDays}`,
    // conversation_analysis.user_id_hash is never NULL, so the second grouping set's NULL user
    // marks the all-users row.
    sql`
      INSERT INTO daily_category_aggregates (analysis_date, user_id_hash, task_category, conversation_count,
        total_manual_time_estimated, total_time_saved, total_time_saved_engaged)
      SELECT analysis_date, user_id_hash, task_category, count(*)::int,
        coalesce(sum(manual_time_most_likely), 0)::bigint, coalesce(sum(time_saved_minutes), 0)::bigint,
        coalesce(sum(time_saved_engaged_minutes), 0)::bigint
      FROM conversation_analysis
      WHERE ${onDays}
      GROUP BY GROUPING SETS ((analysis_date, user_id_hash, task_category), (analysis_date, task_category))`,
    sql`DELETE FROM daily_model_aggregates WHERE ${onDays}`,
    sql`
      INSERT INTO daily_model_aggregates (analysis_date, user_id_hash, model, message_count, conversation_count)
      SELECT analysis_date, user_id_hash, m.key, sum((m.value)::bigint), count(*)::int
      FROM conversation_insights CROSS JOIN LATERAL jsonb_each_text(models) AS m
      WHERE ${onDays}
      GROUP BY GROUPING SETS ((analysis_date, user_id_hash, m.key), (analysis_date, m.key))`,
    sql`DELETE FROM monthly_user_aggregates WHERE ${onMonths}`,
    // A user's day row exists only when they had a conversation that day: count(*) is active days.
    sql`
      INSERT INTO monthly_user_aggregates (month, user_id_hash, conversation_count, message_count, active_days,
        total_active_time, total_engaged_time, total_manual_time_estimated, total_time_saved, total_time_saved_engaged)
      SELECT date_trunc('month', analysis_date)::date, user_id_hash, sum(conversation_count), sum(message_count),
        count(*)::int, sum(total_active_time), sum(total_engaged_time), sum(total_manual_time_estimated),
        sum(total_time_saved), sum(total_time_saved_engaged)
      FROM daily_aggregates
      WHERE user_id_hash IS NOT NULL AND ${onMonthDays}
      GROUP BY 1, 2`,
  ];
}

/** The upsert that rebuilds the rows of `days` (exported for EXPLAIN in benchmarks). */
export function rebuildStatement(days: readonly string[]) {
  return sql`
    WITH ca AS MATERIALIZED (
      -- Only the columns aggregated: the CTE is read four times, and the wide text/json
      -- columns (summary, llm_response) would otherwise be copied along.
      SELECT analysis_date, user_id_hash, message_count, active_duration_minutes,
        engaged_duration_minutes, total_duration_minutes, idle_time_minutes,
        manual_time_most_likely, manual_time_low, manual_time_high, time_saved_minutes,
        time_saved_engaged_minutes, confidence_level, estimate_source, cost_usd,
        input_tokens, output_tokens, active_intervals, engaged_intervals
      FROM conversation_analysis WHERE analysis_date = ANY(${days}::date[])
    ),
    active_union AS (
      SELECT u.analysis_date, u.user_id_hash, sum(upper(r) - lower(r)) AS seconds
      FROM (
        SELECT ca.analysis_date, ca.user_id_hash,
               range_agg(numrange((iv->>0)::numeric, (iv->>1)::numeric)) AS mr
        FROM ca CROSS JOIN LATERAL jsonb_array_elements(ca.active_intervals) AS iv
        WHERE (iv->>1)::numeric > (iv->>0)::numeric
        GROUP BY ca.analysis_date, ca.user_id_hash
      ) u CROSS JOIN LATERAL unnest(u.mr) AS r
      GROUP BY u.analysis_date, u.user_id_hash
    ),
    engaged_union AS (
      SELECT u.analysis_date, u.user_id_hash, sum(upper(r) - lower(r)) AS seconds
      FROM (
        SELECT ca.analysis_date, ca.user_id_hash,
               range_agg(numrange((iv->>0)::numeric, (iv->>1)::numeric)) AS mr
        FROM ca CROSS JOIN LATERAL jsonb_array_elements(ca.engaged_intervals) AS iv
        WHERE (iv->>1)::numeric > (iv->>0)::numeric
        GROUP BY ca.analysis_date, ca.user_id_hash
      ) u CROSS JOIN LATERAL unnest(u.mr) AS r
      GROUP BY u.analysis_date, u.user_id_hash
    ),
    per_user AS (
      SELECT analysis_date, user_id_hash,
        count(*)::int AS conversation_count,
        coalesce(sum(message_count), 0)::bigint AS message_count,
        coalesce(sum(active_duration_minutes) FILTER (WHERE active_intervals IS NULL), 0)::bigint AS active_fallback,
        coalesce(sum(coalesce(engaged_duration_minutes, active_duration_minutes)) FILTER (WHERE engaged_intervals IS NULL), 0)::bigint AS engaged_fallback,
        coalesce(sum(total_duration_minutes), 0)::bigint AS total_duration_time,
        coalesce(sum(idle_time_minutes), 0)::bigint AS total_idle_time,
        coalesce(sum(manual_time_most_likely), 0)::bigint AS total_manual_time_estimated,
        coalesce(sum(manual_time_low), 0)::bigint AS total_manual_time_low,
        coalesce(sum(manual_time_high), 0)::bigint AS total_manual_time_high,
        coalesce(sum(time_saved_minutes), 0)::bigint AS total_time_saved,
        coalesce(sum(time_saved_engaged_minutes), 0)::bigint AS total_time_saved_engaged,
        coalesce(sum(confidence_level), 0)::bigint AS confidence_sum,
        count(confidence_level)::int AS confidence_count,
        (count(*) FILTER (WHERE estimate_source = 'heuristic'))::int AS heuristic_count,
        coalesce(sum(cost_usd), 0) AS llm_cost_usd,
        coalesce(sum(input_tokens), 0)::bigint AS input_tokens,
        coalesce(sum(output_tokens), 0)::bigint AS output_tokens
      FROM ca
      GROUP BY analysis_date, user_id_hash
    ),
    user_rows AS (
      SELECT p.*,
        (round(coalesce(a.seconds, 0) / 60) + p.active_fallback)::bigint AS total_active_time,
        (round(coalesce(e.seconds, 0) / 60) + p.engaged_fallback)::bigint AS total_engaged_time
      FROM per_user p
      LEFT JOIN active_union a ON a.analysis_date = p.analysis_date AND a.user_id_hash = p.user_id_hash
      LEFT JOIN engaged_union e ON e.analysis_date = p.analysis_date AND e.user_id_hash = p.user_id_hash
    ),
    all_rows AS (
      SELECT analysis_date, user_id_hash::varchar(64) AS user_id_hash, conversation_count, message_count,
        total_active_time, total_engaged_time, total_duration_time, total_idle_time,
        total_manual_time_estimated, total_manual_time_low, total_manual_time_high,
        total_time_saved, total_time_saved_engaged, confidence_sum, confidence_count,
        heuristic_count, llm_cost_usd, input_tokens, output_tokens
      FROM user_rows
      UNION ALL
      SELECT analysis_date, NULL::varchar(64), sum(conversation_count)::int, sum(message_count)::bigint,
        sum(total_active_time)::bigint, sum(total_engaged_time)::bigint,
        sum(total_duration_time)::bigint, sum(total_idle_time)::bigint,
        sum(total_manual_time_estimated)::bigint, sum(total_manual_time_low)::bigint, sum(total_manual_time_high)::bigint,
        sum(total_time_saved)::bigint, sum(total_time_saved_engaged)::bigint, sum(confidence_sum)::bigint,
        sum(confidence_count)::int, sum(heuristic_count)::int, sum(llm_cost_usd),
        sum(input_tokens)::bigint, sum(output_tokens)::bigint
      FROM user_rows
      GROUP BY analysis_date
    )
    INSERT INTO daily_aggregates AS d (
      analysis_date, user_id_hash, conversation_count, message_count,
      total_active_time, total_engaged_time, total_duration_time, total_idle_time,
      total_manual_time_estimated, total_manual_time_low, total_manual_time_high,
      total_time_saved, total_time_saved_engaged,
      avg_time_saved_per_conversation, avg_confidence_level,
      confidence_sum, confidence_count, heuristic_count, heuristic_share,
      llm_cost_usd, input_tokens, output_tokens, created_at, updated_at)
    SELECT analysis_date, user_id_hash, conversation_count, message_count,
      total_active_time, total_engaged_time, total_duration_time, total_idle_time,
      total_manual_time_estimated, total_manual_time_low, total_manual_time_high,
      total_time_saved, total_time_saved_engaged,
      total_time_saved::numeric / conversation_count,
      confidence_sum::numeric / nullif(confidence_count, 0),
      confidence_sum, confidence_count, heuristic_count,
      heuristic_count::numeric / conversation_count,
      llm_cost_usd, input_tokens, output_tokens, now(), now()
    FROM all_rows
    ON CONFLICT (analysis_date, (COALESCE(user_id_hash, ''))) DO UPDATE SET
      conversation_count = excluded.conversation_count,
      message_count = excluded.message_count,
      total_active_time = excluded.total_active_time,
      total_engaged_time = excluded.total_engaged_time,
      total_duration_time = excluded.total_duration_time,
      total_idle_time = excluded.total_idle_time,
      total_manual_time_estimated = excluded.total_manual_time_estimated,
      total_manual_time_low = excluded.total_manual_time_low,
      total_manual_time_high = excluded.total_manual_time_high,
      total_time_saved = excluded.total_time_saved,
      total_time_saved_engaged = excluded.total_time_saved_engaged,
      avg_time_saved_per_conversation = excluded.avg_time_saved_per_conversation,
      avg_confidence_level = excluded.avg_confidence_level,
      confidence_sum = excluded.confidence_sum,
      confidence_count = excluded.confidence_count,
      heuristic_count = excluded.heuristic_count,
      heuristic_share = excluded.heuristic_share,
      llm_cost_usd = excluded.llm_cost_usd,
      input_tokens = excluded.input_tokens,
      output_tokens = excluded.output_tokens,
      updated_at = now()`;
}

/** Every day that has conversations or aggregate rows (for a full rebuild after an upgrade). */
export async function recomputeAllAggregates(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ day: string }>`
    SELECT DISTINCT analysis_date AS day FROM conversation_analysis
    UNION SELECT DISTINCT analysis_date FROM daily_aggregates`.execute(db);
  const days = rows.map((r) => r.day);
  await recomputeAggregates(db, days);
  return days.length;
}

/**
 * Rebuilds user_engagement for the given user hashes from their analysed conversations (and
 * those conversations' usage in conversation_insights). Users with no conversation left lose
 * their row. Tokens are the users' own chat usage, not the cost of analysing it.
 */
export async function recomputeUserEngagement(db: Kysely<Database>, userHashes: readonly string[]): Promise<void> {
  const users = [...new Set(userHashes)];
  if (users.length === 0) return;
  await inTransaction(db, async (trx) => {
    await sql`
      DELETE FROM user_engagement ue
      WHERE ue.user_id_hash = ANY(${users}::text[])
        AND NOT EXISTS (SELECT 1 FROM conversation_analysis ca WHERE ca.user_id_hash = ue.user_id_hash)`.execute(trx);
    await sql`
      INSERT INTO user_engagement AS ue (
        user_id_hash, conversations, messages, active_days, first_seen, last_seen,
        input_tokens, output_tokens, total_time_saved, total_time_saved_engaged, updated_at)
      SELECT ca.user_id_hash,
        count(*)::int,
        coalesce(sum(ca.message_count), 0)::int,
        count(DISTINCT ca.analysis_date)::int,
        min(ca.analysis_date),
        max(ca.analysis_date),
        coalesce(sum(ci.input_tokens), 0)::bigint,
        coalesce(sum(ci.output_tokens), 0)::bigint,
        coalesce(sum(ca.time_saved_minutes), 0)::int,
        coalesce(sum(ca.time_saved_engaged_minutes), 0)::int,
        now()
      FROM conversation_analysis ca
      LEFT JOIN conversation_insights ci ON ci.conversation_id = ca.conversation_id
      WHERE ca.user_id_hash = ANY(${users}::text[])
      GROUP BY ca.user_id_hash
      ON CONFLICT (user_id_hash) DO UPDATE SET
        conversations = excluded.conversations,
        messages = excluded.messages,
        active_days = excluded.active_days,
        first_seen = excluded.first_seen,
        last_seen = excluded.last_seen,
        input_tokens = excluded.input_tokens,
        output_tokens = excluded.output_tokens,
        total_time_saved = excluded.total_time_saved,
        total_time_saved_engaged = excluded.total_time_saved_engaged,
        updated_at = now()`.execute(trx);
  });
}
