import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, api, call } from '../api/client';
import type { AuditEntry } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { useMembers } from '../settings/queries';
import { DataTable, RowAction } from '../ui/DataTable';
import { formatDateTime } from '../ui/format';
import { EmptyState, PagedListFoot, PageHeader, QueryState } from '../ui/states';
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
        <QueryState
          query={log}
          loading="Loading audit log…"
          showError={Object.keys(fieldErrors).length === 0}
          isEmpty={() => entries.length === 0}
          empty={
            <EmptyState title={filtered ? 'Nothing matches these filters' : 'No activity yet'}>
              {filtered
                ? 'Try a wider date range or clear the filters.'
                : 'Actions of your team will show here.'}
            </EmptyState>
          }
        >
          {() => <AuditTable entries={entries} />}
        </QueryState>
        <PagedListFoot query={log} more="Load older entries" shown={`${entries.length} entries shown`} />
      </section>
    </>
  );
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <DataTable
      rows={entries}
      columns={[
        { header: 'When', className: 'nowrap', cell: (entry) => formatDateTime(entry.occurredAt) },
        {
          header: 'Actor',
          cell: (entry) => (
            <>
              <div className="cell-primary">{entry.actorLabel ?? entry.actorType}</div>
              {entry.actorType !== 'user' && (
                <div className="cell-secondary">{entry.actorType.replace('_', ' ')}</div>
              )}
            </>
          ),
        },
        {
          header: 'Action',
          cell: (entry) => (
            <>
              <div className="cell-primary">{describeAction(entry.action)}</div>
              <code className="cell-secondary mono">{entry.action}</code>
            </>
          ),
        },
        {
          header: 'Resource',
          hideSm: true,
          cell: (entry) => (
            <>
              <div>{entry.resourceType}</div>
              {entry.resourceId && <code className="cell-secondary mono">{entry.resourceId}</code>}
            </>
          ),
        },
      ]}
      actions={(entry) => (
        <RowAction
          tone="ghost"
          label={open === entry.id ? 'Hide' : 'Details'}
          aria-expanded={open === entry.id}
          aria-controls={`audit-${entry.id}`}
          onClick={() => setOpen(open === entry.id ? null : entry.id)}
        />
      )}
      actionsHeader="Details"
      details={(entry) => open === entry.id && <EntryDetails entry={entry} />}
      detailsId={(entry) => `audit-${entry.id}`}
    />
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
