import { useId, useMemo } from 'react';
import type { ColumnDef } from '@tanstack/react-table';
import type { ArgsIn, ConversationSortColumn } from '../../../shared/contract.ts';
import type { ConversationRowDto } from '../../../shared/types.ts';
import { DataTable } from '../components/DataTable.tsx';
import { ExportButton } from '../components/Export.tsx';
import { PeriodPicker, periodFromQuery, UserSelect } from '../components/Filters.tsx';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { useAppInfo } from '../lib/app-info.ts';
import { formatDateTime, formatMinutes } from '../lib/format.ts';
import { href, replaceQuery, useRoute } from '../lib/router.ts';
import { useApi } from '../lib/useApi.ts';
import ConversationDetail from './ConversationDetail.tsx';
import { PageHead } from '../components/PageHead.tsx';

// Conversations: server-side paging, sorting and filters kept in the address, so drill-down
// links from the dashboard land on exactly the rows they describe.

const SORTABLE: Record<string, ConversationSortColumn> = {
  analysisDate: 'date',
  lastMessageAt: 'lastMessageAt',
  messageCount: 'messages',
  activeMinutes: 'activeMinutes',
  engagedMinutes: 'engagedMinutes',
  manual: 'manualTime',
  saved: 'timeSavedEngaged',
  confidence: 'confidence',
  category: 'category',
};

function columnFor(sort: ConversationSortColumn): string {
  if (sort === 'timeSaved') return 'saved';
  return Object.entries(SORTABLE).find(([, s]) => s === sort)?.[0] ?? 'lastMessageAt';
}

const CATEGORIES = ['coding', 'writing', 'analysis', 'research', 'translation', 'summarization', 'brainstorming', 'communication', 'learning', 'data', 'other'];

export default function Conversations(): React.JSX.Element {
  const route = useRoute();
  if (route.path[1]) return <ConversationDetail conversationId={route.path[1]} backQuery={route.query.toString()} />;
  return <ConversationList />;
}

