import { describe, expect, test } from 'vitest';
import { normaliseChatRow, readUsage, toEpochSeconds, type RawChatMessageRow, type RawChatRow } from '../../../src/main/core/source/normalise.ts';
import { chatMessageColumnValues, mirrorMessageRows, pythonJson } from '../../../src/main/core/source/openwebui-writer.ts';
import type { NormalisedConversation, SourceRow } from '../../../src/main/core/source/types.ts';
import { ChatBuilder, T0, linearChat } from '../../support/openwebui-fixture.ts';

type Json = Record<string, unknown>;

function row(doc: unknown, over: Partial<RawChatRow> = {}): RawChatRow {
  return {
    id: 'c1',
    user_id: 'u1',
    title: 'A chat',
    chat: typeof doc === 'string' || doc === null ? doc : JSON.stringify(doc),
    created_at: T0,
    updated_at: T0 + 3600,
    archived: 0,
    meta: '{}',
    ...over,
  };
}

function conv(r: RawChatRow, rows?: RawChatMessageRow[] | null): NormalisedConversation {
  const out = normaliseChatRow(r, rows);
  if (out.kind !== 'conversation') throw new Error(`skipped: ${out.reason} (${out.detail})`);
  return out.conversation;
}

function skipped(out: SourceRow): { reason: string; detail: string } {
  if (out.kind !== 'skipped') throw new Error('expected a skip');
  return out;
}

/** chat_message rows for a document, shaped as SQLite returns them (JSON columns as text). */
function messageRowsFor(chatId: string, doc: Json): RawChatMessageRow[] {
  return mirrorMessageRows(doc).map((m) => {
    const v = chatMessageColumnValues({ id: chatId, userId: 'u1', updatedAt: T0 }, m);
    return { id: v.id, role: v.role, parent_id: v.parent_id, content: v.content, output: v.output, model_id: v.model_id, files: v.files, usage: v.usage, created_at: v.created_at };
  });
}

/** The regeneration example of reference §6.2. */
function regenerationExample(): ChatBuilder {
  const b = new ChatBuilder({ title: 'SQL for monthly active users', models: ['llama3.1:8b'] });
  b.user('Write a Postgres query for monthly active users from an events table.', { id: 'm1', at: T0 });
  b.assistant('SELECT COUNT(*) FROM events WHERE ...', {
    id: 'm2a',
    at: T0 + 1,
    extra: { annotation: { rating: -1 }, usage: { prompt_eval_count: 41, eval_count: 58, total_duration: 2154000000 } },
  });
  b.regenerate('m2a', '', {
    id: 'm2b',
    at: T0 + 60,
    extra: {
      output: [
        { type: 'reasoning', id: 'r_1', content: [{ type: 'output_text', text: 'MAU means distinct users per month...' }] },
        { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: "SELECT date_trunc('month', ts) AS month, COUNT(DISTINCT user_id) FROM events GROUP BY 1;" }] },
      ],
      usage: { prompt_eval_count: 41, eval_count: 77, input_tokens: 41, output_tokens: 77 },
    },
  });
  b.user('Exclude internal test accounts (email ends with @example.com).', { id: 'm3', at: T0 + 130 });
  b.assistant('SELECT ... WHERE u.email NOT LIKE ...', { id: 'm4', at: T0 + 131, extra: { usage: { prompt_eval_count: 163, eval_count: 64 } } });
  return b;
}

