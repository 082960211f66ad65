import type { NormalisedConversation } from '../source/types.ts';

/** Usage facts about one conversation (conversation_insights), derived from the whole tree. */
export interface ConversationUsage {
  userMessages: number;
  assistantMessages: number;
  systemMessages: number;
  /** Extra siblings: regenerations, edits and side-by-side answers. */
  branchCount: number;
  models: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  /** Seconds from a user message to each of its answers (Open WebUI stamps placeholders, so often 0–1 s). */
  avgResponseSeconds: number | null;
  medianResponseSeconds: number | null;
  attachments: Record<string, number>;
}

export function conversationUsage(conversation: NormalisedConversation): ConversationUsage {
  const byId = new Map(conversation.messages.map((m) => [m.id, m]));
  const childCount = new Map<string, number>();
  let roots = 0;
  const usage: ConversationUsage = {
    userMessages: 0,
    assistantMessages: 0,
    systemMessages: 0,
    branchCount: 0,
    models: {},
    inputTokens: 0,
    outputTokens: 0,
    avgResponseSeconds: null,
    medianResponseSeconds: null,
    attachments: { ...conversation.attachments } as Record<string, number>,
  };
  const responseTimes: number[] = [];
  for (const message of conversation.messages) {
    if (message.role === 'user') usage.userMessages += 1;
    else if (message.role === 'assistant') usage.assistantMessages += 1;
    else usage.systemMessages += 1;
    if (message.model) usage.models[message.model] = (usage.models[message.model] ?? 0) + 1;
    usage.inputTokens += message.inputTokens;
    usage.outputTokens += message.outputTokens;
    const parent = message.parentId ? byId.get(message.parentId) : undefined;
    if (parent) childCount.set(parent.id, (childCount.get(parent.id) ?? 0) + 1);
    else roots += 1;
    if (message.role === 'assistant' && parent?.role === 'user') {
      responseTimes.push(Math.max(0, message.timestamp - parent.timestamp));
    }
  }
  for (const count of childCount.values()) usage.branchCount += Math.max(0, count - 1);
  usage.branchCount += Math.max(0, roots - 1);
  if (responseTimes.length > 0) {
    responseTimes.sort((a, b) => a - b);
    usage.avgResponseSeconds = responseTimes.reduce((sum, t) => sum + t, 0) / responseTimes.length;
    const mid = Math.floor(responseTimes.length / 2);
    usage.medianResponseSeconds =
      responseTimes.length % 2 === 1 ? responseTimes[mid]! : (responseTimes[mid - 1]! + responseTimes[mid]!) / 2;
  }
  return usage;
}
