import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">Could not load this</p>
      <p className="state-body">{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

/**
 * A query's states: a spinner while it first loads, the error with "Try again", then its data, or
 * `empty` when `isEmpty` holds. Data already there stays shown beside the error of a failed refetch.
 */
export function QueryState<T>({
  query,
  loading,
  isEmpty,
  empty,
  showError = true,
  children,
}: {
  query: {
    isPending: boolean;
    isError: boolean;
    error: unknown;
    data: T | undefined;
    refetch: () => unknown;
  };
  /** The spinner's text, e.g. "Loading members…". */
  loading: string;
  isEmpty?: (data: T) => boolean;
  /** Shown instead of the data when `isEmpty` holds. */
  empty?: ReactNode;
  /** `false` when the page shows this error elsewhere (e.g. next to the form fields it is about). */
  showError?: boolean;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      {query.isPending && <Spinner label={loading} />}
      {query.isError && showError && <ErrorState error={query.error} onRetry={() => query.refetch()} />}
      {query.data !== undefined && (isEmpty?.(query.data) ? empty : children(query.data))}
    </>
  );
}

/** The foot of a paged list: a button for the next page, and how many items are shown, read out as it grows. */
export function PagedListFoot({
  query,
  more,
  shown,
}: {
  query: {
    hasNextPage: boolean;
    isFetchingNextPage: boolean;
    isSuccess: boolean;
    fetchNextPage: () => unknown;
  };
  /** The button's text, e.g. "Load more". */
  more: string;
  /** E.g. "12 contacts shown". */
  shown: string;
}) {
  return (
    <>
      {query.hasNextPage && (
        <div className="table-foot">
          <button
            type="button"
            className="btn"
            onClick={() => query.fetchNextPage()}
            disabled={query.isFetchingNextPage}
          >
            {query.isFetchingNextPage ? 'Loading…' : more}
          </button>
        </div>
      )}
      <p className="sr-only" aria-live="polite">
        {query.isSuccess ? shown : ''}
      </p>
    </>
  );
}
