// The normalised conversation: what every reader (PostgreSQL, SQLite) and every layout
// (chat JSON, chat_message table) produces, so nothing downstream knows where it came from.

export type MessageRole = 'user' | 'assistant' | 'system';

export type AttachmentKind = 'image' | 'pdf' | 'document' | 'spreadsheet' | 'code' | 'audio' | 'other';

export interface NormalisedMessage {
  id: string;
  parentId: string | null;
  role: MessageRole;
  /** Whole epoch seconds (ms/µs/ns inputs are divided down and floored). */
  timestamp: number;
  /** Content with `<details type="…">` blocks stripped. */
  text: string;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  attachments: AttachmentKind[];
  /** True when the message lies on the active branch (currentId → root). */
  onActiveBranch: boolean;
}

export interface NormalisedConversation {
  /** The row id `chat.id` (never the client-side `chat.chat.id`). */
  id: string;
  /** Owner `user.id` in the source (hashed before it reaches the analytics store). */
  userId: string;
  title: string;
  /** `chat.created_at`, epoch seconds. */
  createdAt: number;
  /** `chat.updated_at`, epoch seconds. */
  sourceUpdatedAt: number;
  /** Every message of the tree (all branches), sorted by timestamp then id. */
  messages: NormalisedMessage[];
  /** Message ids of the active branch, root first. */
  activeBranch: string[];
  /** Attachment counts by kind over the whole tree. */
  attachments: Partial<Record<AttachmentKind, number>>;
  archived: boolean;
  /** Set for forked/cloned chats; their pre-branch messages have been dropped. */
  forkedFrom: string | null;
  /**
   * Messages of the tree left out of `messages` because they have no valid timestamp or an
   * unknown role (they cannot be placed in time). Absent means 0.
   */
  droppedMessages?: number;
}

/** Why a source row was not turned into a conversation. Listed in the UI. */
export const SKIP_REASONS = [
  'unparsable_json',
  'invalid_structure',
  'no_messages',
  'no_timestamps',
  'empty',
  'internal',
  'shared_snapshot',
  'too_large',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type SourceRow =
  | { kind: 'conversation'; conversation: NormalisedConversation }
  | { kind: 'skipped'; id: string; userId: string | null; sourceUpdatedAt: number | null; reason: SkipReason; detail: string };

export interface SourceUser {
  id: string;
  name: string | null;
  email: string | null;
  role: string | null;
  timezone: string | null;
}

export interface SourceInfo {
  dialect: 'postgres' | 'sqlite';
  /** `alembic_version.version_num` when present. */
  schemaRevision: string | null;
  hasChatMessageTable: boolean;
  /** `chat.chat` column is JSON (≥ 0.3.33) or TEXT (older). */
  chatColumnType: 'json' | 'text';
  chatCount: number;
  userCount: number;
  /** Where the data comes from, for display: the SQLite file path or the URL without its password. */
  location?: string;
}

export interface ReadOptions {
  /** Only chats with `updated_at >= updatedSince` (epoch seconds). A chat's last message is never after its updated_at. */
  updatedSince?: number;
  /** Read only these chat ids (used for retries and tests). */
  ids?: string[];
  signal?: AbortSignal;
}

export interface SourceReader {
  readonly dialect: 'postgres' | 'sqlite';
  info(): Promise<SourceInfo>;
  /** Streams rows; memory stays flat however many chats there are. */
  readConversations(options?: ReadOptions): AsyncIterable<SourceRow>;
  /** How many chats `readConversations(options)` would visit (for progress and ETA). Optional. */
  countConversations?(options?: Pick<ReadOptions, 'updatedSince'>): Promise<number>;
  users(): Promise<SourceUser[]>;
  /** Round-trip check; resolves with the latency in milliseconds. */
  ping(): Promise<number>;
  close(): Promise<void>;
}
