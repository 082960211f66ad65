import pg from 'pg';
import Cursor from 'pg-cursor';
import { normaliseChatRow, type NormaliseOptions, type RawChatMessageRow, type RawChatRow } from './normalise.ts';
import {
  CHAT_FIELDS,
  CHAT_MESSAGE_FIELDS,
  USER_FIELDS,
  assertOpenWebUiShape,
  columnTypeOfChat,
  quoteIdent,
  selectList,
  type SourceShape,
} from './shape.ts';
import type { ReadOptions, SourceInfo, SourceReader, SourceRow, SourceUser } from './types.ts';
import { describePostgresTarget, redactDatabaseUrl } from './url.ts';

// Reads an Open WebUI PostgreSQL database. Every session is started with
// default_transaction_read_only=on, so even a bug here cannot write to the source.

export interface PostgresTarget {
  connectionString: string;
  /** Open WebUI's DATABASE_SCHEMA; default: the session's current schema (public). */
  schema?: string;
}

export interface PostgresReaderOptions {
  /** Rows fetched per cursor round trip (default 200). */
  batchSize?: number;
  normalise?: NormaliseOptions;
  /** Connect timeout in milliseconds (default 10 s). */
  connectTimeoutMs?: number;
}

type ChatRowWithIds = RawChatRow & { message_ids: string[] | null };

const READ_ONLY = '-c default_transaction_read_only=on';

/**
 * Client configuration for the source. Parameters inside a connection string override the
 * config object in node-postgres, so a user-supplied `options=` is lifted out of the URL and
 * our read-only switch is appended after it (the last `-c` wins).
 */
export function postgresClientConfig(target: PostgresTarget, connectTimeoutMs = 10_000): pg.ClientConfig {
  let connectionString = target.connectionString;
  let userOptions = '';
  const q = connectionString.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(connectionString.slice(q + 1));
    userOptions = params.get('options') ?? '';
    if (params.has('options')) {
      params.delete('options');
      const rest = params.toString();
      connectionString = connectionString.slice(0, q) + (rest ? `?${rest}` : '');
    }
  }
  return {
    connectionString,
    options: userOptions ? `${userOptions} ${READ_ONLY}` : READ_ONLY,
    application_name: 'cogniforce-analytics',
    connectionTimeoutMillis: connectTimeoutMs,
  };
}

