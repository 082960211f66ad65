// What a particular Open WebUI database looks like. Schemas differ by release (chat.chat TEXT
// before 0.3.33, no meta before 0.3.33, chat_message since 0.8, user.timezone since 0.6.41…),
// so both readers introspect first and select what exists, filling the rest with NULL.

export interface SourceShape {
  chatColumns: ReadonlySet<string>;
  chatColumnType: 'json' | 'text';
  userColumns: ReadonlySet<string>;
  /** Empty when the table does not exist (before 0.8). */
  chatMessageColumns: ReadonlySet<string>;
  hasAlembicVersion: boolean;
}

export const CHAT_FIELDS = ['id', 'user_id', 'title', 'chat', 'created_at', 'updated_at', 'archived', 'meta', 'current_message_id'] as const;
export const CHAT_MESSAGE_FIELDS = ['id', 'role', 'parent_id', 'content', 'output', 'model_id', 'files', 'usage', 'created_at'] as const;
export const USER_FIELDS = ['id', 'name', 'email', 'role', 'timezone'] as const;

/** Columns every Open WebUI chat table has had since the first release. */
const REQUIRED_CHAT = ['id', 'user_id', 'chat'] as const;

export function assertOpenWebUiShape(shape: SourceShape, where: string): void {
  if (shape.chatColumns.size === 0) {
    throw new Error(`${where} has no "chat" table, so it is not an Open WebUI database (or Open WebUI has not started on it yet). Check the path or DATABASE_URL.`);
  }
  const missing = REQUIRED_CHAT.filter((c) => !shape.chatColumns.has(c));
  if (missing.length > 0) {
    throw new Error(`${where}: the "chat" table lacks column(s) ${missing.join(', ')}; this does not look like an Open WebUI database.`);
  }
}

/** `SELECT` list for a table: existing columns by name, missing ones as `NULL AS name`. */
export function selectList(
  fields: readonly string[],
  present: ReadonlySet<string>,
  quote: (name: string) => string,
  expressions: Readonly<Record<string, string>> = {},
): string {
  return fields
    .map((f) => (!present.has(f) ? `NULL AS ${quote(f)}` : expressions[f] ? `${expressions[f]} AS ${quote(f)}` : quote(f)))
    .join(', ');
}

/** Share snapshots are skipped on user_id alone; don't pay for reading their documents. */
export const CHAT_DOCUMENT_UNLESS_SHARED = `CASE WHEN user_id LIKE 'shared-%' THEN NULL ELSE "chat" END`;

export function isShareSnapshotOwner(userId: unknown): boolean {
  return typeof userId === 'string' && userId.startsWith('shared-');
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function columnTypeOfChat(declared: string | undefined): 'json' | 'text' {
  const t = (declared ?? '').toLowerCase();
  return t.startsWith('json') ? 'json' : 'text';
}
