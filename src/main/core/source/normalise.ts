import { messageAttachments } from './attachments.ts';
import { cleanContent, stripNul } from './text.ts';
import type {
  AttachmentKind,
  MessageRole,
  NormalisedConversation,
  NormalisedMessage,
  SkipReason,
  SourceRow,
} from './types.ts';

// Turns one raw `chat` row (plus, on Open WebUI ≥ 0.8, its `chat_message` rows) into a
// NormalisedConversation or a skip with a reason. Pure and total: bad data never throws.
//
// Rules worth knowing (see docs in the reference, §2):
// - `history.messages` is the truth. The `messages` array is a possibly stale copy of the
//   active branch and is used only when history is absent or empty (very old/imported chats).
// - The chat JSON is authoritative for content; `chat_message` rows only add messages the
//   JSON lacks, so both layouts of the same chat normalise identically.
// - Timestamps in s/ms/µs/ns are divided by 1000 while above 1e11, then floored to seconds.
// - A message without a valid timestamp (or with an unknown role) cannot be placed in time: it
//   is left out of `messages` and `activeBranch` and counted in `droppedMessages`; the tree
//   walk still passes through it, so its descendants keep their place.
// - Forks (`originalChatId` + `branchPointMessageId`) drop the path root → branch point,
//   which repeats the source chat.

type Json = Record<string, unknown>;

/** A `chat` row as read from either database (unknown types: the source is not trusted). */
export interface RawChatRow {
  id: unknown;
  user_id: unknown;
  title?: unknown;
  /** JSON text (SQLite, PG `::text`, pre-0.3.33 TEXT), an already parsed value, or NULL. */
  chat: unknown;
  created_at?: unknown;
  updated_at?: unknown;
  archived?: unknown;
  meta?: unknown;
  /** 0.11+: mirrors `history.currentId`. */
  current_message_id?: unknown;
}

/** A `chat_message` row (0.8+). JSON columns may arrive as text or parsed. */
export interface RawChatMessageRow {
  id: unknown;
  role: unknown;
  parent_id?: unknown;
  content?: unknown;
  output?: unknown;
  model_id?: unknown;
  files?: unknown;
  usage?: unknown;
  created_at?: unknown;
}

/**
 * Supplies `chat_message` rows lazily: called with the message ids the chat JSON already has,
 * it returns (at least) the rows for messages the JSON lacks. Lets a reader skip fetching
 * message content that the authoritative JSON already carries.
 */
export type MessageRowLoader = (knownIds: ReadonlySet<string>) => readonly RawChatMessageRow[];

export interface NormaliseOptions {
  /** Chat JSON text longer than this is skipped as `too_large` (default 256 Mi characters). */
  maxChatChars?: number;
}

const DEFAULT_MAX_CHAT_CHARS = 256 * 1024 * 1024;
const INTERNAL_TYPES = new Set(['note', 'timer']);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Epoch seconds from s/ms/µs/ns numbers, numeric strings (PG BIGINT) or ISO strings; null when unusable. */
export function toEpochSeconds(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return null;
    n = Number(s);
    if (Number.isNaN(n)) {
      const parsed = Date.parse(s);
      n = Number.isNaN(parsed) ? NaN : parsed / 1000;
    }
  } else return null;
  // Below one second floors to 0, the "no timestamp" value: treat it as missing, like 0 itself.
  if (!Number.isFinite(n) || n < 1) return null;
  while (n > 1e11) n /= 1000;
  return Math.floor(n);
}

function toBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v === '1' || v.toLowerCase() === 'true' || v === 't';
  return false;
}

function bytesToText(v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8') : v;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseJsonText(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A JSON column value: parsed when it is JSON text, `null` when it is not (SQL NULL and JSON null alike). */
function jsonColumn(v: unknown): unknown {
  const value = bytesToText(v);
  if (typeof value !== 'string') return value ?? null;
  const parsed = parseJsonText(value);
  return parsed.ok ? parsed.value : null;
}

/** `chat_message.content`: JSON text, but tolerate a writer that stored plain text. */
function contentColumn(v: unknown): unknown {
  const value = bytesToText(v);
  if (typeof value !== 'string') return value ?? null;
  const first = value.trimStart().charCodeAt(0);
  if (first === 34 || first === 91 || first === 123 || value === 'null') {
    const parsed = parseJsonText(value);
    if (parsed.ok) return parsed.value;
  }
  return value;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let out = '';
    for (const block of content) {
      const t = typeof block === 'string' ? block : isObject(block) && typeof block.text === 'string' ? block.text : null;
      if (t !== null && t !== '') out = out === '' ? t : `${out}\n${t}`;
    }
    return out;
  }
  if (isObject(content) && typeof content.text === 'string') return content.text;
  return '';
}

