import { useState } from 'react';
import { api, call } from '../api/client';
import { type ApiKey, roleLabels } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { useConfirmedAction } from '../ui/confirm';
import { DataTable, RowAction } from '../ui/DataTable';
import { formatDate, formatDateTime } from '../ui/format';
import { EmptyState, QueryState } from '../ui/states';
import { ConfirmDialog } from './ConfirmDialog';
import { CreateApiKeyDialog } from './CreateApiKeyDialog';
import { apiKeysKey, useApiKeys } from './queries';

export default function ApiKeysPage() {
  const { id: workspaceId, can } = useWorkspace();
  const keys = useApiKeys(workspaceId, can('api_keys.view'));
  const [creating, setCreating] = useState(false);
  const revocation = useConfirmedAction({
    action: (key: ApiKey) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/api-keys/{apiKeyId}', {
          params: { path: { workspaceId, apiKeyId: key.id } },
        }),
      ),
    queryKey: apiKeysKey(workspaceId),
    done: (key) => `API key “${key.name}” revoked`,
  });

  if (!can('api_keys.view')) {
    return <EmptyState title="API keys are managed by Owners and Managers" />;
  }
  return (
    <section className="card" aria-labelledby="keys-title">
      <div className="card-head">
        <div>
          <h2 id="keys-title">API keys</h2>
          <p className="muted small">
            Keys let your own systems use the REST API on behalf of this workspace.
          </p>
        </div>
        {can('api_keys.manage') && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            Create API key
          </button>
        )}
      </div>
      <QueryState
        query={keys}
        loading="Loading API keys…"
        isEmpty={(data) => data.items.length === 0}
        empty={
          <EmptyState title="No API keys yet">Create one to connect your CRM, shop or scripts.</EmptyState>
        }
      >
        {(data) => (
          <DataTable
            rows={data.items}
            columns={[
              { header: 'Name', className: 'cell-primary', cell: (key) => key.name },
              { header: 'Key', cell: (key) => <code className="mono">{key.prefix}…</code> },
              {
                header: 'Role',
                cell: (key) => <span className={`badge badge-role-${key.role}`}>{roleLabels[key.role]}</span>,
              },
              { header: 'Created', hideSm: true, cell: (key) => formatDate(key.createdAt) },
              {
                header: 'Last used',
                hideSm: true,
                cell: (key) => (key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'),
              },
            ]}
            actions={(key) =>
              can('api_keys.manage') && (
                <RowAction
                  tone="danger"
                  label="Revoke"
                  subject={key.name}
                  onClick={() => revocation.ask(key)}
                />
              )
            }
          />
        )}
      </QueryState>
      <CreateApiKeyDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        title="Revoke API key?"
        body={
          revocation.target
            ? `“${revocation.target.name}” stops working at once. Anything that uses it will get 401.`
            : ''
        }
        confirmLabel="Revoke key"
        {...revocation.dialog}
      />
    </section>
  );
}
