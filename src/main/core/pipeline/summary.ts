import type { ConversationSummary, TaskCategory } from '../llm/types.ts';
import type { NormalisedConversation, NormalisedMessage } from '../source/types.ts';
import { countWords, splitFences } from './engaged.ts';
import { redact } from './redact.ts';
import { toMinutes } from './timing.ts';
import type { Timing } from './types.ts';

// The compact summary of one conversation (SPEC §4.2): the only thing about it that ever
// leaves the machine, and what the admin sees as "what was sent". Everything free-text in it
// is redacted before it is cut, and the whole summary, serialised as JSON, stays under
// SUMMARY_MAX_CHARS (≈ 400 tokens) however long the conversation is.
//
// Counts (messages, branches) cover the whole tree; words, code and samples come from the
// active branch — the work the person ended up with, not the regenerations they discarded.

/** Hard cap on JSON.stringify(summary).length. */
export const SUMMARY_MAX_CHARS = 1600;
/** Starting caps for the samples; shrunk together when the summary would exceed the budget. */
export const REQUEST_SAMPLE_CHARS = 240;
export const ANSWER_SAMPLE_CHARS = 400;
const MAX_REQUEST_SAMPLES = 3;
/**
 * Only this much of a message is prepared and redacted for a sample (a pasted 5 MB log costs
 * nothing more than a short one). The window is far larger than any sample, and the redactor
 * matches whole items inside it, so nothing cut at the window's edge can reach a sample.
 */
const SAMPLE_WINDOW_CHARS = 100_000;

export type SummaryLanguage = 'en' | 'hu' | 'de' | 'other';

// --- Samples ----------------------------------------------------------------------------------

