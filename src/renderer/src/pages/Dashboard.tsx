import { useMemo } from 'react';
import { activeIdleOption, categoriesOption, categoryLabel, modelsOption, topUsersOption, trendOption } from '../../../shared/charts/index.ts';
import type { SummaryDto } from '../../../shared/types.ts';
import Chart from '../components/LazyChart.tsx';
import { ExportButton } from '../components/Export.tsx';
import { basisLabel, PeriodPicker, periodFromQuery, UserSelect, type Period } from '../components/Filters.tsx';
import { Kpi } from '../components/Kpi.tsx';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { useAppInfo, useChartTheme } from '../lib/app-info.ts';
import { formatHours, formatInt, formatMinutes, formatMoney, formatPercent, formatUsd } from '../lib/format.ts';
import { href, navigate, replaceQuery, useRoute } from '../lib/router.ts';
import { useApi } from '../lib/useApi.ts';
import { PageHead } from '../components/PageHead.tsx';

// The dashboard: cards for the period, the daily trend with its range, top users, active vs
// idle time, categories and models. A click on a day, a user or a category opens the
// matching conversations.

/** The dashboard's figures as files: the PDF of these cards and charts, or its numbers as CSV. */
const DASHBOARD_EXPORTS = ['pdf', 'daily', 'summary'] as const;

function Cards({ s }: { s: SummaryDto }): React.JSX.Element {
  const lead = s.timeBasis;
  const other = lead === 'engaged' ? 'active' : 'engaged';
  const saved = (basis: 'engaged' | 'active') => (basis === 'engaged' ? s.timeSaved.engagedMinutes : s.timeSaved.activeMinutes);
  const avg = (basis: 'engaged' | 'active') => (basis === 'engaged' ? s.avgTimeSavedPerConversation.engagedMinutes : s.avgTimeSavedPerConversation.activeMinutes);
  const value = (basis: 'engaged' | 'active') => (basis === 'engaged' ? s.value.engaged : s.value.active);
  return (
    <div className="kpis">
      <Kpi testId="kpi-conversations" label="Conversations" value={formatInt(s.conversations)} detail={`${formatInt(s.messages)} messages`} />
      <Kpi
        testId="kpi-time-saved"
        label={`Time saved (${basisLabel(lead)})`}
        value={formatHours(saved(lead))}
        detail={
          <>
            On {basisLabel(other)}: <span data-testid="kpi-time-saved-other">{formatHours(saved(other))}</span>
          </>
        }
      />
      <Kpi testId="kpi-average" label="Average per conversation" value={formatMinutes(avg(lead))} detail={`On ${basisLabel(other)}: ${formatMinutes(avg(other))}`} />
      <Kpi
        testId="kpi-confidence"
        label="Average confidence"
        value={s.avgConfidence === null ? '–' : `${Math.round(s.avgConfidence)} / 100`}
        detail={`${formatPercent(s.heuristicShare)} heuristic estimates`}
      />
      <Kpi
        testId="kpi-value"
        label="Value of time saved"
        value={formatMoney(value(lead), s.value.currency)}
        detail={`At ${formatMoney(s.value.hourlyRate, s.value.currency)}/h · on ${basisLabel(other)}: ${formatMoney(value(other), s.value.currency)}`}
      />
      <Kpi testId="kpi-cost" label="LLM cost" value={formatUsd(s.llmCostUsd)} detail="Estimating, not chatting" />
      <Kpi
        testId="kpi-manual"
        label="Manual estimate"
        value={formatHours(s.manual.mostLikelyMinutes)}
        detail={`Range ${formatHours(s.manual.lowMinutes)} – ${formatHours(s.manual.highMinutes)}`}
      />
    </div>
  );
}

