import { openOpenWebUiWriter, type OpenWebUiChatRecord, type OpenWebUiUserRecord } from '../source/openwebui-writer.ts';
import type { SchemaGeneration } from '../source/openwebui-schema.ts';
import { addLocalDays, dayBounds, today } from '../time/days.ts';
import { Random } from './random.ts';
import {
  ENGLISH_FAMILY,
  ENGLISH_GIVEN,
  HUNGARIAN_FAMILY,
  HUNGARIAN_GIVEN,
  followUp,
  largePaste,
  piiSnippet,
  taskOpening,
  type TaskKind,
} from './texts.ts';

// A deterministic, realistic Open WebUI dataset: users with Hungarian and English names, chats
// in Budapest working hours over the last D days, varied tasks, regenerations, edits,
// side-by-side answers, multi-day chats, forks, internal and shared rows, a few broken rows,
// token usage in every historic format, and PII for the redactor. Chat i depends only on
// (seed, i), so chats stream one at a time and 100,000 of them never sit in memory at once.

type Json = Record<string, unknown>;

export interface DemoDatasetOptions {
  seed?: number;
  users?: number;
  days?: number;
  /** Mean chats per user per working day (default 1). Ignored when `chats` is given. */
  chatsPerUserPerDay?: number;
  /** Exact number of chat rows. */
  chats?: number;
  /** "Now" (epoch ms or Date); chats fall on the `days` local days before today. */
  now?: number | Date;
  timezone?: string;
  /** Share of chats (0–1) with a pasted document over 1 MB (default 0). */
  largeChatShare?: number;
  /** Internal, shared-snapshot and broken rows that a reader must skip (default true). */
  includeSkippedRows?: boolean;
}

export interface DemoDataset {
  users: OpenWebUiUserRecord[];
  chats: OpenWebUiChatRecord[];
}

type Special = 'normal' | 'fork' | 'internal' | 'shared' | 'broken_json' | 'no_timestamps' | 'empty';

interface Plan {
  seed: number;
  users: OpenWebUiUserRecord[];
  cumulativeWeights: number[];
  workdays: number[];
  weekends: number[];
  total: number;
  nowSeconds: number;
  largeChatShare: number;
  includeSkippedRows: boolean;
}

const MODELS = {
  openai: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini'],
  ollama: ['llama3.1:8b', 'mistral-small:24b', 'qwen2.5-coder:14b'],
  reasoning: ['deepseek-r1:14b'],
};
const TASK_WEIGHTS: [TaskKind, number][] = [
  ['coding', 0.26],
  ['writing', 0.2],
  ['translation', 0.14],
  ['analysis', 0.14],
  ['summary', 0.14],
  ['brainstorm', 0.12],
];

function asciiFold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

function makeUsers(seed: number, count: number): OpenWebUiUserRecord[] {
  const rng = new Random(seed, 0x05e7);
  const used = new Set<string>();
  const users: OpenWebUiUserRecord[] = [];
  for (let i = 0; i < count; i++) {
    const hungarian = rng.chance(0.75);
    const given = rng.pick(hungarian ? HUNGARIAN_GIVEN : ENGLISH_GIVEN);
    const family = rng.pick(hungarian ? HUNGARIAN_FAMILY : ENGLISH_FAMILY);
    const name = hungarian ? `${family} ${given}` : `${given} ${family}`;
    let local = `${asciiFold(given)}.${asciiFold(family)}`;
    for (let n = 2; used.has(local); n++) local = `${asciiFold(given)}.${asciiFold(family)}${n}`;
    used.add(local);
    users.push({
      id: rng.uuid(),
      name,
      email: `${local}@${hungarian ? 'cogniforce-demo.hu' : 'cogniforce-demo.com'}`,
      role: i === 0 ? 'admin' : 'user',
      timezone: hungarian ? 'Europe/Budapest' : rng.pick(['Europe/London', 'Europe/Budapest', null]),
    });
  }
  return users;
}

