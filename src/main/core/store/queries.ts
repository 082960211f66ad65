import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Interval } from '../pipeline/types.ts';
import { addLocalDays, firstOfMonth, lastOfMonth } from '../time/days.ts';
import type { AnalysisRecord, InsightRecord } from './analysis.ts';
import type { ConversationAnalysisRow, Database, EstimateSource } from './schema.ts';
import { assertDay, epochSeconds, epochSecondsOrNull } from './util.ts';

// Read queries behind the CLI `stats`, the dashboard, the CSV and the PDF: one function per
// figure, used everywhere, so every screen shows the same number. Period figures come from
// daily_aggregates (small, one row per day and user); only breakdowns that aggregates do not
// carry (categories, models) and the conversation list read the per-conversation tables.
// Periods are inclusive 'YYYY-MM-DD' days.

export interface PeriodFilter {
  from: string;
  to: string;
  /** Restrict to one user (hash); omitted or null = everyone. */
  userHash?: string | null;
}

export interface SummaryStats {
  conversations: number;
  messages: number;
  /** Days in the period with at least one conversation. */
  activeDays: number;
  /** Active minutes, a user's parallel conversations counted once. */
  activeMinutes: number;
  engagedMinutes: number;
  /** Sum over conversations of first→last message, and the idle part of it. */
  durationMinutes: number;
  idleMinutes: number;
  /** Estimated minutes without AI: most likely, and the low/high range. */
  manualMinutes: number;
  manualMinutesLow: number;
  manualMinutesHigh: number;
  /** Time saved on the active-time basis (seed formula) and on the engaged-time basis. */
  timeSavedMinutes: number;
  timeSavedEngagedMinutes: number;
  avgTimeSavedPerConversation: number | null;
  avgTimeSavedEngagedPerConversation: number | null;
  /** Mean confidence over conversations (0–100), null without any. */
  avgConfidence: number | null;
  /** Share of heuristic estimates (0–1), null without conversations. */
  heuristicShare: number | null;
  llmCostUsd: number;
  /** Tokens spent on estimating (the analysis's own LLM usage). */
  inputTokens: number;
  outputTokens: number;
}

export interface DailyPoint {
  date: string;
  conversations: number;
  messages: number;
  activeMinutes: number;
  engagedMinutes: number;
  idleMinutes: number;
  manualMinutes: number;
  manualMinutesLow: number;
  manualMinutesHigh: number;
  timeSavedMinutes: number;
  timeSavedEngagedMinutes: number;
  avgConfidence: number | null;
  heuristicShare: number | null;
  llmCostUsd: number;
}

export interface TopUser {
  userHash: string;
  conversations: number;
  messages: number;
  activeDays: number;
  activeMinutes: number;
  engagedMinutes: number;
  manualMinutes: number;
  timeSavedMinutes: number;
  timeSavedEngagedMinutes: number;
  /** The figure ranked by: timeSavedEngagedMinutes or timeSavedMinutes per `basis`. */
  rankedMinutes: number;
}

export interface CategoryShare {
  /** null = the estimator gave no category. */
  category: string | null;
  conversations: number;
  manualMinutes: number;
  timeSavedMinutes: number;
  timeSavedEngagedMinutes: number;
}

export interface ModelShare {
  model: string;
  /** Assistant messages written by the model. */
  messages: number;
  /** Conversations in which it answered at least once. */
  conversations: number;
}

export type ConversationSort =
  | 'date'
  | 'lastMessageAt'
  | 'timeSaved'
  | 'timeSavedEngaged'
  | 'manualTime'
  | 'activeMinutes'
  | 'engagedMinutes'
  | 'confidence'
  | 'messages'
  | 'cost'
  | 'category';

export interface ConversationFilter extends PeriodFilter {
  category?: string | null;
  source?: EstimateSource | null;
  minConfidence?: number | null;
  workRelated?: boolean | null;
  taskCompleted?: boolean | null;
}

