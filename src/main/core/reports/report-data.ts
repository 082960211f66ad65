import type { AppContext } from '../app/context.ts';
import { categoryBreakdown, dailyTrend, modelBreakdown, summaryStats, topUsers, type ModelShare, type SummaryStats } from '../store/queries.ts';
import type { CategoryDto, TopUserDto, TrendPointDto } from '../../../shared/types.ts';
import { savedRangeMinutes, type TimeBasis } from './figures.ts';
import { resolveUserNames } from './user-names.ts';

// Everything the PDF shows, read with the same store queries as the dashboard and shaped as the
// console's DTOs, so the shared chart builders draw the same charts from the same numbers.

export const TOP_USERS_IN_REPORT = 10;

export interface ReportData {
  organisation: string;
  from: string;
  to: string;
  /** The user the report is restricted to, or null for everyone. */
  user: { hash: string; label: string } | null;
  basis: TimeBasis;
  currency: string;
  hourlyRate: number;
  timezone: string;
  summary: SummaryStats;
  /** Low–high range of time saved (minutes) on each basis, built like the trend band. */
  range: Record<TimeBasis, { low: number; high: number }>;
  trend: TrendPointDto[];
  topUsers: TopUserDto[];
  /** Why names are shown as hashes, when the Open WebUI database could not be read. */
  namesUnavailable: string | null;
  categories: CategoryDto[];
  models: ModelShare[];
}

export async function buildReportData(context: AppContext, request: { from: string; to: string; userHash?: string | null }): Promise<ReportData> {
  const { db } = await context.analytics();
  const settings = context.settings;
  const basis = settings.processing.timeBasis;
  const filter = { from: request.from, to: request.to, userHash: request.userHash ?? null };
  const [summary, points, top, categories, models] = await Promise.all([
    summaryStats(db, filter),
    dailyTrend(db, filter),
    // A one-user report has no ranking to show.
    request.userHash ? Promise.resolve([]) : topUsers(db, { from: request.from, to: request.to, limit: TOP_USERS_IN_REPORT, basis }),
    categoryBreakdown(db, filter),
    modelBreakdown(db, filter),
  ]);
  const hashes = request.userHash ? [request.userHash] : top.map((u) => u.userHash);
  const names = await resolveUserNames(context, hashes);
  return {
    organisation: settings.reports.organisationName.trim(),
    from: request.from,
    to: request.to,
    user: request.userHash ? { hash: request.userHash, label: names.label(request.userHash).label } : null,
    basis,
    currency: settings.value.currency,
    hourlyRate: settings.value.hourlyRate,
    timezone: settings.processing.timezone,
    summary,
    range: { engaged: savedRangeMinutes(points, 'engaged'), active: savedRangeMinutes(points, 'active') },
    trend: points.map((p) => ({
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
    topUsers: top.map((u) => ({
      ...names.label(u.userHash),
      conversations: u.conversations,
      timeSavedEngagedMinutes: u.timeSavedEngagedMinutes,
      timeSavedActiveMinutes: u.timeSavedMinutes,
    })),
    namesUnavailable: hashes.length > 0 ? names.unavailable : null,
    categories: categories.map((c) => ({
      category: c.category,
      conversations: c.conversations,
      timeSavedEngagedMinutes: c.timeSavedEngagedMinutes,
      timeSavedActiveMinutes: c.timeSavedMinutes,
    })),
    models,
  };
}
