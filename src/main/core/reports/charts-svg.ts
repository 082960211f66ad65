import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { LegacyGridContainLabel } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartOption } from '../../../shared/charts/index.ts';

// The console's chart option builders, drawn to SVG in Node with echarts' server-side renderer
// (no DOM, no canvas), so the PDF shows exactly what the dashboard shows and a scheduled
// export needs no window. The registered parts match ChartOption's type; the builders lay out
// axes with grid.containLabel, which echarts 6 honours only with LegacyGridContainLabel.

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, LegacyGridContainLabel, SVGRenderer]);

export interface SvgSize {
  width: number;
  height: number;
}

/** One chart as an SVG document string. Animation is off so the first frame is the final one. */
export function renderChartSvg(option: ChartOption, size: SvgSize): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
