import {
  categoryBreakdown,
  dailyTrend,
  getConversation,
  listConversations,
  listFailures,
  listSkips,
  listUserEngagement,
  modelBreakdown,
  summaryStats,
  topUsers,
  type ConversationListRow,
  type ConversationSort,
} from '../store/queries.ts';
import type { ConversationSortColumn, Handlers, UserSortColumn } from '../../../shared/contract.ts';
import type { ConversationRowDto, UserLabel } from '../../../shared/types.ts';
import { HandlerError } from './errors.ts';
import type { ConsoleRuntime } from './runtime.ts';

// Dashboard, Users and Conversations: each channel is one store query (the same functions the
// CLI, CSV and PDF use), shaped for the screen, with user hashes resolved to "Name (email)".

type AnalyticsChannels =
  | 'dashboard.summary'
  | 'dashboard.trend'
  | 'dashboard.topUsers'
  | 'dashboard.categories'
  | 'dashboard.models'
  | 'users.list'
  | 'conversations.list'
  | 'conversations.get'
  | 'conversations.skips'
  | 'conversations.failures';

// The contract's sort names are the store's; these fail to compile when they drift apart.
const sortName = (column: ConversationSortColumn): ConversationSort => column;
const userSortName = (column: UserSortColumn): Parameters<typeof listUserEngagement>[1]['sort'] => column;

const iso = (epochSeconds: number | null): string | null => (epochSeconds === null ? null : new Date(epochSeconds * 1000).toISOString());
const money = (minutes: number, rate: number): number => Math.round((minutes / 60) * rate * 100) / 100;

function rowDto(r: ConversationListRow, label: UserLabel | undefined): ConversationRowDto {
  return {
    conversationId: r.conversationId,
    analysisDate: r.analysisDate,
    userHash: r.userHash,
    userLabel: label?.label ?? r.userHash.slice(0, 8),
    lastMessageAt: iso(r.lastMessageAt),
    messageCount: r.messageCount ?? 0,
    engagedMinutes: r.engagedMinutes ?? 0,
    activeMinutes: r.activeMinutes ?? 0,
    idleMinutes: r.idleMinutes ?? 0,
    manualLowMinutes: r.manualTimeLow ?? 0,
    manualMostLikelyMinutes: r.manualTimeMostLikely ?? 0,
    manualHighMinutes: r.manualTimeHigh ?? 0,
    timeSavedEngagedMinutes: r.timeSavedEngagedMinutes ?? 0,
    timeSavedActiveMinutes: r.timeSavedMinutes ?? 0,
    confidence: r.confidence,
    category: r.taskCategory,
    estimateSource: r.estimateSource,
    model: r.model,
  };
}

