import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SchemaGeneration } from '../../src/main/core/source/openwebui-schema.ts';
import {
  openOpenWebUiWriter,
  type OpenWebUiChatRecord,
  type OpenWebUiUserRecord,
  type WriterOptions,
} from '../../src/main/core/source/openwebui-writer.ts';
import { createTestDatabase } from './pg.ts';

// Hand-written Open WebUI chats for tests: a builder for message trees (linear, regenerations,
// edits, side-by-side) that emits the chat document exactly as the web UI stores it, and a
// helper that writes users and chats into a real SQLite file or a fresh PostgreSQL database.

type Json = Record<string, unknown>;

export const T0 = 1_767_780_000; // 2026-01-07 10:00 UTC (11:00 in Budapest), epoch seconds

export interface MessageOptions {
  /** Parent message id; default: the current leaf. `null` makes a root. */
  parent?: string | null;
  /** Epoch seconds (or any unit the test wants to exercise); default: previous + 60 s. */
  at?: number | null;
  id?: string;
  files?: unknown[];
  /** Extra keys merged into the message object (usage, info, output, model, …). */
  extra?: Json;
}

export class ChatBuilder {
  private readonly nodes = new Map<string, Json>();
  private currentId: string | null = null;
  private clock: number;
  private seq = 0;

  constructor(
    private readonly options: { start?: number; title?: string; models?: string[]; idPrefix?: string } = {},
  ) {
    this.clock = (options.start ?? T0) - 60;
  }

  get models(): string[] {
    return this.options.models ?? ['gpt-4o-mini'];
  }

  private add(role: string, content: unknown, opts: MessageOptions, defaults: Json): string {
    const id = opts.id ?? `${this.options.idPrefix ?? 'm'}${String(++this.seq).padStart(3, '0')}`;
    const parent = opts.parent === undefined ? this.currentId : opts.parent;
    if (opts.at === undefined) this.clock += 60;
    else if (typeof opts.at === 'number' && opts.at < 1e11) this.clock = opts.at;
    const node: Json = {
      id,
      parentId: parent,
      childrenIds: [],
      role,
      content,
      ...(opts.at === null ? {} : { timestamp: opts.at ?? this.clock }),
      ...defaults,
      ...(opts.files ? { files: opts.files } : {}),
      ...opts.extra,
    };
    if (parent !== null) {
      const p = this.nodes.get(parent);
      if (p) (p.childrenIds as string[]).push(id);
    }
    this.nodes.set(id, node);
    this.currentId = id;
    return id;
  }

  user(content: unknown, opts: MessageOptions = {}): string {
    return this.add('user', content, opts, { models: this.models });
  }

  assistant(content: unknown, opts: MessageOptions & { model?: string; modelIdx?: number } = {}): string {
    const model = opts.model ?? this.models[0]!;
    return this.add('assistant', content, opts, { model, modelName: model, modelIdx: opts.modelIdx ?? 0, done: true });
  }

  /** A regenerated answer: a new assistant sibling of `assistantId`. */
  regenerate(assistantId: string, content: unknown, opts: MessageOptions = {}): string {
    const parent = this.nodes.get(assistantId)?.parentId as string | null;
    return this.assistant(content, { ...opts, parent });
  }

  /** An edited-and-resent user message: a new user sibling of `userId` (a second root if it was first). */
  edit(userId: string, content: unknown, opts: MessageOptions = {}): string {
    const parent = (this.nodes.get(userId)?.parentId as string | null) ?? null;
    return this.user(content, { ...opts, parent });
  }

  /** Side-by-side: one assistant child per model under `userId`, same timestamp. */
  sideBySide(userId: string, answers: { model: string; content: string }[], opts: MessageOptions = {}): string[] {
    const at = opts.at ?? this.clock + 60;
    return answers.map((a, i) => this.assistant(a.content, { ...opts, parent: userId, at, model: a.model, modelIdx: i }));
  }

  /** Moves the active branch (history.currentId). */
  select(id: string | null): this {
    this.currentId = id;
    return this;
  }

  get current(): string | null {
    return this.currentId;
  }