describe('message tree', () => {
  test('a linear chat keeps every message in order with text, model and tokens', () => {
    const c = conv(row(linearChat(['Hello', 'Hi! How can I help?', 'Summarise X', 'X in short.']).document()));
    expect(c.messages.map((m) => [m.role, m.text, m.timestamp])).toEqual([
      ['user', 'Hello', T0],
      ['assistant', 'Hi! How can I help?', T0 + 60],
      ['user', 'Summarise X', T0 + 120],
      ['assistant', 'X in short.', T0 + 180],
    ]);
    expect(c.messages[1]).toMatchObject({ model: 'gpt-4o-mini', inputTokens: 20, outputTokens: 40, onActiveBranch: true });
    expect(c.messages[0]!.model).toBeNull();
    expect(c.activeBranch).toEqual(c.messages.map((m) => m.id));
    expect(c).toMatchObject({ id: 'c1', userId: 'u1', title: 'A chat', createdAt: T0, sourceUpdatedAt: T0 + 3600, archived: false, forkedFrom: null });
  });

  test('regenerations stay in the tree; the active branch walks currentId to the root', () => {
    const c = conv(row(regenerationExample().document()));
    expect(c.messages.map((m) => m.id)).toEqual(['m1', 'm2a', 'm2b', 'm3', 'm4']);
    expect(c.activeBranch).toEqual(['m1', 'm2b', 'm3', 'm4']);
    expect(c.messages.find((m) => m.id === 'm2a')!.onActiveBranch).toBe(false);
    // Ollama keys without input_tokens, and text taken from output items when content is empty.
    expect(c.messages.find((m) => m.id === 'm2a')).toMatchObject({ inputTokens: 41, outputTokens: 58 });
    expect(c.messages.find((m) => m.id === 'm2b')!.text).toBe("SELECT date_trunc('month', ts) AS month, COUNT(DISTINCT user_id) FROM events GROUP BY 1;");
  });

  test('selecting the other branch moves the active branch', () => {
    const b = regenerationExample().select('m2a');
    expect(conv(row(b.document())).activeBranch).toEqual(['m1', 'm2a']);
  });

  test('an edited first message gives two roots; both are kept', () => {
    const b = new ChatBuilder();
    const u1 = b.user('Translate to Hungarian: good morning', { at: T0 });
    b.assistant('Jó reggelt', { at: T0 + 5 });
    b.edit(u1, 'Translate to Hungarian: good evening', { id: 'edit', at: T0 + 300 });
    b.assistant('Jó estét', { id: 'ans2', at: T0 + 305 });
    const c = conv(row(b.document()));
    expect(c.messages.filter((m) => m.parentId === null).map((m) => m.id)).toEqual(['m001', 'edit']);
    expect(c.activeBranch).toEqual(['edit', 'ans2']);
    expect(c.messages).toHaveLength(4);
  });

  test('side-by-side answers are parallel children of one user message', () => {
    const b = new ChatBuilder({ models: ['gpt-4o', 'llama3.1:8b'] });
    const u = b.user('Compare', { at: T0 });
    const [a, l] = b.sideBySide(u, [
      { model: 'gpt-4o', content: 'A' },
      { model: 'llama3.1:8b', content: 'B' },
    ]);
    b.select(a!);
    const c = conv(row(b.document()));
    expect(c.messages.map((m) => [m.id, m.model, m.parentId])).toEqual([
      [u, null, null],
      [a, 'gpt-4o', u],
      [l, 'llama3.1:8b', u],
    ]);
    expect(c.activeBranch).toEqual([u, a]);
  });

  test('a parentId cycle does not hang and yields a finite branch', () => {
    const doc = {
      history: {
        currentId: 'b',
        messages: {
          a: { id: 'a', parentId: 'b', role: 'user', content: 'x', timestamp: T0 },
          b: { id: 'b', parentId: 'a', role: 'assistant', content: 'y', timestamp: T0 + 1 },
        },
      },
    };
    const c = conv(row(doc));
    expect(c.activeBranch).toEqual(['a', 'b']);
    expect(c.messages).toHaveLength(2);
  });

  test('messages sort by timestamp, then id', () => {
    const doc = {
      history: {
        currentId: 'b',
        messages: {
          b: { id: 'b', parentId: null, role: 'user', content: 'x', timestamp: T0 },
          a: { id: 'a', parentId: null, role: 'user', content: 'y', timestamp: T0 },
          c: { id: 'c', parentId: null, role: 'user', content: 'z', timestamp: T0 - 5 },
        },
      },
    };
    expect(conv(row(doc)).messages.map((m) => m.id)).toEqual(['c', 'a', 'b']);
  });

  test('a missing currentId falls back to the latest message', () => {
    const doc = regenerationExample().select(null).document();
    expect(conv(row(doc)).activeBranch).toEqual(['m1', 'm2b', 'm3', 'm4']);
  });
});

