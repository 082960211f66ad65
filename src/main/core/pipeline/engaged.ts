import type { NormalisedMessage } from '../source/types.ts';
import { mergeIntervals } from './intervals.ts';
import type { Interval, TimingSettings } from './types.ts';

// Engaged time: the seed's active gaps plus the time a person plausibly spent writing each
// request and reading each answer. It exists because Open WebUI stamps an assistant message
// with the same second as the user's message, so a one-question chat has a single distinct
// timestamp and the seed formula gives it zero active time, however long the answer was.
//
// engaged = | active gaps ∪ composing windows ∪ reading windows |
//
// - composing window, before each user message: its typed words ÷ typing speed plus its pasted
//   or code words ÷ skimming speed, capped by the gap to the previous (strictly earlier)
//   message and by the idle threshold;
// - reading window, after each assistant message: its prose words ÷ reading speed plus its code
//   words ÷ skimming speed, capped by the gap to the next (strictly later) message, and for an
//   answer with nothing after it by the idle threshold.
//
// "Previous/next" skip messages stamped at the very same second: Open WebUI gives a question
// and its answer the same timestamp, and that answer is not something the person waited for
// before writing the question (nor does the question end the reading of its own answer).

// ---------------------------------------------------------------------------------------------
// Text analysis shared with the summary (words, fenced code, pasted material).
// ---------------------------------------------------------------------------------------------

export interface TextSegment {
  kind: 'prose' | 'code';
  text: string;
  /** Info string of a code fence (```python → "python"), '' when absent. */
  lang: string;
}

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const BACKTICK = 0x60;
const TILDE = 0x7e;
const SPACE = 0x20;

/** The fence that `line` (from `start` to `end` in `text`) opens or closes, if it is one. */
function fenceAt(text: string, start: number, end: number): RegExpExecArray | null {
  // Up to three spaces, then ``` or ~~~: checked on the character codes first, so the lines
  // of a long paste are neither cut out nor matched.
  let i = start;
  while (i < end && i - start < 3 && text.charCodeAt(i) === SPACE) i++;
  const mark = text.charCodeAt(i);
  if ((mark !== BACKTICK && mark !== TILDE) || text.charCodeAt(i + 1) !== mark || text.charCodeAt(i + 2) !== mark) return null;
  return FENCE_RE.exec(text.slice(start, end));
}

/**
 * Splits markdown into prose and fenced code blocks (``` or ~~~). An unclosed fence runs to
 * the end of the text, as in CommonMark. One scan for line ends; a segment is a slice of the
 * text (its lines are consecutive), so a pasted megabyte is neither split into lines nor
 * joined again — it was a large share of an ingest's garbage.
 */
export function splitFences(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  if (!text.includes('```') && !text.includes('~~~')) {
    if (text.trim() !== '') segments.push({ kind: 'prose', text, lang: '' });
    return segments;
  }
  // The buffered lines run from bufferStart to bufferEnd (no line yet: bufferStart === -1).
  let bufferStart = -1;
  let bufferEnd = 0;
  let fence: { marker: string; lang: string } | null = null;
  const flush = (kind: 'prose' | 'code', lang: string): void => {
    const body = bufferStart === -1 ? '' : text.slice(bufferStart, bufferEnd);
    if (kind === 'code' || (bufferStart !== -1 && body.trim() !== '')) segments.push({ kind, text: body, lang });
    bufferStart = -1;
  };
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const m = fenceAt(text, start, end);
    if (m && fence === null) {
      flush('prose', '');
      fence = { marker: m[1] ?? '```', lang: (m[2] ?? '').toLowerCase() };
    } else if (m && fence !== null && (m[1] ?? '').startsWith(fence.marker[0] ?? '`') && (m[1] ?? '').length >= fence.marker.length && (m[2] ?? '') === '') {
      flush('code', fence.lang);
      fence = null;
    } else {
      if (bufferStart === -1) bufferStart = start;
      bufferEnd = end;
    }
    if (newline === -1) break;
    start = newline + 1;
  }
  if (fence !== null) flush('code', fence.lang);
  else flush('prose', '');
  return segments;
}

/** Lines of `text` (a final line without a newline counts; '' is one line, as split gives). */
export function countLines(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** JavaScript's \s: ASCII tab to carriage return, space, and Unicode's spaces and separators. */
function isWhiteSpace(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  if (code < 0xa0) return false;
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/**
 * Words = whitespace-separated tokens that contain a letter or a digit — the same count as
 * splitting on /\s+/ and testing each token for \p{L} or \p{N}, but one pass over the
 * character codes without building the tokens: messages with a pasted log of a megabyte are
 * counted several times each, and splitting them was a fifth of an ingest's CPU time.
 */
export function countWords(text: string): number {
  let words = 0;
  let counted = false; // the current token already has its letter or digit
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isWhiteSpace(code)) {
      counted = false;
      continue;
    }
    if (counted) continue;
    if (code < 0x80) {
      const lower = code | 0x20;
      if ((code >= 48 && code <= 57) || (lower >= 97 && lower <= 122)) {
        words++;
        counted = true;
      }
      continue;
    }
    let char = text[i]!;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        char = text.slice(i, i + 2);
        i++;
      }
    }
    if (LETTER_OR_DIGIT.test(char)) {
      words++;
      counted = true;
    }
  }
  return words;
}

