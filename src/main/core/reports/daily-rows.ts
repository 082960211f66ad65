import { streamTextRows, type TextRow } from './pg-stream.ts';

// The daily CSV: one row per day for everyone (every day of the period, zeros included, as the
// console's trend shows it) followed on each day by one row per user who was active that day.
// With a user filter, one row per day for that user. All cells formatted by PostgreSQL.

export const DAILY_HEADER: readonly string[] = [
  'date',
  'scope',
  'user_hash',
  'user',
  'conversations',
  'messages',
  'engaged_minutes',
  'active_minutes',
  'idle_minutes',
  'manual_low_minutes',
  'manual_most_likely_minutes',
  'manual_high_minutes',
  'time_saved_engaged_minutes',
  'time_saved_active_minutes',
  'avg_confidence_percent',
  'heuristic_share_percent',
  'llm_cost_usd',
];

export const DAILY_USER_HASH_INDEX = DAILY_HEADER.indexOf('user_hash');
export const DAILY_USER_INDEX = DAILY_HEADER.indexOf('user');

const FIGURES = `coalesce(a.conversation_count, 0)::text, coalesce(a.message_count, 0)::text,
  coalesce(a.total_engaged_time, 0)::text, coalesce(a.total_active_time, 0)::text, coalesce(a.total_idle_time, 0)::text,
  coalesce(a.total_manual_time_low, 0)::text, coalesce(a.total_manual_time_estimated, 0)::text, coalesce(a.total_manual_time_high, 0)::text,
  coalesce(a.total_time_saved_engaged, 0)::text, coalesce(a.total_time_saved, 0)::text,
  round(a.confidence_sum::numeric / nullif(a.confidence_count, 0), 1)::text,
  round(100.0 * a.heuristic_count / nullif(a.conversation_count, 0), 1)::text,
  coalesce(a.llm_cost_usd, 0)::text`;

export function streamDailyRows(url: string, period: { from: string; to: string; userHash?: string | null }): AsyncGenerator<TextRow> {
  const days = `generate_series($1::date, $2::date, interval '1 day') AS d`;
  if (period.userHash) {
    return streamTextRows(
      url,
      `SELECT d::date::text, 'user', $3::text, NULL, ${FIGURES}
       FROM ${days} LEFT JOIN daily_aggregates a ON a.analysis_date = d::date AND a.user_id_hash = $3
       ORDER BY d`,
      [period.from, period.to, period.userHash],
    );
  }
  return streamTextRows(
    url,
    `SELECT * FROM (
       SELECT d::date::text AS date, 'all' AS scope, NULL::text AS user_hash, NULL AS "user", ${FIGURES}
       FROM ${days} LEFT JOIN daily_aggregates a ON a.analysis_date = d::date AND a.user_id_hash IS NULL
       UNION ALL
       SELECT a.analysis_date::text, 'user', a.user_id_hash, NULL, ${FIGURES}
       FROM daily_aggregates a
       WHERE a.analysis_date BETWEEN $1::date AND $2::date AND a.user_id_hash IS NOT NULL
     ) rows ORDER BY date, scope, user_hash`,
    [period.from, period.to],
  );
}
