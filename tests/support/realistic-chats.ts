import type { OpenWebUiChatRecord } from '../../src/main/core/source/openwebui-writer.ts';
import { ChatBuilder, chatRecord, T0 } from './openwebui-fixture.ts';
import { seededRandom } from './rng.ts';

// Chats shaped like a real Open WebUI install rather than a demo: most conversations are a single
// question and answer, the answer is stamped at the same second as the question (Open WebUI
// stamps the placeholder), and follow-ups arrive after a heavy-tailed pause. Under the seed's
// formula such chats score 0 active minutes.

const QUESTIONS = [
  'Rewrite this paragraph so it sounds friendlier for a customer email.',
  'Write a Python function that deduplicates a list of dicts by the "id" key.',
  'Summarise the main points of the attached meeting notes in five bullets.',
  'Fordítsd le angolra: A szállítás jövő hétre csúszik a raktárkészlet miatt.',
  'What is the difference between a LEFT JOIN and an INNER JOIN?',
  'Give me ten name ideas for an internal analytics dashboard.',
  'Explain this error: TypeError: Cannot read properties of undefined (reading "map").',
  'Draft a polite reminder to a colleague about the overdue report.',
];

const answerOf = (rand: () => number, words: number): string =>
  Array.from({ length: words }, (_, i) => (i % 12 === 11 ? 'done.' : ['the', 'report', 'value', 'we', 'should', 'update', 'client', 'data'][Math.floor(rand() * 8)])).join(' ');

/** Turns per chat: 55 % one, 20 % two, 15 % three or four, 10 % five to eight. */
function turnsFor(r: number): number {
  if (r < 0.55) return 1;
  if (r < 0.75) return 2;
  if (r < 0.9) return 3 + Math.floor((r - 0.75) / 0.075);
  return 5 + Math.floor(((r - 0.9) / 0.1) * 4);
}

/** Log-normal pause before a follow-up: median ≈ 2 min, about one in six over 10 min. */
function followUpPause(rand: () => number): number {
  const u1 = Math.max(rand(), 1e-9);
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
  return Math.round(Math.exp(Math.log(120) + 1.4 * normal));
}

export function realisticChats(count: number, seed = 1): OpenWebUiChatRecord[] {
  const rand = seededRandom(seed);
  const users = ['u-eva', 'u-peter', 'u-emma'];
  const chats: OpenWebUiChatRecord[] = [];
  for (let i = 0; i < count; i++) {
    let at = T0 + Math.floor(rand() * 8 * 3600);
    const b = new ChatBuilder({ start: at, idPrefix: `r${i}-` });
    const turns = turnsFor(rand());
    for (let t = 0; t < turns; t++) {
      if (t > 0) at += followUpPause(rand);
      b.user(t === 0 ? QUESTIONS[Math.floor(rand() * QUESTIONS.length)]! : 'Thanks. Can you make it shorter and more specific?', { at });
      b.assistant(answerOf(rand, 60 + Math.floor(rand() * 400)), { at });
    }
    chats.push(chatRecord(`real-${i}`, users[i % users.length]!, b));
  }
  return chats;
}
