import type { AppContext } from '../app/context.ts';
import { countConversations, dailyTrend, periodUserHashes, summaryStats } from '../store/queries.ts';
import { writeCsv, type CsvRecord, type CsvWriteResult } from './csv-writer.ts';
import { writeDetailedCsv } from './conversation-stream.ts';
import { DAILY_HEADER, DAILY_USER_HASH_INDEX, DAILY_USER_INDEX, streamDailyRows } from './daily-rows.ts';
import { hours2, money, percent, round1, savedRangeMinutes } from './figures.ts';
import type { TextRow } from './pg-stream.ts';
import { resolveUserNames, type UserNames } from './user-names.ts';
import type { ExportProgress, ExportRequest } from './types.ts';

// The three CSV exports. Summary: one row for the period (append monthly files and they stack
// into a table). Daily: per day, for everyone and per user. Detailed: one row per conversation.
// Every figure appears on both time bases, with the unit in the column name.

export interface CsvJob {
  context: AppContext;
  request: ExportRequest;
  file: string;
  bom: boolean;
  signal?: AbortSignal;
  progress: (p: Omit<ExportProgress, 'kind'>) => void;
}

/** The `user` cell: "Name (email)" when the source could name the hash, else the hash itself. */
function userCell(names: UserNames, hash: string | null): string | null {
  return hash === null ? null : (names.name(hash) ?? hash);
}

export async function exportSummaryCsv(job: CsvJob): Promise<CsvWriteResult> {
  const { context, request } = job;
  const { db } = await context.analytics();
  const { currency, hourlyRate } = context.settings.value;
  const period = { from: request.from, to: request.to, userHash: request.userHash ?? null };
  const [stats, points] = await Promise.all([summaryStats(db, period), dailyTrend(db, period)]);
  const names = await resolveUserNames(context, request.userHash ? [request.userHash] : []);
  const engaged = savedRangeMinutes(points, 'engaged');
  const active = savedRangeMinutes(points, 'active');
  const cur = currency.toLowerCase();
  const row: Array<[string, CsvRecord[number]]> = [
    ['period_from', request.from],
    ['period_to', request.to],
    ['user_hash', request.userHash ?? null],
    ['user', request.userHash ? userCell(names, request.userHash) : null],
    ['leading_time_basis', context.settings.processing.timeBasis],
    ['conversations', stats.conversations],
    ['messages', stats.messages],
    ['active_days', stats.activeDays],
    ['time_saved_engaged_hours', hours2(stats.timeSavedEngagedMinutes)],
    ['time_saved_engaged_low_hours', hours2(engaged.low)],
    ['time_saved_engaged_high_hours', hours2(engaged.high)],
    ['time_saved_active_hours', hours2(stats.timeSavedMinutes)],
    ['time_saved_active_low_hours', hours2(active.low)],
    ['time_saved_active_high_hours', hours2(active.high)],
    ['avg_time_saved_engaged_minutes_per_conversation', round1(stats.avgTimeSavedEngagedPerConversation)],
    ['avg_time_saved_active_minutes_per_conversation', round1(stats.avgTimeSavedPerConversation)],
    ['engaged_hours', hours2(stats.engagedMinutes)],
    ['active_hours', hours2(stats.activeMinutes)],
    ['idle_hours', hours2(stats.idleMinutes)],
    ['total_duration_hours', hours2(stats.durationMinutes)],
    ['manual_low_hours', hours2(stats.manualMinutesLow)],
    ['manual_most_likely_hours', hours2(stats.manualMinutes)],
    ['manual_high_hours', hours2(stats.manualMinutesHigh)],
    [`value_engaged_${cur}`, money(stats.timeSavedEngagedMinutes, hourlyRate)],
    [`value_active_${cur}`, money(stats.timeSavedMinutes, hourlyRate)],
    [`hourly_rate_${cur}_per_hour`, hourlyRate],
    ['avg_confidence_percent', round1(stats.avgConfidence)],
    ['heuristic_share_percent', percent(stats.heuristicShare)],
    ['llm_cost_usd', stats.llmCostUsd],
    ['estimator_input_tokens', stats.inputTokens],
    ['estimator_output_tokens', stats.outputTokens],
  ];
  job.progress({ phase: 'writing', rows: 0, total: 1, bytes: 0 });
  return writeCsv(job.file, { header: row.map(([name]) => name), records: [row.map(([, value]) => value)], bom: job.bom, signal: job.signal });
}

async function* withNames(rows: AsyncIterable<TextRow>, names: UserNames, hashIndex: number, userIndex: number): AsyncGenerator<TextRow> {
  for await (const row of rows) {
    row[userIndex] = userCell(names, row[hashIndex] ?? null);
    yield row;
  }
}

export async function exportDailyCsv(job: CsvJob): Promise<CsvWriteResult> {
  const { context, request } = job;
  const { db, url } = await context.analytics();
  job.progress({ phase: 'preparing', rows: 0, total: null, bytes: 0 });
  // One user's file names that user even on days without conversations.
  const users = request.userHash ? [request.userHash] : await periodUserHashes(db, request);
  const names = await resolveUserNames(context, users);
  const rows = streamDailyRows(url, { from: request.from, to: request.to, userHash: request.userHash ?? null });
  return writeCsv(job.file, {
    header: DAILY_HEADER,
    records: withNames(rows, names, DAILY_USER_HASH_INDEX, DAILY_USER_INDEX),
    bom: job.bom,
    signal: job.signal,
    onRecords: (n, bytes) => job.progress({ phase: 'writing', rows: n, total: null, bytes }),
  });
}

export async function exportDetailedCsv(job: CsvJob): Promise<CsvWriteResult> {
  const { context, request } = job;
  const { db, url } = await context.analytics();
  const filter = { ...request.filters, from: request.from, to: request.to, userHash: request.userHash ?? null };
  job.progress({ phase: 'preparing', rows: 0, total: null, bytes: 0 });
  // Both from daily_aggregates for a period (and user) filter: counting a million rows and
  // collecting their users took longer than a tenth of the export. With other filters the users
  // are those of the period, a superset: names nobody in the file needs cost nothing.
  const [total, userHashes] = await Promise.all([countConversations(db, filter), periodUserHashes(db, filter)]);
  const names = await resolveUserNames(context, userHashes);
  return writeDetailedCsv(url, filter, { hashes: userHashes, names }, job.file, {
    bom: job.bom,
    signal: job.signal,
    progressEvery: 10_000,
    onRecords: (n, bytes) => job.progress({ phase: 'writing', rows: n, total, bytes }),
  });
}
