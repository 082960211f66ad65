// Open WebUI's own tables, as its migrations leave them at four points in its history. Used to
// build test fixtures and the demo database; the readers never rely on it (they introspect).
//
//   '0.3'  before 0.3.33: chat.chat is TEXT, no meta/pinned/folder_id; user has api_key/oauth_sub
//   '0.6'  0.6.30–0.6.40: chat.chat JSON, meta, indexes; user still has api_key/oauth_sub, TEXT info
//   '0.8'  0.8.x: chat_message table (mirror of every message of every branch)
//   '0.11' 0.11.0: current layout (reference §5)

export const SCHEMA_GENERATIONS = ['0.3', '0.6', '0.8', '0.11'] as const;
export type SchemaGeneration = (typeof SCHEMA_GENERATIONS)[number];
export type Dialect = 'postgres' | 'sqlite';

/** A representative `alembic_version.version_num` per generation. */
export const ALEMBIC_REVISION: Record<SchemaGeneration, string> = {
  '0.3': '7e5b5dc7342b',
  '0.6': '018012973d35',
  '0.8': '8452d01d26d7',
  '0.11': 'f0bd01a18a3d',
};

type ColumnType = 'varchar' | 'varchar50' | 'text' | 'bigint' | 'boolean' | 'json' | 'date';

interface Column {
  name: string;
  type: ColumnType;
  /** Extra SQL after the type (NOT NULL, DEFAULT, UNIQUE). */
  extra?: string;
}

const SQL_TYPE: Record<ColumnType, string> = {
  varchar: 'VARCHAR',
  varchar50: 'VARCHAR(50)',
  text: 'TEXT',
  bigint: 'BIGINT',
  boolean: 'BOOLEAN',
  json: 'JSON',
  date: 'DATE',
};

const rank = (g: SchemaGeneration): number => SCHEMA_GENERATIONS.indexOf(g);
const since = (g: SchemaGeneration, from: SchemaGeneration): boolean => rank(g) >= rank(from);

export function hasChatMessageTable(generation: SchemaGeneration): boolean {
  return since(generation, '0.8');
}

function userColumns(g: SchemaGeneration): Column[] {
  const legacyUser = !since(g, '0.8'); // before 0.6.41: api_key/oauth_sub, TEXT settings/info
  const cols: Column[] = [
    { name: 'id', type: 'varchar', extra: 'NOT NULL' },
    { name: 'name', type: 'varchar' },
    { name: 'email', type: 'varchar' },
    { name: 'role', type: 'varchar' },
    { name: 'profile_image_url', type: 'text' },
    { name: 'last_active_at', type: 'bigint' },
    { name: 'updated_at', type: 'bigint' },
    { name: 'created_at', type: 'bigint' },
  ];
  if (legacyUser) {
    cols.push(
      { name: 'api_key', type: 'varchar', extra: 'UNIQUE' },
      { name: 'settings', type: 'text' },
      { name: 'info', type: 'text' },
      { name: 'oauth_sub', type: 'text', extra: 'UNIQUE' },
    );
  } else {
    cols.push({ name: 'settings', type: 'json' }, { name: 'info', type: 'json' });
  }
  if (since(g, '0.6')) {
    cols.push(
      { name: 'username', type: 'varchar50' },
      { name: 'bio', type: 'text' },
      { name: 'gender', type: 'text' },
      { name: 'date_of_birth', type: 'date' },
    );
  }
  if (!legacyUser) {
    cols.push(
      { name: 'profile_banner_image_url', type: 'text' },
      { name: 'timezone', type: 'varchar' },
      { name: 'presence_state', type: 'varchar' },
      { name: 'status_emoji', type: 'varchar' },
      { name: 'status_message', type: 'text' },
      { name: 'status_expires_at', type: 'bigint' },
      { name: 'oauth', type: 'json' },
      { name: 'scim', type: 'json' },
    );
  }
  if (since(g, '0.11')) cols.push({ name: 'variables', type: 'json' });
  return cols;
}

function chatColumns(g: SchemaGeneration): Column[] {
  const cols: Column[] = [
    { name: 'id', type: 'varchar', extra: 'NOT NULL' },
    { name: 'user_id', type: 'varchar' },
    { name: 'title', type: 'text' },
    { name: 'created_at', type: 'bigint' },
    { name: 'updated_at', type: 'bigint' },
    { name: 'share_id', type: 'text', extra: 'UNIQUE' },
    { name: 'archived', type: 'boolean' },
    { name: 'chat', type: since(g, '0.6') ? 'json' : 'text' },
  ];
  if (since(g, '0.6')) {
    cols.push(
      { name: 'pinned', type: 'boolean' },
      { name: 'meta', type: 'json', extra: "NOT NULL DEFAULT '{}'" },
      { name: 'folder_id', type: 'text' },
    );
  }
  if (since(g, '0.11')) {
    cols.push(
      { name: 'tasks', type: 'json' },
      { name: 'summary', type: 'text' },
      { name: 'last_read_at', type: 'bigint' },
      { name: 'current_message_id', type: 'text' },
      { name: 'variables', type: 'json' },
    );
  }
  return cols;
}

