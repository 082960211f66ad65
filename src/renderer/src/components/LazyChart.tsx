import { lazy, Suspense } from 'react';
import type { ChartProps } from './Chart.tsx';

// The dashboard's cards need nothing of echarts (≈ 530 kB minified, ≈ 0.2 s of the main thread to
// evaluate): the charts are a chunk of their own, fetched when the first chart has its figures,
// so the page's calls go out and its cards paint without waiting for echarts. (Fetched as soon
// as the page's code runs instead, its evaluation held back the calls themselves.)
const Chart = lazy(() => import('./Chart.tsx'));

export default function LazyChart(props: ChartProps): React.JSX.Element {
  return (
    <Suspense fallback={<div className="chart" role="img" aria-label={props.label} aria-busy="true" style={{ height: props.height ?? 280 }} />}>
      <Chart {...props} />
    </Suspense>
  );
}
