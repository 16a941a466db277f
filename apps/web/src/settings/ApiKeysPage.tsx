import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, errorMessage } from '../api/client';
import { type ApiKey, roleLabels } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { formatDate, formatDateTime } from '../ui/format';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { ConfirmDialog } from './ConfirmDialog';
import { CreateApiKeyDialog } from './CreateApiKeyDialog';
import { apiKeysKey, useApiKeys } from './queries';

export default function ApiKeysPage() {
  const { id: workspaceId, can } = useWorkspace();
  const keys = useApiKeys(workspaceId, can('api_keys.view'));
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: (key: ApiKey) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/api-keys/{apiKeyId}', {
          params: { path: { workspaceId, apiKeyId: key.id } },
        }),
      ),
    onSuccess: async (_done, key) => {
      await queryClient.invalidateQueries({ queryKey: apiKeysKey(workspaceId) });
      announce(`API key “${key.name}” revoked`);
      setRevoking(null);
    },
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
      {keys.isPending && <Spinner label="Loading API keys…" />}
      {keys.isError && <ErrorState error={keys.error} onRetry={() => keys.refetch()} />}
      {keys.data &&
        (keys.data.items.length === 0 ? (
          <EmptyState title="No API keys yet">Create one to connect your CRM, shop or scripts.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Role</th>
                  <th scope="col" className="hide-sm">
                    Created
                  </th>
                  <th scope="col" className="hide-sm">
                    Last used
                  </th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((key) => (
                  <tr key={key.id}>
                    <td className="cell-primary">{key.name}</td>
                    <td>
                      <code className="mono">{key.prefix}…</code>
                    </td>
                    <td>
                      <span className={`badge badge-role-${key.role}`}>{roleLabels[key.role]}</span>
                    </td>
                    <td className="hide-sm">{formatDate(key.createdAt)}</td>
                    <td className="hide-sm">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}</td>
                    <td className="cell-actions">
                      {can('api_keys.manage') && (
                        <button
                          type="button"
                          className="btn btn-small btn-ghost-danger"
                          onClick={() => setRevoking(key)}
                        >
                          Revoke<span className="sr-only"> {key.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <CreateApiKeyDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        title="Revoke API key?"
        body={revoking ? `“${revoking.name}” stops working at once. Anything that uses it will get 401.` : ''}
        confirmLabel="Revoke key"
        open={revoking !== null}
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
      />
    </section>
  );
}
