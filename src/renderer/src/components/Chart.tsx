import { useEffect, useRef } from 'react';
import type { ChartOption } from '../../../shared/charts/types.ts';
import { echarts } from './echarts.ts';

// A thin echarts wrapper: init on mount, replace the option when it changes, follow the
// container's size, dispose on unmount (safe under StrictMode's double mount).

export interface ChartProps {
  option: ChartOption;
  /** What the chart shows, for screen readers (the canvas itself says nothing). */
  label: string;
  height?: number;
  /** Called with the category (x or y axis label index) of a clicked bar or point. */
  onSelect?: (dataIndex: number) => void;
}

export default function Chart({ option, label, height = 280, onSelect }: ChartProps): React.JSX.Element {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const select = useRef(onSelect);

  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    const node = element.current;
    if (!node) return;
    const instance = echarts.init(node, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (params) => {
      if (typeof params.dataIndex === 'number') select.current?.(params.dataIndex);
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(node);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={element} className="chart" role="img" aria-label={label} style={{ height }} data-chart={label} />;
}
