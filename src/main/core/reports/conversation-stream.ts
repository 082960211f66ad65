import type pg from 'pg';
import type { ConversationFilter } from '../store/queries.ts';
import { copyCsvToFile, csvCell, prepareCsvSession, type CopyCsvOptions } from './copy-csv.ts';
import type { CsvWriteResult } from './csv-writer.ts';
import { connectExportClient } from './pg-stream.ts';
import type { UserNames } from './user-names.ts';

// The detailed export: conversation_analysis in (date, id) order, every cell formatted by
// PostgreSQL and the whole CSV written by its COPY (copy-csv.ts) — the cheapest path for a
// million rows.

/** An instant as ISO 8601 in UTC to the second ("2025-03-30T01:15:00Z"); NULL stays NULL. */
function utcInstant(column: string): string {
  // The timestamp's own output (ISO DateStyle, set for the session) with the T and Z put in:
  // to_char costs twice as much, ≈ 0.5 s for each of the two columns of a million rows.
  return `replace((date_trunc('second', ${column}) AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z'`;
}

/**
 * Columns of the detailed CSV, units in the names; `sql` is the expression that fills it. Most
 * are left in their own type: COPY writes an integer, a numeric or a date (ISO DateStyle) with
 * the same output function a ::text cast calls, and a million rows × 20 casts cost seconds.
 * Booleans are cast (COPY would write t/f). `free`: text from elsewhere or a number without a
 * sign constraint, so it may be empty or start like a spreadsheet formula — a text expression,
 * shaped by csvCell; the other cells cannot (dates, booleans, the hash, numbers the schema keeps
 * at zero or above, the two estimate sources), so they are written as they are.
 */
export const DETAILED_COLUMNS = [
  { header: 'conversation_id', sql: 'a.conversation_id', free: true },
  { header: 'date', sql: 'a.analysis_date' },
  { header: 'user_hash', sql: 'a.user_id_hash' },
  // From the live directory (a temporary table of the export's session): "Name (email)", or the
  // hash when the source could not name it.
  { header: 'user', sql: 'coalesce(n.cell, a.user_id_hash)', free: true },
  { header: 'first_message_at_utc', sql: utcInstant('a.first_message_at') },
  { header: 'last_message_at_utc', sql: utcInstant('a.last_message_at') },
  { header: 'messages', sql: 'a.message_count' },
  { header: 'total_duration_minutes', sql: 'a.total_duration_minutes' },
  { header: 'active_minutes', sql: 'a.active_duration_minutes' },
  { header: 'idle_minutes', sql: 'a.idle_time_minutes' },
  { header: 'engaged_minutes', sql: 'a.engaged_duration_minutes' },
  { header: 'manual_low_minutes', sql: 'a.manual_time_low' },
  { header: 'manual_most_likely_minutes', sql: 'a.manual_time_most_likely' },
  { header: 'manual_high_minutes', sql: 'a.manual_time_high' },
  { header: 'time_saved_engaged_minutes', sql: 'a.time_saved_engaged_minutes' },
  { header: 'time_saved_active_minutes', sql: 'a.time_saved_minutes' },
  { header: 'confidence_percent', sql: 'a.confidence_level' },
  { header: 'estimate_source', sql: 'a.estimate_source' },
  { header: 'estimate_repaired', sql: 'a.estimate_repaired::text' },
  { header: 'estimator_model', sql: 'a.model', free: true },
  { header: 'task_category', sql: 'a.task_category', free: true },
  { header: 'work_related', sql: 'a.work_related::text' },
  { header: 'task_completed', sql: 'a.task_completed::text' },
  { header: 'chat_input_tokens', sql: 'i.input_tokens::text', free: true },
  { header: 'chat_output_tokens', sql: 'i.output_tokens::text', free: true },
  { header: 'estimator_input_tokens', sql: 'a.input_tokens' },
  { header: 'estimator_output_tokens', sql: 'a.output_tokens' },
  { header: 'estimate_cost_usd', sql: 'a.cost_usd' },
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

/**
 * The detailed export's query with its filter values written in as literals (COPY takes no
 * parameters). `copy`: the cells as COPY writes them into the file (csvCell on the free ones);
 * `text`: every cell as the text COPY would write for it, unshaped, for a writer in Node. Either
 * needs a session made by prepareCsvSession.
 */
export function detailedSelect(client: pg.Client, filter: ConversationFilter, form: 'copy' | 'text' = 'copy'): string {
  const columns: readonly { sql: string; free?: boolean }[] = DETAILED_COLUMNS;
  const where = whereClause(filter);
  // Highest first, so $1 never replaces the start of $10.
  let condition = where.sql;
  for (let n = where.params.length; n >= 1; n--) condition = condition.replaceAll(`$${n}`, client.escapeLiteral(String(where.params[n - 1])));
  // The cells are shaped over the sorted rows rather than inside the join: a per-cell function in
  // the join's target list makes the planner trade its parallel hash join and sort for an
  // index walk that was twice as slow (EXPLAIN ANALYZE on 100,000 rows: 0.45 s against 0.94 s).
  const raw = columns.map((c, n) => `${c.sql} AS c${n}`).join(', ');
  const cells = columns.map((c, n) => (form === 'text' ? `c${n}::text` : c.free ? csvCell(`c${n}`) : `c${n}`)).join(', ');
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
    return await copyCsvToFile(client, detailedSelect(client, filter), file, { ...options, header: DETAILED_HEADER });
  } finally {
    // Ends the session with its temporary table; a COPY cut short by a cancel ends with it.
    await client.end().catch(() => undefined);
  }
}