describe('history versus the messages array', () => {
  test('a stale messages array is ignored when history exists', () => {
    const b = linearChat(['q', 'a', 'q2', 'a2']);
    const c = conv(row(b.document({ messagesArray: 'stale' })));
    expect(c.messages).toHaveLength(4);
  });

  test('very old chats with only a messages array are read from it', () => {
    const doc = {
      messages: [
        { id: 'x1', role: 'user', content: 'old question', timestamp: T0 },
        { id: 'x2', role: 'assistant', content: 'old answer', timestamp: T0 + 30, model: 'llama2' },
      ],
    };
    const c = conv(row(doc));
    expect(c.messages.map((m) => [m.id, m.parentId])).toEqual([
      ['x1', null],
      ['x2', 'x1'],
    ]);
    expect(c.activeBranch).toEqual(['x1', 'x2']);
  });

  test('an empty history falls back to the messages array too', () => {
    const doc = { history: { messages: {}, currentId: null }, messages: [{ id: 'x1', role: 'user', content: 'q', timestamp: T0 }] };
    expect(conv(row(doc)).messages).toHaveLength(1);
  });
});

describe('timestamps', () => {
  test.each([
    [T0, T0],
    [T0 * 1000 + 123, T0],
    [T0 * 1_000_000 + 456_789, T0],
    [T0 * 1_000_000_000 + 1, T0],
    [`${T0}`, T0],
    ['2026-01-07T10:00:00Z', T0],
  ])('%s → %s seconds', (input, expected) => {
    expect(toEpochSeconds(input)).toBe(expected);
  });

  test.each([[null], [undefined], [0], [-5], ['abc'], [Number.NaN], [{}]])('%s is not a timestamp', (input) => {
    expect(toEpochSeconds(input)).toBeNull();
  });

  test('units are normalised per message', () => {
    const b = new ChatBuilder();
    b.user('q', { at: T0 * 1000 });
    b.assistant('a', { at: (T0 + 10) * 1_000_000 });
    expect(conv(row(b.document())).messages.map((m) => m.timestamp)).toEqual([T0, T0 + 10]);
  });

  test('a message without a valid timestamp is dropped from timing; the chat goes on', () => {
    const b = new ChatBuilder();
    b.user('q', { id: 'u', at: T0 });
    b.assistant('a', { id: 'a', at: null });
    b.user('q2', { id: 'u2', at: T0 + 120 });
    const c = conv(row(b.document()));
    expect(c.messages.map((m) => m.id)).toEqual(['u', 'u2']);
    expect(c.droppedMessages).toBe(1);
    // The walk passes through the untimed message, so u2 still sits on the branch after u.
    expect(c.activeBranch).toEqual(['u', 'u2']);
    expect(c.messages[1]!.parentId).toBeNull();
  });

  test('row timestamps arrive as strings from PostgreSQL BIGINT and fall back to messages when NULL', () => {
    const doc = linearChat(['q', 'a']).document();
    expect(conv(row(doc, { created_at: `${T0}`, updated_at: `${T0 + 5}` }))).toMatchObject({ createdAt: T0, sourceUpdatedAt: T0 + 5 });
    expect(conv(row(doc, { created_at: null, updated_at: null }))).toMatchObject({ createdAt: T0, sourceUpdatedAt: T0 + 60 });
  });
});