export interface ConversationListQuery extends ConversationFilter {
  sort?: ConversationSort;
  direction?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface ConversationListRow {
  conversationId: string;
  userHash: string;
  analysisDate: string;
  firstMessageAt: number | null;
  lastMessageAt: number | null;
  totalMinutes: number | null;
  activeMinutes: number | null;
  idleMinutes: number | null;
  engagedMinutes: number | null;
  manualTimeLow: number | null;
  manualTimeMostLikely: number | null;
  manualTimeHigh: number | null;
  confidence: number | null;
  timeSavedMinutes: number | null;
  timeSavedEngagedMinutes: number | null;
  messageCount: number | null;
  taskCategory: string | null;
  workRelated: boolean | null;
  taskCompleted: boolean | null;
  estimateSource: EstimateSource | null;
  estimateRepaired: boolean;
  model: string | null;
  costUsd: number;
}

export interface Page<T> {
  rows: T[];
  total: number;
}

export interface ConversationDetail extends AnalysisRecord {
  id: string;
  processedAt: number;
  /** The estimator's one-sentence reasoning, when its answer carried one. */
  reasoning: string | null;
  insights: InsightRecord | null;
}

export interface SkipRow {
  conversationId: string;
  runId: number | null;
  reason: string;
  detail: string | null;
  sourceUpdatedAt: number | null;
  seenAt: number;
}

export interface FailureRow {
  conversationId: string;
  runId: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  lastAttemptAt: number;
}

export interface UserEngagement {
  userHash: string;
  conversations: number;
  messages: number;
  activeDays: number;
  firstSeen: string | null;
  lastSeen: string | null;
  inputTokens: number;
  outputTokens: number;
  timeSavedMinutes: number;
  timeSavedEngagedMinutes: number;
}

function period(filter: PeriodFilter): { from: string; to: string } {
  return { from: assertDay(filter.from, 'from'), to: assertDay(filter.to, 'to') };
}

function pageBounds(limit: number, offset: number): { limit: number; offset: number } {
  return { limit: Math.min(10_000, Math.max(0, Math.floor(limit))), offset: Math.max(0, Math.floor(offset)) };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** Which daily_aggregates rows a filter reads: the global rows, or one user's rows. */
function aggregateRows(userHash: string | null | undefined) {
  return userHash ? sql`user_id_hash = ${userHash}` : sql`user_id_hash IS NULL`;
}

interface SummaryRaw {
  conversations: number | null;
  messages: number | null;
  active_days: number | null;
  active: number | null;
  engaged: number | null;
  duration: number | null;
  idle: number | null;
  manual: number | null;
  manual_low: number | null;
  manual_high: number | null;
  saved: number | null;
  saved_engaged: number | null;
  confidence_sum: number | null;
  confidence_count: number | null;
  heuristic: number | null;
  cost: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
}

/** The cards of the dashboard and the CLI `stats` totals for a period. */
export async function summaryStats(db: Kysely<Database>, filter: PeriodFilter): Promise<SummaryStats> {
  const { from, to } = period(filter);
  const { rows } = await sql<SummaryRaw>`
    SELECT sum(conversation_count) AS conversations, sum(message_count) AS messages,
      count(*) FILTER (WHERE conversation_count > 0) AS active_days,
      sum(total_active_time) AS active, sum(total_engaged_time) AS engaged,
      sum(total_duration_time) AS duration, sum(total_idle_time) AS idle,
      sum(total_manual_time_estimated) AS manual, sum(total_manual_time_low) AS manual_low,
      sum(total_manual_time_high) AS manual_high, sum(total_time_saved) AS saved,
      sum(total_time_saved_engaged) AS saved_engaged, sum(confidence_sum) AS confidence_sum,
      sum(confidence_count) AS confidence_count, sum(heuristic_count) AS heuristic,
      sum(llm_cost_usd) AS cost, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
    FROM daily_aggregates
    WHERE analysis_date BETWEEN ${from}::date AND ${to}::date AND ${aggregateRows(filter.userHash)}`.execute(db);
  const r = rows[0];
  const n = (v: number | null | undefined): number => v ?? 0;
  const conversations = n(r?.conversations);
  return {
    conversations,
    messages: n(r?.messages),
    activeDays: n(r?.active_days),
    activeMinutes: n(r?.active),
    engagedMinutes: n(r?.engaged),
    durationMinutes: n(r?.duration),
    idleMinutes: n(r?.idle),
    manualMinutes: n(r?.manual),
    manualMinutesLow: n(r?.manual_low),
    manualMinutesHigh: n(r?.manual_high),
    timeSavedMinutes: n(r?.saved),
    timeSavedEngagedMinutes: n(r?.saved_engaged),
    avgTimeSavedPerConversation: ratio(n(r?.saved), conversations),
    avgTimeSavedEngagedPerConversation: ratio(n(r?.saved_engaged), conversations),
    avgConfidence: ratio(n(r?.confidence_sum), n(r?.confidence_count)),
    heuristicShare: ratio(n(r?.heuristic), conversations),
    llmCostUsd: Math.round(n(r?.cost) * 1e6) / 1e6,
    inputTokens: n(r?.input_tokens),
    outputTokens: n(r?.output_tokens),
  };
}

interface DailyRaw {
  date: string;
  conversations: number;
  messages: number;
  active: number;
  engaged: number;
  idle: number;
  manual: number;
  manual_low: number;
  manual_high: number;
  saved: number;
  saved_engaged: number;
  confidence_sum: number;
  confidence_count: number;
  heuristic: number;
  cost: number;
}

/** One point per day of the period (days without conversations as zeros), for the trend chart. */
export async function dailyTrend(db: Kysely<Database>, filter: PeriodFilter): Promise<DailyPoint[]> {
  const { from, to } = period(filter);
  if (from > to) return [];
  const { rows } = await sql<DailyRaw>`
    SELECT d::date AS date,
      coalesce(a.conversation_count, 0) AS conversations, coalesce(a.message_count, 0) AS messages,
      coalesce(a.total_active_time, 0) AS active, coalesce(a.total_engaged_time, 0) AS engaged,
      coalesce(a.total_idle_time, 0) AS idle, coalesce(a.total_manual_time_estimated, 0) AS manual,
      coalesce(a.total_manual_time_low, 0) AS manual_low, coalesce(a.total_manual_time_high, 0) AS manual_high,
      coalesce(a.total_time_saved, 0) AS saved, coalesce(a.total_time_saved_engaged, 0) AS saved_engaged,
      coalesce(a.confidence_sum, 0) AS confidence_sum, coalesce(a.confidence_count, 0) AS confidence_count,
      coalesce(a.heuristic_count, 0) AS heuristic, coalesce(a.llm_cost_usd, 0) AS cost
    FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS d
    LEFT JOIN daily_aggregates a ON a.analysis_date = d::date AND ${aggregateRows(filter.userHash)}
    ORDER BY d`.execute(db);
  return rows.map((r) => ({
    date: r.date,
    conversations: r.conversations,
    messages: r.messages,
    activeMinutes: r.active,
    engagedMinutes: r.engaged,
    idleMinutes: r.idle,
    manualMinutes: r.manual,
    manualMinutesLow: r.manual_low,
    manualMinutesHigh: r.manual_high,
    timeSavedMinutes: r.saved,
    timeSavedEngagedMinutes: r.saved_engaged,
    avgConfidence: ratio(r.confidence_sum, r.confidence_count),
    heuristicShare: ratio(r.heuristic, r.conversations),
    llmCostUsd: r.cost,
  }));
}

interface TopUserRaw {
  user_hash: string;
  conversations: number;
  messages: number;
  active_days: number;
  active: number;
  engaged: number;
  manual: number;
  saved: number;
  saved_engaged: number;
}

/**
 * A period as the whole months inside it (first days of the first and last whole month) and
 * the days before and after them, so a long period reads one row per user and month instead
 * of one per user and day.
 */
export function coverByMonths(from: string, to: string): { months: { from: string; to: string } | null; days: { from: string; to: string }[] } {
  const firstWhole = from === firstOfMonth(from) ? from : addLocalDays(lastOfMonth(from), 1);
  const lastWholeEnd = to === lastOfMonth(to) ? to : addLocalDays(firstOfMonth(to), -1);
  if (firstWhole > lastWholeEnd) return { months: null, days: [{ from, to }] };
  const days: { from: string; to: string }[] = [];
  if (from < firstWhole) days.push({ from, to: addLocalDays(firstWhole, -1) });
  if (lastWholeEnd < to) days.push({ from: addLocalDays(lastWholeEnd, 1), to });
  return { months: { from: firstWhole, to: firstOfMonth(lastWholeEnd) }, days };
}

/** Users ranked by time saved in the period, on the engaged or the active basis. */
export async function topUsers(
  db: Kysely<Database>,
  query: { from: string; to: string; limit: number; basis: 'engaged' | 'active' },
): Promise<TopUser[]> {
  const { from, to } = period(query);
  const cover = coverByMonths(from, to);
  const rank = query.basis === 'engaged' ? sql`sum(saved_engaged)` : sql`sum(saved)`;
  const dayRanges = cover.days.map((d) => sql`analysis_date BETWEEN ${d.from}::date AND ${d.to}::date`);
  const dayRows = dayRanges.length === 0 ? sql`false` : sql.join(dayRanges, sql` OR `);
  const monthRows = cover.months ? sql`month BETWEEN ${cover.months.from}::date AND ${cover.months.to}::date` : sql`false`;
  const { rows } = await sql<TopUserRaw>`
    SELECT user_id_hash AS user_hash, sum(conversations) AS conversations, sum(messages) AS messages,
      sum(active_days) AS active_days, sum(active) AS active, sum(engaged) AS engaged,
      sum(manual) AS manual, sum(saved) AS saved, sum(saved_engaged) AS saved_engaged
    FROM (
      SELECT user_id_hash, conversation_count AS conversations, message_count AS messages, 1 AS active_days,
        total_active_time AS active, total_engaged_time AS engaged, total_manual_time_estimated AS manual,
        total_time_saved AS saved, total_time_saved_engaged AS saved_engaged
      FROM daily_aggregates
      WHERE user_id_hash IS NOT NULL AND (${dayRows})
      UNION ALL
      SELECT user_id_hash, conversation_count, message_count, active_days, total_active_time, total_engaged_time,
        total_manual_time_estimated, total_time_saved, total_time_saved_engaged
      FROM monthly_user_aggregates
      WHERE ${monthRows}
    ) AS period_rows
    GROUP BY user_id_hash
    ORDER BY ${rank} DESC, user_id_hash
    LIMIT ${pageBounds(query.limit, 0).limit}`.execute(db);
  return rows.map((r) => ({
    userHash: r.user_hash,
    conversations: r.conversations,
    messages: r.messages,
    activeDays: r.active_days,
    activeMinutes: r.active,
    engagedMinutes: r.engaged,
    manualMinutes: r.manual,
    timeSavedMinutes: r.saved,
    timeSavedEngagedMinutes: r.saved_engaged,
    rankedMinutes: query.basis === 'engaged' ? r.saved_engaged : r.saved,
  }));
}

interface CategoryRaw {
  category: string | null;
  conversations: number;
  manual: number;
  saved: number;
  saved_engaged: number;
}

/** Conversations and time saved per task category in the period (from daily_category_aggregates). */
export async function categoryBreakdown(db: Kysely<Database>, filter: PeriodFilter): Promise<CategoryShare[]> {
  const { from, to } = period(filter);
  const { rows } = await sql<CategoryRaw>`
    SELECT task_category AS category, sum(conversation_count) AS conversations,
      sum(total_manual_time_estimated) AS manual, sum(total_time_saved) AS saved,
      sum(total_time_saved_engaged) AS saved_engaged
    FROM daily_category_aggregates
    WHERE analysis_date BETWEEN ${from}::date AND ${to}::date AND ${aggregateRows(filter.userHash)}
    GROUP BY task_category
    ORDER BY sum(conversation_count) DESC, task_category NULLS LAST`.execute(db);
  return rows.map((r) => ({
    category: r.category,
    conversations: r.conversations,
    manualMinutes: r.manual,
    timeSavedMinutes: r.saved,
    timeSavedEngagedMinutes: r.saved_engaged,
  }));
}

/** Models used in the period's conversations (conversation_insights, summed per day in daily_model_aggregates). */
export async function modelBreakdown(db: Kysely<Database>, filter: PeriodFilter): Promise<ModelShare[]> {
  const { from, to } = period(filter);
  const { rows } = await sql<{ model: string; messages: number; conversations: number }>`
    SELECT model, sum(message_count) AS messages, sum(conversation_count) AS conversations
    FROM daily_model_aggregates
    WHERE analysis_date BETWEEN ${from}::date AND ${to}::date AND ${aggregateRows(filter.userHash)}
    GROUP BY model
    ORDER BY sum(message_count) DESC, model`.execute(db);
  return rows.map((r) => ({ model: r.model, messages: r.messages, conversations: r.conversations }));
}

const SORT_COLUMNS = {
  date: 'analysis_date',
  lastMessageAt: 'last_message_at',
  timeSaved: 'time_saved_minutes',
  timeSavedEngaged: 'time_saved_engaged_minutes',
  manualTime: 'manual_time_most_likely',
  activeMinutes: 'active_duration_minutes',
  engagedMinutes: 'engaged_duration_minutes',
  confidence: 'confidence_level',
  messages: 'message_count',
  cost: 'cost_usd',
  category: 'task_category',
} as const satisfies Record<ConversationSort, string>;

type AnalysisQuery<O> = SelectQueryBuilder<Database, 'conversation_analysis', O>;

function applyConversationFilter<O>(query: AnalysisQuery<O>, filter: ConversationFilter): AnalysisQuery<O> {
  const { from, to } = period(filter);
  let q = query.where('analysis_date', '>=', from).where('analysis_date', '<=', to);
  if (filter.userHash) q = q.where('user_id_hash', '=', filter.userHash);
  if (filter.category) q = q.where('task_category', '=', filter.category);
  if (filter.source) q = q.where('estimate_source', '=', filter.source);
  if (filter.minConfidence !== undefined && filter.minConfidence !== null) q = q.where('confidence_level', '>=', filter.minConfidence);
  if (filter.workRelated !== undefined && filter.workRelated !== null) q = q.where('work_related', '=', filter.workRelated);
  if (filter.taskCompleted !== undefined && filter.taskCompleted !== null) q = q.where('task_completed', '=', filter.taskCompleted);
  return q;
}

const LIST_COLUMNS = [
  'conversation_id',
  'user_id_hash',
  'analysis_date',
  'first_message_at',
  'last_message_at',
  'total_duration_minutes',
  'active_duration_minutes',
  'idle_time_minutes',
  'engaged_duration_minutes',
  'manual_time_low',
  'manual_time_most_likely',
  'manual_time_high',
  'confidence_level',
  'time_saved_minutes',
  'time_saved_engaged_minutes',
  'message_count',
  'task_category',
  'work_related',
  'task_completed',
  'estimate_source',
  'estimate_repaired',
  'model',
  'cost_usd',
] as const;

type ListRaw = Pick<ConversationAnalysisRow, (typeof LIST_COLUMNS)[number]>;

function toListRow(r: ListRaw): ConversationListRow {
  return {
    conversationId: r.conversation_id,
    userHash: r.user_id_hash,
    analysisDate: r.analysis_date,
    firstMessageAt: epochSecondsOrNull(r.first_message_at),
    lastMessageAt: epochSecondsOrNull(r.last_message_at),
    totalMinutes: r.total_duration_minutes,
    activeMinutes: r.active_duration_minutes,
    idleMinutes: r.idle_time_minutes,
    engagedMinutes: r.engaged_duration_minutes,
    manualTimeLow: r.manual_time_low,
    manualTimeMostLikely: r.manual_time_most_likely,
    manualTimeHigh: r.manual_time_high,
    confidence: r.confidence_level,
    timeSavedMinutes: r.time_saved_minutes,
    timeSavedEngagedMinutes: r.time_saved_engaged_minutes,
    messageCount: r.message_count,
    taskCategory: r.task_category,
    workRelated: r.work_related,
    taskCompleted: r.task_completed,
    estimateSource: r.estimate_source,
    estimateRepaired: r.estimate_repaired,
    model: r.model,
    costUsd: r.cost_usd,
  };
}

/**
 * How many conversations match. A filter on the period (and user) alone is answered from
 * daily_aggregates, whose conversation_count is rebuilt from these rows in the same transaction
 * that writes them: exact, and a year costs 365 rows instead of every conversation of it.
 */
export async function countConversations(db: Kysely<Database>, filter: ConversationFilter): Promise<number> {
  const periodOnly =
    !filter.category && !filter.source && (filter.minConfidence ?? null) === null && (filter.workRelated ?? null) === null && (filter.taskCompleted ?? null) === null;
  if (periodOnly) {
    const { from, to } = period(filter);
    const { rows } = await sql<{ n: number | null }>`
      SELECT sum(conversation_count) AS n FROM daily_aggregates
      WHERE analysis_date BETWEEN ${from}::date AND ${to}::date AND ${aggregateRows(filter.userHash)}`.execute(db);
    return Number(rows[0]?.n ?? 0);
  }
  const count = await applyConversationFilter(db.selectFrom('conversation_analysis').select((eb) => eb.fn.countAll<number>().as('n')), filter).executeTakeFirstOrThrow();
  return Number(count.n);
}

/**
 * The users with conversations in the period (one user when the filter names one), from the
 * per-user rows of daily_aggregates: a day's row per user instead of every conversation.
 */
export async function periodUserHashes(db: Kysely<Database>, filter: PeriodFilter): Promise<string[]> {
  const { from, to } = period(filter);
  const { rows } = await sql<{ user_hash: string }>`
    SELECT DISTINCT user_id_hash AS user_hash FROM daily_aggregates
    WHERE analysis_date BETWEEN ${from}::date AND ${to}::date AND user_id_hash IS NOT NULL
      ${filter.userHash ? sql`AND user_id_hash = ${filter.userHash}` : sql``}`.execute(db);
  return rows.map((r) => r.user_hash);
}

/** One page of the conversations table (server-side sorting, filtering and paging) and the total. */
export async function listConversations(db: Kysely<Database>, query: ConversationListQuery): Promise<Page<ConversationListRow>> {
  const { limit, offset } = pageBounds(query.limit, query.offset);
  const column = SORT_COLUMNS[query.sort ?? 'date'];
  const direction = query.direction ?? 'desc';
  const [rows, total] = await Promise.all([
    applyConversationFilter(db.selectFrom('conversation_analysis').select(LIST_COLUMNS), query)
      // NULLs (e.g. no category) last either way; the id keeps pages stable between requests.
      .orderBy(sql.ref(column), (ob) => (direction === 'asc' ? ob.asc().nullsLast() : ob.desc().nullsLast()))
      .orderBy('conversation_id', direction)
      .limit(limit)
      .offset(offset)
      .execute(),
    countConversations(db, query),
  ]);
  return { rows: rows.map(toListRow), total };
}

/**
 * Every conversation matching a filter, in (date, id) order, fetched page by page with a keyset
 * so a detailed CSV export of any size streams in constant memory.
 */
export async function* iterateConversations(
  db: Kysely<Database>,
  filter: ConversationFilter,
  pageSize = 1000,
): AsyncGenerator<ConversationListRow> {
  let after: { date: string; id: string } | null = null;
  for (;;) {
    let q = applyConversationFilter(db.selectFrom('conversation_analysis').select(LIST_COLUMNS), filter);
    if (after) {
      const { date, id } = after;
      q = q.where((eb) => eb.or([eb('analysis_date', '>', date), eb.and([eb('analysis_date', '=', date), eb('conversation_id', '>', id)])]));
    }
    const rows = await q.orderBy('analysis_date', 'asc').orderBy('conversation_id', 'asc').limit(pageSize).execute();
    for (const row of rows) yield toListRow(row);
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = { date: last.analysis_date, id: last.conversation_id };
  }
}

function intervals(value: Interval[] | null): Interval[] {
  return Array.isArray(value) ? value.map(([a, b]) => [Number(a), Number(b)] as const) : [];
}

function reasoningOf(response: unknown): string | null {
  if (typeof response === 'object' && response !== null && 'reasoning' in response && typeof response.reasoning === 'string') {
    return response.reasoning;
  }
  return null;
}

/** Everything stored about one conversation, for the detail view; null when unknown. */
export async function getConversation(db: Kysely<Database>, conversationId: string): Promise<ConversationDetail | null> {
  const [r, insight] = await Promise.all([
    db.selectFrom('conversation_analysis').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst(),
    db.selectFrom('conversation_insights').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst(),
  ]);
  if (!r) return null;
  return {
    id: r.id,
    processedAt: epochSeconds(r.processed_at),
    reasoning: reasoningOf(r.llm_response),
    conversationId: r.conversation_id,
    userIdHash: r.user_id_hash,
    firstMessageAt: epochSecondsOrNull(r.first_message_at),
    lastMessageAt: epochSecondsOrNull(r.last_message_at),
    totalDurationMinutes: r.total_duration_minutes ?? 0,
    activeDurationMinutes: r.active_duration_minutes ?? 0,
    idleTimeMinutes: r.idle_time_minutes ?? 0,
    engagedDurationMinutes: r.engaged_duration_minutes ?? 0,
    manualTimeLow: r.manual_time_low ?? 0,
    manualTimeMostLikely: r.manual_time_most_likely ?? 0,
    manualTimeHigh: r.manual_time_high ?? 0,
    confidenceLevel: r.confidence_level ?? 0,
    timeSavedMinutes: r.time_saved_minutes ?? 0,
    timeSavedEngagedMinutes: r.time_saved_engaged_minutes ?? 0,
    messageCount: r.message_count ?? 0,
    processingVersion: r.processing_version ?? '',
    conversationSummary: r.conversation_summary ?? '',
    llmResponse: r.llm_response,
    analysisDate: r.analysis_date,
    sourceUpdatedAt: epochSecondsOrNull(r.source_updated_at),
    contentFingerprint: r.content_fingerprint,
    estimateSource: r.estimate_source ?? 'llm',
    estimateRepaired: r.estimate_repaired,
    model: r.model,
    promptVersion: r.prompt_version,
    taskCategory: r.task_category,
    workRelated: r.work_related,
    taskCompleted: r.task_completed,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd,
    activeIntervals: intervals(r.active_intervals),
    engagedIntervals: intervals(r.engaged_intervals),
    runId: r.run_id,
    insights: insight
      ? {
          conversationId: insight.conversation_id,
          userIdHash: insight.user_id_hash,
          analysisDate: insight.analysis_date,
          userMessages: insight.user_messages,
          assistantMessages: insight.assistant_messages,
          systemMessages: insight.system_messages,
          branchCount: insight.branch_count,
          models: insight.models,
          inputTokens: insight.input_tokens,
          outputTokens: insight.output_tokens,
          avgResponseSeconds: insight.avg_response_seconds,
          medianResponseSeconds: insight.median_response_seconds,
          attachments: insight.attachments,
        }
      : null,
  };
}

/** Source rows that could not be read, newest first. */
export async function listSkips(
  db: Kysely<Database>,
  query: { limit: number; offset: number; reason?: string | null },
): Promise<Page<SkipRow>> {
  const { limit, offset } = pageBounds(query.limit, query.offset);
  let base = db.selectFrom('conversation_skips');
  if (query.reason) base = base.where('reason', '=', query.reason);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('seen_at', 'desc').orderBy('conversation_id').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      conversationId: r.conversation_id,
      runId: r.run_id,
      reason: r.reason,
      detail: r.detail,
      sourceUpdatedAt: epochSecondsOrNull(r.source_updated_at),
      seenAt: epochSeconds(r.seen_at),
    })),
  };
}