export default function Dashboard(): React.JSX.Element {
  const { info } = useAppInfo();
  const theme = useChartTheme();
  const route = useRoute();
  const today = info.display.today;
  const { from, to, user } = periodFromQuery(route.query, today);
  const setFilters = (period: Period, nextUser: string | undefined): void => replaceQuery('dashboard', { ...period, user: nextUser });

  const filter = useMemo(() => ({ from, to, ...(user ? { user } : {}) }), [from, to, user]);
  const summary = useApi('dashboard.summary', filter);
  const trend = useApi('dashboard.trend', filter);
  const top = useApi('dashboard.topUsers', { from, to, limit: 10 });
  const categories = useApi('dashboard.categories', filter);
  const models = useApi('dashboard.models', filter);

  const basis = summary.data?.timeBasis ?? info.display.timeBasis;
  const trendChart = useMemo(() => (trend.data ? trendOption(trend.data.points, trend.data.timeBasis, theme) : null), [trend.data, theme]);
  const idleChart = useMemo(() => (trend.data ? activeIdleOption(trend.data.points, theme) : null), [trend.data, theme]);
  const topChart = useMemo(() => (top.data ? topUsersOption(top.data.users, top.data.timeBasis, theme) : null), [top.data, theme]);
  const categoryChart = useMemo(() => (categories.data ? categoriesOption(categories.data, theme) : null), [categories.data, theme]);
  const modelChart = useMemo(() => (models.data ? modelsOption(models.data, theme) : null), [models.data, theme]);

  const drill = (query: Record<string, string | undefined>): void => navigate('conversations', { from, to, user, ...query });
  const empty = summary.data?.conversations === 0;

  return (
    <>
      <PageHead title="Dashboard" lead={<>Time saved is an estimate: read it as a range over many conversations. Leading with {basisLabel(basis)} (Settings → Processing).</>}>
        <ExportButton label="Export" title="Export this period" from={from} to={to} user={user} kinds={DASHBOARD_EXPORTS} />
      </PageHead>
      <section className="panel filters" aria-label="Filters">
        <PeriodPicker period={{ from, to }} today={today} onChange={(p) => setFilters(p, user)} />
        <UserSelect value={user} onChange={(u) => setFilters({ from, to }, u)} />
      </section>

      {summary.error && <ErrorMessage message={summary.error} onRetry={summary.reload} />}
      {!summary.data && summary.loading && <Loading label="Loading the figures…" />}
      {summary.data && <Cards s={summary.data} />}

      {empty ? (
        <Empty title="No analysed conversations in this period">
          <p>
            Pick a longer period, or <a href={href('runs')}>start a run or a backfill</a> to analyse conversations.
          </p>
        </Empty>
      ) : (
        <div className="stack">
          <section className="panel" aria-labelledby="trend-title">
            <h2 id="trend-title">Time saved per day (hours)</h2>
            {trend.error && <ErrorMessage message={trend.error} onRetry={trend.reload} />}
            {trendChart && trend.data && (
              <Chart
                option={trendChart}
                label={`Hours saved per day from ${from} to ${to}, with the low to high range as a band. Select a day to see its conversations.`}
                onSelect={(i) => {
                  const day = trend.data?.points[i]?.date;
                  if (day) drill({ from: day, to: day });
                }}
              />
            )}
            <p className="note">Select a day to open its conversations. The shaded band is the range the low and high estimates imply.</p>
          </section>

          <div className="grid-2">
            <section className="panel" aria-labelledby="top-title">
              <h2 id="top-title">Top users by time saved (hours)</h2>
              {top.error && <ErrorMessage message={top.error} onRetry={top.reload} />}
              {top.data?.namesUnavailable && <p className="note">{top.data.namesUnavailable}</p>}
              {topChart && top.data && top.data.users.length > 0 && (
                <>
                  <Chart
                    option={topChart}
                    height={Math.max(160, top.data.users.length * 30)}
                    label={`Top ${top.data.users.length} users by hours saved`}
                    onSelect={(i) => {
                      const users = top.data?.users ?? [];
                      const picked = users[users.length - 1 - i];
                      if (picked) drill({ user: picked.userHash });
                    }}
                  />
                  <ol className="note" aria-label="Top users">
                    {top.data.users.map((u) => (
                      <li key={u.userHash}>
                        <a href={href('conversations', { from, to, user: u.userHash })}>{u.label}</a> —{' '}
                        {formatHours(top.data?.timeBasis === 'engaged' ? u.timeSavedEngagedMinutes : u.timeSavedActiveMinutes)} in {u.conversations} conversations
                      </li>
                    ))}
                  </ol>
                </>
              )}
            </section>

            <section className="panel" aria-labelledby="idle-title">
              <h2 id="idle-title">Active vs idle time with AI (hours)</h2>
              {trend.data && summary.data && (
                <p className="note">
                  {formatHours(summary.data.withAi.activeMinutes)} active, {formatHours(summary.data.withAi.idleMinutes)} idle between messages (
                  {formatHours(summary.data.withAi.engagedMinutes)} engaged).
                </p>
              )}
              {idleChart && <Chart option={idleChart} label="Active and idle hours per day" height={240} />}
            </section>

            <section className="panel" aria-labelledby="cat-title">
              <h2 id="cat-title">Task categories</h2>
              {categories.error && <ErrorMessage message={categories.error} onRetry={categories.reload} />}
              {categoryChart && categories.data && (
                <Chart
                  option={categoryChart}
                  height={Math.max(160, categories.data.length * 28)}
                  label="Conversations per task category"
                  onSelect={(i) => {
                    const list = categories.data ?? [];
                    const picked = list[list.length - 1 - i];
                    if (picked?.category) drill({ category: picked.category });
                  }}
                />
              )}
              {categories.data && (
                <p className="note">
                  {categories.data.map((c) => `${categoryLabel(c.category)} ${c.conversations}`).join(' · ')}
                </p>
              )}
            </section>

            <section className="panel" aria-labelledby="model-title">
              <h2 id="model-title">Models used</h2>
              {models.error && <ErrorMessage message={models.error} onRetry={models.reload} />}
              {models.data && models.data.length === 0 && <Empty title="No model usage recorded" />}
              {modelChart && models.data && models.data.length > 0 && (
                <Chart option={modelChart} height={Math.max(140, models.data.length * 28)} label="Answers written per model" />
              )}
            </section>
          </div>
        </div>
      )}
    </>
  );
}
