import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api, call } from '../api/client';
import type { Role } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError, SelectField, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { invitationsKey } from './queries';
import { RoleOptions } from './RoleOptions';

export function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { id: workspaceId, role: myRole } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['email', 'role']);
  const invite = useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/invitations', { params: { path: { workspaceId } }, body }),
      ),
    onSuccess: async (invitation) => {
      await queryClient.invalidateQueries({ queryKey: invitationsKey(workspaceId) });
      announce(`Invitation sent to ${invitation.email}`);
      close();
    },
    onError: form.fail,
  });

  function close() {
    form.clear();
    invite.reset();
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['email']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    invite.mutate({ email: values.email ?? '', role: (values.role ?? 'agent') as Role });
  }

  return (
    <Modal title="Invite a teammate" open={open} onClose={close}>
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="off"
          autoFocus
          error={form.errors.fields.email}
        />
        <SelectField label="Role" name="role" defaultValue="agent" error={form.errors.fields.role}>
          <RoleOptions myRole={myRole} withDescriptions />
        </SelectField>
        <p className="muted small">They get an email with a link that works for 7 days.</p>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
            {invite.isPending ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
