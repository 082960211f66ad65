import type pg from 'pg';
import type { ConversationFilter } from '../store/queries.ts';
import { copyCsvToFile, csvCell, prepareCsvSession, type CopyCsvOptions } from './copy-csv.ts';
import type { CsvWriteResult } from './csv-writer.ts';
import { connectExportClient } from './pg-stream.ts';
import type { UserNames } from './user-names.ts';

// The detailed export: conversation_analysis in (date, id) order, every cell formatted as text
// by PostgreSQL (ISO instants in UTC, booleans as true/false) and the whole CSV written by its
// COPY (copy-csv.ts) — the cheapest path for a million rows.

/**
 * Columns of the detailed CSV, units in the names; `sql` is the text expression that fills it.
 * `free`: text from elsewhere or a number without a sign constraint, so it may be empty or start
 * like a spreadsheet formula; the other cells cannot (dates, booleans, the hash, numbers the
 * schema keeps at zero or above, the two estimate sources), so they are written as they are.
 */
export const DETAILED_COLUMNS = [
  { header: 'conversation_id', sql: 'a.conversation_id', free: true },
  { header: 'date', sql: 'a.analysis_date::text' },
  { header: 'user_hash', sql: 'a.user_id_hash' },
  // From the live directory (a temporary table of the export's session): "Name (email)", or the
  // hash when the source could not name it.
  { header: 'user', sql: 'coalesce(n.cell, a.user_id_hash)', free: true },
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
  { header: 'estimator_model', sql: 'a.model', free: true },
  { header: 'task_category', sql: 'a.task_category', free: true },
  { header: 'work_related', sql: 'a.work_related::text' },
  { header: 'task_completed', sql: 'a.task_completed::text' },
  { header: 'chat_input_tokens', sql: 'i.input_tokens::text', free: true },
  { header: 'chat_output_tokens', sql: 'i.output_tokens::text', free: true },
  { header: 'estimator_input_tokens', sql: 'a.input_tokens::text' },
  { header: 'estimator_output_tokens', sql: 'a.output_tokens::text' },
  { header: 'estimate_cost_usd', sql: 'a.cost_usd::text' },
] as const;

export const DETAILED_HEADER: readonly string[] = DETAILED_COLUMNS.map((c) => c.header);

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

/** The detailed export's query with its filter values written in as literals (COPY takes no parameters). */
export function detailedSelect(client: pg.Client, filter: ConversationFilter, cell: (sql: string) => string = (sql) => sql): string {
  const columns: readonly { sql: string; free?: boolean }[] = DETAILED_COLUMNS;
  const where = whereClause(filter);
  // Highest first, so $1 never replaces the start of $10.
  let condition = where.sql;
  for (let n = where.params.length; n >= 1; n--) condition = condition.replaceAll(`$${n}`, client.escapeLiteral(String(where.params[n - 1])));
  // The cells are shaped over the sorted rows rather than inside the join: a per-cell function in
  // the join's target list makes the planner trade its parallel hash join and sort for an
  // index walk that was twice as slow (EXPLAIN ANALYZE on 100,000 rows: 0.45 s against 0.94 s).
  const raw = columns.map((c, n) => `${c.sql} AS c${n}`).join(', ');
  const cells = columns.map((c, n) => (c.free ? cell(`c${n}`) : `c${n}`)).join(', ');
  // The outer ORDER BY names the inner one's keys, so it costs no second sort and the order
  // does not rest on the subquery's alone.
  return `SELECT ${cells} FROM (
    SELECT ${raw}, a.analysis_date AS order_date, a.conversation_id AS order_id
    FROM conversation_analysis a
      LEFT JOIN conversation_insights i ON i.conversation_id = a.conversation_id
      LEFT JOIN pg_temp.export_user_names n ON n.hash = a.user_id_hash
    WHERE ${condition}
    ORDER BY a.analysis_date, a.conversation_id
  ) AS rows_in_order
  ORDER BY order_date, order_id`;
}

/** Every conversation matching the filter as the detailed CSV, users named by `names`. */
export async function writeDetailedCsv(
  url: string,
  filter: ConversationFilter,
  names: { hashes: readonly string[]; names: UserNames },
  file: string,
  options: Omit<CopyCsvOptions, 'header'>,
): Promise<CsvWriteResult> {
  const client = await connectExportClient(url);
  try {
    await prepareCsvSession(client);
    // The session is the export's own: more room for its sort than the 4 MB default (at a
    // million rows it still spills to disk, in fewer and larger runs).
    await client.query(`SET work_mem = '64MB'`);
    await client.query('CREATE TEMPORARY TABLE export_user_names (hash text PRIMARY KEY, cell text NOT NULL)');
    const named = names.hashes.flatMap((hash) => {
      const cell = names.names.name(hash);
      return cell === null ? [] : [[hash, cell] as const];
    });
    if (named.length > 0) {
      await client.query('INSERT INTO export_user_names SELECT * FROM unnest($1::text[], $2::text[])', [named.map(([h]) => h), named.map(([, c]) => c)]);
    }
    return await copyCsvToFile(client, detailedSelect(client, filter, csvCell), file, { ...options, header: DETAILED_HEADER });
  } finally {
    // Ends the session with its temporary table; a COPY cut short by a cancel ends with it.
    await client.end().catch(() => undefined);
  }
}
