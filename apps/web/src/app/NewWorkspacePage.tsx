import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../api/client';
import { AuthLayout } from '../auth/AuthLayout';
import { meKey, useMe } from '../auth/session';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';

export default function NewWorkspacePage() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useFormErrors(['name']);
  const create = useMutation({
    mutationFn: (name: string) => call(api.POST('/api/v1/workspaces', { body: { name } })),
    onSuccess: async (workspace) => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      navigate(`/w/${workspace.id}/inbox`, { replace: true });
    },
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['name']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    create.mutate(values.name ?? '');
  }

  const hasWorkspaces = (me.data?.workspaces.length ?? 0) > 0;
  return (
    <AuthLayout
      title="New workspace"
      subtitle="A workspace holds one business: its numbers, team and customers."
    >
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        <TextField label="Business name" name="name" autoFocus error={form.errors.fields.name} />
        <button type="submit" className="btn btn-primary btn-block" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create workspace'}
        </button>
      </form>
      {hasWorkspaces && (
        <p className="auth-links">
          <Link to="/">Cancel</Link>
        </p>
      )}
    </AuthLayout>
  );
}
