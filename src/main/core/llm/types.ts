// What the estimators receive and give back. The summary is the only thing about a
// conversation that ever leaves the machine, and it is redacted before it is built.

export interface ConversationSummary {
  taskTypeGuess: string;
  language: string;
  messageCounts: { user: number; assistant: number; total: number; branches: number };
  wordsByUser: number;
  wordsByAssistant: number;
  codeBlocks: number;
  /** Lines inside the assistant's fenced code blocks on the active branch (optional: older rows lack it). */
  codeLines?: number;
  attachments: Partial<Record<string, number>>;
  activeMinutes: number;
  totalMinutes: number;
  /** Redacted, capped samples of the user's first requests. */
  userRequestSamples: string[];
  /** Redacted, capped sample of the final answer on the active branch. */
  finalAnswerSample: string;
}

export const TASK_CATEGORIES = [
  'coding',
  'writing',
  'analysis',
  'research',
  'translation',
  'summarization',
  'brainstorming',
  'communication',
  'learning',
  'data',
  'other',
] as const;
export type TaskCategory = (typeof TASK_CATEGORIES)[number];

export interface Estimate {
  /** Minutes a competent person would need without AI. low ≤ mostLikely ≤ high. */
  low: number;
  mostLikely: number;
  high: number;
  confidence: number;
  taskCategory: TaskCategory;
  workRelated: boolean;
  taskCompleted: boolean;
  reasoning: string;
  /** True when the raw answer had to be repaired (sorted, clamped, capped). */
  repaired: boolean;
  source: 'llm' | 'heuristic';
  model: string;
  promptVersion: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** The raw structured answer as received (for the llm_response column). */
  raw: unknown;
}

/** A failed estimate: never turned into numbers; the conversation is retried next run. */
export class EstimateError extends Error {
  constructor(
    message: string,
    readonly code: 'rate_limited' | 'server_error' | 'timeout' | 'invalid_response' | 'refused' | 'connection' | 'config' | 'cancelled',
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'EstimateError';
  }
}

export interface Estimator {
  readonly source: 'llm' | 'heuristic';
  readonly model: string;
  estimate(summary: ConversationSummary, signal?: AbortSignal): Promise<Estimate>;
  /** Requests issued so far (including retries). */
  readonly requestCount: number;
}
