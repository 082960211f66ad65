// Turns the model's text into a checked answer. Two kinds of trouble, treated differently:
//  - Repairable: the numbers are there but untidy (floats, negatives, out of order, absurdly
//    large, confidence as 0.8, an unknown category). We fix them and say so (`repairs`).
//  - Unusable: no JSON, or a required field missing or of the wrong kind. We never fill a gap
//    with an invented number; the caller retries once and otherwise fails the conversation.

import { z } from 'zod';
import { MAX_ESTIMATE_MINUTES } from './prompt.ts';
import { TASK_CATEGORIES, type TaskCategory } from './types.ts';

export type Repair =
  | 'negative_to_zero'
  | 'sorted'
  | 'capped'
  | 'confidence_clamped'
  | 'confidence_fraction'
  | 'unknown_category';

export interface ValidatedAnswer {
  low: number;
  mostLikely: number;
  high: number;
  confidence: number;
  taskCategory: TaskCategory;
  workRelated: boolean;
  taskCompleted: boolean;
  reasoning: string;
}

export type AnswerResult =
  | { ok: true; answer: ValidatedAnswer; repairs: Repair[]; raw: Record<string, unknown> }
  | { ok: false; reason: string; raw?: unknown };

const MAX_REASONING_CHARS = 500;

/** A JSON number, or a string that is plainly one ("45", " 12.5 ") — small local models do that. */
const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'not a number')
    .transform(Number),
]);

const booleanish = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', 'yes', 'no']))
    .transform((value) => value === 'true' || value === 'yes'),
]);

const answerSchema = z.object({
  low: numeric,
  most_likely: numeric,
  high: numeric,
  confidence: numeric,
  task_category: z.string(),
  work_related: booleanish,
  task_completed: booleanish,
  reasoning: z.string(),
});

/**
 * Extracts the JSON object from the content. With structured output the content IS the
 * object; in prompt-only mode models like to wrap it in prose or a ```json fence.
 */
export function extractJson(content: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const trimmed = content.trim();
  if (!trimmed) return { ok: false, reason: 'the answer was empty' };
  const candidates = [trimmed];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(trimmed.slice(first, last + 1));
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch {
      // try the next candidate
    }
  }
  return { ok: false, reason: 'the answer was not valid JSON' };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 4)
    .map((issue) => `${issue.path.join('.') || 'answer'} has the wrong type`)
    .join('; ');
}

/** Validates and repairs a parsed answer. */
export function validateAnswer(value: unknown): AnswerResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'the answer was not a JSON object', raw: value };
  }
  const record = value as Record<string, unknown>;
  const missing = Object.keys(answerSchema.shape).filter((key) => record[key] === undefined || record[key] === null);
  if (missing.length > 0) return { ok: false, reason: `the answer is missing ${missing.join(', ')}`, raw: value };
  const parsed = answerSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `the answer is incomplete: ${describeIssues(parsed.error)}`, raw: value };
  const data = parsed.data;
  const repairs = new Set<Repair>();

  const minutes = (n: number): number => {
    // Rounding a float is not worth flagging; a sign or a size problem is.
    let m = Math.round(n);
    if (m < 0) {
      m = 0;
      repairs.add('negative_to_zero');
    }
    if (m > MAX_ESTIMATE_MINUTES) {
      m = MAX_ESTIMATE_MINUTES;
      repairs.add('capped');
    }
    return m;
  };
  const triple = [minutes(data.low), minutes(data.most_likely), minutes(data.high)];
  const sorted = [...triple].sort((a, b) => a - b);
  if (sorted.some((v, i) => v !== triple[i])) repairs.add('sorted');
  const [low, mostLikely, high] = sorted as [number, number, number];

  let confidence = data.confidence;
  if (confidence > 0 && confidence < 1 && !Number.isInteger(confidence)) {
    // 0.8 is a fraction, not "almost no confidence".
    confidence *= 100;
    repairs.add('confidence_fraction');
  }
  confidence = Math.round(confidence);
  if (confidence < 0 || confidence > 100) {
    confidence = Math.min(100, Math.max(0, confidence));
    repairs.add('confidence_clamped');
  }

  const categoryText = data.task_category.trim().toLowerCase();
  const known = (TASK_CATEGORIES as readonly string[]).includes(categoryText);
  if (!known) repairs.add('unknown_category');
  const taskCategory = (known ? categoryText : 'other') as TaskCategory;

  // A long-winded reasoning is shortened, not flagged: `repaired` is about the numbers.
  let reasoning = data.reasoning.replace(/\s+/g, ' ').trim();
  if (reasoning.length > MAX_REASONING_CHARS) reasoning = `${reasoning.slice(0, MAX_REASONING_CHARS - 1)}…`;

  return {
    ok: true,
    answer: {
      low,
      mostLikely,
      high,
      confidence,
      taskCategory,
      workRelated: data.work_related,
      taskCompleted: data.task_completed,
      reasoning,
    },
    repairs: [...repairs],
    raw: record,
  };
}

/** extractJson + validateAnswer. */
export function parseAnswer(content: string): AnswerResult {
  const json = extractJson(content);
  if (!json.ok) return { ok: false, reason: json.reason, raw: content };
  return validateAnswer(json.value);
}
