import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';

// The option type of every console chart: exactly the charts and components registered by the
// renderer (and by the PDF report's SVG renderer), so an unregistered series fails to compile.

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

/** Colours a chart is drawn with: the console passes the OS theme's, the PDF the light one. */
export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  primary: string;
  secondary: string;
  band: string;
  idle: string;
  tooltipBackground: string;
}

export const LIGHT_THEME: ChartTheme = {
  text: '#1d2330',
  muted: '#5b6472',
  grid: '#e3e6eb',
  primary: '#2d5bd7',
  secondary: '#1f8a70',
  band: 'rgba(45, 91, 215, 0.16)',
  idle: '#c3c9d3',
  tooltipBackground: '#ffffff',
};

export const DARK_THEME: ChartTheme = {
  text: '#e6e9ef',
  muted: '#a3abb8',
  grid: '#343a46',
  primary: '#7fa3ff',
  secondary: '#4fc3a1',
  band: 'rgba(127, 163, 255, 0.22)',
  idle: '#59616e',
  tooltipBackground: '#232833',
};

/** Minutes → hours with one decimal, the unit every console chart shows time in. */
export function hours(minutes: number): number {
  return Math.round((minutes / 60) * 10) / 10;
}

export function baseOption(theme: ChartTheme): ChartOption {
  return {
    animation: false,
    textStyle: { color: theme.text, fontFamily: 'system-ui, sans-serif' },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      backgroundColor: theme.tooltipBackground,
      borderColor: theme.grid,
      textStyle: { color: theme.text },
    },
  };
}
