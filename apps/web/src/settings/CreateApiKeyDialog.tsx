import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from '../api/client';
import type { Role } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { FormError, SelectField, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { apiKeysKey } from './queries';
import { RoleOptions } from './RoleOptions';

/** Create, then show the secret exactly once with a copy button; closing forgets it. */
export function CreateApiKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { id: workspaceId, role: myRole } = useWorkspace();
  const queryClient = useQueryClient();
  const form = useFormErrors(['name', 'role']);
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    mutationFn: (body: { name: string; role: Role }) =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/api-keys', { params: { path: { workspaceId } }, body }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKey(workspaceId) }),
    onError: form.fail,
  });

  function close() {
    form.clear();
    create.reset();
    setCopied(false);
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['name']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    create.mutate({ name: values.name ?? '', role: (values.role ?? 'agent') as Role });
  }

  async function copy(key: string) {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  const created = create.data;
  return (
    <Modal title={created ? 'Your new API key' : 'Create API key'} open={open} onClose={close}>
      {created ? (
        <div className="stack">
          <div className="banner banner-warn" role="status">
            Copy this key now. It is shown only once; we keep just a hash of it.
          </div>
          <label className="field-label" htmlFor="new-api-key">
            API key for “{created.apiKey.name}”
          </label>
          <div className="copy-row">
            <input
              id="new-api-key"
              className="mono"
              readOnly
              value={created.key}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" className="btn" onClick={() => copy(created.key)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p className="muted small">
            Send it as <code>Authorization: Bearer …</code> to the REST API.
          </p>
          <div className="modal-actions">
            <button type="button" className="btn btn-primary" onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="stack">
          <FormError message={form.errors.message} />
          <TextField
            label="Name"
            name="name"
            autoFocus
            hint="Where it is used, e.g. “CRM sync”."
            error={form.errors.fields.name}
          />
          <SelectField
            label="Role"
            name="role"
            defaultValue="agent"
            error={form.errors.fields.role}
            hint="The key can do what this role can."
          >
            <RoleOptions myRole={myRole} />
          </SelectField>
          <div className="modal-actions">
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create key'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