function ConversationList(): React.JSX.Element {
  const { info } = useAppInfo();
  const route = useRoute();
  const id = useId();
  const q = route.query;
  const basis = info.display.timeBasis;
  const state = {
    ...periodFromQuery(q, info.display.today),
    category: q.get('category') ?? undefined,
    source: (q.get('source') as 'llm' | 'heuristic' | null) ?? undefined,
    minConfidence: q.get('minConfidence') ? Number(q.get('minConfidence')) : undefined,
    work: q.get('work') ?? undefined,
    page: Number(q.get('page') ?? 0) || 0,
    pageSize: Number(q.get('pageSize') ?? 50) || 50,
    sort: (q.get('sort') as ConversationSortColumn | null) ?? 'lastMessageAt',
    direction: (q.get('direction') as 'asc' | 'desc' | null) ?? 'desc',
  };
  const update = (patch: Partial<typeof state>, resetPage = true): void =>
    replaceQuery('conversations', { ...state, ...(resetPage ? { page: 0 } : {}), ...patch });

  const args: ArgsIn<'conversations.list'> = {
    from: state.from,
    to: state.to,
    page: state.page,
    pageSize: state.pageSize,
    sort: state.sort,
    direction: state.direction,
    ...(state.user ? { user: state.user } : {}),
    ...(state.category ? { category: state.category } : {}),
    ...(state.source ? { estimateSource: state.source } : {}),
    ...(state.minConfidence !== undefined && Number.isFinite(state.minConfidence) ? { minConfidence: state.minConfidence } : {}),
    ...(state.work === 'work' ? { workRelated: true } : state.work === 'other' ? { workRelated: false } : {}),
  };
  const list = useApi('conversations.list', args);
  // The detailed CSV of exactly the rows listed (every page of them).
  const exportFilters = { category: args.category, estimateSource: args.estimateSource, minConfidence: args.minConfidence, workRelated: args.workRelated };
  const detailQuery = route.query.toString();

  const columns = useMemo<ColumnDef<ConversationRowDto, unknown>[]>(
    () => [
      {
        id: 'lastMessageAt',
        header: 'Last message',
        cell: ({ row }) => (
          <a href={`#/conversations/${encodeURIComponent(row.original.conversationId)}${detailQuery ? `?${detailQuery}` : ''}`}>{formatDateTime(row.original.lastMessageAt)}</a>
        ),
      },
      { id: 'user', header: 'User', enableSorting: false, meta: { clip: true }, cell: ({ row }) => <span title={row.original.userLabel}>{row.original.userLabel}</span> },
      { id: 'category', header: 'Category', cell: ({ row }) => row.original.category ?? 'uncategorised' },
      { id: 'messageCount', header: 'Messages', meta: { numeric: true }, cell: ({ row }) => row.original.messageCount },
      {
        id: basis === 'engaged' ? 'engagedMinutes' : 'activeMinutes',
        header: `With AI (${basis})`,
        meta: { numeric: true },
        cell: ({ row }) => formatMinutes(basis === 'engaged' ? row.original.engagedMinutes : row.original.activeMinutes),
      },
      {
        id: 'manual',
        header: 'Manual estimate',
        meta: { numeric: true },
        cell: ({ row }) => `${formatMinutes(row.original.manualMostLikelyMinutes)} (${row.original.manualLowMinutes}–${row.original.manualHighMinutes})`,
      },
      {
        id: 'saved',
        header: 'Time saved',
        meta: { numeric: true },
        cell: ({ row }) => formatMinutes(basis === 'engaged' ? row.original.timeSavedEngagedMinutes : row.original.timeSavedActiveMinutes),
      },
      { id: 'confidence', header: 'Confidence', meta: { numeric: true }, cell: ({ row }) => row.original.confidence ?? '–' },
      { id: 'source', header: 'Estimate', enableSorting: false, cell: ({ row }) => row.original.estimateSource ?? '–' },
    ],
    [basis, detailQuery],
  );

  const sortColumn = columnFor(state.sort);
  return (
    <>
      <PageHead title="Conversations" lead="Every analysed conversation with its timing and estimate. Select one to see exactly what was sent to the estimator.">
        <ExportButton label="Export CSV" title="Export these conversations" from={state.from} to={state.to} user={state.user} filters={exportFilters} kinds={['detailed']} />
      </PageHead>
      <section className="panel filters" aria-label="Filters">
        <PeriodPicker period={{ from: state.from, to: state.to }} today={info.display.today} onChange={(p) => update(p)} />
        <UserSelect value={state.user} onChange={(user) => update({ user })} />
        <div className="field">
          <label htmlFor={`${id}-cat`}>Category</label>
          <select id={`${id}-cat`} value={state.category ?? ''} onChange={(e) => update({ category: e.target.value || undefined })}>
            <option value="">All</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-src`}>Estimate source</label>
          <select id={`${id}-src`} value={state.source ?? ''} onChange={(e) => update({ source: (e.target.value || undefined) as 'llm' | 'heuristic' | undefined })}>
            <option value="">Any</option>
            <option value="llm">LLM</option>
            <option value="heuristic">Heuristic</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-conf`}>Confidence at least</label>
          <select id={`${id}-conf`} value={state.minConfidence ?? ''} onChange={(e) => update({ minConfidence: e.target.value ? Number(e.target.value) : undefined })}>
            <option value="">Any</option>
            {[25, 50, 70, 90].map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-work`}>Work related</label>
          <select id={`${id}-work`} value={state.work ?? ''} onChange={(e) => update({ work: e.target.value || undefined })}>
            <option value="">Any</option>
            <option value="work">Work only</option>
            <option value="other">Not work</option>
          </select>
        </div>
      </section>
      <section className="panel">
        {list.error && <ErrorMessage message={list.error} onRetry={list.reload} />}
        {!list.data && list.loading && <Loading />}
        {list.data && list.data.total === 0 && (
          <Empty title="No conversations match these filters">
            <p>
              Widen the period or clear a filter. Conversations appear here after a <a href={href('runs')}>run</a> has analysed them.
            </p>
          </Empty>
        )}
        {list.data && list.data.total > 0 && (
          <DataTable
            caption="Conversations"
            columns={columns}
            rows={list.data.rows}
            rowKey={(r) => r.conversationId}
            loading={list.loading}
            sorting={{ id: sortColumn, desc: state.direction === 'desc' }}
            onSort={({ id: column, desc }) => {
              const sort = column === 'saved' ? (basis === 'engaged' ? 'timeSavedEngaged' : 'timeSaved') : SORTABLE[column];
              if (sort) update({ sort, direction: desc ? 'desc' : 'asc' });
            }}
            paging={{
              page: list.data.page,
              pageSize: list.data.pageSize,
              total: list.data.total,
              onPage: (page) => update({ page }, false),
              onPageSize: (pageSize) => update({ pageSize }),
            }}
          />
        )}
      </section>
    </>
  );
}
