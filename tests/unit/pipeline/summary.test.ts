import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANSWER_SAMPLE_CHARS,
  buildSummary,
  guessLanguage,
  guessTaskType,
  REQUEST_SAMPLE_CHARS,
  SUMMARY_MAX_CHARS,
  summaryToPromptText,
  truncateSample,
} from '../../../src/main/core/pipeline/summary.ts';
import { computeTiming, DEFAULT_TIMING_SETTINGS } from '../../../src/main/core/pipeline/timing.ts';
import type { NormalisedConversation } from '../../../src/main/core/source/types.ts';
import { chain, conversation, msg, words } from './fixtures.ts';

const T0 = 1_763_800_000;

function summarise(c: NormalisedConversation) {
  return buildSummary(c, computeTiming(c.messages, DEFAULT_TIMING_SETTINGS));
}

describe('buildSummary', () => {
  it('counts messages, branches, words, code and attachments; samples requests and the final answer', () => {
    const u1 = msg({ id: 'u1', role: 'user', timestamp: T0, text: 'Write a Python function that parses dates. My mail is jane.doe@example.com', attachments: ['pdf'] });
    const a1old = msg({ id: 'a1old', role: 'assistant', parentId: 'u1', timestamp: T0 + 5, text: 'old answer', onActiveBranch: false });
    const a1 = msg({ id: 'a1', role: 'assistant', parentId: 'u1', timestamp: T0 + 60, text: 'Here:\n```python\ndef parse(s):\n    return s\n```\nDone.' });
    const u2 = msg({ id: 'u2', role: 'user', parentId: 'a1', timestamp: T0 + 120, text: 'Thanks, add tests' });
    const a2 = msg({ id: 'a2', role: 'assistant', parentId: 'u2', timestamp: T0 + 180, text: 'Added tests. Call +36 30 123 4567 if stuck.' });
    const c = conversation([u1, a1old, a1, u2, a2], { attachments: { pdf: 1, image: 0 }, activeBranch: ['u1', 'a1', 'u2', 'a2'] });
    const s = summarise(c);
    expect(s.messageCounts).toEqual({ user: 2, assistant: 3, total: 5, branches: 1 });
    expect(s.wordsByUser).toBe(11 + 3);
    expect(s.codeBlocks).toBe(1);
    expect(s.codeLines).toBe(2);
    expect(s.attachments).toEqual({ pdf: 1 });
    expect(s.totalMinutes).toBe(3);
    expect(s.activeMinutes).toBe(3);
    expect(s.taskTypeGuess).toBe('coding');
    expect(s.language).toBe('en');
    expect(s.userRequestSamples).toEqual(['[attached: pdf] Write a Python function that parses dates. My mail is [EMAIL]', 'Thanks, add tests']);
    expect(s.finalAnswerSample).toBe('Added tests. Call [PHONE] if stuck.');
    expect(summaryToPromptText(s)).toContain('Requests:\n1. [attached: pdf] Write a Python function');
  });

  it('takes only the first three requests and replaces code with a marker', () => {
    const msgs = chain([
      { role: 'user', timestamp: T0, text: 'one' },
      { role: 'assistant', timestamp: T0, text: 'a' },
      { role: 'user', timestamp: T0 + 1, text: 'two\n```js\nconst key = "sk-proj-abcdefghijklmnop123456";\n```' },
      { role: 'assistant', timestamp: T0 + 1, text: 'b' },
      { role: 'user', timestamp: T0 + 2, text: 'three' },
      { role: 'user', timestamp: T0 + 3, text: 'four' },
    ]);
    const s = summarise(conversation(msgs));
    expect(s.userRequestSamples).toEqual(['one', 'two [code: 1 line, js]', 'three']);
  });

  it('redacts before truncating: a cut never leaves part of an e-mail, phone or key', () => {
    for (let pad = REQUEST_SAMPLE_CHARS - 40; pad <= REQUEST_SAMPLE_CHARS + 5; pad++) {
      const text = `${'x'.repeat(pad)} john.smith@example.com +36 30 123 4567 sk-proj-abcdefghijklmnopq123456`;
      const s = summarise(conversation(chain([{ role: 'user', timestamp: T0, text }])));
      const sample = s.userRequestSamples[0] ?? '';
      expect(sample.length).toBeLessThanOrEqual(REQUEST_SAMPLE_CHARS);
      for (const fragment of ['john', 'smith', '@example', '+36', '123 4567', 'sk-proj', 'abcdefgh']) expect(sample).not.toContain(fragment);
      expect(sample).not.toMatch(/\[[A-Z]*…/); // no half placeholder
    }
  });

  it('truncateSample cuts at word boundaries and never inside a placeholder', () => {
    expect(truncateSample('short', 10)).toBe('short');
    expect(truncateSample('hello wonderful world', 12)).toBe('hello wonde…'); // no boundary close enough
    expect(truncateSample('the quick brown fox jumps over', 20)).toBe('the quick brown fox…');
    expect(truncateSample('aaaa bbbb [EMAIL] cccc', 14)).toBe('aaaa bbbb…');
    expect(truncateSample('anything', 1)).toBe('');
  });

  it('stays under the size budget however long the conversation', () => {
    const nasty = '"\\'.repeat(5000) + '\u0001\u0002' + words(20000, 'árvíztűrő');
    const messages = Array.from({ length: 400 }, (_, i) =>
      msg({ id: `m${String(i).padStart(4, '0')}`, role: i % 2 === 0 ? 'user' : 'assistant', timestamp: T0 + i * 30, text: i % 7 === 0 ? nasty : words(3000) }),
    );
    const c = conversation(messages, { attachments: { image: 99999, pdf: 12345, document: 1, spreadsheet: 2, code: 3, audio: 4, other: 5 } });
    const s = summarise(c);
    expect(JSON.stringify(s).length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(s.userRequestSamples.length).toBeGreaterThan(0);
    expect(s.messageCounts.total).toBe(400);
  });

  it('budget property: any conversation fits', () => {
    const textArb = fc.oneof(fc.string({ maxLength: 3000 }), fc.string({ unit: 'grapheme', maxLength: 2000 }), fc.integer({ min: 0, max: 5000 }).map((n) => words(n, '"x"')));
    fc.assert(
      fc.property(fc.array(fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const), text: textArb }), { minLength: 1, maxLength: 12 }), (specs) => {
        const c = conversation(chain(specs.map((s, i) => ({ ...s, timestamp: T0 + i * 10 }))));
        const s = summarise(c);
        expect(JSON.stringify(s).length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
        for (const r of s.userRequestSamples) expect(r.length).toBeLessThanOrEqual(REQUEST_SAMPLE_CHARS);
        expect(s.finalAnswerSample.length).toBeLessThanOrEqual(ANSWER_SAMPLE_CHARS);
      }),
      { numRuns: 150 },
    );
  });

  it('never lets generated e-mails, phones, keys, cards or IBANs into the summary', () => {
    const email = fc.tuple(fc.stringMatching(/^[a-z]{2,8}(?:\.[a-z]{2,8})?\d{0,3}$/), fc.constantFrom('gmail.com', 'pelda.hu', 'example.co.uk', 'cég.hu')).map(([l, d]) => `${l}@${d}`);
    const phone = fc
      .tuple(fc.constantFrom('20', '30', '70', '1'), fc.integer({ min: 100, max: 999 }), fc.integer({ min: 1000, max: 9999 }))
      .chain(([a, b, c]) => fc.constantFrom(`+36 ${a} ${b} ${c}`, `06 ${a} ${b} ${c}`, `06-${a}-${b}-${c}`, `+36${a}${b}${c}`, `06${a}/${b}-${c}`));
    const key = fc.stringMatching(/^[A-Za-z0-9]{32}$/).filter((s) => /\d/.test(s)).chain((s) => fc.constantFrom(`sk-proj-${s}`, `ghp_${s}abcd`, `sk-${s}`));
    const card = fc.constantFrom('4111 1111 1111 1111', '5555555555554444', '3782 822463 10005', '4242-4242-4242-4242', '6011 1111 1111 1117');
    const iban = fc.constantFrom('HU42 1177 3016 1111 1018 0000 0000', 'DE89370400440532013000', 'GB82 WEST 1234 5698 7654 32', 'HU17120100110123456700100005');
    const pii = fc.oneof(email, phone, key, card, iban);
    const fixedFillers = ['Kérlek írj levelet', 'Please summarise', 'on 2026-11-22', 'for 1 299 Ft', '\n\n', ', '];
    const filler = fc.oneof(fc.constantFrom(...fixedFillers), fc.string({ maxLength: 40 }).filter((s) => !/[\w@+]/.test(s)));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(fc.oneof(pii, filler), { minLength: 1, maxLength: 8 }), fc.array(pii, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 4 }), (turns) => {
        const specs = turns.flatMap(([userParts, answerPii], i) => [
          { role: 'user' as const, timestamp: T0 + i * 60, text: userParts.join(' ') },
          { role: 'assistant' as const, timestamp: T0 + i * 60, text: `Sure. ${answerPii.join(' and ')} noted.` },
        ]);
        const json = JSON.stringify(summarise(conversation(chain(specs))));
        const secrets = turns.flatMap(([u, a]) => [...u, ...a]).filter((p) => !fixedFillers.includes(p) && /[@\d]/.test(p));
        for (const secret of secrets) {
          expect(json).not.toContain(secret);
          expect(json).not.toContain(secret.replace(/[ -]/g, ''));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('guesses', () => {
  const none = { userCode: false, assistantCode: false, attachments: {} };
  it.each([
    ['Fordítsd le ezt a szöveget angolra: A szerződés holnap lejár.', 'translation'],
    ['Translate this paragraph into German please', 'translation'],
    ['Foglald össze a mellékelt jelentést öt pontban', 'summarization'],
    ['Can you summarise this meeting transcript?', 'summarization'],
    ['Why does this Python script throw a KeyError exception?', 'coding'],
    ['Írj egy SQL lekérdezést, ami kilistázza a vevőket', 'coding'],
    ['Write an email to the customer about the delayed shipment', 'communication'],
    ['Írj egy udvarias levelet a bérbeadónak', 'communication'],
    ['Write a blog article about remote work', 'writing'],
    ['Compare the pros and cons of leasing vs buying', 'analysis'],
    ['Adj ötleteket egy csapatépítő programhoz', 'brainstorming'],
    ['Explain how does TLS work', 'learning'],
    ['Make a pivot table in Excel from this data', 'data'],
    ['Adj javaslatot a nevére', 'brainstorming'],
    ['hello', 'other'],
  ])('%s → %s', (text, expected) => {
    expect(guessTaskType([text], none)).toBe(expected);
  });

  it('code blocks push towards coding, spreadsheets towards data', () => {
    expect(guessTaskType(['fix this'], { ...none, userCode: true })).toBe('coding');
    expect(guessTaskType(['look at this'], { ...none, attachments: { spreadsheet: 1 } })).toBe('data');
  });

  it.each([
    ['Please write a short summary of the report for the board', 'en'],
    ['Kérlek, írj egy rövid összefoglalót a jelentésről, hogy a vezetőség is értse', 'hu'],
    ['Bitte schreibe eine kurze Zusammenfassung für den Vorstand, und zwar heute', 'de'],
    ['árvíztűrő tükörfúrógép', 'hu'],
    ['1234 5678', 'other'],
    ['', 'other'],
  ])('%s → %s', (text, expected) => {
    expect(guessLanguage(text)).toBe(expected);
  });
});
