import type { CategoryDto, ModelUsageDto, TimeBasis, TopUserDto, TrendPointDto } from '../types.ts';
import { baseOption, hours, type ChartOption, type ChartTheme } from './types.ts';

// Bar charts of the dashboard (and the PDF): top users, active vs idle per day, task
// categories and models. Pure functions from rows to an echarts option.

function horizontal(theme: ChartTheme, labels: string[], values: number[], name: string, color: string, unit: string): ChartOption {
  const base = baseOption(theme);
  return {
    ...base,
    tooltip: { ...base.tooltip, trigger: 'item', valueFormatter: (v) => `${String(v)} ${unit}` },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } } },
    yAxis: {
      type: 'category',
      // echarts draws the first category at the bottom; reverse so the largest is on top.
      data: [...labels].reverse(),
      axisLabel: { color: theme.text, width: 220, overflow: 'truncate' },
      axisLine: { lineStyle: { color: theme.grid } },
    },
    series: [{ name, type: 'bar', data: [...values].reverse(), itemStyle: { color, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 22 }],
  };
}

export function topUsersOption(users: readonly TopUserDto[], basis: TimeBasis, theme: ChartTheme): ChartOption {
  return horizontal(
    theme,
    users.map((u) => u.label),
    users.map((u) => hours(basis === 'engaged' ? u.timeSavedEngagedMinutes : u.timeSavedActiveMinutes)),
    'Time saved',
    theme.primary,
    'h',
  );
}

export function categoryLabel(category: string | null): string {
  return category ?? 'uncategorised';
}

export function categoriesOption(categories: readonly CategoryDto[], theme: ChartTheme): ChartOption {
  return horizontal(
    theme,
    categories.map((c) => categoryLabel(c.category)),
    categories.map((c) => c.conversations),
    'Conversations',
    theme.secondary,
    'conversations',
  );
}

export function modelsOption(models: readonly ModelUsageDto[], theme: ChartTheme): ChartOption {
  return horizontal(
    theme,
    models.map((m) => m.model),
    models.map((m) => m.messages),
    'Answers',
    theme.secondary,
    'answers',
  );
}

/** Active and idle time with AI per day, stacked: how much of the span people were working. */
export function activeIdleOption(points: readonly TrendPointDto[], theme: ChartTheme): ChartOption {
  const base = baseOption(theme);
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v) => `${String(v)} h` },
    legend: { top: 0, left: 0, textStyle: { color: theme.muted } },
    xAxis: { type: 'category', data: points.map((p) => p.date), axisLabel: { color: theme.muted }, axisLine: { lineStyle: { color: theme.grid } } },
    yAxis: { type: 'value', axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } } },
    series: [
      { name: 'Active', type: 'bar', stack: 'time', data: points.map((p) => hours(p.activeMinutes)), itemStyle: { color: theme.primary } },
      { name: 'Idle', type: 'bar', stack: 'time', data: points.map((p) => hours(p.idleMinutes)), itemStyle: { color: theme.idle } },
    ],
  };
}