// --- Pasted-material heuristic ---------------------------------------------------------------
// A person types prose; they paste logs, stack traces, data dumps and code. Pasted material is
// timed at skimming speed (they glance over it before sending) so a 5,000-line log does not
// become hours of "typing". The heuristic works per paragraph (blank-line separated block):
//
// A line is "machine-looking" when it has any of:
//   - a time stamp (2026-11-22T10:15, 10:15:42, [2026/11/22 …) or a log level (INFO, WARN,
//     ERROR, DEBUG, TRACE, FATAL in capitals);
//   - a stack-trace shape ("    at fn (file.js:10:5)", 'File "x.py", line 3', "Traceback",
//     "java.lang.FooException:", "TypeError: …" at the start of the line, "#3 0x…");
//   - code indentation (a tab or 4+ spaces at the start);
//   - more than 300 characters with almost no spaces (minified JSON, base64), or over 1,000
//     characters at all (nobody types a 1,000-character line);
//   - heavy punctuation: over 25 % of its non-space characters are symbols such as {}[]();=<>|
//     and the line is at least 20 characters long (JSON, CSV, SQL, paths).
//
// A paragraph counts as pasted when 2+ of its lines and at least 30 % of them are machine-
// looking (a single odd line in typed prose does not flip it), or when it has more than 15
// lines, or more than 300 words (typed paragraphs are rarely that long). A whole message with
// more than 40 lines or more than 800 words is bulk material: only its first paragraph, when
// that is short (≤ 80 words) and typed-looking, counts as typed — the instruction on top of a
// paste ("why does this fail?").

const TIMESTAMP_RE = /\d{4}[-/.]\d{2}[-/.]\d{2}[T ]\d{1,2}:\d{2}|\b\d{1,2}:\d{2}:\d{2}\b|^\s*\[\d{4}[-/]\d{2}/;
const LOG_LEVEL_RE = /\b(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|CRITICAL)\b/;
const STACK_RE =
  /^\s+at\s+\S|^\s*File "[^"]*", line \d+|^\s*Traceback \(most recent call last\)|^\s*(?:[\w$]+\.)*[\w$]*(?:Exception|Error)(?::|\s+at\b)|^\s*#\d+\s+0x[0-9a-f]+|^\s*Caused by:/;
const INDENTED_RE = /^(?:\t| {4,})\S/;
const SYMBOL_RE = /[{}[\]()<>;=|\\/:"'`_#$%^&*@~,+]/g;

/** True when a single line looks machine-generated rather than typed. */
export function isMachineLine(line: string): boolean {
  if (line.trim() === '') return false;
  if (line.length > 1000) return true;
  if (TIMESTAMP_RE.test(line) || LOG_LEVEL_RE.test(line) || STACK_RE.test(line) || INDENTED_RE.test(line)) return true;
  const nonSpace = line.replace(/\s+/g, '');
  if (line.length > 300 && nonSpace.length / line.length > 0.92) return true;
  if (nonSpace.length >= 20) {
    const symbols = nonSpace.match(SYMBOL_RE)?.length ?? 0;
    if (symbols / nonSpace.length > 0.25) return true;
  }
  return false;
}

/** `words` is the paragraph's countWords, which the caller has already. */
function isPastedParagraph(paragraph: string, words: number): boolean {
  if (words > 300) return true;
  const lines = paragraph.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 15) return true;
  let machine = 0;
  for (const line of lines) if (isMachineLine(line)) machine++;
  if (lines.length === 1) return machine === 1 && (lines[0] ?? '').length > 300;
  return machine >= 2 && machine / lines.length >= 0.3;
}

export interface WordSplit {
  /** Words timed at typing (user) or reading (assistant) speed. */
  normalWords: number;
  /** Words timed at skimming speed: fenced code, and for user messages pasted material. */
  skimWords: number;
}

/**
 * Splits a message's words into those read/typed at normal speed and those skimmed.
 * `detectPaste` applies the pasted-material heuristic (user messages only: an assistant's
 * long prose is read, not pasted).
 */
