import type { NormalisedConversation } from '../source/types.ts';
import { conversationUsage, type ConversationUsage } from './insights.ts';
import type { ConversationSummary } from '../llm/types.ts';
import { buildSummary } from './summary.ts';
import { computeTiming } from './timing.ts';
import type { Timing, TimingSettings } from './types.ts';

// The CPU-bound, pure part of analysing one conversation: everything but the estimate. It runs
// inline or in a worker thread (analysis-pool.ts) and gives the same result either way.

export interface ConversationAnalysis {
  timing: Timing;
  summary: ConversationSummary;
  usage: ConversationUsage;
}

export function analyseConversation(conversation: NormalisedConversation, settings: TimingSettings): ConversationAnalysis {
  const timing = computeTiming(conversation.messages, settings);
  return { timing, summary: buildSummary(conversation, timing), usage: conversationUsage(conversation) };
}
