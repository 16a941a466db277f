import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, api, call } from '../api/client';
import type { AuditEntry } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { useMembers } from '../settings/queries';
import { formatDateTime } from '../ui/format';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../ui/states';
import { AuditFilters } from './AuditFilters';
import { describeAction, exportHref, filtersFrom, toQuery } from './filters';

const PAGE_SIZE = 50;

export default function AuditPage() {
  const { id: workspaceId, can } = useWorkspace();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const members = useMembers(workspaceId, can('members.view'));
  const log = useInfiniteQuery({
    queryKey: ['audit', workspaceId, filters],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/audit-log', {
          params: {
            path: { workspaceId },
            query: { ...toQuery(filters), limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const fieldErrors = log.error instanceof ApiError ? log.error.fields : {};
  const entries = log.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      <PageHeader title="Audit log">
        {can('audit.export') && (
          <a className="btn" href={exportHref(workspaceId, filters)} download>
            Export CSV
          </a>
        )}
      </PageHeader>
      <p className="muted page-lead">
        Who did what in this workspace, newest first. Entries cannot be edited or deleted.
      </p>
      <AuditFilters
        filters={filters}
        members={members.data?.items ?? []}
        errors={fieldErrors}
        onApply={(next) =>
          setParams(new URLSearchParams(Object.entries(next).filter(([, v]) => v) as [string, string][]))
        }
      />
      <section className="card card-flush" aria-label="Audit entries" aria-busy={log.isFetching}>
        {log.isPending && <Spinner label="Loading audit log…" />}
        {log.isError && Object.keys(fieldErrors).length === 0 && (
          <ErrorState error={log.error} onRetry={() => log.refetch()} />
        )}
        {log.isSuccess &&
          (entries.length === 0 ? (
            <EmptyState title={filtered ? 'Nothing matches these filters' : 'No activity yet'}>
              {filtered
                ? 'Try a wider date range or clear the filters.'
                : 'Actions of your team will show here.'}
            </EmptyState>
          ) : (
            <AuditTable entries={entries} />
          ))}
        {log.hasNextPage && (
          <div className="table-foot">
            <button
              type="button"
              className="btn"
              onClick={() => log.fetchNextPage()}
              disabled={log.isFetchingNextPage}
            >
              {log.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
            </button>
          </div>
        )}
        <p className="sr-only" aria-live="polite">
          {log.isSuccess ? `${entries.length} entries shown` : ''}
        </p>
      </section>
    </>
  );
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col" className="hide-sm">
              Resource
            </th>
            <th scope="col">
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <Fragment key={entry.id}>
              <tr>
                <td className="nowrap">{formatDateTime(entry.occurredAt)}</td>
                <td>
                  <div className="cell-primary">{entry.actorLabel ?? entry.actorType}</div>
                  {entry.actorType !== 'user' && (
                    <div className="cell-secondary">{entry.actorType.replace('_', ' ')}</div>
                  )}
                </td>
                <td>
                  <div className="cell-primary">{describeAction(entry.action)}</div>
                  <code className="cell-secondary mono">{entry.action}</code>
                </td>
                <td className="hide-sm">
                  <div>{entry.resourceType}</div>
                  {entry.resourceId && <code className="cell-secondary mono">{entry.resourceId}</code>}
                </td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-expanded={open === entry.id}
                    aria-controls={`audit-${entry.id}`}
                    onClick={() => setOpen(open === entry.id ? null : entry.id)}
                  >
                    {open === entry.id ? 'Hide' : 'Details'}
                  </button>
                </td>
              </tr>
              {open === entry.id && (
                <tr className="row-details" id={`audit-${entry.id}`}>
                  <td colSpan={5}>
                    <EntryDetails entry={entry} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EntryDetails({ entry }: { entry: AuditEntry }) {
  return (
    <div className="entry-details">
      <dl className="kv">
        <dt>Resource</dt>
        <dd>
          {entry.resourceType} {entry.resourceId && <code className="mono">{entry.resourceId}</code>}
        </dd>
        <dt>IP address</dt>
        <dd>{entry.ip ?? '—'}</dd>
        <dt>Browser / client</dt>
        <dd>{entry.userAgent ?? '—'}</dd>
        <dt>Request id</dt>
        <dd>{entry.requestId ? <code className="mono">{entry.requestId}</code> : '—'}</dd>
      </dl>
      {(entry.before || entry.after) && (
        <div className="diff">
          <div>
            <h3>Before</h3>
            <pre>{entry.before ? JSON.stringify(entry.before, null, 2) : '—'}</pre>
          </div>
          <div>
            <h3>After</h3>
            <pre>{entry.after ? JSON.stringify(entry.after, null, 2) : '—'}</pre>
          </div>
        </div>
      )}
    </div>
  );
}