/** Estimates that failed and wait for a retry, most recent first. */
export async function listFailures(db: Kysely<Database>, query: { limit: number; offset: number }): Promise<Page<FailureRow>> {
  const { limit, offset } = pageBounds(query.limit, query.offset);
  const [rows, count] = await Promise.all([
    db.selectFrom('conversation_failures').selectAll().orderBy('last_attempt_at', 'desc').orderBy('conversation_id').limit(limit).offset(offset).execute(),
    db.selectFrom('conversation_failures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      conversationId: r.conversation_id,
      runId: r.run_id,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      attempts: r.attempts,
      lastAttemptAt: epochSeconds(r.last_attempt_at),
    })),
  };
}

const ENGAGEMENT_SORT = {
  timeSaved: 'total_time_saved',
  timeSavedEngaged: 'total_time_saved_engaged',
  conversations: 'conversations',
  messages: 'messages',
  activeDays: 'active_days',
  lastSeen: 'last_seen',
} as const;

/** The Users page: engagement per user hash (all time), server-side paged. */
export async function listUserEngagement(
  db: Kysely<Database>,
  query: { limit: number; offset: number; sort?: keyof typeof ENGAGEMENT_SORT; direction?: 'asc' | 'desc' },
): Promise<Page<UserEngagement>> {
  const { limit, offset } = pageBounds(query.limit, query.offset);
  const column = ENGAGEMENT_SORT[query.sort ?? 'timeSavedEngaged'];
  const direction = query.direction ?? 'desc';
  const [rows, count] = await Promise.all([
    db
      .selectFrom('user_engagement')
      .selectAll()
      .orderBy(sql.ref(column), (ob) => (direction === 'asc' ? ob.asc().nullsLast() : ob.desc().nullsLast()))
      .orderBy('user_id_hash')
      .limit(limit)
      .offset(offset)
      .execute(),
    db.selectFrom('user_engagement').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      userHash: r.user_id_hash,
      conversations: r.conversations,
      messages: r.messages,
      activeDays: r.active_days,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      timeSavedMinutes: r.total_time_saved,
      timeSavedEngagedMinutes: r.total_time_saved_engaged,
    })),
  };
}