  message(id: string): Json {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no message ${id}`);
    return node;
  }

  /** The chat document: history (truth) plus the linear `messages` copy of the active branch. */
  document(opts: { messagesArray?: 'active' | 'none' | 'stale'; extra?: Json } = {}): Json {
    const messages: Json[] = [];
    const seen = new Set<string>();
    for (let id = this.currentId; id !== null && !seen.has(id); ) {
      seen.add(id);
      const node = this.nodes.get(id);
      if (!node) break;
      messages.unshift({ ...node });
      id = (node.parentId as string | null) ?? null;
    }
    const mode = opts.messagesArray ?? 'active';
    const doc: Json = {
      id: '',
      title: this.options.title ?? 'New Chat',
      models: this.models,
      params: {},
      history: { currentId: this.currentId, messages: Object.fromEntries([...this.nodes].map(([k, v]) => [k, { ...v }])) },
      ...(mode === 'none' ? {} : { messages: mode === 'stale' ? messages.slice(0, -1) : messages }),
      tags: [],
      timestamp: (this.options.start ?? T0) * 1000,
      files: [],
      ...opts.extra,
    };
    return doc;
  }

  /** Latest message timestamp (seconds), for the row's updated_at. */
  lastTimestamp(): number {
    let max = 0;
    for (const n of this.nodes.values()) if (typeof n.timestamp === 'number') max = Math.max(max, n.timestamp > 1e11 ? n.timestamp / 1000 : n.timestamp);
    return Math.floor(max);
  }
}

/** A linear chat alternating user/assistant turns, `gap` seconds apart. */
export function linearChat(turns: string[], opts: { start?: number; gap?: number; title?: string; model?: string } = {}): ChatBuilder {
  const b = new ChatBuilder({ start: opts.start, title: opts.title, models: [opts.model ?? 'gpt-4o-mini'] });
  const gap = opts.gap ?? 60;
  turns.forEach((text, i) => {
    const at = (opts.start ?? T0) + i * gap;
    if (i % 2 === 0) b.user(text, { at });
    else b.assistant(text, { at, extra: { usage: { prompt_tokens: 10 * (i + 1), completion_tokens: 20 * (i + 1) } } });
  });
  return b;
}

/** A chat row from a builder (or a raw document), dated from its messages unless overridden. */
export function chatRecord(
  id: string,
  userId: string,
  chat: ChatBuilder | Json | string | null,
  overrides: Partial<OpenWebUiChatRecord> & { documentOptions?: Parameters<ChatBuilder['document']>[0] } = {},
): OpenWebUiChatRecord {
  const { documentOptions, ...rest } = overrides;
  const document = chat instanceof ChatBuilder ? chat.document(documentOptions) : chat;
  const last = chat instanceof ChatBuilder ? chat.lastTimestamp() : T0;
  const title = chat instanceof ChatBuilder ? String(document && typeof document === 'object' ? (document as Json).title : 'New Chat') : 'New Chat';
  return { id, userId, title, chat: document, createdAt: T0, updatedAt: last || T0, ...rest };
}

export const FIXTURE_USERS: OpenWebUiUserRecord[] = [
  { id: 'u-eva', name: 'Szabó Éva', email: 'eva.szabo@example.hu', role: 'admin', timezone: 'Europe/Budapest', createdAt: T0 - 86_400 },
  { id: 'u-peter', name: 'Kovács Péter', email: 'peter.kovacs@example.hu', role: 'user', timezone: 'Europe/Budapest', createdAt: T0 - 86_400 },
  { id: 'u-emma', name: 'Emma Clarke', email: 'emma.clarke@example.com', role: 'user', timezone: null, createdAt: T0 - 86_400 },
];

export type Layout = 'json' | 'chat_message';

export interface SourceFixtureOptions {
  dialect: 'sqlite' | 'postgres';
  generation: SchemaGeneration;
  /** 'chat_message' mirrors every message into chat_message (≥ 0.8); 'json' leaves that table empty. */
  layout?: Layout;
  schema?: string;
  users?: OpenWebUiUserRecord[];
  chats?: OpenWebUiChatRecord[];
  writer?: Partial<WriterOptions>;
}

export interface SourceFixture {
  /** What a user would paste as DATABASE_URL (sqlite:////abs/path or postgresql://…). */
  url: string;
  /** SQLite file path (sqlite only). */
  file: string | null;
  schema?: string;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'owui-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Builds a real Open WebUI database (SQLite temp file or fresh PG database) holding the given rows. */
export async function createOpenWebUiSource(options: SourceFixtureOptions): Promise<SourceFixture> {
  let url: string;
  let file: string | null = null;
  let dir: string | null = null;
  if (options.dialect === 'sqlite') {
    dir = tempDir();
    file = path.join(dir, 'webui.db');
    url = `sqlite:///${file}`;
  } else {
    url = await createTestDatabase('owui');
  }
  const writer = await openOpenWebUiWriter(url, {
    generation: options.generation,
    schema: options.schema,
    journalMode: 'delete',
    ...options.writer,
  });
  try {
    await writer.insertUsers(options.users ?? FIXTURE_USERS);
    const layout = options.layout ?? 'chat_message';
    const chats = (options.chats ?? []).map((c) => (layout === 'json' && c.messageRows === undefined ? { ...c, messageRows: 'none' as const } : c));
    await writer.insertChats(chats);
  } finally {
    await writer.close();
  }
  return {
    url,
    file,
    ...(options.schema ? { schema: options.schema } : {}),
    cleanup: async () => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
