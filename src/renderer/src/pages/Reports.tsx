import { EXPORT_KINDS, ExportPanel } from '../components/Export.tsx';
import { PeriodPicker, periodFromQuery, UserSelect, type Period } from '../components/Filters.tsx';
import { useAppInfo } from '../lib/app-info.ts';
import { replaceQuery, useRoute } from '../lib/router.ts';
import { PageHead } from '../components/PageHead.tsx';

// Reports: files an analyst can hand on — the period and user as on the dashboard, the kind
// of file, and the export with its progress. The same exporters write the scheduled files.

const KINDS = ['summary', 'daily', 'detailed', 'pdf'] as const;

export default function Reports(): React.JSX.Element {
  const { info } = useAppInfo();
  const route = useRoute();
  const today = info.display.today;
  const { from, to, user } = periodFromQuery(route.query, today);
  const setFilters = (period: Period, nextUser: string | undefined): void => replaceQuery('reports', { ...period, user: nextUser });

  return (
    <>
      <PageHead title="Reports" lead={<>Files to hand on: {KINDS.map((k) => EXPORT_KINDS[k].label).join(', ')}. Every figure is given on both time bases; days are {info.display.timezone} days.</>} />
      <section className="panel filters" aria-label="Filters">
        <PeriodPicker period={{ from, to }} today={today} onChange={(p) => setFilters(p, user)} />
        <UserSelect value={user} onChange={(u) => setFilters({ from, to }, u)} />
      </section>
      <div className="panel">
        <ExportPanel from={from} to={to} user={user} kinds={KINDS} title="Export" />
      </div>
    </>
  );
}