/** Text of Responses-style `output` items of type `message` (what upstream's get_output_text joins). */
function outputText(output: unknown): string {
  if (!Array.isArray(output)) return '';
  let out = '';
  for (const item of output) {
    if (!isObject(item) || item.type !== 'message') continue;
    const t = contentText(item.content);
    if (t !== '') out = out === '' ? t : `${out}\n${t}`;
  }
  return out;
}

export function messageText(content: unknown, output: unknown): string {
  const text = cleanContent(contentText(content));
  return text !== '' ? text : cleanContent(outputText(output));
}

/**
 * No message has anywhere near this many tokens (the largest context windows are a few million).
 * Bigger counts are garbage; taken at face value a single 1e300 would overflow the bigint
 * columns and fail the whole batch it is committed with, on every run.
 */
const MAX_TOKENS_PER_MESSAGE = 100_000_000;

function firstCount(u: Json, keys: readonly string[]): number {
  for (const k of keys) {
    const v = u[k];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n) && n >= 0 && n <= MAX_TOKENS_PER_MESSAGE) return Math.round(n);
  }
  return 0;
}

const INPUT_KEYS = ['input_tokens', 'prompt_tokens', 'prompt_eval_count', 'prompt_n'] as const;
const OUTPUT_KEYS = ['output_tokens', 'completion_tokens', 'eval_count', 'predicted_n'] as const;

/** Tokens from `usage` (0.5+) or legacy `info` (0.3–0.4), same fallback chain as upstream normalize_usage. */
export function readUsage(usage: unknown, info?: unknown): { input: number; output: number } {
  let u: unknown = usage;
  if (!isObject(u) && isObject(info)) u = isObject(info.usage) ? info.usage : info;
  if (!isObject(u)) return { input: 0, output: 0 };
  return { input: firstCount(u, INPUT_KEYS), output: firstCount(u, OUTPUT_KEYS) };
}

const ROLES: ReadonlySet<string> = new Set<MessageRole>(['user', 'assistant', 'system']);

/** The message tree keyed by message id, as found in the document and the `chat_message` rows. */
interface Tree {
  nodes: Map<string, Json>;
  currentId: string | null;
}

type TreeResult = { ok: true; tree: Tree } | { ok: false; reason: SkipReason; detail: string };

function parentOf(node: Json): string | null {
  return typeof node.parentId === 'string' && node.parentId !== '' ? node.parentId : null;
}

function treeFromDocument(doc: Json): TreeResult {
  const nodes = new Map<string, Json>();
  const history = doc.history;
  let currentId: string | null = null;
  if (history !== undefined && history !== null) {
    if (!isObject(history)) return { ok: false, reason: 'invalid_structure', detail: 'chat.history is not an object' };
    const messages = history.messages;
    if (isObject(messages)) {
      for (const key in messages) {
        const m = messages[key];
        if (isObject(m)) nodes.set(key, m);
      }
    } else if (Array.isArray(messages)) {
      for (const m of messages) if (isObject(m) && typeof m.id === 'string' && m.id !== '') nodes.set(m.id, m);
    } else if (messages !== undefined && messages !== null) {
      return { ok: false, reason: 'invalid_structure', detail: 'chat.history.messages is neither an object nor a list' };
    }
    currentId = typeof history.currentId === 'string' ? history.currentId : null;
  }
  if (nodes.size === 0) {
    // Very old or imported chats carry only the linear `messages` list.
    const list = doc.messages;
    if (Array.isArray(list)) {
      let previous: string | null = null;
      list.forEach((m, index) => {
        if (!isObject(m)) return;
        const id = typeof m.id === 'string' && m.id !== '' ? m.id : `legacy-${index}`;
        const node = 'parentId' in m ? m : { ...m, parentId: previous };
        nodes.set(id, node);
        previous = id;
      });
      if (currentId === null || !nodes.has(currentId)) currentId = previous;
    } else if (list !== undefined && list !== null && nodes.size === 0 && (history === undefined || history === null)) {
      return { ok: false, reason: 'invalid_structure', detail: 'chat.messages is not a list' };
    }
  }
  return { ok: true, tree: { nodes, currentId } };
}

