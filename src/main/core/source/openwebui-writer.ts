import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { hasChatMessageTable, openWebUiDdl, tableColumns, type SchemaGeneration } from './openwebui-schema.ts';
import { describePostgresError } from './postgres.ts';
import { describePostgresTarget, parseDatabaseUrl } from './url.ts';

// Writes users and chats into an Open WebUI-shaped database (SQLite file or PostgreSQL) the way
// Open WebUI itself would: JSON serialised like Python's json.dumps (non-ASCII as \uXXXX),
// absent JSON values as the JSON literal null, and on ≥ 0.8 one chat_message row per message
// of every branch. Used by test fixtures and by the `demo` command; never by the readers.

type Json = Record<string, unknown>;

export interface OpenWebUiUserRecord {
  id: string;
  name: string;
  email: string;
  role?: string;
  timezone?: string | null;
  createdAt?: number;
  lastActiveAt?: number;
}

/** One `chat_message` row, with the raw (not composite) message id. */
export interface ChatMessageRecord {
  id: string;
  role: string;
  parentId: string | null;
  content: unknown;
  output?: unknown;
  model?: string | null;
  files?: unknown;
  usage?: unknown;
  createdAt: number | null;
  done?: boolean | null;
}

export interface OpenWebUiChatRecord {
  id: string;
  userId: string;
  title: string;
  /**
   * The chat document; a string is written as-is (to store broken JSON), null as SQL NULL.
   * A PostgreSQL `json` column rejects invalid JSON, so there a broken string is stored as a
   * JSON string literal holding that text (the reader reports both as unparsable).
   */
  chat: Json | string | null;
  createdAt: number | null;
  updatedAt: number | null;
  archived?: boolean;
  pinned?: boolean | null;
  meta?: Json;
  folderId?: string | null;
  shareId?: string | null;
  /** `chat_message` rows (≥ 0.8): mirror the history (default), none, or exactly these. */
  messageRows?: 'mirror' | 'none' | ChatMessageRecord[];
}

export interface WriterOptions {
  generation: SchemaGeneration;
  /** PostgreSQL schema (Open WebUI's DATABASE_SCHEMA). */
  schema?: string;
  /** Create the tables (default true). */
  createSchema?: boolean;
  /** Replace an existing SQLite file / drop existing tables first. */
  overwrite?: boolean;
  /** SQLite journal: Open WebUI 0.11 runs in WAL mode by default. */
  journalMode?: 'wal' | 'delete';
  /** SQLite wal_autocheckpoint pages; 0 keeps everything in the -wal file (tests). */
  walAutocheckpoint?: number;
  /**
   * SQLite bulk load: no journal and no fsync while writing, switching to `journalMode` on
   * close. For generating fresh files only (a crash leaves a broken file).
   */
  bulk?: boolean;
}