export function splitWords(text: string, detectPaste: boolean): WordSplit {
  let normalWords = 0;
  let skimWords = 0;
  const segments = splitFences(text);
  const totalLines = countLines(text);
  const bulk = detectPaste && (totalLines > 40 || countWords(text) > 800);
  let firstParagraph = true;
  for (const segment of segments) {
    if (segment.kind === 'code') {
      skimWords += countWords(segment.text);
      firstParagraph = false;
      continue;
    }
    if (!detectPaste) {
      normalWords += countWords(segment.text);
      continue;
    }
    for (const paragraph of segment.text.split(/\n\s*\n/)) {
      const words = countWords(paragraph);
      if (words === 0) continue;
      const typed = bulk ? firstParagraph && words <= 80 && !isPastedParagraph(paragraph, words) : !isPastedParagraph(paragraph, words);
      if (typed) normalWords += words;
      else skimWords += words;
      firstParagraph = false;
    }
  }
  return { normalWords, skimWords };
}

/** Seconds needed to write a user message (typing prose, skimming pastes and code). */
export function composeSeconds(text: string, settings: TimingSettings): number {
  const { normalWords, skimWords } = splitWords(text, true);
  return (normalWords / settings.typingWpm + skimWords / settings.skimmingWpm) * 60;
}

/** Seconds needed to read an assistant answer (reading prose, skimming code). */
export function readSeconds(text: string, settings: TimingSettings): number {
  const { normalWords, skimWords } = splitWords(text, false);
  return (normalWords / settings.readingWpm + skimWords / settings.skimmingWpm) * 60;
}

// ---------------------------------------------------------------------------------------------
// Windows and the engaged union
// ---------------------------------------------------------------------------------------------

export interface EngagedWindows {
  composing: Interval[];
  reading: Interval[];
}

export interface StampedMessage {
  message: NormalisedMessage;
  t: number;
}

/**
 * Composing and reading windows of every message in the tree (regenerations and edits too:
 * they are activity). `sorted` must be ordered by timestamp.
 */
function windowsOf(sorted: readonly StampedMessage[], settings: TimingSettings): EngagedWindows {
  const composing: Interval[] = [];
  const reading: Interval[] = [];
  const threshold = Math.max(0, settings.idleThresholdSeconds);
  const n = sorted.length;
  // prevDistinct[i] = timestamp of the closest strictly earlier message (or -Infinity);
  // nextDistinct[i] likewise forward. Two linear passes over the sorted list.
  const prevDistinct = new Array<number>(n);
  const nextDistinct = new Array<number>(n);
  for (let i = 0, previous = -Infinity; i < n; i++) {
    const t = (sorted[i] as StampedMessage).t;
    if (i > 0 && t !== (sorted[i - 1] as StampedMessage).t) previous = (sorted[i - 1] as StampedMessage).t;
    prevDistinct[i] = previous;
  }
  for (let i = n - 1, next = Infinity; i >= 0; i--) {
    const t = (sorted[i] as StampedMessage).t;
    if (i < n - 1 && t !== (sorted[i + 1] as StampedMessage).t) next = (sorted[i + 1] as StampedMessage).t;
    nextDistinct[i] = next;
  }
  for (let i = 0; i < n; i++) {
    const { message, t } = sorted[i] as StampedMessage;
    if (message.role === 'user') {
      const gapBefore = t - (prevDistinct[i] as number);
      const length = Math.min(composeSeconds(message.text, settings), gapBefore, threshold);
      if (length > 0) composing.push([t - length, t]);
    } else if (message.role === 'assistant') {
      const gapAfter = (nextDistinct[i] as number) - t;
      // Only the last answer(s) are bounded by the threshold; earlier ones by the next message.
      const cap = Number.isFinite(gapAfter) ? gapAfter : threshold;
      const length = Math.min(readSeconds(message.text, settings), cap);
      if (length > 0) reading.push([t, t + length]);
    }
  }
  return { composing, reading };
}

/** Messages with a usable timestamp, sorted by time then id (stable across readers). */
export function sortByTime(messages: readonly NormalisedMessage[]): StampedMessage[] {
  return messages
    .filter((m) => Number.isFinite(m.timestamp))
    .map((message) => ({ message, t: message.timestamp }))
    .sort((a, b) => a.t - b.t || (a.message.id < b.message.id ? -1 : a.message.id > b.message.id ? 1 : 0));
}

/**
 * Engaged intervals: union of the seed's active intervals with every composing and reading
 * window. Because the active intervals are part of the union, engaged ≥ active always.
 */
export function engagedIntervals(
  messages: readonly NormalisedMessage[],
  activeIntervals: readonly Interval[],
  settings: TimingSettings,
): { intervals: Interval[]; windows: EngagedWindows } {
  const windows = windowsOf(sortByTime(messages), settings);
  const intervals = mergeIntervals([...activeIntervals, ...windows.composing, ...windows.reading]);
  return { intervals, windows };
}