function passwordOf(connectionString: string): string | null {
  const match = /^[a-z0-9+.-]+:\/\/[^:/?#]*:([^@]*)@/i.exec(connectionString);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** A readable Error for a failed connection or query, with the password scrubbed. */
export function describePostgresError(error: unknown, target: PostgresTarget): Error {
  const where = describePostgresTarget(target.connectionString);
  const hostPort = where.replace(/\/[^/]*$/, '');
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const raw = typeof e.message === 'string' ? e.message : String(error);
  let message: string;
  if (code === 'ECONNREFUSED') message = `Cannot reach the Open WebUI database at ${hostPort}: connection refused. Is PostgreSQL running and listening on that address?`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') message = `Cannot reach the Open WebUI database at ${hostPort}: the host name does not resolve.`;
  else if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /timeout/i.test(raw)) {
    message = `Cannot reach the Open WebUI database at ${hostPort}: no answer (timed out). Check the host, port and firewall.`;
  } else if (code === 'ECONNRESET') message = `The Open WebUI database at ${hostPort} closed the connection; check sslmode and the server log.`;
  else if (code === '28P01') message = `The Open WebUI database at ${where} rejected the user name or password.`;
  else if (code === '28000') message = `The Open WebUI database at ${where} does not allow this connection (pg_hba.conf or role): ${raw}`;
  else if (code === '3D000') message = `The database ${where} does not exist; check the database name in DATABASE_URL.`;
  else if (code === '42501') message = `The Open WebUI database user may not read the tables at ${where}: grant SELECT on chat, chat_message and "user".`;
  else if (code === '3F000') message = `The schema given as DATABASE_SCHEMA does not exist in ${where}.`;
  else if (/ssl/i.test(raw)) message = `SSL negotiation with the Open WebUI database at ${hostPort} failed (${raw}); check sslmode in DATABASE_URL.`;
  else message = `Cannot read the Open WebUI database at ${where}: ${raw}`;
  const password = passwordOf(target.connectionString);
  if (password && password.length >= 3) message = message.replaceAll(password, '***');
  message = message.replace(/[a-z0-9+.-]+:\/\/\S+/gi, (url) => redactDatabaseUrl(url));
  const out = new Error(message);
  if (code) (out as Error & { code?: string }).code = code;
  return out;
}

async function introspect(client: pg.ClientBase, schema: string | undefined): Promise<SourceShape> {
  const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = COALESCE($1, current_schema())
        AND table_name IN ('chat', 'user', 'chat_message', 'alembic_version')`,
    [schema ?? null],
  );
  const byTable = new Map<string, Map<string, string>>();
  for (const r of rows) {
    let t = byTable.get(r.table_name);
    if (!t) byTable.set(r.table_name, (t = new Map()));
    t.set(r.column_name, r.data_type);
  }
  const chat = byTable.get('chat') ?? new Map<string, string>();
  return {
    chatColumns: new Set(chat.keys()),
    chatColumnType: columnTypeOfChat(chat.get('chat')),
    userColumns: new Set((byTable.get('user') ?? new Map()).keys()),
    chatMessageColumns: new Set((byTable.get('chat_message') ?? new Map()).keys()),
    hasAlembicVersion: byTable.has('alembic_version'),
  };
}

export class PostgresSourceReader implements SourceReader {
  readonly dialect = 'postgres' as const;
  private readonly prefix: string;
  private readonly batchSize: number;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly target: PostgresTarget,
    private readonly shape: SourceShape,
    private readonly options: PostgresReaderOptions,
  ) {
    this.prefix = target.schema ? `${quoteIdent(target.schema)}.` : '';
    this.batchSize = Math.max(1, options.batchSize ?? 200);
  }

  /** Connects, checks the tables and returns the reader; errors carry a readable message. */
  static async open(target: PostgresTarget, options: PostgresReaderOptions = {}): Promise<PostgresSourceReader> {
    const pool = new pg.Pool({ ...postgresClientConfig(target, options.connectTimeoutMs), max: 4, idleTimeoutMillis: 30_000 });
    // An idle client dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    let shape: SourceShape;
    try {
      const client = await pool.connect();
      try {
        shape = await introspect(client, target.schema);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw describePostgresError(error, target);
    }
    try {
      const where = `The PostgreSQL database ${describePostgresTarget(target.connectionString)}${target.schema ? ` (schema ${target.schema})` : ''}`;
      assertOpenWebUiShape(shape, where);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresSourceReader(pool, target, shape, options);
  }

  private table(name: string): string {
    return `${this.prefix}${quoteIdent(name)}`;
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw describePostgresError(error, this.target);
    }
  }

  /** True when the server reports this reader's sessions as read-only (for health checks and tests). */
  async isReadOnlySession(): Promise<boolean> {
    const rows = await this.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
    return rows[0]?.transaction_read_only === 'on';
  }

  async info(): Promise<SourceInfo> {
    let schemaRevision: string | null = null;
    if (this.shape.hasAlembicVersion) {
      const rows = await this.query<{ version_num: string }>(`SELECT version_num FROM ${this.table('alembic_version')} LIMIT 1`);
      schemaRevision = rows[0]?.version_num ?? null;
    }
    const [chats] = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table('chat')}`);
    const users = this.shape.userColumns.size > 0 ? await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table('user')}`) : [];
    return {
      dialect: 'postgres',
      schemaRevision,
      hasChatMessageTable: this.shape.chatMessageColumns.size > 0,
      chatColumnType: this.shape.chatColumnType,
      chatCount: Number(chats?.n ?? 0),
      userCount: Number(users[0]?.n ?? 0),
      location: redactDatabaseUrl(this.target.connectionString),
    };
  }

  private filter(options: ReadOptions, params: unknown[]): string {
    const where: string[] = [];
    if (options.updatedSince !== undefined) {
      params.push(options.updatedSince);
      where.push(`c.updated_at >= $${params.length}`);
    }
    if (options.ids !== undefined) {
      params.push(options.ids);
      where.push(`c.id = ANY($${params.length}::text[])`);
    }
    return where.length > 0 ? ` AND ${where.join(' AND ')}` : '';
  }

  async countConversations(options: Pick<ReadOptions, 'updatedSince'> = {}): Promise<number> {
    const params: unknown[] = [];
    const where = this.filter(options, params);
    const [row] = await this.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table('chat')} c WHERE true${where}`, params);
    return Number(row?.n ?? 0);
  }

  private selectSql(): string {
    const q = quoteIdent;
    const has = (f: string): boolean => this.shape.chatColumns.has(f);
    const chatCols = CHAT_FIELDS.map((f) => {
      if (!has(f)) return `NULL AS ${q(f)}`;
      // ::text for every layout (TEXT before 0.3.33, json after): the normaliser parses, as for SQLite.
      // Share snapshots are skipped on user_id alone, so their documents are not fetched.
      if (f === 'chat') return `CASE WHEN c.user_id LIKE 'shared-%' THEN NULL ELSE c."chat"::text END AS "chat"`;
      if (f === 'meta') return `c."meta"::text AS "meta"`;
      return `c.${q(f)}`;
    }).join(', ');
    if (this.shape.chatMessageColumns.size === 0) return `SELECT ${chatCols}, NULL AS message_ids FROM ${this.table('chat')} c`;
    // Only the ids: the JSON is authoritative and normally complete, so the rows' content is
    // fetched separately, and only for messages the JSON lacks (rare).
    const ids = `CASE WHEN c.user_id LIKE 'shared-%' THEN NULL ELSE (SELECT json_agg(m.id) FROM ${this.table('chat_message')} m WHERE m.chat_id = c.id) END`;
    return `SELECT ${chatCols}, ${ids} AS message_ids FROM ${this.table('chat')} c`;
  }

  private async messageRows(ids: string[]): Promise<RawChatMessageRow[]> {
    const fields = selectList(CHAT_MESSAGE_FIELDS, this.shape.chatMessageColumns, quoteIdent, {
      content: '"content"::text',
      output: '"output"::text',
      files: '"files"::text',
      usage: '"usage"::text',
    });
    return this.query<RawChatMessageRow & pg.QueryResultRow>(`SELECT ${fields} FROM ${this.table('chat_message')} WHERE id = ANY($1::text[])`, [ids]);
  }

  async *readConversations(options: ReadOptions = {}): AsyncIterable<SourceRow> {
    const params: unknown[] = [];
    const where = this.filter(options, params);
    const select = this.selectSql();
    // Two passes keep the (updated_at, …) index usable; undated rows come last, as in SQLite.
    const passes = [`${select} WHERE c.updated_at IS NOT NULL${where} ORDER BY c.updated_at, c.id`];
    if (options.updatedSince === undefined) passes.push(`${select} WHERE c.updated_at IS NULL${where} ORDER BY c.id`);

    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw describePostgresError(error, this.target);
    }
    let finished = false;
    let healthy = true;
    try {
      // One snapshot for both passes, so a chat that moves between them is not read twice.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for (const sql of passes) {
        const cursor = client.query(new Cursor<ChatRowWithIds>(sql, params));
        try {
          for (;;) {
            let rows: ChatRowWithIds[];
            try {
              rows = await cursor.read(this.batchSize);
            } catch (error) {
              throw describePostgresError(error, this.target);
            }
            if (rows.length === 0) break;
            for (const row of rows) {
              yield await this.normalise(row);
              options.signal?.throwIfAborted();
            }
          }
        } finally {
          await cursor.close().catch(() => undefined);
        }
      }
      await client.query('COMMIT');
      finished = true;
    } finally {
      // Early exit (consumer stopped, abort, error): end the transaction before the client goes back.
      if (!finished) healthy = await client.query('ROLLBACK').then(() => true, () => false);
      client.release(healthy ? undefined : true);
    }
  }

  private async normalise(row: ChatRowWithIds): Promise<SourceRow> {
    const ids = row.message_ids;
    if (!ids || ids.length === 0 || typeof row.id !== 'string') return normaliseChatRow(row, null, this.options.normalise);
    const prefix = `${row.id}-`;
    let missing: string[] = [];
    const first = normaliseChatRow(
      row,
      (known) => {
        missing = ids.filter((id) => !known.has(id.startsWith(prefix) ? id.slice(prefix.length) : id));
        return [];
      },
      this.options.normalise,
    );
    if (missing.length === 0) return first;
    // Read on another pooled session (the cursor holds this one); such rows are rare.
    return normaliseChatRow(row, await this.messageRows(missing), this.options.normalise);
  }

  async users(): Promise<SourceUser[]> {
    if (this.shape.userColumns.size === 0) return [];
    const rows = await this.query<Record<string, unknown>>(
      `SELECT ${selectList(USER_FIELDS, this.shape.userColumns, quoteIdent)} FROM ${this.table('user')} ORDER BY id`,
    );
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));
    return rows.map((r) => ({ id: String(r.id), name: text(r.name), email: text(r.email), role: text(r.role), timezone: text(r.timezone) }));
  }

  async ping(): Promise<number> {
    const started = performance.now();
    await this.query('SELECT 1');
    return performance.now() - started;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

export function openPostgresSource(target: PostgresTarget, options: PostgresReaderOptions = {}): Promise<PostgresSourceReader> {
  return PostgresSourceReader.open(target, options);
}
