import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table';

// Tables with server-side paging and sorting: the table only renders; the page owns the
// query (page, size, sort) and asks the main process for exactly one page.

export interface ServerPaging {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  onPageSize?: (size: number) => void;
}

export interface DataTableProps<T> {
  columns: ColumnDef<T, unknown>[];
  rows: T[];
  caption: string;
  paging?: ServerPaging;
  sorting?: { id: string; desc: boolean } | null;
  onSort?: (sort: { id: string; desc: boolean }) => void;
  rowKey: (row: T) => string;
  loading?: boolean;
}

const PAGE_SIZES = [25, 50, 100, 200];

/** Per-column display hints: right-aligned numbers, or long text cut with an ellipsis. */
export interface ColumnMeta {
  numeric?: boolean;
  clip?: boolean;
}

export function DataTable<T>({ columns, rows, caption, paging, sorting, onSort, rowKey, loading }: DataTableProps<T>): React.JSX.Element {
  const sortingState: SortingState = sorting ? [sorting] : [];
  // useReactTable returns functions the React Compiler must not memoise; it is fine here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    state: { sorting: sortingState },
    getRowId: (row) => rowKey(row),
  });
  const pages = paging ? Math.max(1, Math.ceil(paging.total / paging.pageSize)) : 1;
  const first = paging && paging.total > 0 ? paging.page * paging.pageSize + 1 : 0;
  const last = paging ? Math.min(paging.total, (paging.page + 1) * paging.pageSize) : rows.length;

  return (
    <div className="data-table">
      {/* A keyboard user must be able to scroll a wide table: the region takes focus. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
        <table className={loading ? 'is-loading' : undefined} aria-busy={loading}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const canSort = Boolean(onSort) && header.column.columnDef.enableSorting !== false;
                  const active = sorting?.id === header.column.id;
                  const ariaSort = active ? (sorting?.desc ? 'descending' : 'ascending') : undefined;
                  const content = flexRender(header.column.columnDef.header, header.getContext());
                  const numeric = (header.column.columnDef.meta as ColumnMeta | undefined)?.numeric;
                  return (
                    <th key={header.id} scope="col" aria-sort={ariaSort} className={numeric ? 'num' : undefined}>
                      {canSort ? (
                        <button
                          type="button"
                          className="sort-button"
                          onClick={() => onSort?.({ id: header.column.id, desc: active ? !sorting?.desc : true })}
                        >
                          {content}
                          <span aria-hidden="true" className="sort-mark">
                            {active ? (sorting?.desc ? '▼' : '▲') : '↕'}
                          </span>
                        </button>
                      ) : (
                        content
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta as ColumnMeta | undefined;
                  const className = [meta?.numeric ? 'num' : '', meta?.clip ? 'clip' : ''].filter(Boolean).join(' ') || undefined;
                  return (
                    <td key={cell.id} className={className}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {paging && (
        <nav className="pager" aria-label={`${caption} pages`}>
          <span className="pager-info" aria-live="polite">
            {paging.total === 0 ? 'No rows' : `Rows ${first}–${last} of ${paging.total}`}
          </span>
          <button type="button" onClick={() => paging.onPage(0)} disabled={paging.page === 0}>
            First
          </button>
          <button type="button" onClick={() => paging.onPage(paging.page - 1)} disabled={paging.page === 0}>
            Previous
          </button>
          <span>
            Page {paging.page + 1} of {pages}
          </span>
          <button type="button" onClick={() => paging.onPage(paging.page + 1)} disabled={paging.page + 1 >= pages}>
            Next
          </button>
          {paging.onPageSize && (
            <label>
              Rows per page{' '}
              <select value={paging.pageSize} onChange={(e) => paging.onPageSize?.(Number(e.target.value))}>
                {PAGE_SIZES.map((size) => (
                  <option key={size} value={size}>
                    {size}
                  </option>
                ))}
              </select>
            </label>
          )}
        </nav>
      )}
    </div>
  );
}
