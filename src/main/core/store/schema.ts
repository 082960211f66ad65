import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Interval } from '../pipeline/types.ts';

// The analytics database as Kysely sees it (migrations/0001_analytics_tables.ts is the truth).
// Select types follow the pg type parsers set in connect.ts: numeric and int8 arrive as JS
// numbers, DATE as the raw 'YYYY-MM-DD' string, timestamptz as a Date, jsonb parsed.

/** timestamptz: read as Date; written as Date or an ISO string (or SQL such as now()). */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** DATE: always the 'YYYY-MM-DD' string, never a JS Date (no time-zone shifts). */
export type DateString = string;
/**
 * jsonb: read parsed; written as JSON text. Writing text on purpose: pg turns a JS array
 * parameter into a PostgreSQL array literal, which is not JSON, so callers stringify.
 */
export type Json<T> = ColumnType<T, string, string>;
export type NullableJson<T> = ColumnType<T | null, string | null, string | null>;

export type EstimateSource = 'llm' | 'heuristic';
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
export type RunTrigger = 'schedule' | 'manual' | 'backfill' | 'cli';

export interface ConversationAnalysisTable {
  id: Generated<string>;
  conversation_id: string;
  user_id_hash: string;
  first_message_at: Timestamp | null;
  last_message_at: Timestamp | null;
  total_duration_minutes: number | null;
  active_duration_minutes: number | null;
  idle_time_minutes: number | null;
  engaged_duration_minutes: number | null;
  manual_time_low: number | null;
  manual_time_most_likely: number | null;
  manual_time_high: number | null;
  confidence_level: number | null;
  time_saved_minutes: number | null;
  time_saved_engaged_minutes: number | null;
  message_count: number | null;
  processed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  processing_version: string | null;
  conversation_summary: string | null;
  llm_response: NullableJson<unknown>;
  analysis_date: DateString;
  source_updated_at: Timestamp | null;
  content_fingerprint: string | null;
  estimate_source: EstimateSource | null;
  estimate_repaired: Generated<boolean>;
  model: string | null;
  prompt_version: string | null;
  task_category: string | null;
  work_related: boolean | null;
  task_completed: boolean | null;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cost_usd: ColumnType<number, number | string | undefined, number | string>;
  active_intervals: NullableJson<Interval[]>;
  engaged_intervals: NullableJson<Interval[]>;
  run_id: number | null;
}

export interface DailyAggregatesTable {
  id: Generated<number>;
  analysis_date: DateString;
  /** NULL marks the global row of the date. */
  user_id_hash: string | null;
  conversation_count: Generated<number>;
  message_count: Generated<number>;
  /** Minutes; union of the user's active intervals (global row: sum over users). */
  total_active_time: Generated<number>;
  total_engaged_time: Generated<number>;
  /** Plain sums over conversations (first→last message, and idle part of it). */
  total_duration_time: Generated<number>;
  total_idle_time: Generated<number>;
  total_manual_time_estimated: Generated<number>;
  total_manual_time_low: Generated<number>;
  total_manual_time_high: Generated<number>;
  total_time_saved: Generated<number>;
  total_time_saved_engaged: Generated<number>;
  avg_time_saved_per_conversation: number | null;
  avg_confidence_level: number | null;
  confidence_sum: Generated<number>;
  confidence_count: Generated<number>;
  heuristic_count: Generated<number>;
  heuristic_share: number | null;
  llm_cost_usd: Generated<number>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ProcessingLogTable {
  id: Generated<number>;
  run_date: DateString | null;
  range_from: DateString | null;
  range_to: DateString | null;
  forced: Generated<boolean>;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  completed_at: Timestamp | null;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  conversations_processed: Generated<number>;
  conversations_skipped: Generated<number>;
  conversations_failed: Generated<number>;
  conversations_unchanged: Generated<number>;
  total_llm_requests: Generated<number>;
  total_llm_cost_usd: ColumnType<number, number | string | undefined, number | string>;
  processing_duration_seconds: number | null;
  error_message: string | null;
  error_details: NullableJson<unknown>;
  trigger: RunTrigger;
  host: string | null;
  app_version: string | null;
  pid: number | null;
  estimator: string | null;
}

export interface ConversationSkipsTable {
  conversation_id: string;
  run_id: number | null;
  reason: string;
  detail: string | null;
  source_updated_at: Timestamp | null;
  seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ConversationFailuresTable {
  conversation_id: string;
  run_id: number | null;
  error_code: string | null;
  error_message: string | null;
  attempts: Generated<number>;
  last_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ConversationInsightsTable {
  conversation_id: string;
  user_id_hash: string;
  analysis_date: DateString;
  user_messages: Generated<number>;
  assistant_messages: Generated<number>;
  system_messages: Generated<number>;
  branch_count: Generated<number>;
  /** Model name → number of assistant messages it wrote. */
  models: ColumnType<Record<string, number>, string | undefined, string>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  avg_response_seconds: number | null;
  median_response_seconds: number | null;
  /** Attachment kind → count. */
  attachments: ColumnType<Record<string, number>, string | undefined, string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface UserEngagementTable {
  user_id_hash: string;
  conversations: Generated<number>;
  messages: Generated<number>;
  active_days: Generated<number>;
  first_seen: DateString | null;
  last_seen: DateString | null;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  total_time_saved: Generated<number>;
  total_time_saved_engaged: Generated<number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AppMetaTable {
  key: string;
  value: string | null;
}

/** Per (day, user, task category); user_id_hash NULL is the row of all users (migration 0004). */
export interface DailyCategoryAggregatesTable {
  analysis_date: DateString;
  user_id_hash: string | null;
  task_category: string | null;
  conversation_count: number;
  total_manual_time_estimated: number;
  total_time_saved: number;
  total_time_saved_engaged: number;
}

/** Per (day, user, model) from conversation_insights.models; user NULL is all users. */
export interface DailyModelAggregatesTable {
  analysis_date: DateString;
  user_id_hash: string | null;
  model: string;
  message_count: number;
  conversation_count: number;
}

/** Per (month, user): the user's daily_aggregates rows of the month, summed. */
export interface MonthlyUserAggregatesTable {
  /** The first day of the month. */
  month: DateString;
  user_id_hash: string;
  conversation_count: number;
  message_count: number;
  /** Days of the month with at least one conversation. */
  active_days: number;
  total_active_time: number;
  total_engaged_time: number;
  total_manual_time_estimated: number;
  total_time_saved: number;
  total_time_saved_engaged: number;
}

export interface Database {
  conversation_analysis: ConversationAnalysisTable;
  daily_aggregates: DailyAggregatesTable;
  daily_category_aggregates: DailyCategoryAggregatesTable;
  daily_model_aggregates: DailyModelAggregatesTable;
  monthly_user_aggregates: MonthlyUserAggregatesTable;
  processing_log: ProcessingLogTable;
  conversation_skips: ConversationSkipsTable;
  conversation_failures: ConversationFailuresTable;
  conversation_insights: ConversationInsightsTable;
  user_engagement: UserEngagementTable;
  app_meta: AppMetaTable;
}

export type ConversationAnalysisRow = Selectable<ConversationAnalysisTable>;
export type NewConversationAnalysis = Insertable<ConversationAnalysisTable>;
export type DailyAggregateRow = Selectable<DailyAggregatesTable>;
export type ProcessingLogRow = Selectable<ProcessingLogTable>;
export type ConversationInsightsRow = Selectable<ConversationInsightsTable>;
export type UserEngagementRow = Selectable<UserEngagementTable>;
