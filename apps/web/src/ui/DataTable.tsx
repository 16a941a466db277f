import { type ButtonHTMLAttributes, Fragment, type HTMLAttributes, type ReactNode } from 'react';

export interface Column<T> {
  header: string;
  /** Hidden on small screens, heading and cells. */
  hideSm?: boolean;
  /** Classes of the body cells. */
  className?: string;
  cell: (row: T) => ReactNode;
}

const classes = (...names: (string | false | undefined)[]) => names.filter(Boolean).join(' ') || undefined;

/**
 * A list as a table: a row per item, its cells from the column definitions, then its `actions` (the
 * buttons) in a last column headed for screen readers only. `details` may add a full-width row under
 * an item (its expanded details), with the id `detailsId` gives for `aria-controls`.
 */
export function DataTable<T extends { id: string }>({
  rows,
  columns,
  actions,
  actionsHeader = 'Actions',
  className,
  rowProps,
  details,
  detailsId,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  actions?: (row: T) => ReactNode;
  actionsHeader?: string;
  className?: string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement>;
  details?: (row: T) => ReactNode;
  detailsId?: (row: T) => string;
}) {
  return (
    <div className="table-wrap">
      <table className={classes('table', className)}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={classes(column.hideSm && 'hide-sm')}>
                {column.header}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="sr-only">{actionsHeader}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const more = details?.(row);
            return (
              <Fragment key={row.id}>
                <tr {...rowProps?.(row)}>
                  {columns.map((column) => (
                    <td key={column.header} className={classes(column.hideSm && 'hide-sm', column.className)}>
                      {column.cell(row)}
                    </td>
                  ))}
                  {actions && <td className="cell-actions">{actions(row)}</td>}
                </tr>
                {more && (
                  <tr className="row-details" id={detailsId?.(row)}>
                    <td colSpan={columns.length + (actions ? 1 : 0)}>{more}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const tones = {
  plain: 'btn btn-small',
  ghost: 'btn btn-small btn-ghost',
  danger: 'btn btn-small btn-ghost-danger',
};

/** A small button in a table row; `subject` completes its name for screen readers ("Remove Asha"). */
export function RowAction({
  label,
  subject,
  tone = 'plain',
  ...props
}: {
  label: string;
  subject?: string;
  tone?: keyof typeof tones;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'className' | 'children'>) {
  return (
    <button type="button" className={tones[tone]} {...props}>
      {label}
      {subject && <span className="sr-only"> {subject}</span>}
    </button>
  );
}
