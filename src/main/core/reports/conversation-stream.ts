import type { ConversationFilter } from '../store/queries.ts';
import { connectExportClient, streamTextRows, type TextRow } from './pg-stream.ts';

// The detailed export reads conversation_analysis through a server-side cursor (pg-stream.ts)
// in (date, id) order. PostgreSQL formats every cell as text (ISO instants in UTC, booleans as
// true/false), so Node only passes strings on — the cheapest path for a million rows.

/** Columns of the detailed CSV, units in the names; `sql` is the text expression that fills it. */
export const DETAILED_COLUMNS = [
  { header: 'conversation_id', sql: 'a.conversation_id' },
  { header: 'date', sql: 'a.analysis_date::text' },
  { header: 'user_hash', sql: 'a.user_id_hash' },
  // Filled in Node from the live directory: "Name (email)", or the hash when the source is unreachable.
  { header: 'user', sql: 'NULL' },
  { header: 'first_message_at_utc', sql: `to_char(a.first_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')` },
  { header: 'last_message_at_utc', sql: `to_char(a.last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')` },
  { header: 'messages', sql: 'a.message_count::text' },
  { header: 'total_duration_minutes', sql: 'a.total_duration_minutes::text' },
  { header: 'active_minutes', sql: 'a.active_duration_minutes::text' },
  { header: 'idle_minutes', sql: 'a.idle_time_minutes::text' },
  { header: 'engaged_minutes', sql: 'a.engaged_duration_minutes::text' },
  { header: 'manual_low_minutes', sql: 'a.manual_time_low::text' },
  { header: 'manual_most_likely_minutes', sql: 'a.manual_time_most_likely::text' },
  { header: 'manual_high_minutes', sql: 'a.manual_time_high::text' },
  { header: 'time_saved_engaged_minutes', sql: 'a.time_saved_engaged_minutes::text' },
  { header: 'time_saved_active_minutes', sql: 'a.time_saved_minutes::text' },
  { header: 'confidence_percent', sql: 'a.confidence_level::text' },
  { header: 'estimate_source', sql: 'a.estimate_source' },
  { header: 'estimate_repaired', sql: 'a.estimate_repaired::text' },
  { header: 'estimator_model', sql: 'a.model' },
  { header: 'task_category', sql: 'a.task_category' },
  { header: 'work_related', sql: 'a.work_related::text' },
  { header: 'task_completed', sql: 'a.task_completed::text' },
  { header: 'chat_input_tokens', sql: 'i.input_tokens::text' },
  { header: 'chat_output_tokens', sql: 'i.output_tokens::text' },
  { header: 'estimator_input_tokens', sql: 'a.input_tokens::text' },
  { header: 'estimator_output_tokens', sql: 'a.output_tokens::text' },
  { header: 'estimate_cost_usd', sql: 'a.cost_usd::text' },
] as const;

export const DETAILED_HEADER: readonly string[] = DETAILED_COLUMNS.map((c) => c.header);
export const USER_HASH_INDEX = DETAILED_HEADER.indexOf('user_hash');
export const USER_INDEX = DETAILED_HEADER.indexOf('user');

function whereClause(filter: ConversationFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [filter.from, filter.to];
  const parts = ['a.analysis_date BETWEEN $1::date AND $2::date'];
  const add = (expression: string, value: unknown): void => {
    params.push(value);
    parts.push(expression.replace('?', `$${params.length}`));
  };
  if (filter.userHash) add('a.user_id_hash = ?', filter.userHash);
  if (filter.category) add('a.task_category = ?', filter.category);
  if (filter.source) add('a.estimate_source = ?', filter.source);
  if (filter.minConfidence !== undefined && filter.minConfidence !== null) add('a.confidence_level >= ?', filter.minConfidence);
  if (filter.workRelated !== undefined && filter.workRelated !== null) add('a.work_related = ?', filter.workRelated);
  if (filter.taskCompleted !== undefined && filter.taskCompleted !== null) add('a.task_completed = ?', filter.taskCompleted);
  return { sql: parts.join(' AND '), params };
}

/** How many rows the detailed export will write (for progress), and the distinct users in it. */
export async function detailedScope(url: string, filter: ConversationFilter): Promise<{ rows: number; userHashes: string[] }> {
  const where = whereClause(filter);
  const client = await connectExportClient(url);
  try {
    const { rows } = await client.query<{ n: string; users: string[] | null }>(
      `SELECT count(*)::text AS n, array_agg(DISTINCT a.user_id_hash) AS users FROM conversation_analysis a WHERE ${where.sql}`,
      where.params,
    );
    return { rows: Number(rows[0]?.n ?? 0), userHashes: rows[0]?.users ?? [] };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every conversation matching the filter, in (date, id) order, as text cells in DETAILED_COLUMNS order. */
export function streamDetailedRows(url: string, filter: ConversationFilter, batchSize = 2_000): AsyncGenerator<TextRow> {
  const where = whereClause(filter);
  const query = `SELECT ${DETAILED_COLUMNS.map((c) => c.sql).join(', ')}
    FROM conversation_analysis a LEFT JOIN conversation_insights i ON i.conversation_id = a.conversation_id
    WHERE ${where.sql}
    ORDER BY a.analysis_date, a.conversation_id`;
  return streamTextRows(url, query, where.params, batchSize);
}
