import { MAX_ESTIMATE_MINUTES } from './prompt.ts';
import { EstimateError, TASK_CATEGORIES, type ConversationSummary, type Estimate, type Estimator, type TaskCategory } from './types.ts';

// The offline heuristic estimator (SPEC §4.3): used only when chosen by name, for machines with
// no LLM. It reads nothing but the redacted summary, is deterministic, costs nothing, and is
// deliberately modest about its confidence. Every result says estimate_source = 'heuristic'.
//
// How long would a competent person need without AI? The sum of what they would have had to
// produce and take in by hand:
//
//   manual = writing + code + reading + attachments + framing
//
//   writing     = prose words of the assistant's answers ÷ writing speed of the category
//                 (prose words = assistant words − 6 × code lines, the words inside code)
//                   writing, communication, summarization, brainstorming, other: 25 wpm
//                   coding, data: 20 wpm (explanations around code)
//                   analysis, research, learning: 15 wpm (finding out, then writing)
//                   translation: 500 words per hour (≈ 8.3 wpm), a professional translator's pace
//   code        = assistant code lines × 1 minute (write, run and fix one working line)
//   reading     = the person's own words ÷ 230 wpm, for tasks that work on material they
//                 supplied (summarization, analysis, research, data): it must be read anyway
//   attachments = per attached file: pdf 10, document 8, spreadsheet 10, code 8, audio 10,
//                 image 2, other 5 minutes to go through it
//   framing     = 2 minutes per request (at most 20): deciding, looking up, re-reading
//
// most_likely = round(manual), capped at 480 minutes (a working day) — beyond that the inputs
// say more about pasted bulk than about work. low = ⌊most_likely × 0.5⌋,
// high = ⌈most_likely × 2⌉ (capped at MAX_ESTIMATE_MINUTES): Anthropic's comparison of model
// estimates with real durations (docs/method.md) shows errors of that order.
// Confidence: 35, −10 for very little content (< 50 words and lines), −5 for 'other',
// +5 for translation and summarization (their effort tracks word counts well); within 20–45.
// work_related: false only when the requests read as leisure (recipes, jokes, holidays, …)
// and the task is not coding/data/analysis. task_completed: there is a final answer of
// substance (≥ 10 assistant words).

export const HEURISTIC_VERSION = 'heuristic-v1';

const WRITING_WPM: Record<TaskCategory, number> = {
  writing: 25,
  communication: 25,
  summarization: 25,
  brainstorming: 25,
  other: 25,
  coding: 20,
  data: 20,
  analysis: 15,
  research: 15,
  learning: 15,
  translation: 500 / 60,
};
const READS_OWN_MATERIAL = new Set<TaskCategory>(['summarization', 'analysis', 'research', 'data']);
const READING_WPM = 230;
const CODE_MINUTES_PER_LINE = 1;
const WORDS_PER_CODE_LINE = 6;
const ATTACHMENT_MINUTES: Record<string, number> = { pdf: 10, document: 8, spreadsheet: 10, code: 8, audio: 10, image: 2, other: 5 };
const FRAMING_MINUTES_PER_REQUEST = 2;
const MAX_FRAMED_REQUESTS = 20;
const MAX_MOST_LIKELY = 480;

const LEISURE_RE =
  /\b(?:recipes?|recept\p{L}*|horoscope|horoszk\p{L}*|jokes?|vicc\p{L}*|vacation|holiday|nyaral\p{L}*|birthday|szülinap\p{L}*|születésnap\p{L}*|dating|randi\p{L}*|movies?|netflix|video ?games?|football|foci\p{L}*)\b/iu;

export interface HeuristicBreakdown {
  version: string;
  category: TaskCategory;
  proseWords: number;
  codeLines: number;
  writingMinutes: number;
  codeMinutes: number;
  readingMinutes: number;
  attachmentMinutes: number;
  framingMinutes: number;
  totalMinutes: number;
}

function categoryOf(guess: string): TaskCategory {
  return (TASK_CATEGORIES as readonly string[]).includes(guess) ? (guess as TaskCategory) : 'other';
}

function nonNegative(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : 0;
}