export interface OpenWebUiWriter {
  readonly dialect: 'sqlite' | 'postgres';
  readonly generation: SchemaGeneration;
  insertUsers(users: readonly OpenWebUiUserRecord[]): Promise<void>;
  insertChats(chats: readonly OpenWebUiChatRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** JSON text as Python's json.dumps writes it (ensure_ascii): non-ASCII escaped as \uXXXX. */
export function pythonJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007e]/.test(text) ? text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const USAGE_IN = ['input_tokens', 'prompt_tokens', 'prompt_eval_count', 'prompt_n'];
const USAGE_OUT = ['output_tokens', 'completion_tokens', 'eval_count', 'predicted_n'];

/** Upstream's normalize_usage: the original keys plus input/output/total_tokens. */
function normaliseUsage(message: Json): Json | null {
  const info = isObject(message.info) ? message.info : null;
  const usage = isObject(message.usage) ? message.usage : info && isObject(info.usage) ? info.usage : null;
  if (!usage) return null;
  const pick = (keys: string[]): number | null => {
    for (const k of keys) if (typeof usage[k] === 'number') return usage[k];
    return null;
  };
  const input = pick(USAGE_IN);
  const output = pick(USAGE_OUT);
  const out: Json = { ...usage };
  if (input !== null) out.input_tokens = input;
  if (output !== null) out.output_tokens = output;
  if (input !== null || output !== null) out.total_tokens = (input ?? 0) + (output ?? 0);
  return out;
}

/** chat_message rows mirroring `history.messages`, as Open WebUI's dual write produces them. */
export function mirrorMessageRows(chat: unknown): ChatMessageRecord[] {
  if (!isObject(chat) || !isObject(chat.history) || !isObject(chat.history.messages)) return [];
  const rows: ChatMessageRecord[] = [];
  for (const [id, m] of Object.entries(chat.history.messages)) {
    if (!isObject(m)) continue;
    rows.push({
      id,
      role: typeof m.role === 'string' ? m.role : 'user',
      parentId: typeof m.parentId === 'string' ? m.parentId : null,
      content: m.content ?? '',
      output: m.output ?? null,
      model: typeof m.model === 'string' ? m.model : null,
      files: m.files ?? null,
      usage: normaliseUsage(m),
      createdAt: typeof m.timestamp === 'number' ? m.timestamp : null,
      done: typeof m.done === 'boolean' ? m.done : true,
    });
  }
  return rows;
}

function currentIdOf(chat: unknown): string | null {
  return isObject(chat) && isObject(chat.history) && typeof chat.history.currentId === 'string' ? chat.history.currentId : null;
}

function messageRowsOf(chat: OpenWebUiChatRecord): ChatMessageRecord[] {
  const rows = chat.messageRows ?? 'mirror';
  if (rows === 'none') return [];
  return rows === 'mirror' ? mirrorMessageRows(chat.chat) : rows;
}

const stripNul = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '') : s);

export type Value = string | number | boolean | null;

/** Column → value maps for one chat (and its messages), restricted to the generation's columns. */
function chatValues(chat: OpenWebUiChatRecord, jsonChatColumn: boolean, forPostgres: boolean): Record<string, Value> {
  let document: string | null;
  if (chat.chat === null) document = null;
  else if (typeof chat.chat === 'string') {
    document = chat.chat;
    if (forPostgres && jsonChatColumn) {
      try {
        JSON.parse(document);
      } catch {
        document = pythonJson(document);
      }
    }
  } else document = pythonJson(chat.chat);
  return {
    id: chat.id,
    user_id: chat.userId,
    title: forPostgres ? stripNul(chat.title) : chat.title,
    chat: document,
    created_at: chat.createdAt,
    updated_at: chat.updatedAt,
    share_id: chat.shareId ?? null,
    archived: chat.archived ?? false,
    pinned: chat.pinned ?? false,
    meta: pythonJson(chat.meta ?? {}),
    folder_id: chat.folderId ?? null,
    current_message_id: currentIdOf(chat.chat),
  };
}

/** Column values of one chat_message row as Open WebUI stores them (JSON columns as JSON text). */
export function chatMessageColumnValues(chat: Pick<OpenWebUiChatRecord, 'id' | 'userId' | 'updatedAt'>, m: ChatMessageRecord): Record<string, Value> {
  return {
    id: `${chat.id}-${m.id}`,
    chat_id: chat.id,
    user_id: chat.userId,
    role: m.role,
    parent_id: m.parentId,
    content: pythonJson(m.content ?? null),
    output: pythonJson(m.output ?? null),
    model_id: m.model ?? null,
    files: pythonJson(m.files ?? null),
    sources: 'null',
    embeds: 'null',
    done: m.done ?? true,
    status_history: 'null',
    error: 'null',
    usage: pythonJson(m.usage ?? null),
    created_at: m.createdAt,
    updated_at: chat.updatedAt,
  };
}

function userValues(u: OpenWebUiUserRecord): Record<string, Value> {
  const created = u.createdAt ?? 0;
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role ?? 'user',
    profile_image_url: '/user.png',
    last_active_at: u.lastActiveAt ?? created,
    updated_at: created,
    created_at: created,
    timezone: u.timezone ?? null,
  };
}

