import type { ConversationSummary } from '../../../src/main/core/llm/types.ts';

/** A redacted summary as the pipeline would build it. */
export function sampleSummary(overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    taskTypeGuess: 'coding',
    language: 'en',
    messageCounts: { user: 3, assistant: 3, total: 6, branches: 1 },
    wordsByUser: 120,
    wordsByAssistant: 900,
    codeBlocks: 4,
    attachments: { pdf: 1 },
    activeMinutes: 12,
    totalMinutes: 40,
    userRequestSamples: [
      'Write a TypeScript function that parses a CSV export of invoices and sums totals per customer.',
      'Now handle quoted fields and [EMAIL] placeholders.',
    ],
    finalAnswerSample: 'Here is the updated parser with RFC 4180 quoting and tests.',
    ...overrides,
  };
}