function makePlan(options: DemoDatasetOptions): Plan {
  const seed = options.seed ?? 42;
  const zone = options.timezone ?? 'Europe/Budapest';
  const nowMs = options.now instanceof Date ? options.now.getTime() : (options.now ?? Date.now());
  const days = Math.max(1, Math.floor(options.days ?? 60));
  const users = makeUsers(seed, Math.max(1, Math.floor(options.users ?? 25)));
  const start = today(zone, nowMs);
  const workdays: number[] = [];
  const weekends: number[] = [];
  for (let k = 1; k <= days; k++) {
    const date = addLocalDays(start, -k);
    const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
    (weekday === 0 || weekday === 6 ? weekends : workdays).push(dayBounds(date, zone).start);
  }
  if (workdays.length === 0) workdays.push(...weekends);
  const rng = new Random(seed, 0xa11);
  let sum = 0;
  const cumulativeWeights = users.map(() => (sum += rng.around(1, 0.7)));
  const total = options.chats ?? Math.round(users.length * workdays.length * (options.chatsPerUserPerDay ?? 1));
  for (const u of users) u.createdAt = Math.min(...workdays, ...weekends) - 30 * 86_400;
  return {
    seed,
    users,
    cumulativeWeights,
    workdays,
    weekends,
    total: Math.max(0, Math.floor(total)),
    nowSeconds: Math.floor(nowMs / 1000),
    largeChatShare: options.largeChatShare ?? 0,
    includeSkippedRows: options.includeSkippedRows ?? true,
  };
}

const chatId = (plan: Plan, index: number): string => new Random(plan.seed, index, 0x1d).uuid();

function specialOf(plan: Plan, index: number): Special {
  const r = new Random(plan.seed, index, 0x5b).next();
  if (!plan.includeSkippedRows) return index > 0 && r < 0.012 ? 'fork' : 'normal';
  if (r < 0.002) return 'broken_json';
  if (r < 0.003) return 'no_timestamps';
  if (r < 0.004) return 'empty';
  if (r < 0.009) return 'internal';
  if (r < 0.013) return 'shared';
  if (r < 0.025 && index > 0) return 'fork';
  return 'normal';
}

/** The nearest earlier ordinary chat, for forks and share snapshots to copy. */
function sourceIndex(plan: Plan, index: number, rng: Random): number | null {
  for (let j = rng.int(0, Math.max(0, index - 1)); j >= 0; j--) if (specialOf(plan, j) === 'normal') return j;
  return null;
}

/** A message tree being written the way the web UI writes it. */
class Tree {
  readonly messages: Record<string, Json> = {};
  currentId: string | null = null;

  constructor(private readonly rng: Random) {}

  add(node: Json, parentId: string | null): string {
    const id = this.rng.uuid();
    this.messages[id] = { id, parentId, childrenIds: [], ...node };
    if (parentId) (this.messages[parentId]!.childrenIds as string[]).push(id);
    this.currentId = id;
    return id;
  }

  activePath(): Json[] {
    const path: Json[] = [];
    for (let id = this.currentId; id; id = this.messages[id]?.parentId as string | null) {
      const m = this.messages[id];
      if (!m) break;
      path.unshift(m);
    }
    return path;
  }
}

function usageFor(rng: Random, model: string, input: number, output: number): Json {
  if (model.startsWith('gpt')) {
    const base = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
    return rng.chance(0.6) ? { ...base, input_tokens: input, output_tokens: output } : base;
  }
  const ollama = { prompt_eval_count: input, eval_count: output, total_duration: Math.round(output * 2.1e7), load_duration: 1.2e7 };
  return rng.chance(0.5) ? { ...ollama, input_tokens: input, output_tokens: output, total_tokens: input + output } : ollama;
}

interface Conversation {
  tree: Tree;
  models: string[];
  title: string;
  kind: TaskKind;
  first: number;
  last: number;
}

