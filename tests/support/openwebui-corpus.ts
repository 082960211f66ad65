import type { OpenWebUiChatRecord } from '../../src/main/core/source/openwebui-writer.ts';
import { ChatBuilder, T0, chatRecord, linearChat } from './openwebui-fixture.ts';

// A corpus of hand-written chats covering the quirks of reference §2, written identically into
// every dialect, schema generation and layout by the parity tests.

type Json = Record<string, unknown>;

/** Chat ids whose skip depends on chat.meta (absent before 0.3.33, so read as conversations there). */
export const META_DEPENDENT_IDS = new Set(['c15-internal', 'c16-note', 'c05-fork-meta']);

export function quirkCorpus(): OpenWebUiChatRecord[] {
  const chats: OpenWebUiChatRecord[] = [];
  const at = (h: number): number => T0 + h * 3600;

  const linear = linearChat(['Summarise the supplier contract in five bullets.', '- 90 days notice\n- …', 'Which applies to missed deliveries?', 'Clause 14.2 …'], { start: at(0), title: 'Supplier contract' });
  chats.push(chatRecord('c01-linear', 'u-eva', linear, { updatedAt: at(1), meta: { tags: ['legal'] } }));

  const regen = new ChatBuilder({ start: at(2), models: ['llama3.1:8b'], title: 'MAU query' });
  regen.user('Write a Postgres query for monthly active users.', { id: 'm1' });
  regen.assistant('SELECT COUNT(*) FROM events', { id: 'm2a', extra: { usage: { prompt_eval_count: 41, eval_count: 58 } } });
  regen.regenerate('m2a', "SELECT date_trunc('month', ts), COUNT(DISTINCT user_id) FROM events GROUP BY 1", {
    id: 'm2b',
    extra: { usage: { prompt_eval_count: 41, eval_count: 77, input_tokens: 41, output_tokens: 77 } },
  });
  regen.user('Exclude test accounts.', { id: 'm3' });
  regen.assistant('… WHERE email NOT LIKE ...', { id: 'm4', extra: { usage: { prompt_n: 163, predicted_n: 64 } } });
  chats.push(chatRecord('c02-regenerate', 'u-peter', regen, { updatedAt: at(3) }));

  const edit = new ChatBuilder({ start: at(4), title: 'Fordítás' });
  const u1 = edit.user('Translate: good morning');
  edit.assistant('Jó reggelt');
  edit.edit(u1, 'Translate: good evening, colleagues');
  edit.assistant('Jó estét, kollégák');
  chats.push(chatRecord('c03-edit-roots', 'u-eva', edit, { updatedAt: at(5) }));

  const sbs = new ChatBuilder({ start: at(6), models: ['gpt-4o', 'llama3.1:8b'], title: 'Compare' });
  const q = sbs.user('Name three risks of the migration.');
  const [first] = sbs.sideBySide(q, [
    { model: 'gpt-4o', content: '1. Downtime 2. Data loss 3. Cost' },
    { model: 'llama3.1:8b', content: 'Downtime, data loss, training.' },
  ]);
  sbs.select(first!);
  chats.push(chatRecord('c04-side-by-side', 'u-emma', sbs, { updatedAt: at(7) }));

  const fork = linearChat(['Summarise the supplier contract in five bullets.', '- 90 days notice\n- …'], { start: at(0) });
  const forkIds = Object.keys(((fork.document().history as Json).messages as Json) ?? {});
  fork.user('Now draft a termination letter.', { id: 'f1', parent: forkIds[1]!, at: at(8) });
  fork.assistant('Dear supplier, …', { id: 'f2' });
  chats.push(chatRecord('c05-fork', 'u-eva', fork, { updatedAt: at(9), documentOptions: { extra: { originalChatId: 'c01-linear', branchPointMessageId: forkIds[1] } } }));
  chats.push(chatRecord('c05-fork-meta', 'u-eva', fork, { updatedAt: at(9), meta: { forked_from: 'c01-linear', forked_from_message_id: forkIds[1] } }));

  const files = new ChatBuilder({ start: at(10), title: 'Attachments' });
  files.user('Compare the PDF with the screenshot and the sheet.', {
    files: [
      { type: 'file', id: 'f-1', name: 'contract.pdf', content_type: 'application/pdf', size: 284113, status: 'uploaded' },
      { type: 'image', url: `data:image/png;base64,${'iVBORw0KGgo'.repeat(300)}` },
      { type: 'file', id: 'f-2', name: 'figures.xlsx', size: 1000 },
    ],
  });
  files.assistant('The figures match page 12.', { extra: { files: [{ type: 'image', url: '/api/v1/files/x/content' }] } });
  chats.push(chatRecord('c06-attachments', 'u-peter', files, { updatedAt: at(11) }));

  const details = new ChatBuilder({ start: at(12), models: ['deepseek-r1:14b'], title: 'Reasoning' });
  details.user('Is 1234567 prime?');
  details.assistant('<details type="reasoning" done="true" duration="4">\n<summary>Thought for 4 seconds</summary>\n> try small factors <details type="tool_calls">nested</details>\n</details>\nNo: 1234567 = 127 × 9721.');
  chats.push(chatRecord('c07-details', 'u-emma', details, { updatedAt: at(13) }));

  const ms = new ChatBuilder({ start: at(14), title: 'Imported from ChatGPT' });
  ms.user('Imported question', { at: at(14) * 1000 + 250 });
  ms.assistant('Imported answer', { at: (at(14) + 30) * 1000 + 999 });
  chats.push(chatRecord('c08-millis', 'u-eva', ms, { updatedAt: at(15) }));

  const untimed = new ChatBuilder({ start: at(16), title: 'One untimed message' });
  untimed.user('q');
  untimed.assistant('a (lost its timestamp)', { at: null });
  untimed.user('q2', { at: at(16) + 600 });
  untimed.assistant('a2');
  chats.push(chatRecord('c09-untimed-message', 'u-peter', untimed, { updatedAt: at(17) }));

  chats.push(
    chatRecord('c10-legacy-list', 'u-emma', {
      title: 'Old chat',
      messages: [
        { id: 'x1', role: 'user', content: 'How do I reset my password?', timestamp: at(18) },
        { id: 'x2', role: 'assistant', content: 'Go to Settings → Account.', timestamp: at(18) + 20, model: 'llama2', info: { prompt_eval_count: 12, eval_count: 30 } },
      ],
    }, { updatedAt: at(19) }),
  );

  const stale = linearChat(['q1', 'a1', 'q2', 'a2 (missing from the messages array)'], { start: at(20) });
  chats.push(chatRecord('c11-stale-array', 'u-eva', stale, { updatedAt: at(21), documentOptions: { messagesArray: 'stale' } }));

  chats.push(chatRecord('c12-broken-json', 'u-peter', '{"history": {"messages": {"a": {"role": "user", "content": "cut', { updatedAt: at(22), messageRows: 'none' }));

  const noTime = new ChatBuilder({ start: at(23) });
  noTime.user('q', { at: null });
  noTime.assistant('a', { at: null });
  chats.push(chatRecord('c13-no-timestamps', 'u-emma', noTime, { updatedAt: at(23) }));

  const empty = new ChatBuilder({ start: at(24) });
  empty.user('');
  empty.assistant('   ');
  chats.push(chatRecord('c14-empty', 'u-eva', empty, { updatedAt: at(24) }));

  chats.push(chatRecord('c15-internal', 'u-eva', linearChat(['sub-agent task', 'done'], { start: at(25) }), { updatedAt: at(25), meta: { internal: true } }));
  chats.push(chatRecord('c16-note', 'u-peter', linearChat(['note body', 'ok'], { start: at(25) }), { updatedAt: at(25), meta: { type: 'note' } }));
  chats.push(chatRecord('c17-shared', 'shared-c01-linear', linear, { updatedAt: at(26), messageRows: 'none' }));
  chats.push(chatRecord('c18-null-document', 'u-emma', null, { updatedAt: at(26) }));

  const legacy = new ChatBuilder({ start: at(27), models: ['gpt-3.5-turbo'] });
  legacy.user('Old OpenAI usage');
  legacy.assistant('Answer', { extra: { info: { openai: true, usage: { prompt_tokens: 15, completion_tokens: 16 } } } });
  chats.push(chatRecord('c19-legacy-info', 'u-eva', legacy, { updatedAt: at(28) }));

  const unicode = new ChatBuilder({ start: at(29), title: 'Árvíztűrő tükörfúrógép' });
  unicode.user('Fordítsd le: „Jó napot!” 😀 a\u0000b');
  unicode.assistant('Good day! 😀');
  chats.push(chatRecord('c20-unicode-nul', 'u-peter', unicode, { updatedAt: at(30), title: 'Árvíztűrő\u0000 tükörfúrógép' }));

  chats.push(chatRecord('c21-archived', 'u-emma', linearChat(['q', 'a'], { start: at(31) }), { updatedAt: at(31), archived: true }));
  // Same updated_at as c21: the id breaks the tie.
  chats.push(chatRecord('c21-archived-twin', 'u-emma', linearChat(['q', 'a'], { start: at(31) }), { updatedAt: at(31) }));
  chats.push(chatRecord('c22-null-updated', 'u-eva', linearChat(['q', 'a'], { start: at(32) }), { updatedAt: null }));
  chats.push(chatRecord('c00-late-id-early-update', 'u-eva', linearChat(['q', 'a'], { start: at(-5) }), { updatedAt: at(-4) }));
  return chats;
}