describe('content', () => {
  test('<details type> blocks are stripped, plain <details> stays', () => {
    const content =
      'Before\n<details type="reasoning" done="true" duration="3">\n<summary>Thought for 3 seconds</summary>\n> thinking…\n</details>\nAnswer' +
      ' <details><summary>mine</summary>kept</details>';
    const b = new ChatBuilder();
    b.user('q', { at: T0 });
    b.assistant(content);
    expect(conv(row(b.document())).messages[1]!.text).toBe('Before\n\nAnswer <details><summary>mine</summary>kept</details>');
  });

  test('content as a list of blocks is joined; image blocks count as image attachments', () => {
    const b = new ChatBuilder();
    b.user([{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }], { at: T0 });
    const m = conv(row(b.document())).messages[0]!;
    expect(m.text).toBe('What is in this picture?');
    expect(m.attachments).toEqual(['image']);
  });

  test('missing content falls back to output message items', () => {
    const b = new ChatBuilder();
    b.user('q', { at: T0 });
    b.assistant(undefined, { extra: { output: [{ type: 'message', content: [{ type: 'output_text', text: 'from output' }] }] } });
    expect(conv(row(b.document())).messages[1]!.text).toBe('from output');
  });

  test('NUL characters are stripped, whether raw in the text or escaped in JSON', () => {
    const b = new ChatBuilder({ title: 'x' });
    b.user('a\u0000b', { at: T0 });
    const json = JSON.stringify(b.document());
    expect(conv(row(json)).messages[0]!.text).toBe('ab');
    const raw = json.replace('a\\u0000b', 'a\u0000b');
    expect(raw.includes('\u0000')).toBe(true);
    expect(conv(row(raw, { title: 'ti\u0000tle' }))).toMatchObject({ title: 'title' });
  });

  test('Python-style ASCII-escaped JSON (json.dumps) decodes to the original text', () => {
    const b = new ChatBuilder();
    b.user('Fordítsd le: árvíztűrő tükörfúrógép 😀', { at: T0 });
    const text = pythonJson(b.document());
    expect([...text].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(conv(row(text)).messages[0]!.text).toBe('Fordítsd le: árvíztűrő tükörfúrógép 😀');
  });
});

describe('usage', () => {
  test.each([
    [{ input_tokens: 5, output_tokens: 6, prompt_tokens: 99 }, undefined, 5, 6],
    [{ prompt_tokens: 7, completion_tokens: 8 }, undefined, 7, 8],
    [{ prompt_eval_count: 9, eval_count: 10 }, undefined, 9, 10],
    [{ prompt_n: 11, predicted_n: 12 }, undefined, 11, 12],
    [{ input_tokens: null, prompt_tokens: 3, output_tokens: null, completion_tokens: 4 }, undefined, 3, 4],
    [undefined, { prompt_eval_count: 13, eval_count: 14, total_duration: 1e9 }, 13, 14],
    [undefined, { openai: true, usage: { prompt_tokens: 15, completion_tokens: 16 } }, 15, 16],
    [null, null, 0, 0],
    [undefined, undefined, 0, 0],
  ])('usage %j / info %j → %i in, %i out', (usage, info, input, output) => {
    expect(readUsage(usage, info)).toEqual({ input, output });
  });
});

describe('attachments', () => {
  test('files are classified by content type, name or type; base64 data never survives', () => {
    const files = [
      { type: 'file', name: 'contract.pdf', content_type: 'application/pdf', size: 1 },
      { type: 'image', url: `data:image/png;base64,${'A'.repeat(5000)}` },
      { type: 'file', name: 'q3.xlsx', content_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      { type: 'file', name: 'main.py', content_type: 'application/octet-stream' },
      { type: 'file', name: 'memo.docx' },
      { type: 'file', name: 'call.m4a' },
      { type: 'file', file: { filename: 'data.csv', meta: { content_type: 'text/csv' } } },
      { type: 'collection', name: 'HR policies' },
    ];
    const b = new ChatBuilder();
    b.user('see attached', { at: T0, files });
    const c = conv(row(b.document()));
    expect(c.messages[0]!.attachments).toEqual(['pdf', 'image', 'spreadsheet', 'code', 'document', 'audio', 'spreadsheet', 'other']);
    expect(c.attachments).toEqual({ pdf: 1, image: 1, spreadsheet: 2, code: 1, document: 1, audio: 1, other: 1 });
    expect(JSON.stringify(c)).not.toContain('base64');
  });

  test('a message with only an attachment makes the chat non-empty', () => {
    const b = new ChatBuilder();
    b.user('', { at: T0, files: [{ type: 'image', url: 'x' }] });
    expect(conv(row(b.document())).attachments).toEqual({ image: 1 });
  });
});

describe('rows that are skipped', () => {
  test('share snapshots, internal chats and notes', () => {
    const doc = linearChat(['q', 'a']).document();
    expect(skipped(normaliseChatRow(row(doc, { user_id: 'shared-c9' }))).reason).toBe('shared_snapshot');
    expect(skipped(normaliseChatRow(row(doc, { meta: '{"internal": true}' }))).reason).toBe('internal');
    expect(skipped(normaliseChatRow(row(doc, { meta: { internal: 'subagent' } }))).reason).toBe('internal');
    expect(skipped(normaliseChatRow(row(doc, { meta: { type: 'note' } }))).reason).toBe('internal');
    expect(skipped(normaliseChatRow(row(doc, { meta: { type: 'timer' } }))).reason).toBe('internal');
    expect(normaliseChatRow(row(doc, { meta: { internal: false, tags: ['x'] } })).kind).toBe('conversation');
  });

  test.each([
    ['{"history": ', 'unparsable_json'],
    ['"{broken"', 'unparsable_json'],
    ['[1, 2]', 'invalid_structure'],
    ['42', 'invalid_structure'],
    ['{"history": "nope"}', 'invalid_structure'],
    ['{"history": {"messages": 5}}', 'invalid_structure'],
    ['{}', 'no_messages'],
    ['null', 'no_messages'],
    [null, 'no_messages'],
    ['{"history": {"messages": {}}}', 'no_messages'],
    ['{"history": {"messages": {"a": {"role": "user", "content": "x"}}}}', 'no_timestamps'],
    ['{"history": {"messages": {"a": {"role": "user", "content": " ", "timestamp": 1767780000}}}}', 'empty'],
    ['{"history": {"messages": {"a": {"role": "tool", "content": "x", "timestamp": 1767780000}}}}', 'invalid_structure'],
  ])('%s → %s', (chat, reason) => {
    const out = skipped(normaliseChatRow(row(chat)));
    expect(out.reason).toBe(reason);
    expect(out.detail.length).toBeGreaterThan(0);
  });

  test('a skip carries id, owner and updated_at', () => {
    expect(normaliseChatRow(row('{', { updated_at: `${T0}` }))).toEqual({
      kind: 'skipped',
      id: 'c1',
      userId: 'u1',
      sourceUpdatedAt: T0,
      reason: 'unparsable_json',
      detail: expect.any(String),
    });
  });

  test('a double-encoded document (JSON string holding JSON) is decoded', () => {
    const doc = linearChat(['q', 'a']).document();
    expect(conv(row(JSON.stringify(JSON.stringify(doc)))).messages).toHaveLength(2);
  });

  test('oversized documents are skipped as too_large', () => {
    const doc = JSON.stringify(linearChat(['q', 'a']).document());
    expect(skipped(normaliseChatRow(row(doc), null, { maxChatChars: 100 })).reason).toBe('too_large');
  });

  test('archived flags in every dialect form', () => {
    const doc = linearChat(['q', 'a']).document();
    for (const v of [1, true, 't', 'true', '1']) expect(conv(row(doc, { archived: v })).archived).toBe(true);
    for (const v of [0, false, null, 'f']) expect(conv(row(doc, { archived: v })).archived).toBe(false);
  });
});

describe('forks', () => {
  test('a fork drops the path root → branch point and remembers its source', () => {
    const b = linearChat(['q1', 'a1', 'q2', 'a2'], { start: T0 });
    const ids = b.document().history as { messages: Json };
    const [m1, m2, m3, m4] = Object.keys(ids.messages);
    b.user('follow-up in the fork', { id: 'f1', parent: m2!, at: T0 + 7200 });
    b.assistant('fork answer', { id: 'f2', at: T0 + 7260 });
    const c = conv(row(b.document({ extra: { originalChatId: 'c0', branchPointMessageId: m2 } })));
    expect(c.forkedFrom).toBe('c0');
    // m3/m4 are the source's later branch, which the fork also carries; only root→m2 repeats.
    expect(c.messages.map((m) => m.id)).toEqual([m3, m4, 'f1', 'f2']);
    expect(c.activeBranch).toEqual(['f1', 'f2']);
    expect(c.messages.find((m) => m.id === 'f1')!.parentId).toBeNull();
    expect(m1).toBeDefined();
  });

  test('meta.forked_from / forked_from_message_id mark forks too', () => {
    const b = linearChat(['q1', 'a1']);
    const [m1, m2] = Object.keys((b.document().history as { messages: Json }).messages);
    b.user('more', { id: 'f1', parent: m2!, at: T0 + 500 });
    const c = conv(row(b.document(), { meta: { forked_from: 'c0', forked_from_message_id: m2 } }));
    expect(c.forkedFrom).toBe('c0');
    expect(c.messages.map((m) => m.id)).toEqual(['f1']);
    expect(m1).toBeDefined();
  });

  test('a fork with nothing after its branch point is skipped', () => {
    const b = linearChat(['q1', 'a1']);
    const keys = Object.keys((b.document().history as { messages: Json }).messages);
    const out = skipped(normaliseChatRow(row(b.document({ extra: { originalChatId: 'c0', branchPointMessageId: keys[1] } }))));
    expect(out.reason).toBe('no_messages');
  });
});

describe('chat_message rows (0.8+)', () => {
  test('rows mirroring the JSON give exactly the JSON result', () => {
    const doc = regenerationExample().document();
    expect(conv(row(doc), messageRowsFor('c1', doc))).toEqual(conv(row(doc)));
  });

  test('rows alone (NULL document) give the same conversation as the JSON', () => {
    const doc = regenerationExample().document();
    expect(conv(row(null, { current_message_id: 'm4' }), messageRowsFor('c1', doc))).toEqual(conv(row(doc)));
  });

  test('rows fill in messages the JSON lacks', () => {
    const b = linearChat(['q', 'a']);
    const full = b.document();
    b.user('late question', { id: 'late', at: T0 + 500 });
    const rows = messageRowsFor('c1', b.document());
    const c = conv(row(full), rows);
    expect(c.messages.map((m) => m.id).at(-1)).toBe('late');
  });

  test('rows rescue a chat whose JSON is broken', () => {
    const doc = linearChat(['q', 'a']).document();
    expect(conv(row('{broken'), messageRowsFor('c1', doc)).messages).toHaveLength(2);
  });

  test('JSON null and SQL NULL in row columns both mean absent', () => {
    const rows: RawChatMessageRow[] = [
      { id: 'c1-a', role: 'user', parent_id: null, content: '"hi"', files: 'null', usage: null, output: 'null', created_at: `${T0}` },
      { id: 'c1-b', role: 'assistant', parent_id: 'a', content: 'plain text, not JSON', files: null, usage: 'null', model_id: 'm', created_at: T0 + 1 },
    ];
    const c = conv(row(null), rows);
    expect(c.messages.map((m) => [m.id, m.text, m.inputTokens, m.attachments])).toEqual([
      ['a', 'hi', 0, []],
      ['b', 'plain text, not JSON', 0, []],
    ]);
  });
});

describe('robustness', () => {
  test('a 50 MB answer is stripped and measured without blowing up', () => {
    const big = `${'lorem ipsum '.repeat(4_000_000)}<details type="reasoning">${'x'.repeat(2_000_000)}</details>end`;
    const b = new ChatBuilder();
    b.user('q', { at: T0 });
    b.assistant(big);
    const c = conv(row(b.document()));
    expect(c.messages[1]!.text.length).toBe(48_000_003);
  });

  test('pathological tag soup is handled in linear time', () => {
    const soup = '<details type="a">'.repeat(200_000) + 'x' + '</details'.repeat(200_000) + '<details <details <details>'.repeat(50_000);
    const b = new ChatBuilder();
    b.user(`keep ${soup}`, { at: T0 });
    expect(conv(row(b.document())).messages[0]!.text).toBe('keep');
    const untyped = `${'<details <details '.repeat(100_000)}>body</details>`;
    const b2 = new ChatBuilder();
    b2.user(untyped, { at: T0 });
    expect(conv(row(b2.document())).messages[0]!.text).toBe(untyped);
  });

  test('unknown junk never throws', () => {
    const inputs: unknown[] = [undefined, 0, true, {}, [], 'x', Buffer.from('{"history":{}}'), { history: { messages: { a: null, b: 5, c: [] } } }];
    for (const chat of inputs) {
      expect(() => normaliseChatRow({ id: 'c', user_id: 'u', chat })).not.toThrow();
    }
    expect(normaliseChatRow({ id: null, user_id: 'u', chat: '{}' })).toMatchObject({ kind: 'skipped', reason: 'invalid_structure' });
    expect(normaliseChatRow({ id: 'c', user_id: null, chat: '{}' })).toMatchObject({ kind: 'skipped', reason: 'invalid_structure' });
  });
});
