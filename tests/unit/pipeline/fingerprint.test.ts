import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentFingerprint } from '../../../src/main/core/pipeline/fingerprint.ts';
import { PROCESSING_VERSION } from '../../../src/main/core/pipeline/version.ts';
import type { NormalisedConversation } from '../../../src/main/core/source/types.ts';
import { chain, conversation } from './fixtures.ts';

const T0 = 1_763_800_000;

type Message = NormalisedConversation['messages'][number];
function byId(c: NormalisedConversation, id: string): Message {
  const m = c.messages.find((x) => x.id === id);
  if (!m) throw new Error(`no message ${id}`);
  return m;
}

function base(): NormalisedConversation {
  return conversation(
    chain([
      { id: 'u1', role: 'user', timestamp: T0, text: 'Translate this', attachments: ['pdf', 'image'] },
      { id: 'a1', role: 'assistant', timestamp: T0, text: 'Done', model: 'gpt-4o', inputTokens: 10, outputTokens: 20 },
      { id: 'u2', role: 'user', timestamp: T0 + 60, text: 'Thanks' },
    ]),
    { attachments: { pdf: 1, image: 1 } },
  );
}

describe('contentFingerprint', () => {
  it('is a sha256 hex string and deterministic', () => {
    const fp = contentFingerprint(base(), PROCESSING_VERSION);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(contentFingerprint(base(), PROCESSING_VERSION)).toBe(fp);
  });

  it('is stable across reader order: message order, attachment order, count key order, zero counts', () => {
    const a = base();
    const b = base();
    b.messages = [...b.messages].reverse().map((m) => ({ ...m, attachments: [...m.attachments].reverse() }));
    b.attachments = { image: 1, pdf: 1, audio: 0 };
    expect(contentFingerprint(b, PROCESSING_VERSION)).toBe(contentFingerprint(a, PROCESSING_VERSION));
  });

  it('ignores what does not affect the analysis: title, updated_at, archived', () => {
    const b = { ...base(), title: 'Renamed', sourceUpdatedAt: T0 + 99_999, archived: true };
    expect(contentFingerprint(b, PROCESSING_VERSION)).toBe(contentFingerprint(base(), PROCESSING_VERSION));
  });

  it('changes with anything that does', () => {
    const original = contentFingerprint(base(), PROCESSING_VERSION);
    const edits: Array<(c: NormalisedConversation) => void> = [
      (c) => void (byId(c, 'u1').text = 'Translate this!'),
      (c) => void (byId(c, 'a1').timestamp = T0 + 1),
      (c) => void (byId(c, 'a1').model = 'gpt-4o-mini'),
      (c) => void (byId(c, 'a1').outputTokens = 21),
      (c) => void (byId(c, 'a1').inputTokens = 11),
      (c) => void (byId(c, 'a1').role = 'user'),
      (c) => void (byId(c, 'u2').id = 'u3'),
      (c) => void (byId(c, 'u2').parentId = 'u1'),
      (c) => void (byId(c, 'u1').attachments = ['pdf']),
      (c) => void (byId(c, 'u2').onActiveBranch = false),
      (c) => void (c.activeBranch = ['u1', 'a1']),
      (c) => void (c.attachments = { pdf: 2, image: 1 }),
      (c) => void c.messages.push({ ...byId(c, 'u2'), id: 'u9', timestamp: T0 + 120 }),
      (c) => void (c.id = 'chat-2'),
      (c) => void (c.userId = 'user-2'),
    ];
    const seen = new Set([original]);
    for (const edit of edits) {
      const c = structuredClone(base());
      edit(c);
      const fp = contentFingerprint(c, PROCESSING_VERSION);
      expect(seen.has(fp), `edit ${edits.indexOf(edit)}`).toBe(false);
      seen.add(fp);
    }
    expect(contentFingerprint(base(), '2099.1.1')).not.toBe(original);
  });

  it('cannot be fooled by moving text between fields', () => {
    const a = structuredClone(base());
    const b = structuredClone(base());
    (a.messages[0] as { text: string }).text = 'ab';
    (a.messages[1] as { text: string }).text = 'c';
    (b.messages[0] as { text: string }).text = 'a';
    (b.messages[1] as { text: string }).text = 'bc';
    expect(contentFingerprint(a, PROCESSING_VERSION)).not.toBe(contentFingerprint(b, PROCESSING_VERSION));
  });

  // Stored fingerprints decide which conversations a run skips: the chunked hashing of long
  // texts must give the very bytes the whole-line JSON gave, or every chat is analysed again.
  it('equals the whole-line JSON hash for long texts, surrogate pairs cut at chunk edges included', () => {
    const wholeLine = (c: NormalisedConversation): string => {
      const hash = createHash('sha256');
      const line = (value: unknown): void => void hash.update(`${JSON.stringify(value)}\n`);
      line(['cogniforce-fingerprint', 1, PROCESSING_VERSION]);
      line(['conversation', c.id, c.userId]);
      const messages = [...c.messages].sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const m of messages) line(['message', m.id, m.parentId, m.role, m.timestamp, m.model, m.inputTokens, m.outputTokens, [...m.attachments].sort(), m.onActiveBranch, m.text]);
      line(['active', c.activeBranch]);
      line(['attachments', Object.entries(c.attachments).filter(([, n]) => (n ?? 0) > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
      return hash.digest('hex');
    };
    const pieces = ['a', '"', '\\', '\n', '\u0000', '\u001f', 'é', '😀', '\ud83d', '\ude00', '\u2028'];
    fc.assert(
      fc.property(fc.integer({ min: 32_760, max: 100_000 }), fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 40 }), (length, tail) => {
        // A pair straddling each 32,768-character edge somewhere in the text, then odd pieces.
        const text = ('x'.repeat(32_767) + '😀').repeat(Math.ceil(length / 32_769)).slice(0, length) + tail.join('');
        const c = base();
        byId(c, 'a1').text = text;
        expect(contentFingerprint(c, PROCESSING_VERSION)).toBe(wholeLine(c));
      }),
      { numRuns: 60 },
    );
    expect(contentFingerprint(base(), PROCESSING_VERSION)).toBe(wholeLine(base()));
  });
});
