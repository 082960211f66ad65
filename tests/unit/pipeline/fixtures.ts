import type { NormalisedConversation, NormalisedMessage } from '../../../src/main/core/source/types.ts';

// Small builders for normalised conversations, so tests state only what matters to them.

let counter = 0;

export function msg(partial: Partial<NormalisedMessage> & Pick<NormalisedMessage, 'role' | 'timestamp'>): NormalisedMessage {
  counter++;
  return {
    id: partial.id ?? `m${String(counter).padStart(6, '0')}`,
    parentId: partial.parentId ?? null,
    text: '',
    model: partial.role === 'assistant' ? 'gpt-4o' : null,
    inputTokens: 0,
    outputTokens: 0,
    attachments: [],
    onActiveBranch: true,
    ...partial,
  };
}

/** A linear chat: each message's parent is the previous one; all on the active branch. */
export function chain(specs: Array<Pick<NormalisedMessage, 'role' | 'timestamp'> & Partial<NormalisedMessage>>): NormalisedMessage[] {
  const out: NormalisedMessage[] = [];
  specs.forEach((spec, i) => {
    const previous = out[i - 1];
    out.push(msg({ ...spec, id: spec.id ?? `c${i}`, parentId: spec.parentId ?? (previous ? previous.id : null) }));
  });
  return out;
}

export function conversation(messages: NormalisedMessage[], extra: Partial<NormalisedConversation> = {}): NormalisedConversation {
  const sorted = [...messages].sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    id: 'chat-1',
    userId: 'user-1',
    title: 'Test chat',
    createdAt: sorted[0]?.timestamp ?? 0,
    sourceUpdatedAt: sorted[sorted.length - 1]?.timestamp ?? 0,
    messages: sorted,
    activeBranch: messages.filter((m) => m.onActiveBranch).map((m) => m.id),
    attachments: {},
    archived: false,
    forkedFrom: null,
    ...extra,
  };
}

export function words(n: number, word = 'lorem'): string {
  return Array.from({ length: n }, () => word).join(' ');
}
