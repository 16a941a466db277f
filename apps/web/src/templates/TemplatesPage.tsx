import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call, errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { ConfirmDialog } from '../settings/ConfirmDialog';
import { useAnnounce } from '../ui/announcer';
import { formatDateTime } from '../ui/format';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../ui/states';
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
        {templates.isPending && <Spinner label="Loading templates…" />}
        {templates.isError && <ErrorState error={templates.error} onRetry={() => templates.refetch()} />}
        {templates.data &&
          (templates.data.items.length === 0 ? (
            <EmptyState
              title={status ? `No ${statusLabel(status).toLowerCase()} templates` : 'No templates yet'}
            >
              {can('templates.manage') && !status
                ? 'Create one, preview it and submit it to Meta for review. Reviews usually take minutes.'
                : null}
            </EmptyState>
          ) : (
            <TemplateTable templates={templates.data.items} />
          ))}
      </section>
    </>
  );
}

function TemplateTable({ templates }: { templates: Template[] }) {
  const { id: workspaceId, can } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Template | null>(null);
  const remove = useMutation({
    mutationFn: (template: Template) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/templates/{templateId}', {
          params: { path: { workspaceId, templateId: template.id } },
        }),
      ),
    onSuccess: async (_done, template) => {
      await queryClient.invalidateQueries({ queryKey: templatesKey(workspaceId) });
      announce(`Template “${template.name}” deleted`);
      setDeleting(null);
    },
  });

  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="hide-sm">
                Category
              </th>
              <th scope="col">Status</th>
              <th scope="col" className="hide-sm">
                Updated
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {templates.map((template) => (
              <Fragment key={template.id}>
                <tr>
                  <td>
                    <div className="cell-primary mono">{template.name}</div>
                    <div className="cell-secondary">{template.language}</div>
                  </td>
                  <td className="hide-sm">{statusLabel(template.category)}</td>
                  <td>
                    <span className={`badge ${STATUS_TONE[template.status] ?? ''}`}>
                      {statusLabel(template.status)}
                    </span>
                    {template.statusReason && template.statusReason !== 'NONE' && (
                      <div className="cell-error">{template.statusReason}</div>
                    )}
                  </td>
                  <td className="hide-sm">{formatDateTime(template.updatedAt)}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      aria-expanded={open === template.id}
                      onClick={() => setOpen(open === template.id ? null : template.id)}
                    >
                      Preview<span className="sr-only"> {template.name}</span>
                    </button>
                    {can('templates.manage') && (
                      <button
                        type="button"
                        className="btn btn-small btn-ghost-danger"
                        onClick={() => setDeleting(template)}
                      >
                        Delete<span className="sr-only"> {template.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
                {open === template.id && (
                  <tr className="row-details">
                    <td colSpan={5}>
                      <div className="template-row-preview">
                        <TemplatePreview draft={draftOf(template.components)} />
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        title="Delete template?"
        body={
          deleting
            ? `“${deleting.name}” (${deleting.language}) is deleted at Meta too. Its name cannot be reused for 30 days.`
            : ''
        }
        confirmLabel="Delete template"
        open={deleting !== null}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
      />
    </>
  );
}