/** Simulates one person working through a task with the assistant. */
function converse(plan: Plan, rng: Random, start: number, into?: { tree: Tree; parent: string; models: string[] }): Conversation {
  const tree = into?.tree ?? new Tree(rng);
  const family = rng.chance(0.55) ? 'openai' : rng.chance(0.85) ? 'ollama' : 'reasoning';
  const sideBySide = !into && rng.chance(0.02);
  const models = into?.models ?? (sideBySide ? [rng.pick(MODELS.openai), rng.pick(MODELS.ollama)] : [rng.pick(MODELS[family])]);
  const kind = weightedKind(rng);
  const task = taskOpening(rng, kind);
  const turns = rng.chance(0.1) ? rng.int(5, 9) : rng.int(1, 4);
  const withPii = rng.chance(0.35);
  const piiTurn = rng.int(0, turns - 1);
  const legacyInfo = rng.chance(0.02);
  const noUsage = rng.chance(0.1);
  const withOutput = rng.chance(0.3);
  const large = !into && rng.chance(plan.largeChatShare);
  const regenerateAt = rng.chance(0.1) ? rng.int(0, turns - 1) : -1;
  const editAt = rng.chance(0.06) ? rng.int(0, turns - 1) : -1;
  const multiDayAt = turns > 1 && rng.chance(0.05) ? rng.int(1, turns - 1) : -1;

  let clock = start;
  let parent: string | null = into?.parent ?? null;
  let context = 0;
  const first = start;

  const assistant = (userId: string, at: number, model: string, modelIdx: number): string => {
    const sentences = Math.max(2, Math.round(rng.around(7, 0.5)));
    let content = task.answer(rng, sentences);
    if (model.startsWith('deepseek-r1') || (family === 'reasoning' && rng.chance(0.5))) {
      const secs = rng.int(2, 40);
      content = `<details type="reasoning" done="true" duration="${secs}">\n<summary>Thought for ${secs} seconds</summary>\n> ${rng.pick(['Let me think about the structure first.', 'The user wants a concise answer.', 'Check the numbers before answering.'])}\n</details>\n${content}`;
    }
    const input = Math.round(context / 4) + 30;
    const output = Math.round(content.length / 4);
    context += content.length;
    const node: Json = { role: 'assistant', content, model, modelName: model, modelIdx, timestamp: at, done: true };
    if (!noUsage) {
      if (legacyInfo) node.info = model.startsWith('gpt') ? { openai: true, usage: { prompt_tokens: input, completion_tokens: output } } : { prompt_eval_count: input, eval_count: output, total_duration: output * 2e7 };
      else node.usage = usageFor(rng, model, input, output);
    }
    if (withOutput) node.output = [{ type: 'message', id: `msg_${rng.hex(24)}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: content }] }];
    if (task.kind === 'summary' && task.files[0]) node.sources = [{ source: { id: rng.uuid(), name: task.files[0].name, type: 'file' }, document: ['…'], metadata: [{ page: rng.int(1, 30) }] }];
    return tree.add(node, userId);
  };

  const answerAll = (userId: string, at: number): string => {
    let chosen = '';
    models.forEach((model, idx) => {
      const id = assistant(userId, at + rng.int(0, 1), model, idx);
      if (idx === 0) chosen = id;
    });
    tree.currentId = chosen;
    return chosen;
  };

  for (let t = 0; t < turns; t++) {
    let text = t === 0 ? task.prompt : followUp(rng);
    if (t === 0 && large) text = largePaste(rng, rng.int(1_100_000, 1_600_000));
    if (withPii && t === piiTurn) text = `${text}\n\n${piiSnippet(rng)}`;
    if (t > 0) {
      // Reading the answer, then typing the next request; now and then a long interruption.
      const read = rng.int(10, 180);
      const type = Math.round(text.length / rng.int(3, 6)) + rng.int(5, 40);
      clock += read + type;
      if (rng.chance(0.08)) clock += rng.int(600, 7200);
      if (t === multiDayAt) {
        const next = clock + 86_400 * rng.int(1, 3);
        if (next < plan.nowSeconds - 3600) clock = next;
      }
    }
    context += text.length;
    const files = t === 0 ? task.files.map((f) => ({ type: 'file', id: rng.uuid(), url: '', name: f.name, content_type: f.content_type, size: f.size, status: 'uploaded' })) : [];
    for (const f of files) f.url = f.id;
    const userNode: Json = { role: 'user', content: text, timestamp: clock, models, ...(files.length > 0 ? { files } : {}) };
    let userId = tree.add(userNode, parent);
    let answer = answerAll(userId, clock + rng.int(0, 1));
    if (t === editAt) {
      // Edited and re-sent: a sibling user message (a second root when it was the first).
      clock += rng.int(30, 240);
      userId = tree.add({ ...userNode, content: `${text} ${rng.pick(['(in Hungarian please)', 'Keep it under 100 words.', 'Use a more formal tone.'])}`, timestamp: clock }, parent);
      answer = answerAll(userId, clock + rng.int(0, 1));
    }
    if (t === regenerateAt) {
      clock += rng.int(20, 120);
      answer = assistant(userId, clock, models[0]!, 0);
    }
    parent = answer;
    clock = (tree.messages[answer]!.timestamp as number) + Math.round(((tree.messages[answer]!.content as string).length / 60) * rng.next());
  }
  return { tree, models, title: task.title, kind, first, last: maxTimestamp(tree) ?? first };
}

function maxTimestamp(tree: Tree): number | null {
  let max: number | null = null;
  for (const m of Object.values(tree.messages)) if (typeof m.timestamp === 'number') max = max === null ? m.timestamp : Math.max(max, m.timestamp);
  return max;
}

function weightedKind(rng: Random): TaskKind {
  let r = rng.next();
  for (const [kind, w] of TASK_WEIGHTS) if ((r -= w) < 0) return kind;
  return 'coding';
}

function document(c: Conversation, rng: Random, extra: Json = {}): Json {
  const active = c.tree.activePath().map((m) => ({ ...m }));
  const stale = rng.chance(0.05) && active.length > 1;
  return {
    id: '',
    title: c.title,
    models: c.models,
    params: {},
    history: { messages: c.tree.messages, currentId: c.tree.currentId },
    messages: stale ? active.slice(0, -1) : active,
    tags: [],
    timestamp: c.first * 1000 + rng.int(0, 999),
    files: [],
    ...extra,
  };
}

function pickUser(plan: Plan, rng: Random): OpenWebUiUserRecord {
  const total = plan.cumulativeWeights[plan.cumulativeWeights.length - 1]!;
  const r = rng.next() * total;
  let lo = 0;
  let hi = plan.cumulativeWeights.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (plan.cumulativeWeights[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return plan.users[lo]!;
}

function startTime(plan: Plan, rng: Random): number {
  const day = plan.weekends.length > 0 && rng.chance(0.02) ? rng.pick(plan.weekends) : rng.pick(plan.workdays);
  // 08:00–17:30 local, denser mid-morning and mid-afternoon.
  const minutes = rng.chance(0.5) ? rng.int(8 * 60, 12 * 60) : rng.int(13 * 60, 17 * 60 + 30);
  return day + minutes * 60 + rng.int(0, 59);
}

/** Builds chat row `index` of the plan (pure in (seed, index)). */
function buildChat(plan: Plan, index: number): OpenWebUiChatRecord {
  const rng = new Random(plan.seed, index, 0xc4a7);
  const id = chatId(plan, index);
  const user = pickUser(plan, rng);
  const start = startTime(plan, rng);
  const special = specialOf(plan, index);
  const tags = (kind: string): Json => ({ tags: rng.chance(0.3) ? [kind, rng.pick(['work', 'q3', 'urgent', 'ugyfel'])] : [] });

  if (special === 'fork' || special === 'shared') {
    const j = sourceIndex(plan, index, rng);
    if (j !== null) {
      const source = buildChat(plan, j);
      const doc = source.chat as Json;
      if (special === 'shared') {
        return { ...source, id, userId: `shared-${source.id}`, shareId: null, archived: false, pinned: false, messageRows: 'mirror' };
      }
      // A fork continues from a message on the source's active branch, some hours later.
      const history = doc.history as { messages: Record<string, Json>; currentId: string };
      const tree = new Tree(rng);
      Object.assign(tree.messages, structuredClone(history.messages));
      const path: string[] = [];
      for (let m: string | null = history.currentId; m; m = (tree.messages[m]?.parentId as string | null) ?? null) path.unshift(m);
      const branchPoint = path[Math.max(0, rng.int(1, path.length) - 1)] ?? path[0]!;
      // Keep only the path root → branch point, as a fork of that message does.
      const keep = new Set(path.slice(0, path.indexOf(branchPoint) + 1));
      for (const k of Object.keys(tree.messages)) if (!keep.has(k)) delete tree.messages[k];
      for (const k of keep) tree.messages[k]!.childrenIds = (tree.messages[k]!.childrenIds as string[]).filter((c) => keep.has(c));
      const forkStart = Math.min(plan.nowSeconds - 7200, (source.updatedAt ?? start) + rng.int(3600, 3 * 86_400));
      const conv = converse(plan, rng, forkStart, { tree, parent: branchPoint, models: (doc.models as string[]) ?? ['gpt-4o-mini'] });
      const forkDoc = document({ ...conv, title: `${source.title} (fork)` }, rng, { originalChatId: source.id, branchPointMessageId: branchPoint });
      const last = maxTimestamp(conv.tree) ?? forkStart;
      return { id, userId: source.userId, title: `${source.title} (fork)`, chat: forkDoc, createdAt: forkStart, updatedAt: last + rng.int(0, 20), meta: tags(conv.kind) };
    }
  }

  const conv = converse(plan, rng, start);
  const updatedAt = conv.last + rng.int(0, 20);
  const base = { id, userId: user.id, title: conv.title, createdAt: conv.first, updatedAt };
  switch (special) {
    case 'broken_json': {
      const text = JSON.stringify(document(conv, rng));
      return { ...base, chat: text.slice(0, Math.floor(text.length * 0.6)), messageRows: 'none' };
    }
    case 'no_timestamps':
      for (const m of Object.values(conv.tree.messages)) delete m.timestamp;
      return { ...base, chat: document(conv, rng) };
    case 'empty':
      for (const m of Object.values(conv.tree.messages)) {
        m.content = '';
        delete m.files;
        delete m.output;
      }
      return { ...base, chat: document(conv, rng) };
    case 'internal':
      return { ...base, title: rng.chance(0.5) ? 'Sub-agent task' : 'Meeting notes', chat: document(conv, rng), meta: rng.chance(0.5) ? { internal: true, parent_chat_id: chatId(plan, Math.max(0, index - 1)) } : { type: 'note', note_id: rng.uuid() } };
    default:
      break;
  }
  // A few imported chats carry millisecond timestamps.
  if (rng.chance(0.01)) for (const m of Object.values(conv.tree.messages)) if (typeof m.timestamp === 'number') m.timestamp = m.timestamp * 1000 + rng.int(0, 999);
  return {
    ...base,
    chat: document(conv, rng),
    archived: rng.chance(0.05),
    pinned: rng.chance(0.03),
    meta: tags(conv.kind),
  };
}

/** The plan's users (always small). */
export function demoUsers(options: DemoDatasetOptions = {}): OpenWebUiUserRecord[] {
  return makePlan({ ...options, chats: 0 }).users;
}

/** Streams the chat rows one by one (constant memory, same rows as generateDemoDataset). */
export function* demoChats(options: DemoDatasetOptions = {}): Generator<OpenWebUiChatRecord> {
  const plan = makePlan(options);
  for (let i = 0; i < plan.total; i++) yield buildChat(plan, i);
}

export function generateDemoDataset(options: DemoDatasetOptions = {}): DemoDataset {
  const plan = makePlan(options);
  const chats: OpenWebUiChatRecord[] = [];
  for (let i = 0; i < plan.total; i++) chats.push(buildChat(plan, i));
  return { users: plan.users, chats };
}

export interface WriteDemoOptions extends DemoDatasetOptions {
  /** Open WebUI schema generation to write (default '0.11', with chat_message rows). */
  generation?: SchemaGeneration;
  /** PostgreSQL schema (DATABASE_SCHEMA). */
  schema?: string;
  /** Replace an existing SQLite file / existing tables. */
  overwrite?: boolean;
  /** Chats per write transaction (default 500). */
  batchSize?: number;
  onProgress?: (written: number, total: number) => void;
}

/** Writes the demo dataset into a SQLite path/URL or a PostgreSQL URL (database must exist). */
export async function writeDemoDatabase(target: string, options: WriteDemoOptions = {}): Promise<{ users: number; chats: number }> {
  const plan = makePlan(options);
  const writer = await openOpenWebUiWriter(target, {
    generation: options.generation ?? '0.11',
    schema: options.schema,
    overwrite: options.overwrite,
    bulk: true,
  });
  try {
    await writer.insertUsers(plan.users);
    const batchSize = Math.max(1, options.batchSize ?? 500);
    let batch: OpenWebUiChatRecord[] = [];
    let batchChars = 0;
    for (let i = 0; i < plan.total; i++) {
      const chat = buildChat(plan, i);
      batch.push(chat);
      if (typeof chat.chat === 'string') batchChars += chat.chat.length;
      if (batch.length >= batchSize || batchChars > 64 * 1024 * 1024) {
        await writer.insertChats(batch);
        options.onProgress?.(i + 1, plan.total);
        batch = [];
        batchChars = 0;
      }
    }
    if (batch.length > 0) await writer.insertChats(batch);
    options.onProgress?.(plan.total, plan.total);
    return { users: plan.users.length, chats: plan.total };
  } finally {
    await writer.close();
  }
}