function nodeFromMessageRow(row: RawChatMessageRow, chatId: string): [string, Json] | null {
  const rowId = asString(row.id);
  if (rowId === null || rowId === '') return null;
  // Row ids are "<chat_id>-<message_id>"; parent_id is the raw message id.
  const id = rowId.startsWith(`${chatId}-`) ? rowId.slice(chatId.length + 1) : rowId;
  return [
    id,
    {
      id,
      parentId: asString(row.parent_id),
      role: row.role,
      content: contentColumn(row.content),
      output: jsonColumn(row.output),
      model: asString(row.model_id),
      files: jsonColumn(row.files),
      usage: jsonColumn(row.usage),
      timestamp: row.created_at,
    },
  ];
}

function skip(
  id: string,
  userId: string | null,
  sourceUpdatedAt: number | null,
  reason: SkipReason,
  detail: string,
): SourceRow {
  return { kind: 'skipped', id, userId, sourceUpdatedAt, reason, detail };
}

function compareMessages(a: NormalisedMessage, b: NormalisedMessage): number {
  return a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Ids from `fromId` up to the root via parentId (leaf first); stops at cycles and dangling parents. */
function pathToRoot(nodes: Map<string, Json>, fromId: string): string[] {
  const path: string[] = [];
  const seen = new Set<string>();
  let id: string | null = fromId;
  while (id !== null && !seen.has(id)) {
    const node = nodes.get(id);
    if (!node) break;
    seen.add(id);
    path.push(id);
    id = parentOf(node);
  }
  return path;
}

/** Parses the `chat.chat` value; a string that itself holds JSON (double encoding) is decoded once more. */
function parseDocument(chat: unknown, maxChars: number): { ok: true; doc: unknown } | { ok: false; reason: SkipReason; detail: string } {
  let value = bytesToText(chat);
  for (let round = 0; round < 2 && typeof value === 'string'; round++) {
    if (value.length > maxChars) {
      return { ok: false, reason: 'too_large', detail: `chat document is ${value.length} characters (limit ${maxChars})` };
    }
    const parsed = parseJsonText(stripNul(value));
    if (!parsed.ok) return { ok: false, reason: 'unparsable_json', detail: 'chat document is not valid JSON' };
    value = parsed.value;
  }
  return { ok: true, doc: value ?? null };
}

export function normaliseChatRow(
  row: RawChatRow,
  messageRows?: readonly RawChatMessageRow[] | MessageRowLoader | null,
  options: NormaliseOptions = {},
): SourceRow {
  const id = typeof row.id === 'string' ? row.id : typeof row.id === 'number' ? String(row.id) : '';
  const userId = asString(row.user_id);
  const updatedAt = toEpochSeconds(row.updated_at);
  if (id === '') return skip(id, userId, updatedAt, 'invalid_structure', 'chat row has no id');
  if (userId === null || userId === '') return skip(id, userId, updatedAt, 'invalid_structure', 'chat row has no owner (user_id)');
  if (userId.startsWith('shared-')) {
    return skip(id, userId, updatedAt, 'shared_snapshot', 'share-link snapshot row (user_id shared-…)');
  }

  const metaValue = jsonColumn(row.meta);
  const meta = isObject(metaValue) ? metaValue : null;
  if (meta && meta.internal !== undefined && meta.internal !== null && meta.internal !== false && meta.internal !== 0) {
    return skip(id, userId, updatedAt, 'internal', 'internal chat (meta.internal)');
  }
  if (meta && typeof meta.type === 'string' && INTERNAL_TYPES.has(meta.type)) {
    return skip(id, userId, updatedAt, 'internal', `internal chat (meta.type ${meta.type})`);
  }

  // Document problems are reported only if chat_message rows cannot stand in for the JSON.
  let problem: { reason: SkipReason; detail: string } | null = null;
  let doc: Json | null = null;
  const parsed = parseDocument(row.chat, options.maxChatChars ?? DEFAULT_MAX_CHAT_CHARS);
  if (!parsed.ok) {
    if (parsed.reason === 'too_large') return skip(id, userId, updatedAt, parsed.reason, parsed.detail);
    problem = parsed;
  } else if (isObject(parsed.doc)) doc = parsed.doc;
  else if (parsed.doc !== null) problem = { reason: 'invalid_structure', detail: `chat document is ${Array.isArray(parsed.doc) ? 'a list' : typeof parsed.doc}, not an object` };

  let nodes = new Map<string, Json>();
  let currentId: string | null = null;
  if (doc) {
    const tree = treeFromDocument(doc);
    if (tree.ok) ({ nodes, currentId } = tree.tree);
    else problem = tree;
  }
  const extraRows = typeof messageRows === 'function' ? messageRows(new Set(nodes.keys())) : messageRows;
  if (extraRows && extraRows.length > 0) {
    for (const r of extraRows) {
      const entry = nodeFromMessageRow(r, id);
      if (entry && !nodes.has(entry[0])) nodes.set(entry[0], entry[1]);
    }
  }
  if (nodes.size === 0) {
    if (problem) return skip(id, userId, updatedAt, problem.reason, problem.detail);
    return skip(id, userId, updatedAt, 'no_messages', doc ? 'chat has no messages' : 'chat document is empty (NULL)');
  }
  if (currentId === null || !nodes.has(currentId)) {
    const fromColumn = asString(row.current_message_id);
    currentId = fromColumn !== null && nodes.has(fromColumn) ? fromColumn : null;
  }

  // Forks repeat their source up to the branch point; only what came after is this chat's work.
  const forkedFrom = doc ? (asString(doc.originalChatId) ?? asString(meta?.forked_from)) : asString(meta?.forked_from);
  const branchPoint = doc ? (asString(doc.branchPointMessageId) ?? asString(meta?.forked_from_message_id)) : asString(meta?.forked_from_message_id);
  const inherited = forkedFrom && branchPoint ? new Set(pathToRoot(nodes, branchPoint)) : null;

  const messages: NormalisedMessage[] = [];
  const kept = new Set<string>();
  let dropped = 0;
  let untimed = 0;
  for (const [mid, node] of nodes) {
    if (inherited?.has(mid)) continue;
    const role = node.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      dropped++;
      continue;
    }
    const timestamp = toEpochSeconds(node.timestamp);
    if (timestamp === null) {
      dropped++;
      untimed++;
      continue;
    }
    const usage = readUsage(node.usage, node.info);
    messages.push({
      id: mid,
      parentId: parentOf(node),
      role: role as MessageRole,
      timestamp,
      text: messageText(node.content, node.output),
      model: typeof node.model === 'string' && node.model !== '' ? node.model : null,
      inputTokens: usage.input,
      outputTokens: usage.output,
      attachments: messageAttachments(node.files, node.content),
      onActiveBranch: false,
    });
    kept.add(mid);
  }
  if (messages.length === 0) {
    if (untimed > 0 && untimed === dropped) {
      return skip(id, userId, updatedAt, 'no_timestamps', `none of ${untimed} messages has a valid timestamp`);
    }
    if (inherited && dropped === 0) {
      return skip(id, userId, updatedAt, 'no_messages', 'forked chat has no messages after its branch point');
    }
    return skip(id, userId, updatedAt, 'invalid_structure', `none of ${dropped} messages has a known role and a timestamp`);
  }
  messages.sort(compareMessages);

  const attachments: Partial<Record<AttachmentKind, number>> = {};
  let hasContent = false;
  for (const m of messages) {
    if (m.parentId !== null && !kept.has(m.parentId)) m.parentId = null;
    if (m.text !== '') hasContent = true;
    for (const a of m.attachments) {
      attachments[a] = (attachments[a] ?? 0) + 1;
      hasContent = true;
    }
  }
  if (!hasContent) return skip(id, userId, updatedAt, 'empty', `all ${messages.length} messages are empty`);

  const leaf = currentId ?? messages[messages.length - 1]!.id;
  const activeBranch = pathToRoot(nodes, leaf).reverse().filter((mid) => kept.has(mid));
  const onBranch = new Set(activeBranch);
  for (const m of messages) m.onActiveBranch = onBranch.has(m.id);

  const first = messages[0]!.timestamp;
  const last = messages[messages.length - 1]!.timestamp;
  const title = asString(row.title) ?? (doc ? asString(doc.title) : null) ?? '';
  const conversation: NormalisedConversation = {
    id,
    userId,
    title: stripNul(title),
    createdAt: toEpochSeconds(row.created_at) ?? first,
    sourceUpdatedAt: updatedAt ?? last,
    messages,
    activeBranch,
    attachments,
    archived: toBoolean(row.archived),
    forkedFrom: forkedFrom ?? null,
    droppedMessages: dropped,
  };
  return { kind: 'conversation', conversation };
}
