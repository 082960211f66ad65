import { createHash, type Hash } from 'node:crypto';
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

/** Characters of a message text escaped and hashed at a time (see hashJsonString). */
const TEXT_CHUNK = 32_768;

/**
 * Hashes JSON.stringify(text) — the same bytes — a chunk at a time, so a pasted megabyte is not
 * copied whole into its escaped form (a large object for the collector, for every long message).
 * A chunk never ends between the halves of a surrogate pair: JSON.stringify escapes a lone half.
 */
function hashJsonString(hash: Hash, text: string): void {
  if (text.length <= TEXT_CHUNK) {
    hash.update(JSON.stringify(text));
    return;
  }
  hash.update('"');
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + TEXT_CHUNK);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const escaped = JSON.stringify(text.slice(start, end));
    hash.update(escaped.slice(1, -1));
    start = end;
  }
  hash.update('"');
}

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
    // The line JSON.stringify([..., m.text]) would write, the text hashed on its own.
    const fields = JSON.stringify(['message', m.id, m.parentId, m.role, m.timestamp, m.model, m.inputTokens, m.outputTokens, [...m.attachments].sort(), m.onActiveBranch]);
    hash.update(fields.slice(0, -1));
    hash.update(',');
    hashJsonString(hash, m.text);
    hash.update(']\n');
  }
  line(['active', conversation.activeBranch]);
  const attachments = Object.entries(conversation.attachments)
    .filter(([, n]) => (n ?? 0) > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  line(['attachments', attachments]);
  return hash.digest('hex');
}
