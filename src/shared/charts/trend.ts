import type { TimeBasis, TrendPointDto } from '../types.ts';
import { baseOption, hours, type ChartOption, type ChartTheme } from './types.ts';

// Daily time saved with the low–high range as a band. The band per day is what the manual
// estimate's range implies: max(0, low − time with AI) … max(0, high − time with AI).

export interface TrendBand {
  date: string;
  saved: number;
  low: number;
  high: number;
}

export function trendBand(points: readonly TrendPointDto[], basis: TimeBasis): TrendBand[] {
  return points.map((p) => {
    const withAi = basis === 'engaged' ? p.engagedMinutes : p.activeMinutes;
    const saved = basis === 'engaged' ? p.timeSavedEngagedMinutes : p.timeSavedActiveMinutes;
    const low = Math.max(0, p.manualLowMinutes - withAi);
    const high = Math.max(0, p.manualHighMinutes - withAi);
    return { date: p.date, saved: hours(saved), low: hours(Math.min(low, saved)), high: hours(Math.max(high, saved)) };
  });
}

export function trendOption(points: readonly TrendPointDto[], basis: TimeBasis, theme: ChartTheme): ChartOption {
  const band = trendBand(points, basis);
  const base = baseOption(theme);
  return {
    ...base,
    legend: { top: 0, left: 0, textStyle: { color: theme.muted }, data: ['Time saved', 'Range (low–high)'] },
    xAxis: {
      type: 'category',
      data: band.map((b) => b.date),
      boundaryGap: false,
      axisLine: { lineStyle: { color: theme.grid } },
      axisLabel: { color: theme.muted },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: theme.muted },
      splitLine: { lineStyle: { color: theme.grid } },
    },
    series: [
      // The band is drawn as a transparent base plus a filled stack of (high − low) on top.
      {
        name: 'Range base',
        type: 'line',
        stack: 'band',
        data: band.map((b) => b.low),
        lineStyle: { opacity: 0 },
        symbol: 'none',
        silent: true,
        tooltip: { show: false },
      },
      {
        name: 'Range (low–high)',
        type: 'line',
        stack: 'band',
        data: band.map((b) => Math.round((b.high - b.low) * 10) / 10),
        lineStyle: { opacity: 0 },
        areaStyle: { color: theme.band },
        itemStyle: { color: theme.band },
        symbol: 'none',
        silent: true,
        tooltip: { show: false },
      },
      {
        name: 'Time saved',
        type: 'line',
        data: band.map((b) => b.saved),
        itemStyle: { color: theme.primary },
        lineStyle: { color: theme.primary, width: 2 },
        symbol: 'circle',
        symbolSize: points.length > 120 ? 0 : 5,
        sampling: 'lttb',
      },
    ],
  };
}