export function heuristicBreakdown(summary: ConversationSummary): HeuristicBreakdown {
  const category = categoryOf(summary.taskTypeGuess);
  const codeLines = nonNegative(summary.codeLines);
  const proseWords = Math.max(0, nonNegative(summary.wordsByAssistant) - WORDS_PER_CODE_LINE * codeLines);
  const writingMinutes = proseWords / WRITING_WPM[category];
  const codeMinutes = codeLines * CODE_MINUTES_PER_LINE;
  const readingMinutes = READS_OWN_MATERIAL.has(category) ? nonNegative(summary.wordsByUser) / READING_WPM : 0;
  let attachmentMinutes = 0;
  for (const [kind, count] of Object.entries(summary.attachments)) attachmentMinutes += nonNegative(count) * (ATTACHMENT_MINUTES[kind] ?? ATTACHMENT_MINUTES.other ?? 5);
  const framingMinutes = Math.min(nonNegative(summary.messageCounts.user), MAX_FRAMED_REQUESTS) * FRAMING_MINUTES_PER_REQUEST;
  return {
    version: HEURISTIC_VERSION,
    category,
    proseWords,
    codeLines,
    writingMinutes,
    codeMinutes,
    readingMinutes,
    attachmentMinutes,
    framingMinutes,
    totalMinutes: writingMinutes + codeMinutes + readingMinutes + attachmentMinutes + framingMinutes,
  };
}

/** The heuristic estimate of one summary. Pure and deterministic. */
export function heuristicEstimate(summary: ConversationSummary): Estimate {
  const b = heuristicBreakdown(summary);
  const mostLikely = Math.min(MAX_MOST_LIKELY, Math.round(b.totalMinutes));
  const low = Math.floor(mostLikely * 0.5);
  const high = Math.min(MAX_ESTIMATE_MINUTES, Math.max(mostLikely, Math.ceil(mostLikely * 2)));

  let confidence = 35;
  if (b.proseWords + b.codeLines < 50) confidence -= 10;
  if (b.category === 'other') confidence -= 5;
  if (b.category === 'translation' || b.category === 'summarization') confidence += 5;
  confidence = Math.min(45, Math.max(20, confidence));

  const requests = summary.userRequestSamples.join(' ');
  const workRelated = !(LEISURE_RE.test(requests) && !['coding', 'data', 'analysis'].includes(b.category));
  const taskCompleted = summary.finalAnswerSample.trim() !== '' && nonNegative(summary.wordsByAssistant) >= 10;

  const parts = [
    `${Math.round(b.proseWords)} words at ${Math.round(WRITING_WPM[b.category] * 10) / 10} wpm`,
    b.codeLines > 0 ? `${b.codeLines} code lines at ${CODE_MINUTES_PER_LINE} min/line` : '',
    b.readingMinutes > 0 ? `reading ${nonNegative(summary.wordsByUser)} words of material` : '',
    b.attachmentMinutes > 0 ? `${Math.round(b.attachmentMinutes)} min for attachments` : '',
    `${Math.min(nonNegative(summary.messageCounts.user), MAX_FRAMED_REQUESTS)} requests × ${FRAMING_MINUTES_PER_REQUEST} min`,
  ].filter((p) => p !== '');
  const reasoning = `Offline heuristic (${b.category}): ${parts.join(' + ')} ≈ ${mostLikely} min${mostLikely === MAX_MOST_LIKELY && b.totalMinutes > MAX_MOST_LIKELY ? ' (capped)' : ''}.`;

  return {
    low,
    mostLikely,
    high,
    confidence,
    taskCategory: b.category,
    workRelated,
    taskCompleted,
    reasoning,
    repaired: false,
    source: 'heuristic',
    model: HEURISTIC_VERSION,
    promptVersion: HEURISTIC_VERSION,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    raw: b,
  };
}

/** The heuristic behind the Estimator interface. It issues no requests, so requestCount stays 0. */
export function createHeuristicEstimator(): Estimator {
  return {
    source: 'heuristic',
    model: HEURISTIC_VERSION,
    requestCount: 0,
    estimate(summary: ConversationSummary, signal?: AbortSignal): Promise<Estimate> {
      if (signal?.aborted) return Promise.reject(new EstimateError('The estimate was cancelled.', 'cancelled', 0));
      return Promise.resolve(heuristicEstimate(summary));
    },
  };
}
