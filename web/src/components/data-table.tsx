/**
 * The console's one table: columns with optional sorting, row selection, skeleton rows of the data's
 * height while loading, designed empty and error states. Below 720 px wide rows become stacked cards
 * (each cell labelled by its column) instead of a table that scrolls sideways.
 */
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { ApiError } from '../api/client.js';
import { ErrorMessage } from './error-message.js';
import { ErrorState } from './states.js';

export interface Column<Row> {
  id: string;
  header: string;
  cell: (row: Row) => ComponentChildren;
  /** Makes the header a sort button. */
  sortValue?: (row: Row) => string | number;
  class?: string;
}

export interface Selection {
  mode: 'single' | 'multiple';
  selected: ReadonlySet<string>;
  onChange: (selected: Set<string>) => void;
}

type SortDirection = 'ascending' | 'descending';

export interface DataTableProps<Row> {
  /** Names the table for assistive technology (a visually hidden caption). */
  caption: string;
  columns: readonly Column<Row>[];
  /** Undefined until the first load answers. */
  rows: readonly Row[] | undefined;
  rowKey: (row: Row) => string;
  /** Names a row in its selection control's label: "Select <rowLabel>". */
  rowLabel?: (row: Row) => string;
  selection?: Selection;
  error?: ApiError | undefined;
  onRetry?: () => void;
  /** What shows when there are no rows: an EmptyState. */
  empty: ComponentChildren;
  skeletonRows?: number;
  initialSort?: { column: string; direction: SortDirection };
  testId?: string;
}

export function DataTable<Row>(props: DataTableProps<Row>) {
  const { caption, columns, rows, rowKey, rowLabel = rowKey, selection, error, onRetry, empty, skeletonRows = 4, testId } = props;
  const [sort, setSort] = useState(props.initialSort);

  const sorted = useMemo(() => {
    const value = sort && columns.find((c) => c.id === sort.column)?.sortValue;
    if (!rows || !sort || !value) return rows;
    const factor = sort.direction === 'ascending' ? 1 : -1;
    return [...rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return factor * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
    });
  }, [rows, sort, columns]);

  if (error && !rows) return <ErrorState error={error} {...(onRetry && { onRetry })} />;
  if (rows && rows.length === 0) return <>{empty}</>;

  const toggle = (key: string) => {
    if (!selection) return;
    if (selection.mode === 'single') return selection.onChange(new Set([key]));
    const next = new Set(selection.selected);
    if (!next.delete(key)) next.add(key);
    selection.onChange(next);
  };
  const allSelected = !!rows && rows.length > 0 && rows.every((row) => selection?.selected.has(rowKey(row)));

  return (
    <div class="table-container" data-testid={testId} aria-busy={!rows}>
      {error && <ErrorMessage error={error} />}
      <table class={`data-table${selection ? ' selectable' : ''}`}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {selection && (
              <th scope="col" class="select-cell">
                {selection.mode === 'multiple' ? (
                  <input
                    type="checkbox"
                    aria-label="Select all"
                    checked={allSelected}
                    disabled={!rows}
                    onChange={() => selection.onChange(allSelected ? new Set() : new Set(rows?.map(rowKey)))}
                  />
                ) : (
                  <span class="visually-hidden">Select</span>
                )}
              </th>
            )}
            {columns.map((column) => {
              const direction = sort?.column === column.id ? sort.direction : undefined;
              return (
                <th scope="col" key={column.id} class={column.class} aria-sort={direction ?? (column.sortValue ? 'none' : undefined)}>
                  {column.sortValue ? (
                    <button
                      type="button"
                      class="sort-button"
                      onClick={() => setSort({ column: column.id, direction: direction === 'ascending' ? 'descending' : 'ascending' })}
                    >
                      {column.header}
                      <span aria-hidden="true" class="sort-indicator">
                        {direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}
                      </span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted
            ? sorted.map((row) => {
                const key = rowKey(row);
                const isSelected = !!selection?.selected.has(key);
                return (
                  <tr key={key} class={isSelected ? 'selected' : undefined} data-row-key={key}>
                    {selection && (
                      <td class="select-cell">
                        <input
                          type={selection.mode === 'single' ? 'radio' : 'checkbox'}
                          name={selection.mode === 'single' ? `${caption}-selection` : undefined}
                          aria-label={`Select ${rowLabel(row)}`}
                          checked={isSelected}
                          onChange={() => toggle(key)}
                        />
                      </td>
                    )}
                    {columns.map((column, index) => (
                      <td key={column.id} class={cellClass(column, index)} data-label={column.header}>
                        {column.cell(row)}
                      </td>
                    ))}
                  </tr>
                );
              })
            : Array.from({ length: skeletonRows }, (_, i) => (
                <tr key={i} class="skeleton-row" aria-hidden="true">
                  {selection && <td class="select-cell" />}
                  {columns.map((column, index) => (
                    <td key={column.id} class={cellClass(column, index)} data-label={column.header}>
                      <span class="skeleton skeleton-line" />
                    </td>
                  ))}
                </tr>
              ))}
        </tbody>
      </table>
      {!rows && (
        <p class="visually-hidden" role="status">
          Loading {caption.toLowerCase()}
        </p>
      )}
    </div>
  );
}

/** The first column names the row: on a phone it is the card's title. */
function cellClass(column: { class?: string | undefined }, index: number): string | undefined {
  return [column.class, index === 0 && 'primary-cell'].filter(Boolean).join(' ') || undefined;
}
