import fs from 'node:fs';
import Database from 'better-sqlite3';
import { normaliseChatRow, type NormaliseOptions, type RawChatMessageRow, type RawChatRow } from './normalise.ts';
import {
  CHAT_DOCUMENT_UNLESS_SHARED,
  CHAT_FIELDS,
  CHAT_MESSAGE_FIELDS,
  USER_FIELDS,
  assertOpenWebUiShape,
  columnTypeOfChat,
  isShareSnapshotOwner,
  quoteIdent,
  selectList,
  type SourceShape,
} from './shape.ts';
import type { ReadOptions, SourceInfo, SourceReader, SourceRow, SourceUser } from './types.ts';

// Reads Open WebUI's webui.db without ever writing to it. The connection is opened read-only;
// SQLite still reads the -wal file beside it, so rows not yet checkpointed are visible.

export interface SqliteReaderOptions {
  /** Rows between yields to the event loop (default 200). */
  batchSize?: number;
  normalise?: NormaliseOptions;
}

/** Opens `file` read-only; the file must exist. Used by the reader and by tests proving writes fail. */
export function openSqliteReadOnly(file: string): Database.Database {
  if (!fs.existsSync(file)) {
    throw new Error(`The Open WebUI database file ${file} does not exist. Point DATABASE_URL at webui.db (Docker: /app/backend/data/webui.db).`);
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw describeSqliteError(error, file);
  }
  try {
    // A read must not fail just because Open WebUI is writing at that moment.
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    throw describeSqliteError(error, file);
  }
  return db;
}

export function describeSqliteError(error: unknown, file: string): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') {
    return new Error(`${file} is not a SQLite database (or it is encrypted with sqlcipher, which is not supported).`);
  }
  if (code === 'SQLITE_CANTOPEN') {
    return new Error(`Cannot open the Open WebUI database ${file}: check that the file exists and this user may read it and its folder (SQLite needs the -wal/-shm files beside it).`);
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new Error(`The Open WebUI database ${file} is locked by another process; try again in a moment.`);
  }
  return new Error(`Cannot read the Open WebUI database ${file}: ${message}`);
}

