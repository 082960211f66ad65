import { useEffect, useRef } from 'react';
import type { ChartOption } from '../../../shared/charts/types.ts';
import { echarts } from './echarts.ts';

// A thin echarts wrapper: init on mount, replace the option when it changes, follow the
// container's size, dispose on unmount (safe under StrictMode's double mount). Drawing a chart
// takes the main thread for tens of milliseconds, so it starts only after the browser has
// painted what is there already: the dashboard's cards show without waiting for its charts.

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
  const latest = useRef(option);

  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    const node = element.current;
    if (!node) return;
    let instance: echarts.ECharts | null = null;
    let observer: ResizeObserver | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const draw = (): void => {
      instance = echarts.init(node, undefined, { renderer: 'canvas' });
      chart.current = instance;
      instance.on('click', (params) => {
        if (typeof params.dataIndex === 'number') select.current?.(params.dataIndex);
      });
      instance.setOption(latest.current, { notMerge: true });
      const drawn = instance;
      observer = new ResizeObserver(() => drawn.resize());
      observer.observe(node);
    };
    // An animation frame runs before the next paint; a task queued from it runs after that paint.
    const frame = requestAnimationFrame(() => (timer = setTimeout(draw, 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      observer?.disconnect();
      instance?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    latest.current = option;
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={element} className="chart" role="img" aria-label={label} style={{ height }} data-chart={label} />;
}