function chatMessageColumns(g: SchemaGeneration): Column[] {
  const cols: Column[] = [
    { name: 'id', type: 'text', extra: 'NOT NULL' },
    { name: 'chat_id', type: 'text', extra: 'NOT NULL' },
    { name: 'user_id', type: 'text' },
    { name: 'role', type: 'text', extra: 'NOT NULL' },
    { name: 'parent_id', type: 'text' },
    { name: 'content', type: 'json' },
    { name: 'output', type: 'json' },
    { name: 'model_id', type: 'text' },
    { name: 'files', type: 'json' },
    { name: 'sources', type: 'json' },
    { name: 'embeds', type: 'json' },
    { name: 'done', type: 'boolean' },
    { name: 'status_history', type: 'json' },
    { name: 'error', type: 'json' },
    { name: 'usage', type: 'json' },
    { name: 'created_at', type: 'bigint' },
    { name: 'updated_at', type: 'bigint' },
  ];
  if (since(g, '0.11')) cols.push({ name: 'context_summary', type: 'text' }, { name: 'meta', type: 'json' });
  return cols;
}

/** Column names of each table at a generation (the writer inserts exactly these). */
export function tableColumns(generation: SchemaGeneration): { user: string[]; chat: string[]; chat_message: string[] } {
  return {
    user: userColumns(generation).map((c) => c.name),
    chat: chatColumns(generation).map((c) => c.name),
    chat_message: hasChatMessageTable(generation) ? chatMessageColumns(generation).map((c) => c.name) : [],
  };
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

function createTable(table: string, cols: Column[], tail: string[]): string {
  const lines = cols.map((c) => `  ${q(c.name)} ${SQL_TYPE[c.type]}${c.extra ? ` ${c.extra}` : ''}`);
  return `CREATE TABLE ${table} (\n${[...lines, ...tail.map((t) => `  ${t}`)].join(',\n')}\n)`;
}

/** DDL statements (one per array entry) that create Open WebUI's tables at `generation`. */
export function openWebUiDdl(dialect: Dialect, generation: SchemaGeneration, options: { schema?: string } = {}): string[] {
  const schema = dialect === 'postgres' && options.schema ? options.schema : null;
  const t = (name: string): string => (schema ? `${q(schema)}.${q(name)}` : q(name));
  const out: string[] = [];
  if (schema) out.push(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
  out.push(createTable(t('alembic_version'), [{ name: 'version_num', type: 'varchar', extra: 'NOT NULL' }], ['PRIMARY KEY (version_num)']));
  out.push(`INSERT INTO ${t('alembic_version')} (version_num) VALUES ('${ALEMBIC_REVISION[generation]}')`);

  out.push(createTable(t('user'), userColumns(generation), ['PRIMARY KEY (id)']));
  if (since(generation, '0.11')) out.push(`CREATE UNIQUE INDEX uq_user_email_lower ON ${t('user')} (lower(email)) WHERE email IS NOT NULL`);

  out.push(createTable(t('chat'), chatColumns(generation), ['PRIMARY KEY (id)']));
  if (since(generation, '0.6')) {
    out.push(
      `CREATE INDEX folder_id_idx ON ${t('chat')} (folder_id)`,
      `CREATE INDEX user_id_pinned_idx ON ${t('chat')} (user_id, pinned)`,
      `CREATE INDEX user_id_archived_idx ON ${t('chat')} (user_id, archived)`,
      `CREATE INDEX updated_at_user_id_idx ON ${t('chat')} (updated_at, user_id)`,
      `CREATE INDEX folder_id_user_id_idx ON ${t('chat')} (folder_id, user_id)`,
    );
  }

  if (hasChatMessageTable(generation)) {
    out.push(
      createTable(t('chat_message'), chatMessageColumns(generation), [
        'PRIMARY KEY (id)',
        `FOREIGN KEY (chat_id) REFERENCES ${t('chat')} (id) ON DELETE CASCADE`,
      ]),
    );
    for (const [name, cols] of [
      ['ix_chat_message_chat_id', 'chat_id'],
      ['ix_chat_message_user_id', 'user_id'],
      ['ix_chat_message_model_id', 'model_id'],
      ['ix_chat_message_created_at', 'created_at'],
      ['chat_message_chat_parent_idx', 'chat_id, parent_id'],
      ['chat_message_model_created_idx', 'model_id, created_at'],
      ['chat_message_user_created_idx', 'user_id, created_at'],
    ] as const) {
      out.push(`CREATE INDEX ${name} ON ${t('chat_message')} (${cols})`);
    }
  }
  return out;
}