/** Fenced code becomes a marker ("[code: 42 lines, python]"): it costs budget and may hold secrets. */
function replaceCode(text: string): string {
  return splitFences(text)
    .map((segment) => {
      if (segment.kind === 'prose') return segment.text;
      const lines = segment.text === '' ? 0 : segment.text.split('\n').length;
      const lang = /^[a-z0-9+#.-]{1,15}$/.test(segment.lang) ? `, ${segment.lang}` : '';
      return ` [code: ${lines} line${lines === 1 ? '' : 's'}${lang}] `;
    })
    .join('\n');
}

function normaliseWhitespace(text: string): string {
  // Control characters would be escaped in JSON (\u0000 is 6 characters); newlines and tabs
  // become spaces so a sample reads as one line and costs one character per break.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Code markers, whitespace, then redaction — of the whole window, before any cut. */
export function prepareSample(text: string): string {
  const window = text.length > SAMPLE_WINDOW_CHARS ? text.slice(0, SAMPLE_WINDOW_CHARS) : text;
  return redact(normaliseWhitespace(replaceCode(window))).text;
}

/**
 * Cuts an already redacted text to at most `max` characters, at a word boundary when one is
 * close, never inside a placeholder such as "[EMAIL]" or "https://host/[…]", and marks the cut.
 */
export function truncateSample(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '';
  let cut = max - 1; // room for the ellipsis
  const open = text.lastIndexOf('[', cut);
  const close = text.lastIndexOf(']', cut - 1);
  // Would split a placeholder ("[EMAIL]", "[…]"; none is longer than 12): cut before it.
  if (open > close && open >= 0 && cut - open <= 12) cut = open;
  const space = text.lastIndexOf(' ', cut);
  if (space > cut * 0.6) cut = space;
  return `${text.slice(0, cut).trimEnd()}…`;
}

// --- Task type and language guesses ----------------------------------------------------------

// Stems match at the start of a word (Hungarian is agglutinative: "fordítsd", "fordítását");
// a stem ending in "$" must be the whole word ("java$" must not match "javaslat", "idea$" not
// "ideal"); phrases match anywhere. Weights favour the specific requests (translate, summarise) over
// generic verbs (write, explain). Ties go to the earlier category in TASK_ORDER.
const TASK_RULES: Array<{ category: TaskCategory; weight: number; stems: string[]; phrases: string[] }> = [
  {
    category: 'translation',
    weight: 3,
    stems: ['translat', 'fordít', 'fordit', 'lefordít', 'übersetz'],
    phrases: ['into english', 'into hungarian', 'into german', 'to english', 'to hungarian', 'angolra', 'magyarra', 'németre', 'ins deutsche'],
  },
  {
    category: 'summarization',
    weight: 3,
    stems: ['summar', 'tldr', 'összefoglal', 'osszefoglal', 'kivonat', 'zusammenfass'],
    phrases: ['tl;dr', 'foglald össze', 'foglalja össze', 'key points', 'main points', 'a lényeg'],
  },
  {
    category: 'coding',
    weight: 2,
    stems: [
      'code', 'coding', 'function', 'bug$', 'bugs$', 'debug', 'compil', 'exception', 'traceback', 'script', 'python', 'javascript',
      'typescript', 'sql', 'regex', 'refactor', 'endpoint', 'docker', 'kubernetes', 'npm$', 'git$', 'github', 'css$', 'html', 'react$',
      'java$', 'kód', 'függvény', 'programoz', 'szkript', 'lekérdez', 'hibaüzenet', 'powershell', 'bash$', 'linux', 'api$', 'apis$',
    ],
    phrases: ['stack trace', 'unit test', 'c#', 'c++', 'pull request'],
  },
  {
    category: 'data',
    weight: 2,
    stems: ['excel', 'spreadsheet', 'csv', 'pivot', 'formula', 'dataset', 'chart', 'táblázat', 'kimutatás', 'diagram', 'képlet', 'adatok', 'adatsor', 'vlookup', 'fkeres'],
    phrases: ['power bi', 'google sheets'],
  },
  {
    category: 'communication',
    weight: 2,
    stems: ['email', 'e-mail', 'reply', 'respond', 'letter', 'invitation', 'meghív', 'levél', 'levele', 'válaszol', 'válaszl', 'üzenet'],
    phrases: ['message to', 'write to', 'answer to', 'e-mailt', 'levelet'],
  },
  {
    category: 'writing',
    weight: 1,
    stems: ['write', 'draft', 'essay', 'article', 'blog', 'rewrite', 'proofread', 'rephrase', 'paraphras', 'post$', 'posts$', 'írj', 'írd', 'fogalmaz', 'cikk', 'szöveg', 'átír', 'esszé', 'bejegyzés', 'poszt', 'schreib'],
    phrases: ['cover letter', 'job description', 'press release', 'motivációs levél'],
  },
  {
    category: 'analysis',
    weight: 2,
    stems: ['analy', 'analys', 'compar', 'evaluat', 'assess', 'swot', 'elemez', 'elemzés', 'összehasonlít', 'értékel', 'kiértékel'],
    phrases: ['pros and cons', 'előnyei és hátrányai', 'root cause'],
  },
  {
    category: 'research',
    weight: 2,
    stems: ['research', 'sources', 'studies', 'literature', 'kutat', 'forrás', 'szakirodalom', 'tanulmány'],
    phrases: ['find information', 'what are the latest', 'nézz utána', 'keress rá'],
  },
  {
    category: 'brainstorming',
    weight: 2,
    stems: ['idea$', 'ideas$', 'brainstorm', 'suggest', 'ötlet', 'javasol', 'javaslat', 'slogan'],
    phrases: ['names for', 'name ideas', 'come up with', 'találj ki'],
  },
  {
    category: 'learning',
    weight: 1,
    stems: ['explain', 'learn', 'understand', 'tutorial', 'magyaráz', 'tanul', 'megért', 'erklär'],
    phrases: ['how does', 'what is', 'what are', 'teach me', 'hogyan működik', 'mi az', 'mit jelent', 'mi a különbség', 'difference between'],
  },
];

function stemMatches(word: string, stem: string): boolean {
  return stem.endsWith('$') ? word === stem.slice(0, -1) : word.startsWith(stem);
}

function tokens(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}#+-]+/u).filter((t) => t.length > 0);
}

/**
 * Keyword guess of the task type from the user's first requests (English, Hungarian, a little
 * German), nudged by code blocks and attachment kinds. Deterministic; 'other' when nothing fits.
 */
export function guessTaskType(requests: readonly string[], signals: { userCode: boolean; assistantCode: boolean; attachments: Partial<Record<string, number>> }): TaskCategory {
  const scores = new Map<TaskCategory, number>();
  const add = (category: TaskCategory, points: number): void => void scores.set(category, (scores.get(category) ?? 0) + points);
  requests.forEach((request, index) => {
    const factor = index === 0 ? 2 : 1; // the first request usually states the task
    const lower = request.toLowerCase();
    const words = tokens(request);
    for (const rule of TASK_RULES) {
      let hits = 0;
      for (const word of words) if (rule.stems.some((stem) => stemMatches(word, stem))) hits++;
      for (const phrase of rule.phrases) if (lower.includes(phrase)) hits++;
      if (hits > 0) add(rule.category, Math.min(hits, 3) * rule.weight * factor);
    }
  });
  if (signals.userCode) add('coding', 3);
  if (signals.assistantCode) add('coding', 2);
  if ((signals.attachments.spreadsheet ?? 0) > 0) add('data', 2);
  let best: TaskCategory = 'other';
  let bestScore = 0;
  for (const rule of TASK_RULES) {
    const score = scores.get(rule.category) ?? 0;
    if (score > bestScore) {
      best = rule.category;
      bestScore = score;
    }
  }
  return best;
}

const STOPWORDS: Record<Exclude<SummaryLanguage, 'other'>, Set<string>> = {
  // "a" and "is" are both English and Hungarian words, "die" both English and German: left out.
  en: new Set(['the', 'and', 'are', 'to', 'of', 'in', 'that', 'it', 'for', 'you', 'with', 'on', 'this', 'what', 'how', 'can', 'please', 'be', 'i', 'my', 'me', 'not', 'do', 'does', 'from', 'an', 'or', 'have', 'would', 'should', 'could', 'about', 'write', 'which']),
  hu: new Set(['az', 'és', 'hogy', 'nem', 'egy', 'meg', 'van', 'ez', 'azt', 'ki', 'mi', 'de', 'el', 'kérlek', 'kérem', 'vagy', 'mert', 'még', 'csak', 'már', 'ezt', 'nekem', 'hogyan', 'miért', 'mit', 'volt', 'lesz', 'fel', 'ha', 'mint', 'amely', 'ami', 'akkor', 'vagyok', 'szeretném', 'szeretnék', 'légy', 'legyen', 'írj']),
  de: new Set(['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'zu', 'mit', 'sie', 'ein', 'eine', 'den', 'auf', 'für', 'bitte', 'wie', 'was', 'es', 'sich', 'dem', 'auch', 'wir', 'ihr', 'kannst', 'können', 'schreibe', 'oder']),
};

/** Language of a text by stopwords and letters only one language uses (ő ű → hu, ß ä → de). */
export function guessLanguage(text: string): SummaryLanguage {
  const sample = text.slice(0, 8000);
  const score = { en: 0, hu: 0, de: 0 };
  for (const word of tokens(sample)) {
    for (const lang of ['en', 'hu', 'de'] as const) if (STOPWORDS[lang].has(word)) score[lang]++;
  }
  score.hu += Math.min(10, (sample.match(/[őűŐŰ]/g)?.length ?? 0) * 2);
  score.hu += Math.min(5, (sample.match(/[áéíóúÁÉÍÓÚ]/g)?.length ?? 0) * 0.25);
  score.de += Math.min(10, (sample.match(/[äßÄ]/g)?.length ?? 0) * 2);
  const [best, value] = (Object.entries(score) as Array<[keyof typeof score, number]>).sort((a, b) => b[1] - a[1])[0] ?? ['en', 0];
  return value >= 2 ? best : 'other';
}

// --- Structure --------------------------------------------------------------------------------

function activeBranchMessages(conversation: NormalisedConversation): NormalisedMessage[] {
  const byId = new Map(conversation.messages.map((m) => [m.id, m]));
  const branch = conversation.activeBranch.map((id) => byId.get(id)).filter((m): m is NormalisedMessage => m !== undefined);
  if (branch.length > 0) return branch;
  const flagged = conversation.messages.filter((m) => m.onActiveBranch);
  return flagged.length > 0 ? flagged : conversation.messages;
}

/** Extra siblings in the tree: every regeneration or edit adds one. */
function countBranches(messages: readonly NormalisedMessage[]): number {
  const children = new Map<string, number>();
  for (const m of messages) {
    const key = m.parentId ?? '\u0000root';
    children.set(key, (children.get(key) ?? 0) + 1);
  }
  let extra = 0;
  for (const n of children.values()) if (n > 1) extra += n - 1;
  return extra;
}

function codeStats(text: string): { blocks: number; lines: number } {
  let blocks = 0;
  let lines = 0;
  for (const segment of splitFences(text)) {
    if (segment.kind !== 'code') continue;
    blocks++;
    lines += segment.text === '' ? 0 : segment.text.split('\n').filter((l) => l.trim() !== '').length;
  }
  return { blocks, lines };
}

function attachmentNote(message: NormalisedMessage): string {
  if (message.attachments.length === 0) return '';
  const kinds = [...new Set(message.attachments)].sort();
  return `[attached: ${kinds.join(', ')}] `;
}

// --- Build ------------------------------------------------------------------------------------

export function buildSummary(conversation: NormalisedConversation, timing: Timing): ConversationSummary {
  const all = conversation.messages;
  const branch = activeBranchMessages(conversation);
  const userOnBranch = branch.filter((m) => m.role === 'user');
  const assistantOnBranch = branch.filter((m) => m.role === 'assistant');

  let wordsByUser = 0;
  let wordsByAssistant = 0;
  let codeBlocks = 0;
  let codeLines = 0;
  let userCode = false;
  for (const m of branch) {
    const words = countWords(m.text);
    const code = codeStats(m.text);
    codeBlocks += code.blocks;
    if (m.role === 'user') {
      wordsByUser += words;
      if (code.blocks > 0) userCode = true;
    } else if (m.role === 'assistant') {
      wordsByAssistant += words;
      codeLines += code.lines;
    }
  }

  const attachments: Partial<Record<string, number>> = {};
  for (const kind of Object.keys(conversation.attachments).sort()) {
    const n = conversation.attachments[kind as keyof typeof conversation.attachments] ?? 0;
    if (n > 0) attachments[kind] = n;
  }

  // Requests: the first three user messages with something in them (text or an attachment).
  const requests: string[] = [];
  const rawRequests: string[] = [];
  for (const m of userOnBranch) {
    if (requests.length >= MAX_REQUEST_SAMPLES) break;
    const prepared = prepareSample(m.text);
    const note = attachmentNote(m);
    if (prepared === '' && note === '') continue;
    requests.push(`${note}${prepared}`.trim());
    rawRequests.push(m.text.slice(0, 4000));
  }
  const finalAnswer = [...assistantOnBranch].reverse().find((m) => m.text.trim() !== '');
  const answer = finalAnswer ? prepareSample(finalAnswer.text) : '';

  const minutes = toMinutes(timing);
  const languageSource = rawRequests.join('\n');
  const language = guessLanguage(countWords(languageSource) >= 5 ? languageSource : `${languageSource}\n${finalAnswer?.text.slice(0, 4000) ?? ''}`);
  const taskTypeGuess = guessTaskType(rawRequests, { userCode, assistantCode: codeLines > 0, attachments });

  const build = (requestCap: number, answerCap: number): ConversationSummary => ({
    taskTypeGuess,
    language,
    messageCounts: {
      user: all.filter((m) => m.role === 'user').length,
      assistant: all.filter((m) => m.role === 'assistant').length,
      total: all.length,
      branches: countBranches(all),
    },
    wordsByUser,
    wordsByAssistant,
    codeBlocks,
    codeLines,
    attachments,
    activeMinutes: minutes.active,
    totalMinutes: minutes.total,
    userRequestSamples: requests.map((r) => truncateSample(r, requestCap)).filter((r) => r !== ''),
    finalAnswerSample: truncateSample(answer, answerCap),
  });

  // Shrink all samples together until the serialised summary fits the budget. The fixed part
  // (counts, enums, up to seven attachment kinds) is a few hundred characters, so this ends
  // with samples still present; at worst with none.
  let scale = 1;
  let summary = build(REQUEST_SAMPLE_CHARS, ANSWER_SAMPLE_CHARS);
  while (JSON.stringify(summary).length > SUMMARY_MAX_CHARS && scale > 0) {
    scale = scale > 0.05 ? scale * 0.85 : 0;
    summary = build(Math.floor(REQUEST_SAMPLE_CHARS * scale), Math.floor(ANSWER_SAMPLE_CHARS * scale));
  }
  return summary;
}

/** A compact plain-text rendering of a summary (for prompts, logs and the detail view). */
export function summaryToPromptText(summary: ConversationSummary): string {
  const attachments = Object.entries(summary.attachments)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([kind, n]) => `${kind} ×${n ?? 0}`)
    .join(', ');
  return [
    `Task type guess: ${summary.taskTypeGuess}; language: ${summary.language}`,
    `Messages: ${summary.messageCounts.user} from the person, ${summary.messageCounts.assistant} from the assistant, ${summary.messageCounts.total} in total, ${summary.messageCounts.branches} branches`,
    `Words by the person: ${summary.wordsByUser}; by the assistant: ${summary.wordsByAssistant}; code blocks: ${summary.codeBlocks}${summary.codeLines !== undefined ? ` (${summary.codeLines} lines from the assistant)` : ''}`,
    `Attachments: ${attachments || 'none'}`,
    `Time with AI: ${summary.activeMinutes} active of ${summary.totalMinutes} total minutes`,
    'Requests:',
    ...(summary.userRequestSamples.length > 0 ? summary.userRequestSamples.map((s, i) => `${i + 1}. ${s}`) : ['(none)']),
    `Final answer: ${summary.finalAnswerSample || '(none)'}`,
  ].join('\n');
}
