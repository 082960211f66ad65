import { createHash } from 'node:crypto';
import type { NormalisedConversation } from '../source/types.ts';

// Content fingerprint: sha256 over everything that can change a conversation's analysis, plus
// the processing version. A run skips a conversation whose stored fingerprint is unchanged, so
// what is hashed must be exactly what the pipeline reads — no more (updated_at moves when a
// chat is merely pinned or archived), no less (an edited message must trigger re-analysis).
//
// Stable across readers: both readers and both layouts produce the same normalised
// conversation, and the hash is computed over a canonical form (messages in timestamp/id
// order, attachment lists and counts sorted), so the order a reader happened to emit things in
// does not matter. Each record is length-safe JSON, so no two inputs can concatenate to the
// same byte stream.

export function contentFingerprint(conversation: NormalisedConversation, processingVersion: string): string {
  const hash = createHash('sha256');
  const line = (value: unknown): void => {
    hash.update(JSON.stringify(value));
    hash.update('\n');
  };
  line(['cogniforce-fingerprint', 1, processingVersion]);
  line(['conversation', conversation.id, conversation.userId]);
  const messages = [...conversation.messages].sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const m of messages) {
    line([
      'message',
      m.id,
      m.parentId,
      m.role,
      m.timestamp,
      m.model,
      m.inputTokens,
      m.outputTokens,
      [...m.attachments].sort(),
      m.onActiveBranch,
      m.text,
    ]);
  }
  line(['active', conversation.activeBranch]);
  const attachments = Object.entries(conversation.attachments)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  line(['attachments', attachments]);
  return hash.digest('hex');
}