export function analyticsHandlers(rt: ConsoleRuntime): Pick<Handlers, AnalyticsChannels> {
  const db = async () => (await rt.contexts.analytics()).db;
  const settings = () => rt.contexts.current().settings;

  return {
    async 'dashboard.summary'({ from, to, user }) {
      const s = settings();
      const t = await summaryStats(await db(), { from, to, userHash: user ?? null });
      const rate = s.value.hourlyRate;
      return {
        from,
        to,
        timeBasis: s.processing.timeBasis,
        conversations: t.conversations,
        messages: t.messages,
        timeSaved: { engagedMinutes: t.timeSavedEngagedMinutes, activeMinutes: t.timeSavedMinutes },
        withAi: { engagedMinutes: t.engagedMinutes, activeMinutes: t.activeMinutes, idleMinutes: t.idleMinutes, durationMinutes: t.durationMinutes },
        manual: { lowMinutes: t.manualMinutesLow, mostLikelyMinutes: t.manualMinutes, highMinutes: t.manualMinutesHigh },
        avgTimeSavedPerConversation: { engagedMinutes: t.avgTimeSavedEngagedPerConversation, activeMinutes: t.avgTimeSavedPerConversation },
        avgConfidence: t.avgConfidence,
        heuristicShare: t.heuristicShare ?? 0,
        value: { engaged: money(t.timeSavedEngagedMinutes, rate), active: money(t.timeSavedMinutes, rate), currency: s.value.currency, hourlyRate: rate },
        llmCostUsd: t.llmCostUsd,
      };
    },

    async 'dashboard.trend'({ from, to, user }) {
      const points = await dailyTrend(await db(), { from, to, userHash: user ?? null });
      return {
        timeBasis: settings().processing.timeBasis,
        points: points.map((p) => ({
          date: p.date,
          conversations: p.conversations,
          timeSavedEngagedMinutes: p.timeSavedEngagedMinutes,
          timeSavedActiveMinutes: p.timeSavedMinutes,
          manualLowMinutes: p.manualMinutesLow,
          manualMostLikelyMinutes: p.manualMinutes,
          manualHighMinutes: p.manualMinutesHigh,
          engagedMinutes: p.engagedMinutes,
          activeMinutes: p.activeMinutes,
          idleMinutes: p.idleMinutes,
        })),
      };
    },

    async 'dashboard.topUsers'({ from, to, limit }) {
      const basis = settings().processing.timeBasis;
      const users = await topUsers(await db(), { from, to, limit, basis });
      const { labels, unavailable } = await rt.users.resolve(users.map((u) => u.userHash));
      return {
        timeBasis: basis,
        namesUnavailable: users.length > 0 ? unavailable : null,
        users: users.map((u) => ({
          ...labels.get(u.userHash)!,
          conversations: u.conversations,
          timeSavedEngagedMinutes: u.timeSavedEngagedMinutes,
          timeSavedActiveMinutes: u.timeSavedMinutes,
        })),
      };
    },

    async 'dashboard.categories'({ from, to, user }) {
      const rows = await categoryBreakdown(await db(), { from, to, userHash: user ?? null });
      return rows.map((r) => ({
        category: r.category,
        conversations: r.conversations,
        timeSavedEngagedMinutes: r.timeSavedEngagedMinutes,
        timeSavedActiveMinutes: r.timeSavedMinutes,
      }));
    },

    async 'dashboard.models'({ from, to, user }) {
      return modelBreakdown(await db(), { from, to, userHash: user ?? null });
    },

    async 'users.list'({ page, pageSize, sort, direction }) {
      const result = await listUserEngagement(await db(), { limit: pageSize, offset: page * pageSize, sort: userSortName(sort), direction });
      const { labels, unavailable } = await rt.users.resolve(result.rows.map((r) => r.userHash));
      return {
        timeBasis: settings().processing.timeBasis,
        namesUnavailable: result.rows.length > 0 ? unavailable : null,
        total: result.total,
        page,
        pageSize,
        rows: result.rows.map((r) => ({
          ...labels.get(r.userHash)!,
          conversations: r.conversations,
          messages: r.messages,
          activeDays: r.activeDays,
          firstSeen: r.firstSeen,
          lastSeen: r.lastSeen,
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          timeSavedEngagedMinutes: r.timeSavedEngagedMinutes,
          timeSavedActiveMinutes: r.timeSavedMinutes,
        })),
      };
    },

    async 'conversations.list'(q) {
      const result = await listConversations(await db(), {
        from: q.from,
        to: q.to,
        userHash: q.user ?? null,
        category: q.category ?? null,
        source: q.estimateSource ?? null,
        minConfidence: q.minConfidence ?? null,
        workRelated: q.workRelated ?? null,
        taskCompleted: q.taskCompleted ?? null,
        sort: sortName(q.sort),
        direction: q.direction,
        limit: q.pageSize,
        offset: q.page * q.pageSize,
      });
      const { labels } = await rt.users.resolve([...new Set(result.rows.map((r) => r.userHash))]);
      return { rows: result.rows.map((r) => rowDto(r, labels.get(r.userHash))), total: result.total, page: q.page, pageSize: q.pageSize };
    },

    async 'conversations.get'({ conversationId }) {
      const d = await getConversation(await db(), conversationId);
      if (!d) throw new HandlerError('not_found', `No analysed conversation ${conversationId}: it may not have been analysed yet, or its estimate failed.`);
      const { labels } = await rt.users.resolve([d.userIdHash]);
      const row = rowDto(
        {
          conversationId: d.conversationId,
          userHash: d.userIdHash,
          analysisDate: d.analysisDate,
          firstMessageAt: d.firstMessageAt,
          lastMessageAt: d.lastMessageAt,
          totalMinutes: d.totalDurationMinutes,
          activeMinutes: d.activeDurationMinutes,
          idleMinutes: d.idleTimeMinutes,
          engagedMinutes: d.engagedDurationMinutes,
          manualTimeLow: d.manualTimeLow,
          manualTimeMostLikely: d.manualTimeMostLikely,
          manualTimeHigh: d.manualTimeHigh,
          confidence: d.confidenceLevel,
          timeSavedMinutes: d.timeSavedMinutes,
          timeSavedEngagedMinutes: d.timeSavedEngagedMinutes,
          messageCount: d.messageCount,
          taskCategory: d.taskCategory,
          workRelated: d.workRelated,
          taskCompleted: d.taskCompleted,
          estimateSource: d.estimateSource,
          estimateRepaired: d.estimateRepaired,
          model: d.model,
          costUsd: d.costUsd,
        },
        labels.get(d.userIdHash),
      );
      return {
        ...row,
        firstMessageAt: iso(d.firstMessageAt),
        totalMinutes: d.totalDurationMinutes,
        workRelated: d.workRelated,
        taskCompleted: d.taskCompleted,
        estimateRepaired: d.estimateRepaired,
        reasoning: d.reasoning,
        summarySent: d.conversationSummary || null,
        promptVersion: d.promptVersion,
        processingVersion: d.processingVersion || null,
        processedAt: new Date(d.processedAt * 1000).toISOString(),
        inputTokens: d.inputTokens,
        outputTokens: d.outputTokens,
        costUsd: d.costUsd,
        runId: d.runId,
        activeIntervals: d.activeIntervals.map(([a, b]) => [a, b] as [number, number]),
        engagedIntervals: d.engagedIntervals.map(([a, b]) => [a, b] as [number, number]),
        insights: d.insights
          ? {
              userMessages: d.insights.userMessages,
              assistantMessages: d.insights.assistantMessages,
              branchCount: d.insights.branchCount,
              models: d.insights.models,
              avgResponseSeconds: d.insights.avgResponseSeconds,
              attachments: d.insights.attachments,
            }
          : null,
      };
    },

    async 'conversations.skips'({ page, pageSize }) {
      const result = await listSkips(await db(), { limit: pageSize, offset: page * pageSize });
      return {
        total: result.total,
        page,
        pageSize,
        rows: result.rows.map((r) => ({ conversationId: r.conversationId, reason: r.reason, detail: r.detail, runId: r.runId, seenAt: iso(r.seenAt)! })),
      };
    },

    async 'conversations.failures'({ page, pageSize }) {
      const result = await listFailures(await db(), { limit: pageSize, offset: page * pageSize });
      return {
        total: result.total,
        page,
        pageSize,
        rows: result.rows.map((r) => ({
          conversationId: r.conversationId,
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          attempts: r.attempts,
          runId: r.runId,
          lastAttemptAt: iso(r.lastAttemptAt)!,
        })),
      };
    },
  };
}