function introspect(db: Database.Database): SourceShape {
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view')").all() as { name: string }[]).map((r) => r.name),
  );
  const columns = (table: string): Map<string, string> => {
    if (!tables.has(table)) return new Map();
    const rows = db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as { name: string; type: string }[];
    return new Map(rows.map((r) => [r.name, r.type]));
  };
  const chat = columns('chat');
  return {
    chatColumns: new Set(chat.keys()),
    chatColumnType: columnTypeOfChat(chat.get('chat')),
    userColumns: new Set(columns('user').keys()),
    chatMessageColumns: new Set(columns('chat_message').keys()),
    hasAlembicVersion: tables.has('alembic_version'),
  };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class SqliteSourceReader implements SourceReader {
  readonly dialect = 'sqlite' as const;
  private readonly shape: SourceShape;
  private readonly batchSize: number;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly options: SqliteReaderOptions = {},
  ) {
    this.shape = introspect(db);
    assertOpenWebUiShape(this.shape, `The SQLite database ${file}`);
    this.batchSize = Math.max(1, options.batchSize ?? 200);
  }

  async info(): Promise<SourceInfo> {
    const count = (table: string): number =>
      (this.db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table)}`).get() as { n: number }).n;
    let schemaRevision: string | null = null;
    if (this.shape.hasAlembicVersion) {
      const row = this.db.prepare('SELECT version_num FROM alembic_version LIMIT 1').get() as { version_num: string } | undefined;
      schemaRevision = row?.version_num ?? null;
    }
    return {
      dialect: 'sqlite',
      schemaRevision,
      hasChatMessageTable: this.shape.chatMessageColumns.size > 0,
      chatColumnType: this.shape.chatColumnType,
      chatCount: count('chat'),
      userCount: this.shape.userColumns.size > 0 ? count('user') : 0,
      location: this.file,
    };
  }

  private filter(options: ReadOptions, params: unknown[]): string {
    const where: string[] = [];
    if (options.updatedSince !== undefined) {
      where.push('updated_at >= ?');
      params.push(options.updatedSince);
    }
    if (options.ids !== undefined) {
      where.push('id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(options.ids));
    }
    return where.length > 0 ? ` AND ${where.join(' AND ')}` : '';
  }

  async countConversations(options: Pick<ReadOptions, 'updatedSince'> = {}): Promise<number> {
    const params: unknown[] = [];
    const where = this.filter(options, params);
    const row = this.db.prepare(`SELECT count(*) AS n FROM chat WHERE 1=1${where}`).get(...params) as { n: number };
    return row.n;
  }

  async *readConversations(options: ReadOptions = {}): AsyncIterable<SourceRow> {
    const q = quoteIdent;
    const cols = selectList(CHAT_FIELDS, this.shape.chatColumns, q, { chat: CHAT_DOCUMENT_UNLESS_SHARED });
    const params: unknown[] = [];
    const where = this.filter(options, params);
    // Two passes keep the (updated_at, …) index usable: dated rows in order, then undated ones.
    const passes = [`SELECT ${cols} FROM chat WHERE updated_at IS NOT NULL${where} ORDER BY updated_at, id`];
    if (options.updatedSince === undefined) passes.push(`SELECT ${cols} FROM chat WHERE updated_at IS NULL${where} ORDER BY id`);

    const loader = this.shape.chatMessageColumns.size > 0 ? this.messageRowLoader() : null;

    let sinceYield = 0;
    for (const sql of passes) {
      const statement = this.db.prepare(sql);
      // .iterate() steps the cursor row by row; leaving the loop early finalises it.
      for (const raw of statement.iterate(...params)) {
        const row = raw as RawChatRow;
        const chatId = row.id;
        const rows = loader && typeof chatId === 'string' && !isShareSnapshotOwner(row.user_id) ? (known: ReadonlySet<string>) => loader(chatId, known) : null;
        yield normaliseChatRow(row, rows, this.options.normalise);
        options.signal?.throwIfAborted();
        if (++sinceYield >= this.batchSize) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
      }
    }
    options.signal?.throwIfAborted();
  }

  /**
   * chat_message rows of one chat that its JSON lacks. The JSON is authoritative and normally
   * complete (Open WebUI writes both), so usually only the ids are read, not the content.
   */
  private messageRowLoader(): (chatId: string, known: ReadonlySet<string>) => RawChatMessageRow[] {
    const ids = this.db.prepare('SELECT id FROM chat_message WHERE chat_id = ?').pluck();
    const full = this.db.prepare(`SELECT ${selectList(CHAT_MESSAGE_FIELDS, this.shape.chatMessageColumns, quoteIdent)} FROM chat_message WHERE id = ?`);
    return (chatId, known) => {
      const rows: RawChatMessageRow[] = [];
      const prefix = `${chatId}-`;
      for (const id of ids.all(chatId) as string[]) {
        const messageId = id.startsWith(prefix) ? id.slice(prefix.length) : id;
        if (known.has(messageId)) continue;
        const row = full.get(id) as RawChatMessageRow | undefined;
        if (row) rows.push(row);
      }
      return rows;
    };
  }

  async users(): Promise<SourceUser[]> {
    if (this.shape.userColumns.size === 0) return [];
    const rows = this.db
      .prepare(`SELECT ${selectList(USER_FIELDS, this.shape.userColumns, quoteIdent)} FROM "user" ORDER BY id`)
      .all() as Record<string, unknown>[];
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));
    return rows.map((r) => ({ id: String(r.id), name: text(r.name), email: text(r.email), role: text(r.role), timezone: text(r.timezone) }));
  }

  async ping(): Promise<number> {
    const started = performance.now();
    this.db.prepare('SELECT 1').get();
    return performance.now() - started;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export async function openSqliteSource(file: string, options: SqliteReaderOptions = {}): Promise<SqliteSourceReader> {
  const db = openSqliteReadOnly(file);
  try {
    return new SqliteSourceReader(db, file, options);
  } catch (error) {
    db.close();
    throw error;
  }
}
