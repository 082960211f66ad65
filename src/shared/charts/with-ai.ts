import type { TrendPointDto } from '../types.ts';
import { baseOption, hours, type ChartOption, type ChartTheme } from './types.ts';

// Time with AI per day on both bases: active and idle stacked (together the first→last message
// span), with engaged time drawn as a line across them. Engaged time can exceed the active bar
// (it adds composing and reading windows) and never falls below it.

export function withAiTimeOption(points: readonly TrendPointDto[], theme: ChartTheme): ChartOption {
  const base = baseOption(theme);
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v) => `${String(v)} h` },
    legend: { top: 0, left: 0, textStyle: { color: theme.muted }, data: ['Active', 'Idle', 'Engaged'] },
    xAxis: { type: 'category', data: points.map((p) => p.date), axisLabel: { color: theme.muted }, axisLine: { lineStyle: { color: theme.grid } } },
    yAxis: { type: 'value', name: 'hours', nameTextStyle: { color: theme.muted }, axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } } },
    series: [
      { name: 'Active', type: 'bar', stack: 'time', data: points.map((p) => hours(p.activeMinutes)), itemStyle: { color: theme.primary } },
      { name: 'Idle', type: 'bar', stack: 'time', data: points.map((p) => hours(p.idleMinutes)), itemStyle: { color: theme.idle } },
      {
        name: 'Engaged',
        type: 'line',
        data: points.map((p) => hours(p.engagedMinutes)),
        itemStyle: { color: theme.secondary },
        lineStyle: { color: theme.secondary, width: 2 },
        symbol: 'none',
      },
    ],
  };
}