function pick(values: Record<string, Value>, columns: readonly string[]): Value[] {
  return columns.map((c) => values[c] ?? null);
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

class SqliteWriter implements OpenWebUiWriter {
  readonly dialect = 'sqlite' as const;
  private readonly insertUser: Database.Statement;
  private readonly insertChat: Database.Statement;
  private readonly insertMessage: Database.Statement | null;
  private readonly cols: ReturnType<typeof pickColumns>;

  constructor(
    private readonly db: Database.Database,
    readonly generation: SchemaGeneration,
    private readonly finalJournalMode: 'wal' | 'delete' | null = null,
  ) {
    this.cols = pickColumns(generation);
    const insert = (table: string, columns: string[]): Database.Statement =>
      db.prepare(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    this.insertUser = insert('user', this.cols.user);
    this.insertChat = insert('chat', this.cols.chat);
    this.insertMessage = this.cols.chat_message.length > 0 ? insert('chat_message', this.cols.chat_message) : null;
  }

  async insertUsers(users: readonly OpenWebUiUserRecord[]): Promise<void> {
    this.db.transaction(() => {
      for (const u of users) this.insertUser.run(sqliteValues(pick(userValues(u), this.cols.user)));
    })();
  }

  async insertChats(chats: readonly OpenWebUiChatRecord[]): Promise<void> {
    const jsonChat = this.generation !== '0.3';
    this.db.transaction(() => {
      for (const chat of chats) {
        this.insertChat.run(sqliteValues(pick(chatValues(chat, jsonChat, false), this.cols.chat)));
        if (!this.insertMessage) continue;
        for (const m of messageRowsOf(chat)) this.insertMessage.run(sqliteValues(pick(chatMessageColumnValues(chat, m), this.cols.chat_message)));
      }
    })();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    if (this.finalJournalMode) {
      this.db.pragma('synchronous = FULL');
      this.db.pragma(`journal_mode = ${this.finalJournalMode === 'wal' ? 'WAL' : 'DELETE'}`);
    }
    this.db.close();
  }
}

function sqliteValues(values: Value[]): (string | number | null)[] {
  return values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
}

/** The columns the writer fills (the rest stay NULL/default, as after a fresh Open WebUI insert). */
function pickColumns(generation: SchemaGeneration): { user: string[]; chat: string[]; chat_message: string[] } {
  const all = tableColumns(generation);
  const userFilled = new Set(['id', 'name', 'email', 'role', 'profile_image_url', 'last_active_at', 'updated_at', 'created_at', 'timezone']);
  const chatFilled = new Set(['id', 'user_id', 'title', 'chat', 'created_at', 'updated_at', 'share_id', 'archived', 'pinned', 'meta', 'folder_id', 'current_message_id']);
  return {
    user: all.user.filter((c) => userFilled.has(c)),
    chat: all.chat.filter((c) => chatFilled.has(c)),
    chat_message: all.chat_message.filter((c) => c !== 'context_summary' && c !== 'meta'),
  };
}

/** Rows per multi-row INSERT: bounded by PostgreSQL's 65,535 parameters and by payload size. */
const PG_MAX_PARAMS = 30_000;
const PG_MAX_BYTES = 16 * 1024 * 1024;

class PostgresWriter implements OpenWebUiWriter {
  readonly dialect = 'postgres' as const;
  private readonly cols: ReturnType<typeof pickColumns>;

  constructor(
    private readonly client: pg.Client,
    readonly generation: SchemaGeneration,
    private readonly schema: string | undefined,
  ) {
    this.cols = pickColumns(generation);
  }

  private table(name: string): string {
    return this.schema ? `${q(this.schema)}.${q(name)}` : q(name);
  }

  private async insertRows(table: string, columns: string[], rows: Iterable<Value[]>): Promise<void> {
    let batch: Value[][] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const params: Value[] = [];
      const tuples = batch.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
      await this.client.query(`INSERT INTO ${this.table(table)} (${columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`, params);
      batch = [];
      bytes = 0;
    };
    for (const row of rows) {
      batch.push(row);
      for (const v of row) if (typeof v === 'string') bytes += v.length;
      if ((batch.length + 1) * columns.length > PG_MAX_PARAMS || bytes > PG_MAX_BYTES) await flush();
    }
    await flush();
  }

  private async inTransaction(work: () => Promise<void>): Promise<void> {
    await this.client.query('BEGIN');
    try {
      await work();
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async insertUsers(users: readonly OpenWebUiUserRecord[]): Promise<void> {
    await this.inTransaction(() => this.insertRows('user', this.cols.user, users.map((u) => pick(userValues(u), this.cols.user))));
  }

  async insertChats(chats: readonly OpenWebUiChatRecord[]): Promise<void> {
    const jsonChat = this.generation !== '0.3';
    const cols = this.cols;
    await this.inTransaction(async () => {
      await this.insertRows('chat', cols.chat, chats.map((c) => pick(chatValues(c, jsonChat, true), cols.chat)));
      if (cols.chat_message.length === 0) return;
      function* messageRows(): Generator<Value[]> {
        for (const c of chats) for (const m of messageRowsOf(c)) yield pick(chatMessageColumnValues(c, m), cols.chat_message);
      }
      await this.insertRows('chat_message', cols.chat_message, messageRows());
    });
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/**
 * Opens a writer on a SQLite path / sqlite:/// URL or a PostgreSQL URL (the database must exist)
 * and, unless `createSchema: false`, creates Open WebUI's tables at `options.generation`.
 */
export async function openOpenWebUiWriter(target: string, options: WriterOptions): Promise<OpenWebUiWriter> {
  const parsed = parseDatabaseUrl(target, { schema: options.schema });
  const create = options.createSchema ?? true;
  if (parsed.dialect === 'sqlite') {
    if (create && fs.existsSync(parsed.path)) {
      if (!options.overwrite) throw new Error(`${parsed.path} already exists; choose another file or pass overwrite.`);
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${parsed.path}${suffix}`, { force: true });
    }
    fs.mkdirSync(path.dirname(parsed.path), { recursive: true });
    const db = new Database(parsed.path);
    try {
      const journal = options.journalMode ?? 'wal';
      if (options.bulk) {
        db.pragma('journal_mode = OFF');
        db.pragma('synchronous = OFF');
        db.pragma('cache_size = -65536');
      } else {
        db.pragma(`journal_mode = ${journal === 'delete' ? 'DELETE' : 'WAL'}`);
        db.pragma('synchronous = NORMAL');
      }
      if (options.walAutocheckpoint !== undefined) db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(options.walAutocheckpoint))}`);
      if (create) db.transaction(() => openWebUiDdl('sqlite', options.generation).forEach((sql) => db.exec(sql)))();
      return new SqliteWriter(db, options.generation, options.bulk ? journal : null);
    } catch (error) {
      db.close();
      throw error;
    }
  }
  const client = new pg.Client({ connectionString: parsed.connectionString, application_name: 'cogniforce-demo-writer' });
  try {
    await client.connect();
  } catch (error) {
    throw describePostgresError(error, parsed);
  }
  try {
    if (create) {
      await client.query('BEGIN');
      if (options.overwrite) {
        const t = (n: string): string => (parsed.schema ? `${q(parsed.schema)}.${q(n)}` : q(n));
        await client.query(`DROP TABLE IF EXISTS ${['chat_message', 'chat', 'user', 'alembic_version'].map(t).join(', ')} CASCADE`);
      }
      for (const sql of openWebUiDdl('postgres', options.generation, { schema: parsed.schema })) await client.query(sql);
      await client.query('COMMIT');
    }
    return new PostgresWriter(client, options.generation, parsed.schema);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
    if ((error as { code?: unknown }).code === '42P07') {
      throw new Error(`${describePostgresTarget(parsed.connectionString)} already has Open WebUI tables; use an empty database or pass overwrite to replace them.`, { cause: error });
    }
    throw error;
  }
}

export { hasChatMessageTable };
