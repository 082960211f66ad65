import { useMemo, useState } from 'react';
import type { ColumnDef } from '@tanstack/react-table';
import type { UserSortColumn } from '../../../shared/contract.ts';
import type { UserEngagementDto } from '../../../shared/types.ts';
import { DataTable } from '../components/DataTable.tsx';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { useAppInfo } from '../lib/app-info.ts';
import { formatHours, formatInt } from '../lib/format.ts';
import { href } from '../lib/router.ts';
import { useApi } from '../lib/useApi.ts';
import { PageHead } from '../components/PageHead.tsx';

// Engagement per user over all analysed history, names resolved live from Open WebUI.

const SORTS: Record<string, UserSortColumn> = {
  conversations: 'conversations',
  messages: 'messages',
  activeDays: 'activeDays',
  lastSeen: 'lastSeen',
  saved: 'timeSavedEngaged',
};

export default function Users(): React.JSX.Element {
  const { info } = useAppInfo();
  const basis = info.display.timeBasis;
  const [query, setQuery] = useState({ page: 0, pageSize: 50, sort: (basis === 'engaged' ? 'timeSavedEngaged' : 'timeSaved') as UserSortColumn, direction: 'desc' as 'asc' | 'desc' });
  const users = useApi('users.list', query);

  const columns = useMemo<ColumnDef<UserEngagementDto, unknown>[]>(
    () => [
      {
        id: 'user',
        header: 'User',
        enableSorting: false,
        cell: ({ row }) => <a href={href('conversations', { from: row.original.firstSeen ?? undefined, to: row.original.lastSeen ?? undefined, user: row.original.userHash })}>{row.original.label}</a>,
      },
      { id: 'conversations', header: 'Conversations', meta: { numeric: true }, cell: ({ row }) => formatInt(row.original.conversations) },
      { id: 'messages', header: 'Messages', meta: { numeric: true }, cell: ({ row }) => formatInt(row.original.messages) },
      { id: 'activeDays', header: 'Active days', meta: { numeric: true }, cell: ({ row }) => formatInt(row.original.activeDays) },
      { id: 'tokens', header: 'Tokens (in / out)', enableSorting: false, meta: { numeric: true }, cell: ({ row }) => `${formatInt(row.original.inputTokens)} / ${formatInt(row.original.outputTokens)}` },
      {
        id: 'saved',
        header: `Time saved (${basis})`,
        meta: { numeric: true },
        cell: ({ row }) => formatHours(basis === 'engaged' ? row.original.timeSavedEngagedMinutes : row.original.timeSavedActiveMinutes),
      },
      { id: 'firstSeen', header: 'First seen', enableSorting: false, cell: ({ row }) => row.original.firstSeen ?? '–' },
      { id: 'lastSeen', header: 'Last seen', cell: ({ row }) => row.original.lastSeen ?? '–' },
    ],
    [basis],
  );

  const sortId = Object.entries(SORTS).find(([, s]) => s === query.sort)?.[0] ?? 'saved';
  return (
    <>
      <PageHead title="Users" lead="Engagement per person over all analysed conversations. Names come live from Open WebUI and are never stored." />
      <section className="panel">
        {users.error && <ErrorMessage message={users.error} onRetry={users.reload} />}
        {users.data?.namesUnavailable && <p className="note">{users.data.namesUnavailable}</p>}
        {!users.data && users.loading && <Loading />}
        {users.data && users.data.total === 0 && (
          <Empty title="No users yet">
            <p>
              People appear once their conversations have been analysed: <a href={href('runs')}>start a backfill</a>.
            </p>
          </Empty>
        )}
        {users.data && users.data.total > 0 && (
          <DataTable
            caption="Users"
            columns={columns}
            rows={users.data.rows}
            rowKey={(r) => r.userHash}
            loading={users.loading}
            sorting={{ id: sortId, desc: query.direction === 'desc' }}
            onSort={({ id, desc }) => {
              const sort = id === 'saved' ? (basis === 'engaged' ? 'timeSavedEngaged' : 'timeSaved') : SORTS[id];
              if (sort) setQuery({ ...query, page: 0, sort, direction: desc ? 'desc' : 'asc' });
            }}
            paging={{
              page: users.data.page,
              pageSize: users.data.pageSize,
              total: users.data.total,
              onPage: (page) => setQuery({ ...query, page }),
              onPageSize: (pageSize) => setQuery({ ...query, page: 0, pageSize }),
            }}
          />
        )}
      </section>
    </>
  );
}
