import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call, errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { ConfirmDialog } from '../settings/ConfirmDialog';
import { useAnnounce } from '../ui/announcer';
import { useConfirmedAction } from '../ui/confirm';
import { DataTable, RowAction } from '../ui/DataTable';
import { formatDateTime } from '../ui/format';
import { EmptyState, PageHeader, QueryState } from '../ui/states';
import { STATUS_TONE, statusLabel, type Template, templatesKey, useTemplates } from './queries';
import { draftOf, TemplatePreview } from './TemplatePreview';
import './templates.css';

const STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'];

export default function TemplatesPage() {
  const { id: workspaceId, can } = useWorkspace();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const templates = useTemplates(workspaceId, status);
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const sync = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/templates/sync', { params: { path: { workspaceId } } }),
      ),
    onSuccess: async ({ changed }) => {
      await queryClient.invalidateQueries({ queryKey: templatesKey(workspaceId) });
      announce(
        changed === 0
          ? 'Templates are up to date'
          : `${changed} template${changed === 1 ? '' : 's'} updated from Meta`,
      );
    },
    onError: (error) => announce(errorMessage(error), 'error'),
  });

  return (
    <>
      <PageHeader title="Templates">
        {can('templates.manage') && (
          <>
            <button type="button" className="btn" onClick={() => sync.mutate()} disabled={sync.isPending}>
              {sync.isPending ? 'Syncing…' : 'Sync from Meta'}
            </button>
            <Link to="new" className="btn btn-primary">
              New template
            </Link>
          </>
        )}
      </PageHeader>
      <p className="muted page-lead">
        Messages approved by Meta that you may send outside the 24-hour window: notifications, reminders,
        offers.
      </p>
      <div className="filters template-filters">
        <div className="field">
          <label htmlFor="template-status">Status</label>
          <select
            id="template-status"
            value={status ?? ''}
            onChange={(event) => setParams(event.target.value ? { status: event.target.value } : {})}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <section className="card card-flush" aria-label="Templates" aria-busy={templates.isFetching}>
        <QueryState
          query={templates}
          loading="Loading templates…"
          isEmpty={(data) => data.items.length === 0}
          empty={
            <EmptyState
              title={status ? `No ${statusLabel(status).toLowerCase()} templates` : 'No templates yet'}
            >
              {can('templates.manage') && !status
                ? 'Create one, preview it and submit it to Meta for review. Reviews usually take minutes.'
                : null}
            </EmptyState>
          }
        >
          {(data) => <TemplateTable templates={data.items} />}
        </QueryState>
      </section>
    </>
  );
}

function TemplateTable({ templates }: { templates: Template[] }) {
  const { id: workspaceId, can } = useWorkspace();
  const [open, setOpen] = useState<string | null>(null);
  const deletion = useConfirmedAction({
    action: (template: Template) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/templates/{templateId}', {
          params: { path: { workspaceId, templateId: template.id } },
        }),
      ),
    queryKey: templatesKey(workspaceId),
    done: (template) => `Template “${template.name}” deleted`,
  });

  return (
    <>
      <DataTable
        rows={templates}
        columns={[
          {
            header: 'Name',
            cell: (template) => (
              <>
                <div className="cell-primary mono">{template.name}</div>
                <div className="cell-secondary">{template.language}</div>
              </>
            ),
          },
          { header: 'Category', hideSm: true, cell: (template) => statusLabel(template.category) },
          {
            header: 'Status',
            cell: (template) => (
              <>
                <span className={`badge ${STATUS_TONE[template.status] ?? ''}`}>
                  {statusLabel(template.status)}
                </span>
                {template.statusReason && template.statusReason !== 'NONE' && (
                  <div className="cell-error">{template.statusReason}</div>
                )}
              </>
            ),
          },
          { header: 'Updated', hideSm: true, cell: (template) => formatDateTime(template.updatedAt) },
        ]}
        actions={(template) => (
          <>
            <RowAction
              tone="ghost"
              label="Preview"
              subject={template.name}
              aria-expanded={open === template.id}
              onClick={() => setOpen(open === template.id ? null : template.id)}
            />
            {can('templates.manage') && (
              <RowAction
                tone="danger"
                label="Delete"
                subject={template.name}
                onClick={() => deletion.ask(template)}
              />
            )}
          </>
        )}
        details={(template) =>
          open === template.id && (
            <div className="template-row-preview">
              <TemplatePreview draft={draftOf(template.components)} />
            </div>
          )
        }
      />
      <ConfirmDialog
        title="Delete template?"
        body={
          deletion.target
            ? `“${deletion.target.name}” (${deletion.target.language}) is deleted at Meta too. Its name cannot be reused for 30 days.`
            : ''
        }
        confirmLabel="Delete template"
        {...deletion.dialog}
      />
    </>
  );
}
